// docs/API.md's model, as a user pastes it (global namespace, the usings a user writes).
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public partial class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear input;                     // Input:  fan_in 32 is finite, fan_out = width
    private readonly Linear hidden;                    // Hidden: width -> width
    [ReadoutLayer] private readonly Linear readout;    // Readout: width -> 10

    public Mlp([Width(64)] int width, int features = 32, int classes = 10) : base(nameof(Mlp))
    {
        input = Linear(features, width);
        hidden = Linear(width, width);
        readout = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
        => readout.call(functional.relu(hidden.call(functional.relu(input.call(x)))) * MupReadoutMultiplier);
}
