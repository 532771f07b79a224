using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>A named Sequential of (name, module) tuples, as TorchSharp's examples write it.</summary>
public partial class NamedSequentialMlp : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    [ReadoutLayer] private readonly Linear classifier;

    public NamedSequentialMlp([Width(32)] int width, int inputs = 16, int classes = 10) : base(nameof(NamedSequentialMlp))
    {
        features = Sequential(
            ("fc1", Linear(inputs, width)),
            ("act1", ReLU()),
            ("fc2", Linear(width, 2 * width)),
            ("act2", ReLU()),
            ("fc3", Linear(2 * width, width)),
            ("norm", LayerNorm(width)));
        classifier = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => classifier.forward(features.forward(x) * MupReadoutMultiplier);
}
