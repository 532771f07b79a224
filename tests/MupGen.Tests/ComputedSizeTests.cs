using System;
using System.Linq;
using MupGen.Facts;
using MupGen.Tests.Models;
using TorchSharp;
using Xunit;

namespace MupGen.Tests;

/// <summary>Sizes that do not grow exactly with the width (Llama's multiple_of rounding, 8 * d / 3 truncated): the
/// generator computes their base size from the constructor's integer arithmetic, so every dimension's multiplier is
/// actual / base, as mup's base/delta shape method gives it; the width is measured only from exact dimensions.</summary>
[Collection(TorchCollection.Name)]
public class ComputedSizeTests
{
    [Fact]
    public void The_hidden_size_is_a_computed_dimension_with_its_base_size()
    {
        var facts = ((IMupModel)new RoundedSwiGlu(64)).MupFacts;
        var w2 = facts.Parameters.Single(p => p.Name == "w2.weight");
        Assert.Equal(MupDimForm.Computed, w2.Shape[0].Form);
        Assert.Equal(RoundedSwiGlu.Hidden(64), w2.Shape[0].BaseSize); // 192
        Assert.Equal(192L, w2.Shape[0].BaseSize);
        Assert.True(w2.Shape[0].IsInfinite);
        // The generated arithmetic is C#'s: truncating division, at any width.
        foreach (var w in new long[] { 64, 96, 128, 1000, 1001, 7 })
            Assert.Equal(RoundedSwiGlu.Hidden(w), w2.Shape[0].SizeAt!(w));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(96)]
    [InlineData(1000)]
    public void Every_multiplier_is_actual_over_base_per_dimension(int width)
    {
        using var model = new RoundedSwiGlu(width);
        var rows = model.MupDescribe().ToDictionary(r => r.Name);
        Assert.DoesNotContain(rows.Values, r => r.Role == MupRole.Unresolved);
        double m = width / 64.0;
        double hidden = RoundedSwiGlu.Hidden(width) / (double)RoundedSwiGlu.Hidden(64);
        double eight = (8 * width / 3) / (double)(8 * 64 / 3);
        // w1: Input (fan_out = dim); w2: Hidden (hidden x dim); w3: Hidden (dim x hidden); wide: (8d/3) x dim.
        Assert.Equal(m, rows["w1.weight"].WidthMultiplierOut, 12);
        Assert.Equal(hidden, rows["w2.weight"].WidthMultiplierOut, 12);
        Assert.Equal(m, rows["w2.weight"].WidthMultiplierIn, 12);
        Assert.Equal(hidden, rows["w3.weight"].WidthMultiplierIn, 12);
        Assert.Equal(m, rows["w3.weight"].WidthMultiplierOut, 12);
        Assert.Equal(eight, rows["wide.weight"].WidthMultiplierOut, 12);
        // Adam lr of a hidden weight is 1/m_in; init std 1/sqrt(m_in) times the base default.
        Assert.Equal(1 / hidden, rows["w3.weight"].AdamLrScale, 12);
        Assert.Equal(1 / m, rows["w2.weight"].AdamLrScale, 12);
        // The readout's multiplier is 1/m_in with m_in the computed size's actual/base.
        Assert.Equal(1 / eight, ((IMupModel)model).MupReadoutMultiplier, 12);
        // Against mup's shape method (base 64, delta 128).
        var shapes = VerifyTests.Shapes(() => new RoundedSwiGlu(64), () => new RoundedSwiGlu(128));
        Assert.Empty(((IMupModel)model).MupVerify(shapes));
    }

    [Fact]
    public void An_input_passed_with_another_value_than_its_default_is_refused_not_assumed()
    {
        // multipleOf = 64: the base size the generator computed with the default 32 (192) is wrong for this model,
        // and the actual size (64 * ((341 + 63) / 64) = 384 at dim 128) disagrees with 32 * ((341 + 31) / 32) = 352.
        using var model = new RoundedSwiGlu(128, multipleOf: 64);
        var refused = Assert.Throws<InvalidOperationException>(() => model.MupInitialize());
        Assert.Contains("w2.weight", refused.Message);
        Assert.Contains("another value than its default", refused.Message);
        // mup's shape method still gives the right rule.
        var shapes = VerifyTests.Shapes(() => new RoundedSwiGlu(64, multipleOf: 64), () => new RoundedSwiGlu(128, multipleOf: 64));
        var rows = model.MupDescribe(new MupOptions { BaseShapes = shapes }).ToDictionary(r => r.Name);
        Assert.Equal(384.0 / 192.0, rows["w2.weight"].WidthMultiplierOut, 12);
        Assert.Equal(MupRuleSource.BaseShapes, rows["w2.weight"].Source);
    }

