using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests.Models;

// Models compiled through the real generator (the test project references it as an analyzer, as a user would).

/// <summary>The MLP of docs/API.md.</summary>
public partial class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Linear hidden;
    [ReadoutLayer] private readonly Linear readout;

    public Mlp([Width(64)] int width, int features = 16, int classes = 10) : base(nameof(Mlp))
    {
        input = Linear(features, width);
        hidden = Linear(width, width);
        readout = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
        => readout.call(functional.relu(hidden.call(functional.relu(input.call(x)))) * MupReadoutMultiplier);
}

/// <summary>A residual MLP written in another style: a loop into a ModuleList, a 4x expansion, locals, named
/// arguments and a LayerNorm.</summary>
public partial class ResidualMlp : Module<Tensor, Tensor>
{
    private readonly Linear embed;
    private readonly ModuleList<Linear> blocks;
    private readonly Linear up;
    private readonly Linear down;
    private readonly LayerNorm norm;
    [ReadoutLayer] private readonly Linear head;

    public ResidualMlp([Width(32)] int width, int features = 8, int classes = 5, int layers = 2) : base(nameof(ResidualMlp))
    {
        var ffn = 4 * width;
        embed = Linear(inputSize: features, outputSize: width);
        blocks = new ModuleList<Linear>();
        for (int i = 0; i < layers; i++)
            blocks.Add(Linear(width, width, hasBias: false));
        up = Linear(width, ffn);
        down = Linear(ffn, width);
        norm = LayerNorm(width);
        head = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = embed.forward(x);
        foreach (var block in blocks)
            h = h + functional.relu(block.forward(h));
        h = h + down.forward(functional.gelu(up.forward(h)));
        return head.forward(norm.forward(h) * MupReadoutMultiplier);
    }
}

/// <summary>A layer the user declares width-invariant keeps exactly its SP init and hyperparameters.</summary>
public partial class WithInvariantLayer : Module<Tensor, Tensor>
{
    private readonly Linear input;
    [WidthInvariant] private readonly Linear side;
    [ReadoutLayer] private readonly Linear readout;

