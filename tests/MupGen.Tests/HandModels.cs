using MupGen.Facts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests;

/// <summary>
/// An MLP whose facts are written by hand, exactly as the generator would emit them: the runtime is tested on its
/// own, apart from the generator (whose output for the same model is snapshot-tested separately).
/// </summary>
internal sealed class HandMlp : Module<Tensor, Tensor>
{
    public const int BaseWidth = 64;
    private readonly Linear input;
    private readonly Linear hidden;
    private readonly Linear readout;
    private MupBinding? _mup;

    public HandMlp(int width, int features = 8, int classes = 4, int readoutFanIn = -1) : base(nameof(HandMlp))
    {
        input = Linear(features, width);
        hidden = Linear(width, width);
        readout = Linear(readoutFanIn > 0 ? readoutFanIn : width, classes);
        RegisterComponents();
    }

    public static MupModelFacts Facts { get; } = new(
        "HandMlp",
        new[] { new MupWidthSymbol("width", BaseWidth) },
        null,
        new[]
        {
            new MupParameterFact("input.weight", MupLayerKind.Linear, "weight", MupRole.Input, new[] { MupDim.Scaled(BaseWidth, "width"), MupDim.Fixed }),
            new MupParameterFact("input.bias", MupLayerKind.Linear, "bias", MupRole.Vector, new[] { MupDim.Scaled(BaseWidth, "width") }),
            new MupParameterFact("hidden.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(BaseWidth, "width"), MupDim.Scaled(BaseWidth, "width") }),
            new MupParameterFact("hidden.bias", MupLayerKind.Linear, "bias", MupRole.Vector, new[] { MupDim.Scaled(BaseWidth, "width") }),
            new MupParameterFact("readout.weight", MupLayerKind.Linear, "weight", MupRole.Readout, new[] { MupDim.Fixed, MupDim.Scaled(BaseWidth, "width") }),
            new MupParameterFact("readout.bias", MupLayerKind.Linear, "bias", MupRole.Fixed, new[] { MupDim.Fixed }),
        });

    public MupBinding Mup => _mup ??= new MupBinding(this, Facts);

    public override Tensor forward(Tensor x)
        => readout.forward(functional.relu(hidden.forward(functional.relu(input.forward(x)))) * Mup.ReadoutMultiplier);
}

/// <summary>Embedding → LayerNorm → tied readout, hand-written facts; exercises Embedding, LayerNorm and weight tying.</summary>
internal sealed class HandTied : Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly LayerNorm ln;
    private readonly Linear head;
    private MupBinding? _mup;

    public HandTied(int width, int vocab = 11) : base(nameof(HandTied))
    {
        wte = Embedding(vocab, width);
        ln = LayerNorm(width);
        head = Linear(width, vocab, hasBias: false);
        RegisterComponents();
        head.weight = wte.weight!;
    }

    public static MupModelFacts Facts { get; } = new(
        "HandTied",
        new[] { new MupWidthSymbol("width", 32) },
        null,
        new[]
        {
            new MupParameterFact("wte.weight", MupLayerKind.Embedding, "weight", MupRole.Input, new[] { MupDim.Fixed, MupDim.Scaled(32, "width") }),
            new MupParameterFact("ln.weight", MupLayerKind.LayerNorm, "weight", MupRole.Vector, new[] { MupDim.Scaled(32, "width") }),
            new MupParameterFact("ln.bias", MupLayerKind.LayerNorm, "bias", MupRole.Vector, new[] { MupDim.Scaled(32, "width") }),
            new MupParameterFact("head.weight", MupLayerKind.Linear, "weight", MupRole.Readout, new[] { MupDim.Fixed, MupDim.Scaled(32, "width") }),
        });

    public MupBinding Mup => _mup ??= new MupBinding(this, Facts);

    public override Tensor forward(Tensor x) => head.forward(ln.forward(wte.forward(x)) * Mup.ReadoutMultiplier);
}

/// <summary>A query projection and a fused qkv projection, hand-written facts; exercises ZeroInitQuery.</summary>
internal sealed class HandQuery : Module<Tensor, Tensor>
{
    private readonly Linear q;
    private readonly Linear k;
    private readonly Linear qkv;
    private MupBinding? _mup;

    public HandQuery(int width) : base(nameof(HandQuery))
    {
        q = Linear(width, width);
        k = Linear(width, width);
        qkv = Linear(width, 3 * width);
        RegisterComponents();
    }

    private static MupParameterFact Weight(string name, long outBase) =>
        new(name + ".weight", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(outBase, "width"), MupDim.Scaled(8, "width") });

    private static MupParameterFact Bias(string name, long outBase) =>
        new(name + ".bias", MupLayerKind.Linear, "bias", MupRole.Vector, new[] { MupDim.Scaled(outBase, "width") });

    public static MupModelFacts Facts { get; } = new(
        "HandQuery", new[] { new MupWidthSymbol("width", 8) }, null,
        new[] { Weight("q", 8), Bias("q", 8), Weight("k", 8), Bias("k", 8), Weight("qkv", 24), Bias("qkv", 24) });

    public MupBinding Mup => _mup ??= new MupBinding(this, Facts);

    public override Tensor forward(Tensor x) => q.forward(x) + k.forward(x);
}

/// <summary>Width <c>b</c> appears only beside <c>a</c> (a·b) or with an opaque factor: it is solved from a·b.</summary>
internal sealed class HandProduct : Module<Tensor, Tensor>
{
    private readonly Linear first;
    private readonly Linear prod;
    private readonly Linear opaque;
    private MupBinding? _mup;

    public HandProduct(int a, int b, int heads = 3) : base(nameof(HandProduct))
    {
        first = Linear(a, a, hasBias: false);
        prod = Linear(a * b, a, hasBias: false);
        opaque = Linear(a, b * heads, hasBias: false);
        RegisterComponents();
    }

    public static MupModelFacts Facts { get; } = new(
        "HandProduct",
        new[] { new MupWidthSymbol("a", 8), new MupWidthSymbol("b", 4) },
        null,
        new[]
        {
            new MupParameterFact("first.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(8, "a"), MupDim.Scaled(8, "a") }),
            new MupParameterFact("prod.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(8, "a"), MupDim.Monomial(32, new MupPower("a", 1), new MupPower("b", 1)) }),
            new MupParameterFact("opaque.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Monomial(null, new MupPower("b", 1)), MupDim.Scaled(8, "a") }),
        });

    public MupBinding Mup => _mup ??= new MupBinding(this, Facts);

    public override Tensor forward(Tensor x) => first.forward(x);
}
