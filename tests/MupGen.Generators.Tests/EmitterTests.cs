using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>The emitter straight from a hand-built model, without Roslyn.</summary>
public class EmitterTests
{
    private static EquatableArray<T> Array<T>(params T[] items) where T : System.IEquatable<T> => items.ToEquatableArray();

    private static DimSpec Scaled(long size, string symbol) => new(DimForm.Monomial, size, Array(new PowerSpec(symbol, 1)));

    [Fact]
    public void HandBuiltModel()
    {
        var model = new ModelSpec(
            "Demo.Outer.Block",
            "Demo",
            Array("partial class Outer"),
            "partial class Block",
            "Block",
            Array(new WidthSpec("width", 64), new WidthSpec("head_dim", 16)),
            new DepthSpec("layers", 2, "blocks"),
            Array(
                new ParameterSpec("blocks.*.weight", LayerKind.Linear, "weight", Role.Hidden,
                    Array(Scaled(256, "width"), new DimSpec(DimForm.Monomial, null, Array(new PowerSpec("width", 1), new PowerSpec("head_dim", -1)))),
                    true, null),
                new ParameterSpec("norm.weight", LayerKind.LayerNorm, "weight", Role.Vector,
                    Array(new DimSpec(DimForm.Affine, 65, Array(new PowerSpec("width", 1)))), false, null),
                new ParameterSpec("odd.weight", LayerKind.Conv2d, "weight", Role.Unresolved,
                    Array(DimSpec.Fixed, DimSpec.Fixed, DimSpec.Fixed, DimSpec.Fixed), false, "a \"quoted\" note\\with a backslash")));

        var text = MupGenerator.Emitter.Emit(model);

        Assert.Equal("Demo.Outer.Block.Mup.g.cs", MupGenerator.Emitter.HintName(model));
        Assert.DoesNotContain("\r", text);
        Snapshot.Match("Emitter_HandBuilt", text);
    }

    [Fact]
    public void AttentionFactsAndSubmoduleAttachment()
    {
        var model = new ModelSpec("Demo.Gpt", "Demo", EquatableArray<string>.Empty, "partial class Gpt", "Gpt",
            Array(new WidthSpec("width", 64)), new DepthSpec("layers", 2, "blocks"),
            Array(new ParameterSpec("blocks.*.attn.q.weight", LayerKind.Linear, "weight", Role.Hidden,
                Array(Scaled(64, "width"), Scaled(64, "width")), true, null)),
            Array(new AttentionSpec("blocks.*.attn", Scaled(16, "width")), new AttentionSpec("", DimSpec.Fixed)),
            Array(new SubmoduleSpec("Demo.Block", "Demo", EquatableArray<string>.Empty, "partial class Block", "Block")),
            AttachSubmodules: true);
        var text = MupGenerator.Emitter.Emit(model);
        Assert.Contains("""
                },
                new global::MupGen.Facts.MupAttentionFact[]
                {
                    new global::MupGen.Facts.MupAttentionFact("blocks.*.attn", global::MupGen.Facts.MupDim.Scaled(16L, "width")),
                    new global::MupGen.Facts.MupAttentionFact("", global::MupGen.Facts.MupDim.Fixed),
                });
        """, text);
        Assert.Contains("""
            protected override void RegisterComponents()
            {
                base.RegisterComponents();
                __Mup.AttachSubmodules();
            }
        """, text);
        // Without attention facts or nested modules the output is what it was before nested modules existed.
        var plain = MupGenerator.Emitter.Emit(model with { Attention = default, Submodules = default, AttachSubmodules = false });
        Assert.DoesNotContain("MupAttentionFact", plain);
        Assert.DoesNotContain("RegisterComponents", plain);
        Assert.Contains("InResidualBlock: true),\n        });\n", plain);
    }

    [Fact]
    public void SubmodulePartialInsideContainingTypes()
    {
        var submodule = new SubmoduleSpec("Demo.Outer.Block", "Demo", Array("partial class Outer"), "partial class Block", "Block");
        var text = MupGenerator.Emitter.Emit(submodule);
        Assert.Equal("Demo.Outer.Block.MupSubmodule.g.cs", MupGenerator.Emitter.HintName(submodule));
        Assert.DoesNotContain("\r", text);
        Snapshot.Match("Emitter_Submodule", text);
        Assert.Equal(submodule, new SubmoduleSpec("Demo.Outer.Block", "Demo", Array("partial class Outer"), "partial class Block", "Block"));
    }

    [Fact]
    public void EqualModelsAreEqualValues()
    {
        DimSpec Dim() => Scaled(64, "width");
        var a = new ParameterSpec("fc.weight", LayerKind.Linear, "weight", Role.Hidden, Array(Dim(), Dim()), false, null);
        var b = new ParameterSpec("fc.weight", LayerKind.Linear, "weight", Role.Hidden, Array(Dim(), Dim()), false, null);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Role = Role.Input });
    }

    [Fact]
    public void OutputDoesNotDependOnTheCurrentCulture()
    {
        var model = new ModelSpec("M", null, EquatableArray<string>.Empty, "partial class M", "M",
            Array(new WidthSpec("width", 1024)), new DepthSpec("layers", 12, null),
            Array(new ParameterSpec("fc.weight", LayerKind.Linear, "weight", Role.Hidden,
                Array(Scaled(4096, "width"), new DimSpec(DimForm.Monomial, 1048576, Array(new PowerSpec("width", 2)))), false, null)));
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            var invariant = MupGenerator.Emitter.Emit(model);
            foreach (var name in new[] { "de-DE", "ar-SA", "fa-IR", "hi-IN" })
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo(name);
                Assert.Equal(invariant, MupGenerator.Emitter.Emit(model));
            }
            Assert.Contains("MupDim.Monomial(1048576L, new global::MupGen.Facts.MupPower(\"width\", 2))", invariant);
            Assert.Contains("new global::MupGen.Facts.MupDepthSymbol(\"layers\", 12, null),", invariant);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}
