using System;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>nanoGPT's configuration, ported as a record; the width is marked on its property.</summary>
public sealed record GptConfig
{
    public int BlockSize { get; init; } = 16;
    public int VocabSize { get; init; } = 50;
    public int NLayer { get; init; } = 2;
    public int NHead { get; init; } = 4;
    [Width(64)] public int NEmbd { get; init; } = 64;
    public bool Bias { get; init; } = true;
    /// <summary>A computed member: the generator evaluates its getter on the instance it is read through.</summary>
    public int HeadDim => NEmbd / NHead;
}

/// <summary>nanoGPT's CausalSelfAttention: one fused c_attn, a c_proj.</summary>
public partial class CausalSelfAttention : Module<Tensor, Tensor>
{
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly int n_head;
    private readonly int n_embd;
    private readonly int head_dim;

    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        c_attn = Linear(config.NEmbd, 3 * config.NEmbd, hasBias: config.Bias);
        c_proj = Linear(config.NEmbd, config.NEmbd, hasBias: config.Bias);
        n_head = config.NHead;
        n_embd = config.NEmbd;
        head_dim = config.HeadDim;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (B, T, C) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkv = c_attn.forward(x).split(n_embd, 2);
        var q = qkv[0].view(B, T, n_head, C / n_head).transpose(1, 2);
        var k = qkv[1].view(B, T, n_head, C / n_head).transpose(1, 2);
        var v = qkv[2].view(B, T, n_head, C / n_head).transpose(1, 2);
        var att = q.matmul(k.transpose(-2, -1)) * MupAttentionScale(head_dim);
        var y = functional.softmax(att, -1).matmul(v).transpose(1, 2).contiguous().view(B, T, C);
        return c_proj.forward(y);
    }
}

/// <summary>nanoGPT's MLP.</summary>
public partial class GptMlp : Module<Tensor, Tensor>
{
    private readonly Linear c_fc;
    private readonly Linear c_proj;

    public GptMlp(GptConfig config) : base(nameof(GptMlp))
    {
        c_fc = Linear(config.NEmbd, 4 * config.NEmbd, hasBias: config.Bias);
        c_proj = Linear(4 * config.NEmbd, config.NEmbd, hasBias: config.Bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => c_proj.forward(functional.gelu(c_fc.forward(x)));
}

/// <summary>nanoGPT's Block.</summary>
public partial class GptBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly GptMlp mlp;

    public GptBlock(GptConfig config) : base(nameof(GptBlock))
    {
        ln_1 = LayerNorm(config.NEmbd);
        attn = new CausalSelfAttention(config);
        ln_2 = LayerNorm(config.NEmbd);
        // A copy with one member changed: the width still reads through it.
        mlp = new GptMlp(config with { Bias = false });
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = x + attn.forward(ln_1.forward(x));
        return x + mlp.forward(ln_2.forward(x));
    }
}

/// <summary>nanoGPT's GPT with a config record (untied head).</summary>
public partial class NanoGpt : Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly ModuleList<GptBlock> h;
    private readonly LayerNorm ln_f;
    [ReadoutLayer] private readonly Linear lm_head;

    public NanoGpt(GptConfig config) : base(nameof(NanoGpt))
    {
        wte = Embedding(config.VocabSize, config.NEmbd);
        wpe = Embedding(config.BlockSize, config.NEmbd);
        h = ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new GptBlock(config)).ToArray());
        ln_f = LayerNorm(config.NEmbd);
        lm_head = Linear(config.NEmbd, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor idx)
    {
        var pos = arange(idx.shape[1], dtype: ScalarType.Int64);
        var x = wte.forward(idx) + wpe.forward(pos);
        foreach (var block in h)
            x = block.forward(x);
        return lm_head.forward(ln_f.forward(x) * MupReadoutMultiplier);
    }
}
