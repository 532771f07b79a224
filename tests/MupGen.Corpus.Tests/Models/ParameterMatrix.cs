using System;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Raw Parameters used with matmul: a width × width mixing matrix drawn as randn / sqrt(width) (matrix-like:
/// Hidden), a gain of ones and a registered bias of zeros (vector-like), and a fixed-size temperature (finite).</summary>
public partial class ParameterMatrix : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Parameter mix;
    private readonly Parameter gain;
    private readonly Parameter temperature;
    [ReadoutLayer] private readonly Linear head;

    public ParameterMatrix([Width(32)] int width, int features = 16, int classes = 10) : base(nameof(ParameterMatrix))
    {
        input = Linear(features, width);
        mix = Parameter(randn(width, width) / Math.Sqrt(width));
        gain = new Parameter(ones(width));
        temperature = Parameter(full(new long[] { 1 }, 0.5));
        register_parameter("shift", Parameter(zeros(width)));
        head = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = input.forward(x).matmul(mix) * gain + get_parameter("shift");
        return head.forward(functional.relu(h) * temperature * MupReadoutMultiplier);
    }
}
