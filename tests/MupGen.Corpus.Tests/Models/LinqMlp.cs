using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Hidden layers from Enumerable.Range(...).Select(...).ToArray().</summary>
public partial class LinqMlp : Module<Tensor, Tensor>
{
    private readonly Linear embed;
    private readonly ModuleList<Linear> layers;
    [ReadoutLayer] private readonly Linear unembed;

    public LinqMlp([Width(32)] int width, int depth = 2, int features = 16, int classes = 10) : base(nameof(LinqMlp))
    {
        embed = Linear(features, width);
        layers = ModuleList(Enumerable.Range(0, depth).Select(_ => Linear(width, width)).ToArray());
        unembed = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = embed.forward(x);
        foreach (var l in layers)
            h = functional.relu(l.forward(h));
        return unembed.forward(h * MupReadoutMultiplier);
    }
}
