using System;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Llama-style arguments whose feed-forward size is a computed member: multiple_of rounding of 8 * dim / 3.</summary>
public sealed record LlamaHiddenArgs
{
    [Width(64)] public int Dim { get; init; } = 64;
    public int NLayers { get; init; } = 2;
    public int NHeads { get; init; } = 4;
    public int VocabSize { get; init; } = 50;
    public int MultipleOf { get; init; } = 32;

    /// <summary>SwiGLU's hidden size: 8 * 64 / 3 = 170, rounded up to 192 at the base width; 7.17x at 8x the width.</summary>
    public int Hidden => MultipleOf * ((8 * Dim / 3 + MultipleOf - 1) / MultipleOf);
}

public partial class HiddenArgsAttention : Module<Tensor, Tensor>
{
    private readonly Linear wqkv;
    private readonly Linear wo;
    private readonly int heads;
    private readonly int headDim;

    public HiddenArgsAttention(LlamaHiddenArgs args) : base(nameof(HiddenArgsAttention))
    {
        heads = args.NHeads;
        headDim = args.Dim / args.NHeads;
        wqkv = Linear(args.Dim, 3 * args.Dim, hasBias: false);
        wo = Linear(args.Dim, args.Dim, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (B, T) = (x.shape[0], x.shape[1]);
        var qkv = wqkv.forward(x).view(B, T, 3, heads, headDim).permute(2, 0, 3, 1, 4);
        var scores = functional.softmax(qkv[0].matmul(qkv[1].transpose(2, 3)) * MupAttentionScale(headDim), -1);
        return wo.forward(scores.matmul(qkv[2]).transpose(1, 2).contiguous().view(B, T, -1));
    }
}

public partial class HiddenArgsFeedForward : Module<Tensor, Tensor>
{
    private readonly Linear w1;
    private readonly Linear w2;
    private readonly Linear w3;

    public HiddenArgsFeedForward(LlamaHiddenArgs args) : base(nameof(HiddenArgsFeedForward))
    {
        w1 = Linear(args.Dim, args.Hidden, hasBias: false);
        w2 = Linear(args.Hidden, args.Dim, hasBias: false);
        w3 = Linear(args.Dim, args.Hidden, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => w2.forward(functional.silu(w1.forward(x)) * w3.forward(x));
}

public partial class HiddenArgsBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm attention_norm;
    private readonly HiddenArgsAttention attention;
    private readonly LayerNorm ffn_norm;
    private readonly HiddenArgsFeedForward feed_forward;

    public HiddenArgsBlock(LlamaHiddenArgs args) : base(nameof(HiddenArgsBlock))
    {
        attention_norm = LayerNorm(args.Dim);
        attention = new HiddenArgsAttention(args);
        ffn_norm = LayerNorm(args.Dim);
        feed_forward = new HiddenArgsFeedForward(args);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = x + attention.forward(attention_norm.forward(x));
        return h + feed_forward.forward(ffn_norm.forward(h));
    }
}

/// <summary>A Llama-style transformer with LayerNorm and the config's computed hidden size.</summary>
public partial class LlamaComputedHidden : Module<Tensor, Tensor>
{
    private readonly Embedding tok_embeddings;
    private readonly ModuleList<HiddenArgsBlock> layers;
    private readonly LayerNorm norm;
    [ReadoutLayer] private readonly Linear output;

    public LlamaComputedHidden(LlamaHiddenArgs args) : base(nameof(LlamaComputedHidden))
    {
        tok_embeddings = Embedding(args.VocabSize, args.Dim);
        layers = new ModuleList<HiddenArgsBlock>();
        for (int i = 0; i < args.NLayers; i++)
            layers.Add(new HiddenArgsBlock(args));
        norm = LayerNorm(args.Dim);
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
