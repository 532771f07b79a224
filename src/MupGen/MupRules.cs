using System;
using System.Collections.Generic;

namespace MupGen;

/// <summary>The per-parameter scales one rule set gives: each multiplies the base value the user passes
/// (init std at base shape, lr, weight decay, eps).</summary>
/// <param name="InitStd">Init std scale relative to the layer's base std.</param>
/// <param name="AdamLr">Adam/AdamW learning-rate scale.</param>
/// <param name="SgdLr">SGD learning-rate scale.</param>
/// <param name="AdamWeightDecay">Adam (coupled) and AdamW weight-decay scale.</param>
/// <param name="SgdWeightDecay">SGD weight-decay scale.</param>
/// <param name="AdamEps">Adam/AdamW epsilon scale.</param>
public readonly record struct MupScales(double InitStd, double AdamLr, double SgdLr, double AdamWeightDecay, double SgdWeightDecay, double AdamEps)
{
    /// <summary>Every scale 1: the standard parametrization, and every rule at base shape.</summary>
    public static MupScales Identity { get; } = new(1, 1, 1, 1, 1, 1);

    /// <summary>Multiplies two sets of scales column by column.</summary>
    public static MupScales operator *(MupScales a, MupScales b) => new(
        a.InitStd * b.InitStd, a.AdamLr * b.AdamLr, a.SgdLr * b.SgdLr,
        a.AdamWeightDecay * b.AdamWeightDecay, a.SgdWeightDecay * b.SgdWeightDecay, a.AdamEps * b.AdamEps);
}

/// <summary>
/// The rules of docs/RULES.md as plain functions, in one table. Generated code never carries a
/// rule: it carries facts (roles, base dimensions), and <see cref="MupBinding"/> calls these functions.
/// Invariant (tested): with every multiplier 1, every rule is the identity.
/// </summary>
public static class MupRules
{
    /// <summary>One row of the width table (µP, TP5 Table 8 form, as microsoft/mup implements it).
    /// Each column is a function of (m_in, m_out); a Vector's m is its size multiplier, passed as m_out.</summary>
    public sealed record WidthRow(
        MupRole Role,
        Func<double, double, double> InitStd,
        Func<double, double, double> AdamLr,
        Func<double, double, double> SgdLr,
        Func<double, double, double> AdamWeightDecay,
        Func<double, double, double> SgdWeightDecay);

    private static double One(double mIn, double mOut) => 1.0;

    /// <summary>The width table: init std, Adam lr, SGD lr, Adam/AdamW weight decay, SGD weight decay.
    /// Source: TP5 Table 8; mup 1.0.0 (mup/optim.py MuAdam/MuSGD, mup/layer.py MuReadout, mup/init.py).</summary>
    public static IReadOnlyDictionary<MupRole, WidthRow> WidthTable { get; } = new Dictionary<MupRole, WidthRow>
    {
        //                          init std                    Adam lr              SGD lr                  Adam wd               SGD wd
        [MupRole.Input] = new(MupRole.Input, One, One, (i, o) => o, One, (i, o) => 1 / o),
        [MupRole.Hidden] = new(MupRole.Hidden, (i, o) => 1 / Math.Sqrt(i), (i, o) => 1 / i, (i, o) => o / i, (i, o) => i, (i, o) => i / o),
        [MupRole.Readout] = new(MupRole.Readout, One, One, (i, o) => i, One, (i, o) => 1 / i),
        [MupRole.Vector] = new(MupRole.Vector, One, One, (i, m) => m, One, (i, m) => 1 / m),
        [MupRole.Fixed] = new(MupRole.Fixed, One, One, One, One, One),
        [MupRole.Unresolved] = new(MupRole.Unresolved, One, One, One, One, One),
    };

