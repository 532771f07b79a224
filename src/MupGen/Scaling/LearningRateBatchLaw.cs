using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MupGen.Scaling;

/// <summary>How the optimal learning rate depends on the batch size.</summary>
public enum LearningRateBatchLaw
{
    /// <summary>SGD-style (McCandlish et al. 2018, arXiv 1812.06162, §2.2):
    /// ε_opt(B) = ε_max / (1 + B_noise/B); rises with B and saturates at ε_max.</summary>
    McCandlish,

    /// <summary>Adam-style "surge" (Li et al. 2024, arXiv 2405.14578, §3):
    /// ε_opt(B) = ε_max / (½(√(B_noise/B) + √(B/B_noise))); rises, peaks at B = B_noise with ε_max, then falls.</summary>
    Surge,
}

/// <summary>One measured point: a batch size and the best learning rate found at it.</summary>
/// <param name="BatchSize">The batch size (any unit, the same for every point).</param>
/// <param name="LearningRate">The best learning rate at that batch size.</param>
public readonly record struct BatchLearningRate(double BatchSize, double LearningRate);

/// <summary>The learning rate the law predicts at a batch size.</summary>
/// <param name="BatchSize">The batch size asked about.</param>
/// <param name="LearningRate">The predicted optimal learning rate.</param>
/// <param name="PastPeak">True when the law is <see cref="LearningRateBatchLaw.Surge"/> and the batch size is beyond the
/// peak B_noise: growing the batch further calls for a smaller learning rate, not a larger one.</param>
/// <param name="Warning">A sentence explaining <paramref name="PastPeak"/>, or null.</param>
public sealed record LearningRatePrediction(double BatchSize, double LearningRate, bool PastPeak, string? Warning);

/// <summary>
/// The optimal learning rate as a function of batch size: McCandlish et al. 2018 for SGD-style optimizers and the
/// surge law of Li et al. 2024 for Adam-style (sign-like) optimizers, both parametrised by the peak/limit learning
/// rate ε_max and the noise scale B_noise.
/// </summary>
/// <param name="Law">Which law.</param>
/// <param name="MaxLearningRate">ε_max: the large-batch limit (McCandlish) or the peak value (surge).</param>
/// <param name="NoiseScale">B_noise, in the unit of the batch sizes.</param>
public sealed record LearningRateBatchScaling(LearningRateBatchLaw Law, double MaxLearningRate, double NoiseScale)
{
    /// <summary>McCandlish's ε_opt(B) = ε_max / (1 + B_noise/B).</summary>
    public static double McCandlish(double batchSize, double maxLearningRate, double noiseScale)
    {
        ScalingGuard.Positive(batchSize, nameof(batchSize));
        ScalingGuard.Positive(maxLearningRate, nameof(maxLearningRate));
        ScalingGuard.Positive(noiseScale, nameof(noiseScale));
        return maxLearningRate / (1 + noiseScale / batchSize);
    }

    /// <summary>The surge law ε_opt(B) = ε_max / (½(√(B_noise/B) + √(B/B_noise))); equal to ε_max at B = B_noise.</summary>
    public static double Surge(double batchSize, double maxLearningRate, double noiseScale)
    {
        ScalingGuard.Positive(batchSize, nameof(batchSize));
        ScalingGuard.Positive(maxLearningRate, nameof(maxLearningRate));
        ScalingGuard.Positive(noiseScale, nameof(noiseScale));
        double r = Math.Sqrt(noiseScale / batchSize);
        return maxLearningRate / (0.5 * (r + 1 / r));
    }

    /// <summary>The optimal learning rate at a batch size under this law.</summary>
    public double LearningRate(double batchSize) => Law == LearningRateBatchLaw.Surge
        ? Surge(batchSize, MaxLearningRate, NoiseScale)
        : McCandlish(batchSize, MaxLearningRate, NoiseScale);

    /// <summary>The factor ε_opt(to)/ε_opt(from) to apply to a tuned learning rate when the batch changes from
    /// <paramref name="fromBatch"/> to <paramref name="toBatch"/> (B_noise and ε_max held fixed; only the ratio of
    /// learning rates matters, so ε_max may be any positive value).</summary>
    public double Factor(double fromBatch, double toBatch) => LearningRate(toBatch) / LearningRate(fromBatch);

    /// <summary>Predicts the learning rate at a batch size and flags a batch past the Adam peak.</summary>
    public LearningRatePrediction Predict(double batchSize)
    {
        double lr = LearningRate(batchSize);
        bool past = Law == LearningRateBatchLaw.Surge && batchSize > NoiseScale;
        string? warning = past
            ? string.Create(CultureInfo.InvariantCulture,
                $"batch size {batchSize:G6} is past the Adam peak B_noise = {NoiseScale:G6}: a larger batch now needs a smaller learning rate (surge law, Li et al. 2024).")
            : null;
        return new LearningRatePrediction(batchSize, lr, past, warning);
    }

