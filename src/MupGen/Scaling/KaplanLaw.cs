using System;

namespace MupGen.Scaling;

/// <summary>
/// The power laws of Kaplan et al. 2020, "Scaling Laws for Neural Language Models" (arXiv 2001.08361): loss against
/// non-embedding parameters N, dataset tokens D and both (summarised in §1.2), and the critical batch size against
/// loss (§1.2 and §5.1). Losses are in nats per token on WebText2 with GPT-2's tokenizer; batch sizes in tokens.
/// </summary>
/// <param name="AlphaN">α_N, the parameter exponent.</param>
/// <param name="Nc">N_c, the parameter scale (non-embedding parameters).</param>
/// <param name="AlphaD">α_D, the data exponent.</param>
/// <param name="Dc">D_c, the data scale (tokens).</param>
/// <param name="AlphaB">α_B, the critical-batch exponent.</param>
/// <param name="BStar">B_*, the critical-batch scale (tokens).</param>
public sealed record KaplanLaw(double AlphaN, double Nc, double AlphaD, double Dc, double AlphaB, double BStar)
{
    /// <summary>The paper's constants (§1.2): α_N = 0.076, N_c = 8.8e13, α_D = 0.095, D_c = 5.4e13,
    /// α_B = 0.21, B_* = 2e8 tokens.</summary>
    public static KaplanLaw Kaplan2020 { get; } = new(0.076, 8.8e13, 0.095, 5.4e13, 0.21, 2e8);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first constant that is not positive and finite.</summary>
    public KaplanLaw Validate()
    {
        ScalingGuard.Positive(AlphaN, nameof(AlphaN));
        ScalingGuard.Positive(Nc, nameof(Nc));
        ScalingGuard.Positive(AlphaD, nameof(AlphaD));
        ScalingGuard.Positive(Dc, nameof(Dc));
        ScalingGuard.Positive(AlphaB, nameof(AlphaB));
        ScalingGuard.Positive(BStar, nameof(BStar));
        return this;
    }

    /// <summary>L(N) = (N_c/N)^α_N: models trained to convergence on enough data.</summary>
    public double LossFromParameters(double parameters)
    {
        Validate();
        ScalingGuard.Positive(parameters, nameof(parameters));
        return Math.Pow(Nc / parameters, AlphaN);
    }

    /// <summary>L(D) = (D_c/D)^α_D: large models trained with early stopping on D tokens.</summary>
    public double LossFromTokens(double tokens)
    {
        Validate();
        ScalingGuard.Positive(tokens, nameof(tokens));
        return Math.Pow(Dc / tokens, AlphaD);
    }

    /// <summary>L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D.</summary>
    public double Loss(double parameters, double tokens)
    {
        Validate();
        ScalingGuard.Positive(parameters, nameof(parameters));
        ScalingGuard.Positive(tokens, nameof(tokens));
        return Math.Pow(Math.Pow(Nc / parameters, AlphaN / AlphaD) + Dc / tokens, AlphaD);
    }

    /// <summary>B_crit(L) = B_*/L^(1/α_B), in tokens: the batch size that balances time and compute
    /// efficiency at loss L, about McCandlish's noise scale.</summary>
    /// <param name="loss">L in nats per token, positive.</param>
    public double CriticalBatchSize(double loss)
    {
        Validate();
        ScalingGuard.Positive(loss, nameof(loss));
        return BStar / Math.Pow(loss, 1 / AlphaB);
    }

    /// <summary>The coefficient 5·10³ of the overfitting bound (Kaplan et al. 2020, Eq. 4.4).</summary>
    public const double OverfittingBoundCoefficient = 5e3;

    /// <summary>The exponent 0.74 of the overfitting bound (Kaplan et al. 2020, Eq. 4.4; ≈ α_N/α_D of their L(N, D) fit).</summary>
    public const double OverfittingBoundExponent = 0.74;

    /// <summary>Kaplan et al. 2020's dataset size needed to avoid overfitting, D ≳ (5·10³)·N^0.74 tokens (Eq. 4.4,
    /// §4.2): the data for which the early-stopped loss stays within about 0.02 nats (their seed-to-seed variation) of
    /// the infinite-data loss, "every time we increase the model size 8x, we only need to increase the data by roughly
    /// 5x" (§1.1). N counts non-embedding parameters; the bound was measured on WebText2 with 10% dropout and
    /// regularisation not retuned per size, and it is not a compute-optimal data size.</summary>
    /// <param name="nonEmbeddingParameters">N, positive.</param>
    public static double MinimumTokensWithoutOverfitting(double nonEmbeddingParameters)
    {
        ScalingGuard.Positive(nonEmbeddingParameters, nameof(nonEmbeddingParameters));
        return OverfittingBoundCoefficient * Math.Pow(nonEmbeddingParameters, OverfittingBoundExponent);
    }
}
