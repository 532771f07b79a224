using System;

namespace MupGen.Scaling;

/// <summary>
/// The optimal peak learning rate and batch size as power laws of the compute budget:
/// η_opt = a·C^b and B_opt = c·C^d (batch in tokens per step). Published fit: DeepSeek LLM (Bi et al. 2024,
/// "DeepSeek LLM: Scaling Open-Source Language Models with Longtermism", arXiv 2401.02954, §3.1, Formula (1)).
/// </summary>
/// <remarks>
/// DeepSeek's C is M·D, with M the non-embedding FLOPs per token (attention included:
/// M = 72·n_layer·d_model² + 12·n_layer·d_model·l_seq) and D the tokens; for d_model ≫ l_seq it is close to
/// 6·N_non-embedding·D, somewhat below a 6·N·D that counts embeddings. The fit used budgets 1e17 to 2e19 FLOPs
/// (validated at 1e20) on DeepSeek's data, a multi-step schedule and AdamW with standard parametrization: the learning
/// rate is the peak lr of that recipe, not a µP base learning rate. Near-optimal means within 0.25% of the minimum
/// generalization error, and the paper stresses that the near-optimal band is wide.
/// </remarks>
/// <param name="LearningRateCoefficient">a in η_opt = a·C^b.</param>
/// <param name="LearningRateExponent">b (negative: the learning rate falls with compute).</param>
/// <param name="BatchCoefficient">c in B_opt = c·C^d, B in tokens.</param>
/// <param name="BatchExponent">d.</param>
/// <param name="FitMinFlops">The smallest budget the fit saw (FLOPs); below it the law is extrapolated.</param>
/// <param name="FitMaxFlops">The largest budget the fit saw (FLOPs); above it the law is extrapolated.</param>
public sealed record ComputeHyperparameterLaw(
    double LearningRateCoefficient,
    double LearningRateExponent,
    double BatchCoefficient,
    double BatchExponent,
    double FitMinFlops,
    double FitMaxFlops)
{
    /// <summary>Bi et al. 2024 (arXiv 2401.02954) Formula (1): η_opt = 0.3118·C^(−0.1250),
    /// B_opt = 0.2920·C^(0.3271) tokens, fitted on 1e17 to 2e19 FLOPs.</summary>
    public static ComputeHyperparameterLaw DeepSeek2024 { get; } = new(0.3118, -0.1250, 0.2920, 0.3271, 1e17, 2e19);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first constant out of range.</summary>
    public ComputeHyperparameterLaw Validate()
    {
        ScalingGuard.Positive(LearningRateCoefficient, nameof(LearningRateCoefficient));
        if (!double.IsFinite(LearningRateExponent))
            throw new ArgumentOutOfRangeException(nameof(LearningRateExponent), LearningRateExponent, "LearningRateExponent must be finite.");
        ScalingGuard.Positive(BatchCoefficient, nameof(BatchCoefficient));
        if (!double.IsFinite(BatchExponent))
            throw new ArgumentOutOfRangeException(nameof(BatchExponent), BatchExponent, "BatchExponent must be finite.");
        ScalingGuard.Positive(FitMinFlops, nameof(FitMinFlops));
        ScalingGuard.Positive(FitMaxFlops, nameof(FitMaxFlops));
        if (FitMaxFlops < FitMinFlops)
            throw new ArgumentOutOfRangeException(nameof(FitMaxFlops), FitMaxFlops, "FitMaxFlops must be at least FitMinFlops.");
        return this;
    }

    /// <summary>η_opt(C) = a·C^b.</summary>
    /// <param name="flops">C in FLOPs, positive.</param>
    public double OptimalLearningRate(double flops)
    {
        Validate();
        ScalingGuard.Positive(flops, nameof(flops));
        return LearningRateCoefficient * Math.Pow(flops, LearningRateExponent);
    }

    /// <summary>B_opt(C) = c·C^d, in tokens per optimizer step.</summary>
    /// <param name="flops">C in FLOPs, positive.</param>
    public double OptimalBatchTokens(double flops)
    {
        Validate();
        ScalingGuard.Positive(flops, nameof(flops));
        return BatchCoefficient * Math.Pow(flops, BatchExponent);
    }

    /// <summary>How many decades <paramref name="flops"/> lies outside the fitted range (0 inside it).</summary>
    public double DecadesOutsideFit(double flops)
    {
        Validate();
        ScalingGuard.Positive(flops, nameof(flops));
        if (flops > FitMaxFlops) return Math.Log10(flops / FitMaxFlops);
        if (flops < FitMinFlops) return Math.Log10(FitMinFlops / flops);
        return 0;
    }
}