    /// <summary>
    /// Fits ε_max and B_noise to measured (batch size, best learning rate) points, minimising the squared error in
    /// ln(lr). The start comes from the law's linear form fitted by weighted least squares, refined by Gauss–Newton
    /// (Levenberg–Marquardt) on the log residuals.
    /// </summary>
    /// <remarks>Linear forms: McCandlish 1/ε = 1/ε_max + (B_noise/ε_max)·(1/B), a line in x = 1/B. Surge: multiplying
    /// 1/ε = (√(B_noise/B) + √(B/B_noise))/(2ε_max) by √B gives √B/ε = √B_noise/(2ε_max) + B/(2ε_max√B_noise), a line
    /// a + b·B in x = B with B_noise = a/b and ε_max = 1/(2√(ab)). Weights 1/y² make the linear residuals relative,
    /// i.e. close to log-lr residuals.</remarks>
    /// <param name="law">The law to fit.</param>
    /// <param name="points">At least 2 points (the law has 2 parameters) with at least 2 distinct batch sizes.</param>
    public static LearningRateBatchFit Fit(LearningRateBatchLaw law, IReadOnlyList<BatchLearningRate> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (!Enum.IsDefined(law))
            throw new ArgumentOutOfRangeException(nameof(law), law, "Unknown learning-rate batch law.");
        if (points.Count < 2)
            throw new ArgumentException($"points must hold at least 2 (batch size, learning rate) pairs to fit the 2 parameters ε_max and B_noise (got {points.Count}).", nameof(points));
        for (int i = 0; i < points.Count; i++)
        {
            if (!double.IsFinite(points[i].BatchSize) || points[i].BatchSize <= 0)
                throw new ArgumentException($"points[{i}].BatchSize must be a positive finite number (got {ScalingGuard.Format(points[i].BatchSize)}).", nameof(points));
            if (!double.IsFinite(points[i].LearningRate) || points[i].LearningRate <= 0)
                throw new ArgumentException($"points[{i}].LearningRate must be a positive finite number (got {ScalingGuard.Format(points[i].LearningRate)}).", nameof(points));
        }
        if (points.Select(p => p.BatchSize).Distinct().Count() < 2)
            throw new ArgumentException("points must cover at least 2 distinct batch sizes: one batch size cannot separate ε_max from B_noise.", nameof(points));

        var (u, v) = LinearStart(law, points);
        (u, v) = Refine(law, points, u, v);
        var fitted = new LearningRateBatchScaling(law, Math.Exp(u), Math.Exp(v));

        double mean = points.Average(p => Math.Log(p.LearningRate));
        double ssRes = 0, ssTot = 0;
        foreach (var p in points)
        {
            double r = Math.Log(p.LearningRate) - Math.Log(fitted.LearningRate(p.BatchSize));
            ssRes += r * r;
            double t = Math.Log(p.LearningRate) - mean;
            ssTot += t * t;
        }
        double r2 = ssTot > 0 ? 1 - ssRes / ssTot : (ssRes == 0 ? 1.0 : 0.0);
        return new LearningRateBatchFit(fitted, r2, Math.Sqrt(ssRes / points.Count), points.Count);
    }

