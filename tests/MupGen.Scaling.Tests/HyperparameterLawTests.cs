using System;
using Xunit;

namespace MupGen.Scaling.Tests;

// Kaplan et al. 2020 Eq. 4.4 and DeepSeek LLM (Bi et al. 2024) Formula 1; expected values from python3.
public class HyperparameterLawTests
{
    private static void Close(double expected, double actual, double relative = 1e-12)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Kaplan_overfitting_bound()
    {
        Close(22854409480.743748, KaplanLaw.MinimumTokensWithoutOverfitting(1e9));          // 5e3 * 1e9**0.74
        // "every time we increase the model size 8x, we only need to increase the data by roughly 5x": 8**0.74 = 4.66.
        Close(4.658934345873823, KaplanLaw.MinimumTokensWithoutOverfitting(8e9) / KaplanLaw.MinimumTokensWithoutOverfitting(1e9), 1e-12);
        Assert.Equal("nonEmbeddingParameters", Assert.Throws<ArgumentOutOfRangeException>(() => KaplanLaw.MinimumTokensWithoutOverfitting(0)).ParamName);
    }

    [Fact]
    public void DeepSeek_constants_and_values()
    {
        var law = ComputeHyperparameterLaw.DeepSeek2024;
        Assert.Equal(new ComputeHyperparameterLaw(0.3118, -0.1250, 0.2920, 0.3271, 1e17, 2e19), law);
        Close(0.0023381701446985974, law.OptimalLearningRate(1e17));   // 0.3118 * 1e17**-0.125
        Close(106189.81188460746, law.OptimalBatchTokens(1e17), 1e-11); // 0.2920 * 1e17**0.3271
        Close(0.0007393943214253042, law.OptimalLearningRate(1e21));
        Close(2160144.7376172673, law.OptimalBatchTokens(1e21), 1e-11);
        Assert.Equal(0, law.DecadesOutsideFit(1e18));
        Close(1.6989700043360187, law.DecadesOutsideFit(1e21));         // log10(1e21 / 2e19)
        Close(2.0, law.DecadesOutsideFit(1e15));
        Assert.Equal("flops", Assert.Throws<ArgumentOutOfRangeException>(() => law.OptimalLearningRate(-1)).ParamName);
        Assert.Equal("BatchCoefficient", Assert.Throws<ArgumentOutOfRangeException>(() => (law with { BatchCoefficient = 0 }).OptimalBatchTokens(1e20)).ParamName);
    }
}
