using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace MupGen.Tests;

/// <summary>Every row of docs/RULES.md's tables, written out here as literal formulas, against MupRules.</summary>
public class RulesTests
{
    public static IEnumerable<object[]> Multipliers() =>
        new[] { (1.0, 1.0), (16.0, 16.0), (4.0, 0.5), (0.25, 8.0), (3.0, 1.0) }.Select(m => new object[] { m.Item1, m.Item2 });

    [Theory]
    [MemberData(nameof(Multipliers))]
    public void Width_table_rows_match_the_design_table(double mIn, double mOut)
    {
        // | | Input | Hidden | Readout | Vector |   (TP5 Table 8, mup 1.0.0)
        AssertScales(MupRules.Width(MupRole.Input, mIn, mOut), init: 1, adamLr: 1, sgdLr: mOut, adamWd: 1, sgdWd: 1 / mOut);
        AssertScales(MupRules.Width(MupRole.Hidden, mIn, mOut), init: 1 / Math.Sqrt(mIn), adamLr: 1 / mIn, sgdLr: mOut / mIn, adamWd: mIn, sgdWd: mIn / mOut);
        AssertScales(MupRules.Width(MupRole.Readout, mIn, mOut), init: 1, adamLr: 1, sgdLr: mIn, adamWd: 1, sgdWd: 1 / mIn);
        AssertScales(MupRules.Width(MupRole.Vector, 1, mOut), init: 1, adamLr: 1, sgdLr: mOut, adamWd: 1, sgdWd: 1 / mOut);
        AssertScales(MupRules.Width(MupRole.Fixed, mIn, mOut), 1, 1, 1, 1, 1);
        AssertScales(MupRules.Width(MupRole.Unresolved, mIn, mOut), 1, 1, 1, 1, 1);
    }

    [Fact]
    public void Weight_decay_keeps_lr_times_wd_width_invariant_for_every_role()
    {
        foreach (var role in Enum.GetValues<MupRole>())
        {
            var s = MupRules.Width(role, 16, 8);
            Assert.Equal(1.0, s.AdamLr * s.AdamWeightDecay, 12);
            Assert.Equal(1.0, s.SgdLr * s.SgdWeightDecay, 12);
        }
    }

    [Fact]
    public void Every_rule_is_the_identity_at_base_shape()
    {
        foreach (var p in Enum.GetValues<MupParametrization>())
            foreach (var role in Enum.GetValues<MupRole>())
                foreach (bool inBlock in new[] { false, true })
                    foreach (double? alpha in new double?[] { null, 0, 0.5, 1 })
                        Assert.Equal(MupScales.Identity, MupRules.Compute(p, role, 1, 1, 1, inBlock, 1, alpha));
        Assert.Equal(1.0, MupRules.ResidualMultiplier(1, 1));
        Assert.Equal(1.0, MupRules.ResidualMultiplier(1, 0.5));
        Assert.Equal(1 / Math.Sqrt(64), MupRules.AttentionScale(64, 64, 1, standard: false), 15);
        Assert.Equal(1 / Math.Sqrt(64), MupRules.AttentionScale(64, 64, 1, standard: true), 15);
    }

