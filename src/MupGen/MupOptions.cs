using System;

namespace MupGen;

/// <summary>Options of the generated µP members. Every property has a default that gives plain µP
/// (or CompleteP when the model has <see cref="DepthAttribute"/>).</summary>
public sealed record MupOptions
{
    /// <summary>The parametrization. Null: <see cref="MupParametrization.CompleteP"/> when the model has
    /// <see cref="DepthAttribute"/>, else <see cref="MupParametrization.Mup"/>.</summary>
    public MupParametrization? Parametrization { get; init; }

    /// <summary>Overrides the depth exponent alpha of the parametrization (CompleteP 1, Depth-µP 0.5); in [0, 1].</summary>
    public double? DepthAlpha { get; init; }

    /// <summary>Null: every layer's own default init, evaluated at base shape. A value: weights drawn from
    /// N(0, InitStd) at base shape (vectors keep their layer default). Positive and finite.</summary>
    public double? InitStd { get; init; }

    /// <summary>Initialise the readout's weight and bias to zero (as mup's readout_zero_init).</summary>
    public bool ZeroInitReadout { get; init; }

    /// <summary>Initialise the attention query projection to zero (mup examples' query_zero_init): a Linear named
    /// <c>q</c>, <c>query</c>, <c>q_proj</c>, <c>wq</c>, <c>to_q</c>, <c>query_proj</c> or <c>c_q</c> (weight and bias),
    /// or the first third of the output rows of a fused <c>qkv</c>, <c>c_attn</c>, <c>in_proj</c>, <c>qkv_proj</c>,
    /// <c>wqkv</c> or <c>to_qkv</c> projection.</summary>
    public bool ZeroInitQuery { get; init; }

    /// <summary>Output multiplier tuned at base (mup's output_mult); folded into <c>MupReadoutMultiplier</c>.</summary>
    public double OutputMultiplier { get; init; } = 1.0;

    /// <summary>Input (embedding) multiplier tuned at base; returned by <c>MupInputMultiplier</c>.</summary>
    public double InputMultiplier { get; init; } = 1.0;

    /// <summary>Attention multiplier tuned at base; folded into <c>MupAttentionScale</c>.</summary>
    public double AttentionMultiplier { get; init; } = 1.0;

    /// <summary>
    /// False (default): <c>MupInitialize</c> and <c>MupAdam</c>/<c>MupAdamW</c>/<c>MupSGD</c> throw an
    /// <see cref="InvalidOperationException"/> listing every parameter that has no compiled fact or has role
    /// <see cref="MupRole.Unresolved"/> (and that <see cref="BaseShapes"/> does not fill). True: such parameters keep
    /// their constructor init and the base hyperparameters, knowingly. <c>MupDescribe</c> lists them either way
    /// (<see cref="MupParameter.Source"/> is <see cref="MupRuleSource.Unresolved"/>). Under
    /// <see cref="MupParametrization.Standard"/> nothing needs a rule, so nothing is refused.
    /// </summary>
    public bool AllowUnresolved { get; init; }

    /// <summary>
    /// mup's shape method as a fallback: the shapes of the model at its base width and at another width
    /// (<see cref="MupShapes.Of"/>). Parameters the compiler could not resolve (no fact, or role
    /// <see cref="MupRole.Unresolved"/>) take mup's rule by number of width-scaled dimensions; every compiled fact must
    /// agree with the shapes, or initialisation and the optimizer methods throw naming the parameter. Null (default): no
    /// fallback. See docs/SHAPES.md.
    /// </summary>
    public MupShapes? BaseShapes { get; init; }

    /// <summary>
    /// The head dimension at base width, for the attention modules whose <c>MupAttentionScale(headDim)</c> argument the
    /// generator could not read (MUP020: a tensor's shape, a field the constructor does not set, a method's result) or
    /// that it never saw call it (a call through another object or from outside the model). µP's scale is
    /// AttentionMultiplier · sqrt(base head dim) / headDim, and only the user knows whether the head dimension grows
    /// with the width (base = headDim at base width) or stays fixed while the head count grows (base = headDim).
    /// Null (default): such a <c>MupAttentionScale</c> throws an <see cref="InvalidOperationException"/> naming the module.
    /// Where the generator read the head dimension, its compiled fact decides and this value must agree with it, or
    /// <c>MupAttentionScale</c> throws. At least 1.
    /// </summary>
    public long? BaseHeadDim { get; init; }

    /// <summary>The default options.</summary>
    public static MupOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (InitStd is { } std && (!double.IsFinite(std) || std <= 0))
            throw new ArgumentException($"MupOptions.InitStd must be positive and finite (got {Fmt(std)}); use null for the layers' default init.", nameof(InitStd));
        if (DepthAlpha is { } a && (!double.IsFinite(a) || a < 0 || a > 1))
            throw new ArgumentException($"MupOptions.DepthAlpha must lie in [0, 1] (got {Fmt(a)}): 1 is CompleteP, 0.5 is Depth-µP.", nameof(DepthAlpha));
        CheckMultiplier(OutputMultiplier, nameof(OutputMultiplier));
        CheckMultiplier(InputMultiplier, nameof(InputMultiplier));
        CheckMultiplier(AttentionMultiplier, nameof(AttentionMultiplier));
        if (BaseHeadDim is < 1)
            throw new ArgumentException($"MupOptions.BaseHeadDim must be at least 1 (got {BaseHeadDim.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}); use null when every MupAttentionScale argument is read by the generator.", nameof(BaseHeadDim));
        if (Parametrization is { } p && !Enum.IsDefined(p))
            throw new ArgumentException($"MupOptions.Parametrization has an unknown value {(int)p}.", nameof(Parametrization));
    }

    private static void CheckMultiplier(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ArgumentException($"MupOptions.{name} must be positive and finite (got {Fmt(value)}); 1 means no multiplier.", name);
    }

    private static string Fmt(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
