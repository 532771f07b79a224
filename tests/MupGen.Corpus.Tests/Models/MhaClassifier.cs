using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>torch.nn.MultiheadAttention with a fixed head dimension (the head count grows with the width).</summary>
public partial class MhaClassifier : Module<Tensor, Tensor>
{
    private readonly Linear embed;
    private readonly MultiheadAttention attn;
    private readonly LayerNorm norm;
    [ReadoutLayer] private readonly Linear head;

    public MhaClassifier([Width(64)] int width, int features = 12, int classes = 5, int headDim = 16) : base(nameof(MhaClassifier))
    {
        embed = Linear(features, width);
        attn = MultiheadAttention(width, width / headDim);
        norm = LayerNorm(width);
        head = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = embed.forward(x);
        var a = attn.call(h, h, h, null, false, null).Item1;
        return head.forward(norm.forward(h + a).mean(new long[] { 0 }) * MupReadoutMultiplier);
    }
}
