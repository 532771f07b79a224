using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Hidden layers built into an array in a loop, then a ModuleList.</summary>
public partial class ArrayMlp : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly ModuleList<Linear> hidden;
    [ReadoutLayer] private readonly Linear readout;

    public ArrayMlp([Width(32)] int width, int depth = 3, int features = 16, int classes = 10) : base(nameof(ArrayMlp))
    {
        input = Linear(features, width);
        var layers = new Linear[depth];
        for (int i = 0; i < depth; i++)
            layers[i] = Linear(width, width);
        hidden = ModuleList(layers);
        readout = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = functional.relu(input.forward(x));
        foreach (var layer in hidden)
            h = functional.relu(layer.forward(h));
        return readout.forward(h * MupReadoutMultiplier);
    }
}
