using System;

namespace MupGen.Scaling;

/// <summary>
/// One reading of the gradient noise scale: the smoothed estimates of |G|² and tr(Σ) and their ratio
/// B_simple = tr(Σ)/|G|² (McCandlish et al. 2018, arXiv 1812.06162, §2.2 and Appendix A).
/// </summary>
/// <param name="Step">How many measurements the moving averages hold (1 after the first).</param>
/// <param name="GradientSquaredNorm">Bias-corrected moving average of the unbiased |G|² estimates.</param>
/// <param name="TraceCovariance">Bias-corrected moving average of the unbiased tr(Σ) estimates (per-example
/// gradient covariance).</param>
/// <param name="NoiseScale">B_simple = <paramref name="TraceCovariance"/> / <paramref name="GradientSquaredNorm"/>, in
/// the unit of the batch sizes given (examples, sequences or tokens); NaN while the |G|² average is not positive
/// (the noise swamps the signal: measure with a bigger batch or average longer).</param>
/// <param name="StepGradientSquaredNorm">This step's unbiased |G|² estimate alone (unsmoothed; may be negative).</param>
/// <param name="StepTraceCovariance">This step's unbiased tr(Σ) estimate alone (unsmoothed; may be negative).</param>
public sealed record GradientNoiseEstimate(
    long Step,
    double GradientSquaredNorm,
    double TraceCovariance,
    double NoiseScale,
    double StepGradientSquaredNorm,
    double StepTraceCovariance)
{
    /// <summary>True when <see cref="NoiseScale"/> is a positive finite number.</summary>
    public bool IsValid => double.IsFinite(NoiseScale) && NoiseScale > 0;
}

/// <summary>
/// The simple gradient noise scale B_simple = tr(Σ)/|G|² from gradient squared norms measured at two batch sizes
/// (McCandlish et al. 2018, "An Empirical Model of Large-Batch Training", arXiv 1812.06162, Appendix A).
/// </summary>
/// <remarks>
/// <para>A mini-batch gradient of size B has E|G_B|² = |G|² + tr(Σ)/B, where G is the true gradient and Σ the
/// covariance of per-example gradients. Two sizes B_small &lt; B_big give the unbiased estimates
/// |G|² ≈ (B_big|G_big|² − B_small|G_small|²)/(B_big − B_small) and
/// tr(Σ) ≈ (|G_small|² − |G_big|²)/(1/B_small − 1/B_big).</para>
/// <para>Each estimate is noisy, so both are smoothed by exponential moving averages with Adam-style bias correction
/// and the noise scale is the ratio of the two averages (a ratio of averages, not an average of ratios: the ratio of
/// two unbiased averages is consistent, the average of per-step ratios is not). The class is pure arithmetic: it does
/// not touch tensors, so it can be fed from any framework; <see cref="GradientNoiseScaleHook"/> feeds it from a
/// TorchSharp training loop.</para>
/// </remarks>
public sealed class GradientNoiseScaleEstimator
{
    private readonly double _beta;
    private double _gradientAverage;
    private double _traceAverage;
    private double _betaPower = 1.0;

    /// <summary>Creates an estimator.</summary>
    /// <param name="smoothing">The moving-average factor β in [0, 1): 0 keeps only the latest step, 0.99 averages over
    /// roughly the last 100 steps. McCandlish et al. smooth over many steps because single-step estimates are noisy.</param>
    public GradientNoiseScaleEstimator(double smoothing = 0.99)
    {
        if (double.IsNaN(smoothing) || smoothing < 0 || smoothing >= 1)
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing,
                $"smoothing must lie in [0, 1) (got {ScalingGuard.Format(smoothing)}).");
        _beta = smoothing;
    }

    /// <summary>The moving-average factor β.</summary>
    public double Smoothing => _beta;

    /// <summary>How many measurements have been added.</summary>
    public long Steps { get; private set; }

    /// <summary>The latest reading, or null before the first <see cref="Update"/>.</summary>
    public GradientNoiseEstimate? Current { get; private set; }

    /// <summary>The unbiased single-measurement estimates of |G|² and tr(Σ) (no smoothing).</summary>
    /// <param name="smallBatch">B_small, positive.</param>
    /// <param name="smallSquaredNorm">|G_small|², the squared norm of a gradient averaged over B_small examples (or the
    /// mean of several such squared norms).</param>
    /// <param name="bigBatch">B_big, larger than <paramref name="smallBatch"/>.</param>
    /// <param name="bigSquaredNorm">|G_big|², the squared norm of a gradient averaged over B_big examples.</param>
    public static (double GradientSquaredNorm, double TraceCovariance) Estimate(
        double smallBatch, double smallSquaredNorm, double bigBatch, double bigSquaredNorm)
    {
        ScalingGuard.Positive(smallBatch, nameof(smallBatch));
        ScalingGuard.Positive(bigBatch, nameof(bigBatch));
        if (bigBatch <= smallBatch)
            throw new ArgumentOutOfRangeException(nameof(bigBatch), bigBatch,
                $"bigBatch must be larger than smallBatch (got {ScalingGuard.Format(bigBatch)} <= {ScalingGuard.Format(smallBatch)}).");
        ScalingGuard.NonNegative(smallSquaredNorm, nameof(smallSquaredNorm));
        ScalingGuard.NonNegative(bigSquaredNorm, nameof(bigSquaredNorm));
        double gradient = (bigBatch * bigSquaredNorm - smallBatch * smallSquaredNorm) / (bigBatch - smallBatch);
        double trace = (smallSquaredNorm - bigSquaredNorm) / (1.0 / smallBatch - 1.0 / bigBatch);
        return (gradient, trace);
    }

    /// <summary>Adds one measurement and returns the new reading.</summary>
    /// <param name="smallBatch">B_small, positive.</param>
    /// <param name="smallSquaredNorm">|G_small|² (see <see cref="Estimate"/>).</param>
    /// <param name="bigBatch">B_big, larger than <paramref name="smallBatch"/>.</param>
    /// <param name="bigSquaredNorm">|G_big|².</param>
    public GradientNoiseEstimate Update(double smallBatch, double smallSquaredNorm, double bigBatch, double bigSquaredNorm)
    {
        var (gradient, trace) = Estimate(smallBatch, smallSquaredNorm, bigBatch, bigSquaredNorm);
        _gradientAverage = _beta * _gradientAverage + (1 - _beta) * gradient;
        _traceAverage = _beta * _traceAverage + (1 - _beta) * trace;
        _betaPower *= _beta;
        Steps++;
        double correction = 1 - _betaPower;
        double g = _gradientAverage / correction, s = _traceAverage / correction;
        double noise = g > 0 ? s / g : double.NaN;
        Current = new GradientNoiseEstimate(Steps, g, s, noise, gradient, trace);
        return Current;
    }

    /// <summary>Forgets every measurement (e.g. after a learning-rate change, when the noise scale moves).</summary>
    public void Reset()
    {
        _gradientAverage = 0;
        _traceAverage = 0;
        _betaPower = 1.0;
        Steps = 0;
        Current = null;
    }
}
