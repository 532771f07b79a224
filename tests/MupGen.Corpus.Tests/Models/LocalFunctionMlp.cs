using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Blocks built by a local function of the constructor that captures the width, added in a loop.</summary>
public partial class LocalFunctionMlp : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly ModuleList<Module<Tensor, Tensor>> hidden;
    [ReadoutLayer] private readonly Linear output;

    public LocalFunctionMlp([Width(32)] int width, int features = 16, int classes = 10, int layers = 2) : base(nameof(LocalFunctionMlp))
    {
        Sequential Block(int inner) => Sequential(("fc", Linear(width, inner)), ("act", ReLU()), ("proj", Linear(inner, width)));
        Linear Layer(long inputs, long outputs) => Linear(inputs, outputs);

        input = Layer(features, width);
        hidden = new ModuleList<Module<Tensor, Tensor>>();
        for (int i = 0; i < layers; i++)
            hidden.Add(Block(2 * width));
        output = Layer(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = functional.relu(input.forward(x));
        foreach (var block in hidden)
            h = h + block.call(h);
        return output.forward(h * MupReadoutMultiplier);
    }
}
