using System;
using Xunit;

namespace MupGen.Scaling.Tests;

/// <summary>
/// Linear regression y = w*·x + n with x ~ N(0, I_d), n ~ N(0, σ²), evaluated at w = w* + δ. The per-example gradient
/// of ½(w·x − y)² is g = (δ·x − n)x, so G = E[g] = δ and (Gaussian fourth moments)
/// Σ = (|δ|² + σ²)I + δδᵀ: tr(Σ) = d(|δ|² + σ²) + |δ|², and B_simple = tr(Σ)/|G|².
/// </summary>
public class NoiseScaleEstimatorTests
{
    private const int Dim = 8;
    private const double Sigma = 0.5;
    private static readonly double[] Delta = { 1.0, 0.5, 0, 0, 0, 0, 0, -0.5 }; // |δ|² = 1.5
    private const double G2 = 1.5;
    private const double TraceSigma = Dim * (G2 + Sigma * Sigma) + G2; // 8*1.75 + 1.5 = 15.5

    // Squared norms of k micro-batch mean gradients (their mean) and of the mean over all k·b examples.
    private static (double Small, double Big) Sample(Gaussian gauss, int b, int k)
    {
        var total = new double[Dim];
        var micro = new double[Dim];
        var x = new double[Dim];
        double smallSum = 0;
        for (int m = 0; m < k; m++)
        {
            Array.Clear(micro);
            for (int e = 0; e < b; e++)
            {
                double dot = 0;
                for (int i = 0; i < Dim; i++) { x[i] = gauss.Next(); dot += Delta[i] * x[i]; }
                double residual = dot - Sigma * gauss.Next();
                for (int i = 0; i < Dim; i++) micro[i] += residual * x[i];
            }
            double sq = 0;
            for (int i = 0; i < Dim; i++) { sq += (micro[i] / b) * (micro[i] / b); total[i] += micro[i]; }
            smallSum += sq;
        }
        double big = 0;
        for (int i = 0; i < Dim; i++) big += (total[i] / (k * b)) * (total[i] / (k * b));
        return (smallSum / k, big);
    }

    [Fact]
    public void Single_measurement_estimates_match_the_formulas()
    {
        // |G|² = (B_big|G_big|² − B_small|G_small|²)/(B_big − B_small) = (64*2 − 8*5)/56 = 88/56
        // tr Σ = (|G_small|² − |G_big|²)/(1/B_small − 1/B_big) = 3/(1/8 − 1/64) = 27.428571...
        var (g, s) = GradientNoiseScaleEstimator.Estimate(8, 5, 64, 2);
        Assert.Equal(88.0 / 56, g, 1e-14);
        Assert.Equal(3 / (1.0 / 8 - 1.0 / 64), s, 1e-12);
    }

    [Fact]
    public void Estimates_are_unbiased_on_linear_regression()
    {
        var gauss = new Gaussian(7);
        const int trials = 20000, b = 4, k = 8;
        double gSum = 0, sSum = 0;
        for (int t = 0; t < trials; t++)
        {
            var (small, big) = Sample(gauss, b, k);
            var (g, s) = GradientNoiseScaleEstimator.Estimate(b, small, k * b, big);
            gSum += g; sSum += s;
        }
        // Standard errors at this seed and size are about 1% of each target; 4% bounds are ~4 sigma.
        Assert.InRange(gSum / trials / G2, 0.96, 1.04);
        Assert.InRange(sSum / trials / TraceSigma, 0.96, 1.04);
    }

    [Fact]
    public void Smoothed_noise_scale_converges_to_B_simple()
    {
        var gauss = new Gaussian(11);
        var estimator = new GradientNoiseScaleEstimator(smoothing: 0.999);
        GradientNoiseEstimate? last = null;
        for (int t = 0; t < 5000; t++)
        {
            var (small, big) = Sample(gauss, 4, 8);
            last = estimator.Update(4, small, 32, big);
        }
        Assert.NotNull(last);
        Assert.True(last!.IsValid);
        Assert.Equal(5000, last.Step);
        Assert.InRange(last.NoiseScale / (TraceSigma / G2), 0.9, 1.1); // B_simple = 15.5/1.5 = 10.33
    }

    [Fact]
    public void Bias_correction_makes_the_first_reading_the_first_estimate()
    {
        var estimator = new GradientNoiseScaleEstimator(0.99);
        var r = estimator.Update(8, 5, 64, 2);
        Assert.Equal(r.StepGradientSquaredNorm, r.GradientSquaredNorm, 1e-12);
        Assert.Equal(r.StepTraceCovariance, r.TraceCovariance, 1e-12);
        Assert.Equal(r.TraceCovariance / r.GradientSquaredNorm, r.NoiseScale, 1e-12);
        // Two readings: bias-corrected average (1−β)(β x1 + x2)/(1−β²) = (β x1 + x2)/(1+β).
        var (g2, _) = GradientNoiseScaleEstimator.Estimate(8, 4, 64, 3);
        var r2 = estimator.Update(8, 4, 64, 3);
        Assert.Equal((0.99 * r.StepGradientSquaredNorm + g2) / 1.99, r2.GradientSquaredNorm, 1e-12);
        estimator.Reset();
        Assert.Null(estimator.Current);
        Assert.Equal(0, estimator.Steps);
    }

    [Fact]
    public void Noise_dominated_readings_are_flagged_not_divided()
    {
        // |G_big|² much smaller than |G_small|² makes the |G|² estimate negative: no noise scale yet.
        var r = new GradientNoiseScaleEstimator().Update(8, 10, 64, 0.1);
        Assert.True(r.GradientSquaredNorm < 0);
        Assert.True(double.IsNaN(r.NoiseScale));
        Assert.False(r.IsValid);
    }

    [Fact]
    public void Invalid_inputs_name_the_argument()
    {
        Assert.Equal("bigBatch", Assert.Throws<ArgumentOutOfRangeException>(() => GradientNoiseScaleEstimator.Estimate(8, 1, 8, 1)).ParamName);
        Assert.Equal("smallBatch", Assert.Throws<ArgumentOutOfRangeException>(() => GradientNoiseScaleEstimator.Estimate(0, 1, 8, 1)).ParamName);
        Assert.Equal("smallSquaredNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientNoiseScaleEstimator.Estimate(1, -1, 8, 1)).ParamName);
        Assert.Equal("bigSquaredNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientNoiseScaleEstimator.Estimate(1, 1, 8, double.NaN)).ParamName);
        Assert.Equal("smoothing", Assert.Throws<ArgumentOutOfRangeException>(() => new GradientNoiseScaleEstimator(1.0)).ParamName);
    }
}