    // Start values (u = ln ε_max, v = ln B_noise) from the weighted linear form; falls back to the data's largest lr and
    // the geometric mean batch when the line has a non-positive coefficient (data that the law cannot shape exactly).
    private static (double U, double V) LinearStart(LearningRateBatchLaw law, IReadOnlyList<BatchLearningRate> points)
    {
        int n = points.Count;
        var x = new double[n];
        var y = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            double b = points[i].BatchSize, lr = points[i].LearningRate;
            x[i] = law == LearningRateBatchLaw.Surge ? b : 1 / b;
            y[i] = law == LearningRateBatchLaw.Surge ? Math.Sqrt(b) / lr : 1 / lr;
            w[i] = 1 / (y[i] * y[i]);
        }
        var (a, slope) = WeightedLine(x, y, w);
        if (a > 0 && slope > 0 && double.IsFinite(a) && double.IsFinite(slope))
        {
            return law == LearningRateBatchLaw.Surge
                ? (Math.Log(1 / (2 * Math.Sqrt(a * slope))), Math.Log(a / slope))
                : (Math.Log(1 / a), Math.Log(slope / a));
        }
        double maxLr = points.Max(p => p.LearningRate);
        double geoBatch = Math.Exp(points.Average(p => Math.Log(p.BatchSize)));
        return (Math.Log(maxLr), Math.Log(geoBatch));
    }

    /// <summary>Weighted least-squares line y = a + b·x.</summary>
    internal static (double Intercept, double Slope) WeightedLine(double[] x, double[] y, double[] w)
    {
        double sw = 0, sx = 0, sy = 0;
        for (int i = 0; i < x.Length; i++) { sw += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i]; }
        double mx = sx / sw, my = sy / sw;
        double sxx = 0, sxy = 0;
        for (int i = 0; i < x.Length; i++) { sxx += w[i] * (x[i] - mx) * (x[i] - mx); sxy += w[i] * (x[i] - mx) * (y[i] - my); }
        double slope = sxy / sxx;
        return (my - slope * mx, slope);
    }

    // Levenberg–Marquardt on r_i = ln lr_i − ln ε(B_i; u, v), with ∂lnε/∂u = 1 and ∂lnε/∂v from the law.
    private static (double U, double V) Refine(LearningRateBatchLaw law, IReadOnlyList<BatchLearningRate> points, double u, double v)
    {
        double lambda = 1e-3;
        double cost = Cost(law, points, u, v);
        for (int iter = 0; iter < 200; iter++)
        {
            double juu = 0, juv = 0, jvv = 0, gu = 0, gv = 0;
            foreach (var p in points)
            {
                var (logLr, dv) = LogLearningRate(law, p.BatchSize, u, v);
                double r = Math.Log(p.LearningRate) - logLr;
                // Jacobian of the model: (1, dv).
                juu += 1; juv += dv; jvv += dv * dv;
                gu += r; gv += r * dv;
            }
            bool improved = false;
            for (int tries = 0; tries < 30 && !improved; tries++)
            {
                double a11 = juu * (1 + lambda), a22 = jvv * (1 + lambda) + 1e-12, a12 = juv;
                double det = a11 * a22 - a12 * a12;
                if (det <= 0 || !double.IsFinite(det)) { lambda *= 10; continue; }
                double du = (a22 * gu - a12 * gv) / det;
                double dvStep = (a11 * gv - a12 * gu) / det;
                double nu = u + du, nv = v + dvStep;
                double c = Cost(law, points, nu, nv);
                if (c < cost)
                {
                    bool converged = cost - c < 1e-15 * (1 + cost);
                    u = nu; v = nv; cost = c; lambda = Math.Max(lambda / 10, 1e-12); improved = true;
                    if (converged) return (u, v);
                }
                else lambda *= 10;
            }
            if (!improved) break;
        }
        return (u, v);
    }

    private static double Cost(LearningRateBatchLaw law, IReadOnlyList<BatchLearningRate> points, double u, double v)
    {
        double c = 0;
        foreach (var p in points)
        {
            double r = Math.Log(p.LearningRate) - LogLearningRate(law, p.BatchSize, u, v).LogLr;
            c += r * r;
        }
        return double.IsFinite(c) ? c : double.PositiveInfinity;
    }

    // ln ε(B) and its derivative in v = ln B_noise.
    private static (double LogLr, double DLogLrDv) LogLearningRate(LearningRateBatchLaw law, double batch, double u, double v)
    {
        double ratio = Math.Exp(v) / batch; // B_noise / B
        if (law == LearningRateBatchLaw.McCandlish)
            return (u - Math.Log(1 + ratio), -ratio / (1 + ratio));
        double r = Math.Sqrt(ratio);
        return (u - Math.Log(0.5 * (r + 1 / r)), -(r - 1 / r) / (2 * (r + 1 / r)));
    }
}

/// <summary>The result of <see cref="LearningRateBatchScaling.Fit"/>: the fitted law and its goodness of fit in log lr.</summary>
/// <param name="Scaling">The fitted law (ε_max, B_noise).</param>
/// <param name="RSquared">1 − SS_res/SS_tot of ln(lr): 1 is a perfect fit; at or below 0 the law explains nothing
/// beyond the mean.</param>
/// <param name="RmseLogLearningRate">Root-mean-square residual of ln(lr) (natural log; 0.1 ≈ 10% typical error).</param>
/// <param name="Points">How many points were fitted.</param>
public sealed record LearningRateBatchFit(LearningRateBatchScaling Scaling, double RSquared, double RmseLogLearningRate, int Points)
{
    /// <summary>Predicts the learning rate at a new batch size (see <see cref="LearningRateBatchScaling.Predict"/>).</summary>
    public LearningRatePrediction Predict(double batchSize) => Scaling.Predict(batchSize);
}
