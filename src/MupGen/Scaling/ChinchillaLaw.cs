using System;

namespace MupGen.Scaling;

/// <summary>A model size and token count for a compute budget, with the loss the law expects.</summary>
/// <param name="Flops">The training compute C in FLOPs (C ≈ 6·N·D).</param>
/// <param name="Parameters">N, the number of parameters.</param>
/// <param name="Tokens">D, the number of training tokens.</param>
/// <param name="Loss">The law's predicted loss L(N, D) (nats per token on the law's data).</param>
/// <param name="TokensLimited">True when the tokens available were fewer than the compute-optimal D, so D was capped
/// and N grown to spend the budget.</param>
public sealed record ComputeAllocation(double Flops, double Parameters, double Tokens, double Loss, bool TokensLimited)
{
    /// <summary>D/N, tokens per parameter (about 20 for Chinchilla's constants).</summary>
    public double TokensPerParameter => Tokens / Parameters;
}

/// <summary>
/// The Chinchilla parametric loss L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, "Training Compute-Optimal
/// Large Language Models", arXiv 2203.15556, §3.3 "Approach 3" and the closed-form optimum given there),
/// with N parameters and D training tokens.
/// </summary>
/// <param name="E">The irreducible loss.</param>
/// <param name="A">The coefficient of the parameter term.</param>
/// <param name="B">The coefficient of the data term.</param>
/// <param name="Alpha">α, the parameter exponent.</param>
/// <param name="Beta">β, the data exponent.</param>
public sealed record ChinchillaLaw(double E, double A, double B, double Alpha, double Beta)
{
    /// <summary>Hoffmann et al. 2022 approach 3 as printed in the paper (arXiv 2203.15556, §3.3): E = 1.69,
    /// A = 406.4, B = 410.7, α = 0.34, β = 0.28.</summary>
    public static ChinchillaLaw Hoffmann2022 { get; } = new(1.69, 406.4, 410.7, 0.34, 0.28);

    /// <summary>The Epoch AI refit of approach 3 on data reconstructed from Hoffmann et al.'s plots (Besiroglu et al.
    /// 2024, "Chinchilla Scaling: A replication attempt", arXiv 2404.10102): E = 1.8172 (often
    /// quoted rounded as 1.82), A = 482.01, B = 2085.43,
    /// α = 0.3478, β = 0.3658.</summary>
    public static ChinchillaLaw Besiroglu2024 { get; } = new(1.8172, 482.01, 2085.43, 0.3478, 0.3658);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first constant that is not finite and
    /// positive (E may be 0).</summary>
    public ChinchillaLaw Validate()
    {
        ScalingGuard.NonNegative(E, nameof(E));
        ScalingGuard.Positive(A, nameof(A));
        ScalingGuard.Positive(B, nameof(B));
        ScalingGuard.Positive(Alpha, nameof(Alpha));
        ScalingGuard.Positive(Beta, nameof(Beta));
        return this;
    }

    /// <summary>L(N, D) = E + A/N^α + B/D^β.</summary>
    /// <param name="parameters">N, positive.</param>
    /// <param name="tokens">D, positive.</param>
    public double Loss(double parameters, double tokens)
    {
        Validate();
        ScalingGuard.Positive(parameters, nameof(parameters));
        ScalingGuard.Positive(tokens, nameof(tokens));
        return E + A / Math.Pow(parameters, Alpha) + B / Math.Pow(tokens, Beta);
    }

    /// <summary>The loss-minimising N and D for a budget under C = 6ND: N_opt = G·(C/6)^(β/(α+β)) with
    /// G = (αA/(βB))^(1/(α+β)), and D_opt = (C/6)/N_opt.</summary>
    /// <param name="flops">C, positive.</param>
    public ComputeAllocation ComputeOptimal(double flops)
    {
        Validate();
        ScalingGuard.Positive(flops, nameof(flops));
        double g = Math.Pow(Alpha * A / (Beta * B), 1 / (Alpha + Beta));
        double n = g * Math.Pow(flops / 6, Beta / (Alpha + Beta));
        double d = flops / 6 / n;
        return new ComputeAllocation(flops, n, d, Loss(n, d), false);
    }

    /// <summary>The loss-minimising N and D for a budget when at most <paramref name="tokensAvailable"/> tokens exist
    /// (single epoch). Along C = 6ND the loss has one minimum in D, so when D_opt exceeds the tokens available the
    /// constrained optimum is D = tokens available and N = C/(6D); otherwise it is the unconstrained optimum.</summary>
    /// <param name="flops">C, positive.</param>
    /// <param name="tokensAvailable">The tokens available, positive.</param>
    public ComputeAllocation ComputeOptimal(double flops, double tokensAvailable)
    {
        ScalingGuard.Positive(tokensAvailable, nameof(tokensAvailable));
        var best = ComputeOptimal(flops);
        if (best.Tokens <= tokensAvailable) return best;
        double n = flops / (6 * tokensAvailable);
        return new ComputeAllocation(flops, n, tokensAvailable, Loss(n, tokensAvailable), true);
    }
}