    /// <summary>8 · width / 3 truncates (266 at width 100, not 266.67), so it never measures the width: 2 · width does
    /// (200 / 128 = 1.5625 = 100 / 64). Measured from the truncated size the width multiplier would be 266 / 170 =
    /// 1.5647, and the head dimension width / heads, whose base follows the measured width, would be off.</summary>
    [Theory]
    [InlineData(100, 4)]
    [InlineData(64, 4)]
    [InlineData(1000, 8)]
    public void The_width_is_measured_from_an_exact_size_not_a_truncated_one(int width, int heads)
    {
        using var model = new TruncatedBesideExact(width, heads);
        var facts = ((IMupModel)model).MupFacts;
        Assert.Equal(MupDimForm.Computed, facts.Parameters.Single(p => p.Name == "hidden.weight").Shape[0].Form);
        long headDim = width / heads;
        double baseHeadDim = headDim / (width / 64.0);
        Assert.Equal(Math.Sqrt(baseHeadDim) / headDim, ((IMupModel)model).MupAttentionScale(headDim), 12);
        var rows = model.MupDescribe().ToDictionary(r => r.Name);
        Assert.DoesNotContain(rows.Values, r => r.Role == MupRole.Unresolved);
        // Every dimension still has mup's multiplier, actual / base.
        Assert.Equal(2 * width / 128.0, rows["input.weight"].WidthMultiplierOut, 12);
        Assert.Equal((8 * width / 3) / 170.0, rows["hidden.weight"].WidthMultiplierOut, 12);
        Assert.Equal((8 * width / 3) / 170.0, rows["readout.weight"].WidthMultiplierIn, 12);
    }

    /// <summary>A width that shows in no exact size cannot be measured: the layers that use it have no compiled rule
    /// (MUP001 at build) and strict mode refuses them; mup's shape method (BaseShapes) gives their rule.</summary>
    [Fact]
    public void A_width_seen_only_in_a_truncated_size_is_refused_not_measured_from_it()
    {
        using var model = new TruncatedOnly(100);
        var refused = Assert.Throws<InvalidOperationException>(() => model.MupInitialize());
        Assert.Contains("input.weight", refused.Message);
        Assert.Contains("readout.weight", refused.Message);
        var facts = ((IMupModel)model).MupFacts;
        Assert.All(facts.Parameters.Where(p => p.Shape.Any(d => d.IsInfinite)), p =>
        {
            Assert.Equal(MupRole.Unresolved, p.Role);
            Assert.Contains("cannot be measured", p.Note);
        });
        var shapes = VerifyTests.Shapes(() => new TruncatedOnly(64), () => new TruncatedOnly(128));
        var rows = model.MupDescribe(new MupOptions { BaseShapes = shapes }).ToDictionary(r => r.Name);
        Assert.True(rows["input.weight"].Source == MupRuleSource.BaseShapes, rows["input.weight"].Note);
        Assert.Equal((8 * 100 / 3) / 170.0, rows["input.weight"].WidthMultiplierOut, 12);
        // A readout's forward multiplier is not in the shapes: it stays refused, with the reason.
        Assert.Equal(MupRuleSource.Unresolved, rows["readout.weight"].Source);
        Assert.Contains("cannot be measured", rows["readout.weight"].Note);
    }

    /// <summary>With [Depth] the rules also need m_N itself (the blocks' Adam epsilon is scaled by 1/m_N), which no
    /// parameter's base shape gives: an unmeasured width is refused by name instead of taken as m_N = 1, and the
    /// width rules alone (MupParametrization.Mup) still come from the shapes.</summary>
    [Fact]
    public void Depth_rules_refuse_a_width_they_cannot_measure_even_with_base_shapes()
    {
        using var model = new TruncatedDepth(100, depth: 4);
        var shapes = VerifyTests.Shapes(() => new TruncatedDepth(64, depth: 2), () => new TruncatedDepth(128, depth: 2));
        var refused = Assert.Throws<InvalidOperationException>(() => model.MupDescribe(new MupOptions { BaseShapes = shapes }));
        Assert.Contains("TruncatedDepth", refused.Message);
        Assert.Contains("1/m_N", refused.Message);
        Assert.Contains("'width' cannot be measured", refused.Message);
        Assert.Contains("MupParametrization.Mup", refused.Message);
        var rows = model.MupDescribe(new MupOptions { BaseShapes = shapes, Parametrization = MupParametrization.Mup }).ToDictionary(r => r.Name);
        Assert.Equal(MupRuleSource.BaseShapes, rows["blocks.0.fc.weight"].Source);
    }

    [Fact]
    public void A_computed_dimension_checks_its_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MupDim.Computed(0, "w"));
        Assert.Throws<ArgumentException>(() => MupDim.Computed(10, ""));
        Assert.Equal(MupDim.Computed(192, "dim"), MupDim.Computed(192, "dim", w => w));
        Assert.Equal("computed from dim (base 192)", MupDim.Computed(192, "dim").ToString());
    }
}
