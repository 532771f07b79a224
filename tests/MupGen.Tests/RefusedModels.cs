using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests.Models;

// Models the build reports on purpose (each warning suppressed at the model): the run time must refuse what the
// generator could not give a rule. Kept out of GeneratedModels.cs, which the analyzer tests use as a clean corpus.

#pragma warning disable MUP020 // deliberately: the head dimension is read from the query's shape
/// <summary>Attention that passes MupAttentionScale the query's shape, which the generator cannot read (MUP020): the
/// head count is a constructor argument, so whether the head dimension grows with the width depends on how the model
/// is built, and the run time refuses until MupOptions.BaseHeadDim says.</summary>
public partial class ShapeHeadDimAttention : Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly long heads;

    public ShapeHeadDimAttention(int width, int heads) : base(nameof(ShapeHeadDimAttention))
    {
        qkv = Linear(width, 3 * width);
        this.heads = heads;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var parts = qkv.call(x).chunk(3, -1);
        var q = parts[0].view(x.shape[0], heads, -1);
        var k = parts[1].view(x.shape[0], heads, -1);
        var v = parts[2].view(x.shape[0], heads, -1);
        var scores = torch.matmul(q, k.transpose(-2, -1)) * MupAttentionScale(q.shape[^1]);
        return torch.matmul(functional.softmax(scores, -1), v).reshape(x.shape[0], -1);
    }
}
#pragma warning restore MUP020

/// <summary>A model around <see cref="ShapeHeadDimAttention"/>: with heads = width / 16 the head dimension is fixed
/// (16), with a constant head count it grows with the width.</summary>
public partial class ShapeHeadDimModel : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly ShapeHeadDimAttention attn;
    [ReadoutLayer] private readonly Linear readout;

    public ShapeHeadDimModel([Width(64)] int width, int heads, int features = 8) : base(nameof(ShapeHeadDimModel))
    {
        input = Linear(features, width);
        attn = new ShapeHeadDimAttention(width, heads);
        readout = Linear(width, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => readout.call(attn.call(input.call(x)) * MupReadoutMultiplier);
}

#pragma warning disable MUP001 // deliberately: the width shows in no size that grows exactly with it
/// <summary>The width shows only as 8 · width / 3, which does not grow exactly with it: nothing measures the width.</summary>
public partial class TruncatedOnly : Module<Tensor, Tensor>
{
    private readonly Linear input;
    [ReadoutLayer] private readonly Linear readout;

    public TruncatedOnly([Width(64)] int width, int features = 8) : base(nameof(TruncatedOnly))
    {
        input = Linear(features, 8 * width / 3);
        readout = Linear(8 * width / 3, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => readout.call(input.call(x) * MupReadoutMultiplier);
}

/// <summary>A residual block of <see cref="TruncatedDepth"/>.</summary>
public partial class TruncatedBlock : Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public TruncatedBlock(int hidden) : base(nameof(TruncatedBlock))
    {
        fc = Linear(hidden, hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.call(x);
}

/// <summary>A [Depth] model whose width, too, shows only as 8 · width / 3: the depth rules need m_N (the blocks' Adam
/// epsilon scales by 1/m_N), which BaseShapes does not give.</summary>
public partial class TruncatedDepth : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly ModuleList<TruncatedBlock> blocks = new();
    [ReadoutLayer] private readonly Linear readout;

    public TruncatedDepth([Width(64)] int width, [Depth(2)] int depth = 2, int features = 8) : base(nameof(TruncatedDepth))
    {
        input = Linear(features, 8 * width / 3);
        for (var i = 0; i < depth; i++)
            blocks.Add(new TruncatedBlock(8 * width / 3));
        readout = Linear(8 * width / 3, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = input.call(x);
        foreach (var block in blocks)
            h = block.call(h);
        return readout.call(h * MupReadoutMultiplier);
    }
}
#pragma warning restore MUP001

/// <summary>Attention whose scale its parent asks for (<c>attn.MupAttentionScale(d)</c>): the generator reads calls in a
/// module's own class only, so this module has no head-dimension fact and its MupAttentionScale is refused.</summary>
public partial class ScaleAskedByParent : Module<Tensor, Tensor>
{
    private readonly Linear q;

    public ScaleAskedByParent(int width) : base(nameof(ScaleAskedByParent))
    {
        q = Linear(width, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => q.call(x);
}

/// <summary>The parent of <see cref="ScaleAskedByParent"/>, which asks for its scale through the field.</summary>
public partial class AsksChildForScale : Module<Tensor, Tensor>
{
    private readonly ScaleAskedByParent attn;
    [ReadoutLayer] private readonly Linear readout;
    private readonly long headDim;

    public AsksChildForScale([Width(64)] int width, int heads = 4) : base(nameof(AsksChildForScale))
    {
        attn = new ScaleAskedByParent(width);
        readout = Linear(width, 10);
        headDim = width / heads;
        RegisterComponents();
    }

    #pragma warning disable MUP021 // deliberately: the refusal (or BaseHeadDim, or SP) for a module whose class makes no call of its own
    public override Tensor forward(Tensor x) => readout.call(attn.call(x) * attn.MupAttentionScale(headDim) * MupReadoutMultiplier);
    #pragma warning restore MUP021
}
