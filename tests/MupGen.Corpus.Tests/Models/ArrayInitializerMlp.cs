using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>A Sequential from an array initializer of modules.</summary>
public partial class ArrayInitializerMlp : Module<Tensor, Tensor>
{
    private readonly Sequential body;
    [ReadoutLayer] private readonly Linear head;

    public ArrayInitializerMlp([Width(32)] int width, int features = 16, int classes = 10) : base(nameof(ArrayInitializerMlp))
    {
        var modules = new Module<Tensor, Tensor>[] { Linear(features, width), ReLU(), Linear(width, width), ReLU() };
        body = Sequential(modules);
        head = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => head.forward(body.forward(x) * MupReadoutMultiplier);
}
