using System;
using System.Collections.Generic;
using System.Globalization;

namespace MupGen.Scaling;

/// <summary>What pre-training is worth to a fine-tuning run under <see cref="TransferLaw"/>.</summary>
/// <param name="FinetuneData">D_F, the fine-tuning data (the unit of the law's constants).</param>
/// <param name="Parameters">N, non-embedding parameters.</param>
/// <param name="EffectiveDataTransferred">D_T = k·D_F^α·N^β: the extra fine-tuning data a model of the same size
/// trained from scratch would need to reach the fine-tuned loss.</param>
/// <param name="EffectiveDataMultiplier">(D_F + D_T)/D_F = 1 + k·D_F^(α−1)·N^β.</param>
/// <param name="FractionFromTransfer">D_T/(D_F + D_T): the share of the effective data D_E = D_F + D_T that comes
/// from pre-training.</param>
public sealed record TransferEstimate(
    double FinetuneData,
    double Parameters,
    double EffectiveDataTransferred,
    double EffectiveDataMultiplier,
    double FractionFromTransfer)
{
    /// <summary>D_E = D_F + D_T, the effective data: what a from-scratch model of the same size would need.</summary>
    public double EffectiveData => FinetuneData + EffectiveDataTransferred;
}

/// <summary>One measurement for <see cref="TransferLaw.Fit"/>: a fine-tuning set size, a model size and the effective
/// data transferred found for them (from-scratch loss curves of the same model size, as Hernandez et al. measure it).</summary>
/// <param name="FinetuneData">D_F, positive.</param>
/// <param name="Parameters">N (non-embedding), positive.</param>
/// <param name="EffectiveDataTransferred">D_T, positive.</param>
public readonly record struct TransferObservation(double FinetuneData, double Parameters, double EffectiveDataTransferred);

/// <summary>A least-squares fit of <see cref="TransferLaw"/> to measured points.</summary>
/// <param name="Law">The fitted k, α, β.</param>
/// <param name="RSquared">R² of ln D_T (1 = every point on the fitted plane).</param>
/// <param name="RmseLog">Root-mean-square residual of ln D_T (0.1 ≈ 10% typical error).</param>
/// <param name="Count">The number of points.</param>
public sealed record TransferFit(TransferLaw Law, double RSquared, double RmseLog, int Count);

/// <summary>
/// Scaling laws for transfer (Hernandez, Kaplan, Henighan, McCandlish 2021, "Scaling Laws for Transfer",
/// arXiv 2102.01293): the effective data transferred from pre-training to a fine-tuning distribution is
/// D_T = k·(D_F)^α·(N)^β (Eq. 1.1), with D_F the fine-tuning data and N the non-embedding parameters, in the
/// low-data regime. The effective data multiplier is (D_F + D_T)/D_F (Eq. 1.2 writes its low-data approximation
/// k·N^β/D_F^(1−α)).
/// </summary>
/// <remarks>
/// The paper's data unit is characters (of Python), so the published k applies to D_F and D_T in characters; a
/// different unit c changes k to k·c^(1−α) while α and β stay. The fit is valid in the low-data regime (the paper
/// takes D_F up to about 10% of the data a from-scratch model of that size needs to approach its infinite-data loss);
/// past it the law breaks down, and small pre-trained models can even end worse than from-scratch ones
/// ("ossification", §3.1). Only Python was a target; the models are transformers.
/// </remarks>
/// <param name="K">k, the coefficient (depends on the data unit).</param>
/// <param name="Alpha">α, the fine-tuning-data exponent ("directed proximity" of the distributions; smaller is closer).</param>
/// <param name="Beta">β, the parameter exponent.</param>
public sealed record TransferLaw(double K, double Alpha, double Beta)
{
    /// <summary>Text → Python, Hernandez et al. 2021 Eq. 1.1 and Table 1: k = 1.9e4, α = 0.18, β = 0.38, data in
    /// characters.</summary>
    public static TransferLaw TextToPython { get; } = new(1.9e4, 0.18, 0.38);