    public WithInvariantLayer([Width(16)] int width) : base(nameof(WithInvariantLayer))
    {
        input = Linear(4, width);
        side = Linear(width, width);
        readout = Linear(width, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
        => readout.call(side.call(input.call(x)) * MupReadoutMultiplier);
}

/// <summary>Heads grow with width, the head dimension stays 16: the attention scale must not change.</summary>
public partial class FixedHeadDimAttention : Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    [ReadoutLayer] private readonly Linear readout;
    private readonly int heads;
    private readonly int headDim;

    public FixedHeadDimAttention([Width(64)] int width) : base(nameof(FixedHeadDimAttention))
    {
        headDim = 16;
        heads = width / headDim;
        qkv = Linear(width, 3 * width);
        readout = Linear(width, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var parts = qkv.call(x).chunk(3, -1);
        var scores = torch.matmul(parts[0], parts[1].transpose(-2, -1)) * MupAttentionScale(headDim);
        return readout.call(torch.matmul(functional.softmax(scores, -1), parts[2]) * MupReadoutMultiplier);
    }
}

/// <summary>[Depth] that no block list matches (the loop runs layers - 1 times).</summary>
public partial class UnmatchedDepth : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly ModuleList<Linear> blocks;
    [ReadoutLayer] private readonly Linear readout;

    public UnmatchedDepth([Width(32)] int width, [Depth(2)] int layers) : base(nameof(UnmatchedDepth))
    {
        input = Linear(4, width);
        blocks = new ModuleList<Linear>();
        for (int i = 0; i < layers - 1; i++)
            blocks.Add(Linear(width, width));
        readout = Linear(width, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = input.call(x);
        foreach (var b in blocks)
            h = h + MupResidualMultiplier * b.call(h);
        return readout.call(h * MupReadoutMultiplier);
    }
}

/// <summary>A trunk module holding the block list: the [Depth] list sits one level down (transformer.h).</summary>
public partial class Trunk : Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> h;

    public Trunk(int width, int layers) : base(nameof(Trunk))
    {
        h = new ModuleList<Linear>();
        for (int i = 0; i < layers; i++)
            h.Add(Linear(width, width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        foreach (var block in h)
            x = x + MupResidualMultiplier * block.call(x);
        return x;
    }
}

/// <summary>The model around <see cref="Trunk"/>.</summary>
public partial class NestedDepth : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Trunk transformer;
    [ReadoutLayer] private readonly Linear readout;

    public NestedDepth([Width(16)] int width, [Depth(2)] int layers) : base(nameof(NestedDepth))
    {
        input = Linear(3, width);
        transformer = new Trunk(width, layers);
        readout = Linear(width, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => readout.call(transformer.call(input.call(x)) * MupReadoutMultiplier);
}

/// <summary>d_model and d_ff given separately, each with its own [Width] and base.</summary>
public partial class TwoWidths : Module<Tensor, Tensor>
{
    private readonly Linear embed;
    private readonly Linear fc;
    private readonly Linear proj;
    [ReadoutLayer] private readonly Linear head;

    public TwoWidths([Width(32)] int dModel, [Width(64)] int dFf) : base(nameof(TwoWidths))
    {
        embed = Linear(5, dModel);
        fc = Linear(dModel, dFf);
        proj = Linear(dFf, dModel);
        head = Linear(dModel, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = embed.call(x);
        h = h + proj.call(functional.relu(fc.call(h)));
        return head.call(h * MupReadoutMultiplier);
    }
}

/// <summary>Llama's SwiGLU with its multiple_of rounding of the hidden size, and a default the run time checks.</summary>
public partial class RoundedSwiGlu : Module<Tensor, Tensor>
{
    private readonly Linear w1;
    private readonly Linear w2;
    private readonly Linear w3;
    private readonly Linear wide;
    [ReadoutLayer] private readonly Linear readout;

    /// <summary>The hidden size as Llama computes it (C# integer arithmetic).</summary>
    public static long Hidden(long dim, long multipleOf = 32)
    {
        var hidden = 4 * dim;
        hidden = 2 * hidden / 3;
        return multipleOf * ((hidden + multipleOf - 1) / multipleOf);
    }

    public RoundedSwiGlu([Width(64)] int dim, int multipleOf = 32, int features = 8) : base(nameof(RoundedSwiGlu))
    {
        var hiddenDim = 4 * dim;
        hiddenDim = 2 * hiddenDim / 3;
        hiddenDim = multipleOf * ((hiddenDim + multipleOf - 1) / multipleOf);
        w1 = Linear(features, dim, hasBias: false);
        w2 = Linear(dim, hiddenDim, hasBias: false);
        w3 = Linear(hiddenDim, dim, hasBias: false);
        wide = Linear(dim, (int)(8 * dim / 3));
        readout = Linear((int)(8 * dim / 3), 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
        => readout.call(wide.call(w3.call(functional.silu(w2.call(w1.call(x))))) * MupReadoutMultiplier);
}

/// <summary>The width shows only as 2 · width (exact, base 128) and 8 · width / 3 (truncated, base 170): the width must
/// be measured from the exact one. The head dimension width / heads (heads an argument) takes its multiplier from the
/// measured width, so it shows which one was used.</summary>
public partial class TruncatedBesideExact : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Linear hidden;
    [ReadoutLayer] private readonly Linear readout;
    private readonly long headDim;

    public TruncatedBesideExact([Width(64)] int width, int heads, int features = 8) : base(nameof(TruncatedBesideExact))
    {
        input = Linear(features, 2 * width);
        hidden = Linear(2 * width, 8 * width / 3);
        readout = Linear(8 * width / 3, 10);
        headDim = width / heads;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
        => readout.call(hidden.call(input.call(x)) * MupAttentionScale(headDim) * MupReadoutMultiplier);
}
