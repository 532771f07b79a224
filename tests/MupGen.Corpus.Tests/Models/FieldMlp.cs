using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>The plainest MLP: one field per layer, as in TorchSharp's examples.</summary>
public partial class FieldMlp : Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    [ReadoutLayer] private readonly Linear head;

    public FieldMlp([Width(32)] int width, int features = 16, int classes = 10) : base(nameof(FieldMlp))
    {
        fc1 = Linear(features, width);
        fc2 = Linear(width, width);
        head = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var h1 = functional.relu(fc1.forward(x));
        using var h2 = functional.relu(fc2.forward(h1));
        return head.forward(h2 * MupReadoutMultiplier);
    }
}
