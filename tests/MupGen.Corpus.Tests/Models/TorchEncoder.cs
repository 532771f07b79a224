using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>TorchSharp's own TransformerEncoderLayer stacked in a ModuleList, as in its sequence-to-sequence example.</summary>
public partial class TorchEncoder : Module<Tensor, Tensor>
{
    private readonly Embedding encoder;
    private readonly ModuleList<TransformerEncoderLayer> layers;
    [ReadoutLayer] private readonly Linear decoder;

    public TorchEncoder([Width(64)] int ninputs, int ntokens = 50, int nheads = 4, int nlayers = 2) : base(nameof(TorchEncoder))
    {
        encoder = Embedding(ntokens, ninputs);
        layers = new ModuleList<TransformerEncoderLayer>();
        for (int i = 0; i < nlayers; i++)
            layers.Add(TransformerEncoderLayer(ninputs, nheads, 2 * ninputs, 0.0));
        decoder = Linear(ninputs, ntokens);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens)
    {
        var x = encoder.forward(tokens);
        foreach (var layer in layers)
            x = layer.call(x);
        return decoder.forward(x * MupReadoutMultiplier);
    }
}
