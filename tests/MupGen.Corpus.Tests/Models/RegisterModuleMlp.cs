using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Underscore fields registered by hand under other names with register_module.</summary>
public partial class RegisterModuleMlp : Module<Tensor, Tensor>
{
    private readonly Linear _in;
    private readonly Linear _fc;
    [ReadoutLayer] private readonly Linear _out;

    public RegisterModuleMlp([Width(32)] int width, int features = 16, int classes = 10) : base(nameof(RegisterModuleMlp))
    {
        _in = Linear(features, width);
        _fc = Linear(width, width);
        _out = Linear(width, classes);
        register_module("input", _in);
        register_module("fc", _fc);
        register_module("readout", _out);
    }

    public override Tensor forward(Tensor x) => _out.forward(functional.relu(_fc.forward(functional.relu(_in.forward(x)))) * MupReadoutMultiplier);
}
