using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Samples.Mlp;

/// <summary>The model of docs/API.md: hyperparameters are tuned at width 64 and transfer to any width.</summary>
public partial class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear input;                       // Input:  fan_in `features` is finite, fan_out = width
    private readonly Linear hidden;                      // Hidden: width -> width
    [ReadoutLayer] private readonly Linear readout;      // Readout: width -> classes

    /// <summary>An MLP of the given width (base 64) from <paramref name="features"/> inputs to <paramref name="classes"/> logits.</summary>
    public Mlp([Width(64)] int width, int features = 32, int classes = 10) : base(nameof(Mlp))
    {
        input = Linear(features, width);
        hidden = Linear(width, width);
        readout = Linear(width, classes);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
        => readout.call(functional.relu(hidden.call(functional.relu(input.call(x)))) * MupReadoutMultiplier);
}
