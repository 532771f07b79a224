using System.Collections.Generic;

namespace MupGen;

/// <summary>One row of <c>MupDescribe</c>: a parameter, its role and every scale the rules give it. Scales
/// multiply the base value the user passes to the optimizer method.</summary>
/// <param name="Name">The name as <c>named_parameters()</c> gives it, e.g. <c>hidden.0.weight</c>.</param>
/// <param name="Role">The scaling role.</param>
/// <param name="Shape">The actual tensor shape.</param>
/// <param name="WidthMultiplierIn">m_in: fan_in over its base value (1 when fan_in does not scale).</param>
/// <param name="WidthMultiplierOut">m_out: fan_out over its base value.</param>
/// <param name="DepthMultiplier">m_L inside residual blocks, 1 outside.</param>
/// <param name="InResidualBlock">True inside a block counted by [Depth].</param>
/// <param name="InitStd">The standard deviation the tensor is drawn with (0 for a constant or zero init; NaN when
/// MupGen leaves the constructor's values in place).</param>
/// <param name="AdamLrScale">Adam/AdamW learning-rate scale.</param>
/// <param name="SgdLrScale">SGD learning-rate scale.</param>
/// <param name="AdamWeightDecayScale">Adam (coupled) and AdamW weight-decay scale.</param>
/// <param name="SgdWeightDecayScale">SGD weight-decay scale.</param>
/// <param name="AdamEpsScale">Adam/AdamW epsilon scale.</param>
public sealed record MupParameter(
    string Name,
    MupRole Role,
    IReadOnlyList<long> Shape,
    double WidthMultiplierIn,
    double WidthMultiplierOut,
    double DepthMultiplier,
    bool InResidualBlock,
    double InitStd,
    double AdamLrScale,
    double SgdLrScale,
    double AdamWeightDecayScale,
    double SgdWeightDecayScale,
    double AdamEpsScale)
{
    /// <summary>How <c>MupInitialize</c> initialises the tensor, e.g. <c>uniform(±0.125)</c>, <c>normal(0, 0.02)</c>,
    /// <c>ones</c>, <c>zeros</c>, <c>constructor</c> for a parameter MupGen leaves as constructed, or
    /// <c>tied to wte.weight: normal(0, 1)</c> for a tensor shared with an earlier parameter.</summary>
    public string Init { get; init; } = "";

    /// <summary>Why the role is <see cref="MupRole.Unresolved"/>, why <see cref="MupOptions.BaseShapes"/> could not
    /// fill it, where the base shapes disagree with the compiled facts, or null.</summary>
    public string? Note { get; init; }

    /// <summary>Where the row's rule comes from: the compiled facts, the base shapes, or nowhere (kept unresolved).</summary>
    public MupRuleSource Source { get; init; }

    /// <summary>For a tensor shared with an earlier parameter (weight tying): that parameter's name. The tensor is
    /// initialised once, as that parameter, and sits in that parameter's optimizer group, so <see cref="Init"/>,
    /// <see cref="InitStd"/> and the scales of this row are that parameter's. Null otherwise.</summary>
    public string? TiedTo { get; init; }
}
