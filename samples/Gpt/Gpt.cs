using System;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Samples.Gpt;

/// <summary>A pre-LN GPT written the way TorchSharp users write one: blocks, attention and MLP as their own modules.
/// Hyperparameters are tuned at width 64 and depth 2; [Width] and [Depth] carry them to any width and depth.</summary>
public partial class Gpt : Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm ln_f;
    [ReadoutLayer] private readonly Linear head;

    /// <summary>A GPT of <paramref name="width"/> and <paramref name="layers"/> blocks over a vocabulary and context.</summary>
    public Gpt([Width(64)] int width, [Depth(2)] int layers, int vocab, int context, int heads = 4, bool tied = false)
        : base(nameof(Gpt))
    {
        wte = Embedding(vocab, width);
        wpe = Embedding(context, width);
        blocks = new ModuleList<Block>();
        for (int i = 0; i < layers; i++)
            blocks.Add(new Block(width, heads));
        ln_f = LayerNorm(width);
        head = Linear(width, vocab, hasBias: false);
        RegisterComponents();
        if (tied)
            head.weight = wte.weight!;   // weight tying: one tensor, the embedding's init, the readout multiplier
    }

    /// <summary>The final norm (its input is the residual stream).</summary>
    public LayerNorm FinalNorm => ln_f;

    /// <summary>Logits [batch, context, vocab] of token ids [batch, context].</summary>
    public override Tensor forward(Tensor idx)
    {
        long t = idx.shape[1];
        var pos = arange(t, dtype: ScalarType.Int64, device: idx.device);
        var x = (wte.call(idx) + wpe.call(pos)) * MupInputMultiplier;
        foreach (var block in blocks)
            x = block.call(x);
        return head.call(ln_f.call(x) * MupReadoutMultiplier);
    }
}

/// <summary>A residual block: x + m·attn(ln1(x)), then x + m·mlp(ln2(x)), m = MupResidualMultiplier (1/depth multiplier
/// under CompleteP).</summary>
public partial class Block : Module<Tensor, Tensor>
{
    private readonly LayerNorm ln1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln2;
    private readonly MlpBlock mlp;

    /// <summary>A block of the given width and head count.</summary>
    public Block(int width, int heads) : base(nameof(Block))
    {
        ln1 = LayerNorm(width);
        attn = new CausalSelfAttention(width, heads);
        ln2 = LayerNorm(width);
        mlp = new MlpBlock(width);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        x = x + MupResidualMultiplier * attn.call(ln1.call(x));
        return x + MupResidualMultiplier * mlp.call(ln2.call(x));
    }
}

/// <summary>Causal multi-head self-attention with q, k, v, o projections; logits scaled by MupAttentionScale.</summary>
public partial class CausalSelfAttention : Module<Tensor, Tensor>
{
    private readonly Linear q;
    private readonly Linear k;
    private readonly Linear v;
    private readonly Linear o;
    private readonly int heads;
    private readonly int headDim;

    /// <summary>Attention of the given width and head count (head dim = width / heads).</summary>
    public CausalSelfAttention(int width, int heads) : base(nameof(CausalSelfAttention))
    {
        this.heads = heads;
        headDim = width / heads;
        q = Linear(width, width);
        k = Linear(width, width);
        v = Linear(width, width);
        o = Linear(width, width);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        Tensor Split(Tensor y) => y.view(b, t, heads, headDim).transpose(1, 2);
        var y = MupAttention.ScaledDotProduct(Split(q.call(x)), Split(k.call(x)), Split(v.call(x)),
            MupAttentionScale(headDim), isCausal: true);
        return o.call(y.transpose(1, 2).contiguous().view(b, t, c));
    }
}

/// <summary>The 4x MLP with GELU.</summary>
public partial class MlpBlock : Module<Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly Linear proj;

    /// <summary>The MLP of a block of the given width.</summary>
    public MlpBlock(int width) : base(nameof(MlpBlock))
    {
        fc = Linear(width, 4 * width);
        proj = Linear(4 * width, width);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => proj.call(functional.gelu(fc.call(x)));
}
