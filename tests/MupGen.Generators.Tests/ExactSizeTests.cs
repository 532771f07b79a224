using System.Linq;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Which products of widths and constants grow exactly with the width (and so may measure it at run time) and
/// which truncate (computed dimensions: multiplier actual / base, never a measure), and a width seen in no exact size.</summary>
public class ExactSizeTests
{
    private const string Source = """
        namespace Samples;

        public partial class Sizes : Module<Tensor, Tensor>
        {
            private readonly Linear twice, halfOfFour, constFirst, quarter, eight, sumOnly, twoWidths;
            [ReadoutLayer] private readonly Linear readout;

            public Sizes([Width(64)] int width, [Width(32)] int other) : base("sizes")
            {
                twice = Linear(2 * width, width);            // exact
                halfOfFour = Linear(4 * width / 2, width);   // exact: 2 divides the coefficient 4
                constFirst = Linear(64 / 3 * width, width);  // exact: a constant division, then times the width (21 w)
                quarter = Linear(width / 4, width);          // truncates: 25 at width 101
                eight = Linear(8 * width / 3, width);        // truncates
                sumOnly = Linear(width + 1, width);
                twoWidths = Linear(width * other / 3, width); // truncates, two widths: no computed form
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    /// <summary>The in_features dimension (a Linear weight is [out, in]).</summary>
    private static DimSpec In(ModelSpec spec, string layer) => spec.Parameters.Single(p => p.Name == layer + ".weight").Shape[1];

    [Fact]
    public void Exact_products_stay_monomials_truncating_ones_are_computed()
    {
        var spec = CoverageTests.Parse(Source, "Sizes");
        Assert.Equal((DimForm.Monomial, (long?)128), (In(spec, "twice").Form, In(spec, "twice").BaseSize));
        Assert.Equal((DimForm.Monomial, (long?)128), (In(spec, "halfOfFour").Form, In(spec, "halfOfFour").BaseSize));
        Assert.Equal((DimForm.Monomial, (long?)(21 * 64)), (In(spec, "constFirst").Form, In(spec, "constFirst").BaseSize));
        Assert.Equal(new DimSpec(DimForm.Computed, 16, new[] { new PowerSpec("width", 1) }.ToEquatableArray(), "(w / 4L)"), In(spec, "quarter"));
        Assert.Equal(new DimSpec(DimForm.Computed, 170, new[] { new PowerSpec("width", 1) }.ToEquatableArray(), "((8L * w) / 3L)"), In(spec, "eight"));
        Assert.Equal(DimForm.Affine, In(spec, "sumOnly").Form);
        // Two widths and a truncating division: no rule the generator can vouch for, reported (MUP015).
        var twoWidths = spec.Parameters.Single(p => p.Name == "twoWidths.weight");
        Assert.Equal(Role.Unresolved, twoWidths.Role);
        Assert.Equal(UnresolvedReason.NonProportionalSize, twoWidths.Reason);
        Assert.Contains(spec.Unresolved, u => u.Path == "twoWidths" && u.Reason == UnresolvedReason.NonProportionalSize);
        Assert.DoesNotContain(spec.Unresolved, u => u.Path != "twoWidths");
    }

    [Theory]
    [InlineData("8 * width / 3", "Linear(features, 8 * width / 3)")]
    [InlineData("width / 2", "Linear(features, width / 2)")]
    [InlineData("width + 1", "Linear(features, width + 1)")]
    public void A_width_seen_only_in_sizes_that_do_not_grow_exactly_is_unmeasurable(string size, string layer)
    {
        var spec = CoverageTests.Parse($$"""
            namespace Samples;

            public partial class Only : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                [ReadoutLayer] private readonly Linear readout;
                public Only([Width(64)] int width, int features = 8) : base("only")
                {
                    input = {{layer}};
                    readout = Linear({{size}}, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => x;
            }
            """, "Only");
        Assert.All(spec.Parameters.Where(p => p.Shape.Any(d => d.IsInfinite)), p =>
        {
            Assert.Equal(Role.Unresolved, p.Role);
            Assert.Equal(UnresolvedReason.UnmeasurableWidth, p.Reason);
        });
        Assert.Equal(new[] { "input", "readout" }, spec.Unresolved.Select(u => u.Path).ToArray());
    }
}