    /// <summary>50% text + 50% non-Python code → Python, Hernandez et al. 2021 Table 1: k = 2.1e5, α = 0.096,
    /// β = 0.38, data in characters.</summary>
    public static TransferLaw TextAndCodeToPython { get; } = new(2.1e5, 0.096, 0.38);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first constant that is out of range:
    /// k must be positive, α and β finite (α below 1, since D_T then grows slower than D_F, as in every published fit).</summary>
    public TransferLaw Validate()
    {
        ScalingGuard.Positive(K, nameof(K));
        if (!double.IsFinite(Alpha) || Alpha >= 1)
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha,
                $"Alpha must be a finite number below 1 (got {ScalingGuard.Format(Alpha)}).");
        if (!double.IsFinite(Beta))
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, $"Beta must be a finite number (got {ScalingGuard.Format(Beta)}).");
        return this;
    }

    /// <summary>D_T = k·D_F^α·N^β.</summary>
    /// <param name="finetuneData">D_F, positive.</param>
    /// <param name="parameters">N (non-embedding), positive.</param>
    public double EffectiveDataTransferred(double finetuneData, double parameters)
    {
        Validate();
        ScalingGuard.Positive(finetuneData, nameof(finetuneData));
        ScalingGuard.Positive(parameters, nameof(parameters));
        return K * Math.Pow(finetuneData, Alpha) * Math.Pow(parameters, Beta);
    }

    /// <summary>(D_F + D_T)/D_F.</summary>
    public double EffectiveDataMultiplier(double finetuneData, double parameters)
        => 1 + EffectiveDataTransferred(finetuneData, parameters) / finetuneData;

    /// <summary>D_T/(D_F + D_T), the fraction of the effective data that comes from pre-training.</summary>
    public double FractionFromTransfer(double finetuneData, double parameters)
    {
        double t = EffectiveDataTransferred(finetuneData, parameters);
        return t / (finetuneData + t);
    }

    /// <summary>All three quantities at once.</summary>
    public TransferEstimate Estimate(double finetuneData, double parameters)
    {
        double t = EffectiveDataTransferred(finetuneData, parameters);
        return new TransferEstimate(finetuneData, parameters, t, 1 + t / finetuneData, t / (finetuneData + t));
    }

    /// <summary>
    /// Fits k, α, β to measured points by least squares on ln D_T = ln k + α·ln D_F + β·ln N (log-linear regression),
    /// the form in which the law is a plane. Reports R² and the RMSE of ln D_T.
    /// </summary>
    /// <param name="points">At least 3 points (3 parameters), with D_F and N both varying and not in lockstep.</param>
    /// <exception cref="ArgumentException">Fewer than 3 points, a value that is not positive and finite (named by
    /// index), or points from which α and β cannot be told apart (D_F or N constant, or one a power of the other).</exception>
    public static TransferFit Fit(IReadOnlyList<TransferObservation> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 3)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Fitting k, alpha and beta needs at least 3 points (one per parameter); got {points.Count}."), nameof(points));
        int n = points.Count;
        var x1 = new double[n];
        var x2 = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            var p = points[i];
            string at = string.Create(CultureInfo.InvariantCulture, $"points[{i}]");
            ScalingGuard.Positive(p.FinetuneData, at + ".FinetuneData");
            ScalingGuard.Positive(p.Parameters, at + ".Parameters");
            ScalingGuard.Positive(p.EffectiveDataTransferred, at + ".EffectiveDataTransferred");
            x1[i] = Math.Log(p.FinetuneData);
            x2[i] = Math.Log(p.Parameters);
            y[i] = Math.Log(p.EffectiveDataTransferred);
        }
        double m1 = Mean(x1), m2 = Mean(x2), my = Mean(y);
        double s11 = 0, s22 = 0, s12 = 0, s1y = 0, s2y = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double a = x1[i] - m1, b = x2[i] - m2, c = y[i] - my;
            s11 += a * a; s22 += b * b; s12 += a * b; s1y += a * c; s2y += b * c; syy += c * c;
        }
        double det = s11 * s22 - s12 * s12;
        // Relative test: det / (s11·s22) is 1 − the squared correlation of ln D_F and ln N.
        if (s11 <= 0 || s22 <= 0 || det <= 1e-10 * s11 * s22)
            throw new ArgumentException(
                "The points cannot separate alpha from beta: vary the fine-tuning data and the model size independently " +
                "(ln D_F and ln N must not be constant or proportional).", nameof(points));
        double alpha = (s1y * s22 - s2y * s12) / det;
        double beta = (s2y * s11 - s1y * s12) / det;
        double lnK = my - alpha * m1 - beta * m2;
        double sse = 0;
        for (int i = 0; i < n; i++)
        {
            double r = y[i] - (lnK + alpha * x1[i] + beta * x2[i]);
            sse += r * r;
        }
        double r2 = syy > 0 ? 1 - sse / syy : 1;
        return new TransferFit(new TransferLaw(Math.Exp(lnK), alpha, beta), r2, Math.Sqrt(sse / n), n);
    }

    private static double Mean(double[] v)
    {
        double s = 0;
        foreach (var x in v) s += x;
        return s / v.Length;
    }
}
