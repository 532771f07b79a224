using System;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Llama's ModelArgs, as a class with init properties.</summary>
public sealed class LlamaArgs
{
    [Width(64)] public int Dim { get; init; } = 64;
    public int NLayers { get; init; } = 2;
    public int NHeads { get; init; } = 4;
    public int NKvHeads { get; init; } = 2;
    public int VocabSize { get; init; } = 50;
    public int MultipleOf { get; init; } = 32;
    public double NormEps { get; init; } = 1e-5;
}

/// <summary>A hand-written RMSNorm with a Parameter gain (TorchSharp 0.107 has no RMSNorm).</summary>
public partial class RMSNorm : Module<Tensor, Tensor>
{
    private readonly double eps;
    private readonly Parameter weight;

    public RMSNorm(int dim, double eps = 1e-6) : base(nameof(RMSNorm))
    {
        this.eps = eps;
        weight = Parameter(ones(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * rsqrt(x.pow(2).mean(new long[] { -1 }, keepdim: true) + eps) * weight;
}

/// <summary>Grouped-query attention: n_kv_heads key/value heads shared by n_heads query heads.</summary>
public partial class LlamaAttention : Module<Tensor, Tensor>
{
    private readonly int n_heads;
    private readonly int n_kv_heads;
    private readonly int head_dim;
    private readonly Linear wq;
    private readonly Linear wk;
    private readonly Linear wv;
    private readonly Linear wo;

    public LlamaAttention(LlamaArgs args) : base(nameof(LlamaAttention))
    {
        n_heads = args.NHeads;
        n_kv_heads = args.NKvHeads;
        head_dim = args.Dim / args.NHeads;
        wq = Linear(args.Dim, args.NHeads * head_dim, hasBias: false);
        wk = Linear(args.Dim, n_kv_heads * head_dim, hasBias: false);
        wv = Linear(args.Dim, n_kv_heads * head_dim, hasBias: false);
        wo = Linear(args.NHeads * head_dim, args.Dim, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (B, T) = (x.shape[0], x.shape[1]);
        var q = wq.forward(x).view(B, T, n_heads, head_dim).transpose(1, 2);
        var k = wk.forward(x).view(B, T, n_kv_heads, head_dim).repeat_interleave(n_heads / n_kv_heads, 2).transpose(1, 2);
        var v = wv.forward(x).view(B, T, n_kv_heads, head_dim).repeat_interleave(n_heads / n_kv_heads, 2).transpose(1, 2);
        var scores = functional.softmax(q.matmul(k.transpose(2, 3)) * MupAttentionScale(head_dim), -1);
        return wo.forward(scores.matmul(v).transpose(1, 2).contiguous().view(B, T, -1));
    }
}

/// <summary>SwiGLU with Llama's multiple_of rounding of the hidden size.</summary>
public partial class LlamaFeedForward : Module<Tensor, Tensor>
{
    private readonly Linear w1;
    private readonly Linear w2;
    private readonly Linear w3;

    public LlamaFeedForward(int dim, int hiddenDim, int multipleOf) : base(nameof(LlamaFeedForward))
    {
        hiddenDim = 2 * hiddenDim / 3;
        hiddenDim = multipleOf * ((hiddenDim + multipleOf - 1) / multipleOf);
        w1 = Linear(dim, hiddenDim, hasBias: false);
        w2 = Linear(hiddenDim, dim, hasBias: false);
        w3 = Linear(dim, hiddenDim, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => w2.forward(functional.silu(w1.forward(x)) * w3.forward(x));
}

public partial class LlamaBlock : Module<Tensor, Tensor>
{
    private readonly LlamaAttention attention;
    private readonly LlamaFeedForward feed_forward;
    private readonly RMSNorm attention_norm;
    private readonly RMSNorm ffn_norm;

    public LlamaBlock(LlamaArgs args) : base(nameof(LlamaBlock))
    {
        attention = new LlamaAttention(args);
        feed_forward = new LlamaFeedForward(args.Dim, 4 * args.Dim, args.MultipleOf);
        attention_norm = new RMSNorm(args.Dim, args.NormEps);
        ffn_norm = new RMSNorm(args.Dim, args.NormEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = x + attention.forward(attention_norm.forward(x));
        return h + feed_forward.forward(ffn_norm.forward(h));
    }
}

/// <summary>Llama's Transformer.</summary>
public partial class Llama : Module<Tensor, Tensor>
{
    private readonly Embedding tok_embeddings;
    private readonly ModuleList<LlamaBlock> layers;
    private readonly RMSNorm norm;
    [ReadoutLayer] private readonly Linear output;

    public Llama(LlamaArgs args) : base(nameof(Llama))
    {
        tok_embeddings = Embedding(args.VocabSize, args.Dim);
        layers = new ModuleList<LlamaBlock>();
        for (int i = 0; i < args.NLayers; i++)
            layers.Add(new LlamaBlock(args));
        norm = new RMSNorm(args.Dim, args.NormEps);
        output = Linear(args.Dim, args.VocabSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens)
    {
        var h = tok_embeddings.forward(tokens);
        foreach (var layer in layers)
            h = layer.forward(h);
        return output.forward(norm.forward(h) * MupReadoutMultiplier);
    }
}
