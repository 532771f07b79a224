using System.Collections.Generic;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>A List&lt;Module&gt; filled in a loop whose first layer differs (Linear(i == 0 ? features : width, width)).</summary>
public partial class ListMlp : Module<Tensor, Tensor>
{
    private readonly Sequential layers;
    [ReadoutLayer] private readonly Linear output;

    public ListMlp([Width(32)] int width, int depth = 3, int features = 16, int classes = 10) : base(nameof(ListMlp))
    {
        var list = new List<Module<Tensor, Tensor>>();
        for (int i = 0; i < depth; i++)
        {
            list.Add(Linear(i == 0 ? features : width, width));
            list.Add(GELU());
        }
        layers = Sequential(list);
        output = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => output.forward(layers.forward(x) * MupReadoutMultiplier);
}