    [Fact]
    public void Standard_parametrization_is_the_identity_off_base_too()
    {
        foreach (var role in Enum.GetValues<MupRole>())
            Assert.Equal(MupScales.Identity, MupRules.Compute(MupParametrization.Standard, role, 16, 16, 16, true, 8, 1));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void Depth_rules_match_completep_table_1(double alpha)
    {
        double mN = 4, mL = 8;
        // residual branch x + m_L^-alpha F(x)
        Assert.Equal(Math.Pow(mL, -alpha), MupRules.ResidualMultiplier(mL, alpha), 15);
        // hidden weights in blocks: Adam lr / m_in * m_L^(alpha-1); eps / m_N * m_L^-alpha; wd * m_in; no init term
        var hidden = MupRules.Compute(MupParametrization.CompleteP, MupRole.Hidden, mN, mN, mN, true, mL, alpha);
        AssertScales(hidden, init: 1 / Math.Sqrt(mN), adamLr: 1 / mN * Math.Pow(mL, alpha - 1), sgdLr: 1, adamWd: mN, sgdWd: 1, adamEps: 1 / mN * Math.Pow(mL, -alpha));
        // biases and norm gains in blocks: lr * m_L^(alpha-1)
        var vector = MupRules.Compute(MupParametrization.CompleteP, MupRole.Vector, 1, mN, mN, true, mL, alpha);
        AssertScales(vector, init: 1, adamLr: Math.Pow(mL, alpha - 1), sgdLr: mN, adamWd: 1, sgdWd: 1 / mN, adamEps: 1 / mN * Math.Pow(mL, -alpha));
        // embeddings, final norm, readout: no depth term (outside blocks)
        Assert.Equal(MupRules.Width(MupRole.Input, 1, mN), MupRules.Compute(MupParametrization.CompleteP, MupRole.Input, 1, mN, mN, false, mL, alpha));
        Assert.Equal(MupRules.Width(MupRole.Readout, mN, 1), MupRules.Compute(MupParametrization.CompleteP, MupRole.Readout, mN, 1, mN, false, mL, alpha));
        Assert.Equal(MupRules.Width(MupRole.Vector, 1, mN), MupRules.Compute(MupParametrization.CompleteP, MupRole.Vector, 1, mN, mN, false, mL, alpha));
    }

    [Fact]
    public void CompleteP_has_no_hidden_lr_depth_factor_and_scales_eps_by_one_over_mN_mL()
    {
        var s = MupRules.Depth(MupRole.Hidden, true, mN: 4, mL: 8, alpha: 1);
        Assert.Equal(1.0, s.AdamLr);
        Assert.Equal(1.0 / 32, s.AdamEps, 15);
        Assert.Equal(1.0, s.InitStd);
        Assert.Equal(1.0, s.AdamWeightDecay);
    }

    [Fact]
    public void Default_alpha_per_parametrization()
    {
        Assert.Equal(1.0, MupRules.DefaultDepthAlpha(MupParametrization.CompleteP));
        Assert.Equal(0.5, MupRules.DefaultDepthAlpha(MupParametrization.DepthMup));
        Assert.Null(MupRules.DefaultDepthAlpha(MupParametrization.Mup));
        Assert.Null(MupRules.DefaultDepthAlpha(MupParametrization.Standard));
    }

    [Fact]
    public void Attention_scale_is_one_over_d_as_the_head_grows()
    {
        // base head dim 16 grown to 256: sqrt(16)/256 = 1/64, not 1/sqrt(256) = 1/16
        Assert.Equal(4.0 / 256, MupRules.AttentionScale(256, 16, 1, standard: false), 15);
        Assert.Equal(2 * 4.0 / 256, MupRules.AttentionScale(256, 16, 2, standard: false), 15);
        Assert.Equal(1 / 16.0, MupRules.AttentionScale(256, 16, 1, standard: true), 15);
        // head count grows, head dim fixed: unchanged
        Assert.Equal(1 / 4.0, MupRules.AttentionScale(16, 16, 1, false), 15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rules_reject_bad_multipliers(double m)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Width(MupRole.Hidden, m, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Depth(MupRole.Hidden, true, 1, m, 1));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Rules_reject_alpha_outside_0_1(double alpha)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.ResidualMultiplier(2, alpha));
        Assert.Equal("alpha", ex.ParamName);
    }

    private static void AssertScales(MupScales s, double init, double adamLr, double sgdLr, double adamWd, double sgdWd, double adamEps = 1)
    {
        Assert.Equal(init, s.InitStd, 12);
        Assert.Equal(adamLr, s.AdamLr, 12);
        Assert.Equal(sgdLr, s.SgdLr, 12);
        Assert.Equal(adamWd, s.AdamWeightDecay, 12);
        Assert.Equal(sgdWd, s.SgdWeightDecay, 12);
        Assert.Equal(adamEps, s.AdamEps, 12);
    }
}
