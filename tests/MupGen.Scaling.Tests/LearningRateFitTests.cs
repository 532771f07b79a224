using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace MupGen.Scaling.Tests;

public class LearningRateFitTests
{
    private static readonly double[] Batches = { 16, 32, 64, 128, 256, 512, 1024, 2048, 4096 };

    private static List<BatchLearningRate> Synthetic(LearningRateBatchLaw law, double maxLr, double noise, double logSigma, int seed)
    {
        var truth = new LearningRateBatchScaling(law, maxLr, noise);
        var gauss = new Gaussian(seed);
        return Batches.Select(b => new BatchLearningRate(b, truth.LearningRate(b) * Math.Exp(logSigma * gauss.Next()))).ToList();
    }

    [Theory]
    [InlineData(LearningRateBatchLaw.Surge)]
    [InlineData(LearningRateBatchLaw.McCandlish)]
    public void Exact_data_is_recovered_exactly(LearningRateBatchLaw law)
    {
        var fit = LearningRateBatchScaling.Fit(law, Synthetic(law, 3e-3, 256, 0, 1));
        Assert.Equal(law, fit.Scaling.Law);
        Assert.Equal(3e-3, fit.Scaling.MaxLearningRate, 1e-9);
        Assert.True(Math.Abs(fit.Scaling.NoiseScale / 256 - 1) < 1e-6, $"B_noise {fit.Scaling.NoiseScale}");
        Assert.True(fit.RSquared > 1 - 1e-9);
        Assert.True(fit.RmseLogLearningRate < 1e-6);
        Assert.Equal(Batches.Length, fit.Points);
    }

    [Theory]
    [InlineData(LearningRateBatchLaw.Surge, 1)]
    [InlineData(LearningRateBatchLaw.Surge, 2)]
    [InlineData(LearningRateBatchLaw.McCandlish, 1)]
    [InlineData(LearningRateBatchLaw.McCandlish, 2)]
    public void Noisy_data_recovers_the_parameters(LearningRateBatchLaw law, int seed)
    {
        // 5% multiplicative noise on each best lr (a sweep on a log2 grid is coarser; this tests the estimator).
        var fit = LearningRateBatchScaling.Fit(law, Synthetic(law, 3e-3, 256, 0.05, seed));
        Assert.InRange(fit.Scaling.MaxLearningRate / 3e-3, 0.9, 1.1);
        Assert.InRange(fit.Scaling.NoiseScale / 256, 0.7, 1.4);
        Assert.InRange(fit.RmseLogLearningRate, 0.01, 0.1);
        Assert.True(fit.RSquared > 0.8, $"R2 {fit.RSquared}");
    }

    [Fact]
    public void Fit_predicts_and_warns_past_the_peak()
    {
        var fit = LearningRateBatchScaling.Fit(LearningRateBatchLaw.Surge, Synthetic(LearningRateBatchLaw.Surge, 3e-3, 256, 0, 1));
        var small = fit.Predict(64);
        Assert.Equal(3e-3 / (0.5 * (2 + 0.5)), small.LearningRate, 1e-9); // B_noise/B = 4: h = (sqrt 4 + sqrt 1/4)/2
        Assert.False(small.PastPeak);
        var big = fit.Predict(8192);
        Assert.True(big.PastPeak);
        Assert.NotNull(big.Warning);
    }

    [Fact]
    public void A_surge_law_fits_surge_data_better_than_McCandlish()
    {
        var data = Synthetic(LearningRateBatchLaw.Surge, 3e-3, 256, 0.03, 3);
        var surge = LearningRateBatchScaling.Fit(LearningRateBatchLaw.Surge, data);
        var sgd = LearningRateBatchScaling.Fit(LearningRateBatchLaw.McCandlish, data);
        Assert.True(surge.RmseLogLearningRate < sgd.RmseLogLearningRate);
        Assert.True(surge.RSquared > sgd.RSquared);
    }

    [Fact]
    public void Invalid_points_give_clear_errors()
    {
        var one = new[] { new BatchLearningRate(32, 1e-3) };
        var e = Assert.Throws<ArgumentException>(() => LearningRateBatchScaling.Fit(LearningRateBatchLaw.Surge, one));
        Assert.Equal("points", e.ParamName);
        Assert.Contains("at least 2", e.Message);
        var same = new[] { new BatchLearningRate(32, 1e-3), new BatchLearningRate(32, 2e-3) };
        Assert.Contains("distinct batch sizes", Assert.Throws<ArgumentException>(() => LearningRateBatchScaling.Fit(LearningRateBatchLaw.McCandlish, same)).Message);
        var nan = new[] { new BatchLearningRate(32, 1e-3), new BatchLearningRate(64, double.NaN) };
        Assert.Contains("points[1].LearningRate", Assert.Throws<ArgumentException>(() => LearningRateBatchScaling.Fit(LearningRateBatchLaw.Surge, nan)).Message);
        var negative = new[] { new BatchLearningRate(-32, 1e-3), new BatchLearningRate(64, 1e-3) };
        Assert.Contains("points[0].BatchSize", Assert.Throws<ArgumentException>(() => LearningRateBatchScaling.Fit(LearningRateBatchLaw.Surge, negative)).Message);
        Assert.Throws<ArgumentNullException>(() => LearningRateBatchScaling.Fit(LearningRateBatchLaw.Surge, null!));
    }
}