    /// <summary>The width scales of a parameter of <paramref name="role"/> with fan multipliers m_in, m_out
    /// (for a <see cref="MupRole.Vector"/>, <paramref name="mOut"/> is its size multiplier m).</summary>
    public static MupScales Width(MupRole role, double mIn, double mOut)
    {
        CheckMultiplier(mIn, nameof(mIn));
        CheckMultiplier(mOut, nameof(mOut));
        if (!WidthTable.TryGetValue(role, out var row))
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role.");
        return new MupScales(row.InitStd(mIn, mOut), row.AdamLr(mIn, mOut), row.SgdLr(mIn, mOut),
            row.AdamWeightDecay(mIn, mOut), row.SgdWeightDecay(mIn, mOut), 1.0);
    }

    /// <summary>The default depth exponent of a parametrization: CompleteP 1, Depth-µP 0.5; null when the
    /// parametrization has no depth rules (µP, SP).</summary>
    public static double? DefaultDepthAlpha(MupParametrization parametrization) => parametrization switch
    {
        MupParametrization.CompleteP => 1.0,
        MupParametrization.DepthMup => 0.5,
        _ => null,
    };

    /// <summary>Residual-branch multiplier m_L^(-alpha) (CompleteP Table 1; Bordelon et al. for alpha = 1/2).</summary>
    public static double ResidualMultiplier(double mL, double alpha)
    {
        CheckMultiplier(mL, nameof(mL));
        CheckAlpha(alpha);
        return Math.Pow(mL, -alpha);
    }

    /// <summary>
    /// The depth scales (CompleteP Table 1, as written in docs/RULES.md): inside residual blocks, hidden weights
    /// and vectors (biases, norm gains) get Adam lr × m_L^(alpha-1); every parameter in a block gets AdamW
    /// eps / m_N × m_L^(-alpha). No depth term in any init, weight decay, SGD scale, or outside blocks.
    /// </summary>
    public static MupScales Depth(MupRole role, bool inResidualBlock, double mN, double mL, double alpha)
    {
        CheckMultiplier(mN, nameof(mN));
        CheckMultiplier(mL, nameof(mL));
        CheckAlpha(alpha);
        if (!inResidualBlock)
            return MupScales.Identity;
        double lr = role is MupRole.Hidden or MupRole.Vector ? Math.Pow(mL, alpha - 1) : 1.0;
        double eps = 1.0 / mN * Math.Pow(mL, -alpha);
        return new MupScales(1, lr, 1, 1, 1, eps);
    }

    /// <summary>
    /// Everything for one parameter under <paramref name="parametrization"/>: width rules, times depth rules when
    /// <paramref name="alpha"/> is given (depth-aware parametrizations on a model with [Depth]); identity under SP.
    /// </summary>
    public static MupScales Compute(MupParametrization parametrization, MupRole role, double mIn, double mOut,
        double mN, bool inResidualBlock, double mL, double? alpha)
    {
        if (parametrization == MupParametrization.Standard)
            return MupScales.Identity;
        var scales = Width(role, mIn, mOut);
        return alpha is { } a ? scales * Depth(role, inResidualBlock, mN, mL, a) : scales;
    }

    /// <summary>The attention logit scale: multiplier × sqrt(base head dim) / head dim under µP (1/d as the head
    /// grows, exactly 1/sqrt(d) at base); multiplier / sqrt(head dim) under SP.</summary>
    public static double AttentionScale(long headDim, double baseHeadDim, double attentionMultiplier, bool standard)
    {
        if (headDim < 1) throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "The head dimension must be at least 1.");
        if (!(baseHeadDim > 0) || !double.IsFinite(baseHeadDim)) throw new ArgumentOutOfRangeException(nameof(baseHeadDim), baseHeadDim, "The base head dimension must be positive and finite.");
        return standard
            ? attentionMultiplier / Math.Sqrt(headDim)
            : attentionMultiplier * Math.Sqrt(baseHeadDim) / headDim;
    }

    private static void CheckMultiplier(double m, string name)
    {
        if (!double.IsFinite(m) || m <= 0)
            throw new ArgumentOutOfRangeException(name, m, "A width or depth multiplier must be positive and finite.");
    }

    private static void CheckAlpha(double alpha)
    {
        if (!double.IsFinite(alpha) || alpha < 0 || alpha > 1)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The depth exponent alpha must lie in [0, 1].");
    }
}
