using System;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Llama-style attention whose sizes come from helpers: a head-dimension method with a guard, a local
/// function and a computed property.</summary>
public partial class SizeHelperAttention : Module<Tensor, Tensor>
{
    private readonly int _dim;
    private readonly int n_heads;
    private readonly int head_dim;
    private readonly Linear wqkv;
    private readonly Linear wo;

    public SizeHelperAttention(int dim, int nHeads) : base(nameof(SizeHelperAttention))
    {
        _dim = dim;
        n_heads = nHeads;
        head_dim = HeadDim(dim, nHeads);
        int Packed(int d) => 3 * d;
        wqkv = Linear(dim, Packed(dim), hasBias: false);
        wo = Linear(OutputDim, dim, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The attention output size: all heads side by side.</summary>
    private int OutputDim => n_heads * head_dim;

    private static int HeadDim(int w, int heads)
    {
        if (heads <= 0)
            throw new ArgumentOutOfRangeException(nameof(heads));
        var headDim = w / heads;
        return headDim;
    }

    public override Tensor forward(Tensor x)
    {
        var (B, T) = (x.shape[0], x.shape[1]);
        var qkv = wqkv.forward(x).view(B, T, 3, n_heads, head_dim).permute(2, 0, 3, 1, 4);
        var scores = functional.softmax(qkv[0].matmul(qkv[1].transpose(2, 3)) * MupAttentionScale(head_dim), -1);
        return wo.forward(scores.matmul(qkv[2]).transpose(1, 2).contiguous().view(B, T, -1));
    }
}

/// <summary>Llama's SwiGLU feed-forward with its hidden size from helpers: Hidden(dim) = 4 * dim, two thirds of it,
/// rounded up to a multiple of multipleOf (192 at dim 64, 1376 at dim 512: 7.17x, not 8x).</summary>
public partial class SizeHelperFeedForward : Module<Tensor, Tensor>
{
    private readonly Linear w1;
    private readonly Linear w2;
    private readonly Linear w3;

    public SizeHelperFeedForward(int dim, int multipleOf) : base(nameof(SizeHelperFeedForward))
    {
        var hidden = FfnHidden(dim, multipleOf);
        w1 = Linear(dim, hidden, hasBias: false);
        w2 = Linear(hidden, dim, hasBias: false);
        w3 = Linear(dim, hidden, hasBias: false);
        RegisterComponents();
    }

    private static int Hidden(int width) => 4 * width;

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static int FfnHidden(int dim, int multipleOf)
    {
        var hidden = Hidden(dim);
        hidden = (int)(2 * hidden / 3);
        return RoundUp(hidden, multipleOf);
    }

    public override Tensor forward(Tensor x) => w2.forward(functional.silu(w1.forward(x)) * w3.forward(x));
}

public partial class SizeHelperBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm attention_norm;
    private readonly SizeHelperAttention attention;
    private readonly LayerNorm ffn_norm;
    private readonly SizeHelperFeedForward feed_forward;

    public SizeHelperBlock(int dim, int nHeads, int multipleOf) : base(nameof(SizeHelperBlock))
    {
        attention_norm = LayerNorm(dim);
        attention = new SizeHelperAttention(dim, nHeads);
        ffn_norm = LayerNorm(dim);
        feed_forward = new SizeHelperFeedForward(dim, multipleOf);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = x + attention.forward(attention_norm.forward(x));
        return h + feed_forward.forward(ffn_norm.forward(h));
    }
}

/// <summary>A Llama-style transformer whose sizes come from helper methods, as TorchSharp ports write them; the
/// vocabulary is padded to a multiple of 8 by a helper too (width-free: Fixed).</summary>
public partial class SizeHelperLlama : Module<Tensor, Tensor>
{
    private readonly Embedding tok_embeddings;
    private readonly ModuleList<SizeHelperBlock> layers;
    private readonly LayerNorm norm;
    [ReadoutLayer] private readonly Linear output;

    public SizeHelperLlama([Width(64)] int dim, int nLayers = 2, int nHeads = 4, int vocabSize = 50, int multipleOf = 32)
        : base(nameof(SizeHelperLlama))
    {
        var paddedVocab = PadVocab(vocabSize);
        tok_embeddings = Embedding(paddedVocab, dim);
        layers = new ModuleList<SizeHelperBlock>();
        for (int i = 0; i < nLayers; i++)
            layers.Add(new SizeHelperBlock(dim, nHeads, multipleOf));
        norm = LayerNorm(dim);
        output = Linear(dim, paddedVocab, hasBias: false);
        RegisterComponents();
    }

    private static int PadVocab(int vocab, int multiple = 8) => (vocab + multiple - 1) / multiple * multiple;

    public override Tensor forward(Tensor tokens)
    {
        var h = tok_embeddings.forward(tokens);
        foreach (var layer in layers)
            h = layer.forward(h);
        return output.forward(norm.forward(h) * MupReadoutMultiplier);
    }
}
