using System;
using Xunit;

namespace MupGen.Scaling.Tests;

// Expected numbers were computed with python3 from the published formulas (the expression is in each comment).
public class ClosedFormTests
{
    private static void Close(double expected, double actual, double relative = 1e-12)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Chinchilla_loss_matches_the_formula()
    {
        // 1.69 + 406.4/1e9**0.34 + 410.7/2e10**0.28
        Close(2.5800478722379934, ChinchillaLaw.Hoffmann2022.Loss(1e9, 2e10));
    }

    [Fact]
    public void Chinchilla_compute_optimal_at_1e21()
    {
        // G = (a*A/(b*B))**(1/(a+b)); N = G*(C/6)**(b/(a+b)); D = C/6/N; L = E + A/N**a + B/D**b
        var h = ChinchillaLaw.Hoffmann2022.ComputeOptimal(1e21);
        Close(1824217696.8955524, h.Parameters);
        Close(91363364663.27426, h.Tokens);
        Close(50.08358641556659, h.TokensPerParameter);
        Close(2.328882940154319, h.Loss);
        Assert.False(h.TokensLimited);

        var e = ChinchillaLaw.Besiroglu2024.ComputeOptimal(1e21); // E=1.8172, A=482.01, B=2085.43, a=.3478, b=.3658
        Close(2778459463.0676327, e.Parameters);
        Close(59985279210.31961, e.Tokens);
        Close(21.589402331640013, e.TokensPerParameter);
        Close(2.305528571261457, e.Loss);
    }

    [Theory]
    [InlineData(1e19)]
    [InlineData(1e21)]
    [InlineData(1e24)]
    public void Compute_optimum_is_the_minimum_along_the_iso_flop_curve(double flops)
    {
        foreach (var law in new[] { ChinchillaLaw.Hoffmann2022, ChinchillaLaw.Besiroglu2024, new ChinchillaLaw(2, 100, 300, 0.5, 0.3) })
        {
            var best = law.ComputeOptimal(flops);
            Close(flops, 6 * best.Parameters * best.Tokens, 1e-12);
            foreach (double f in new[] { 0.9, 0.99, 1.01, 1.1 })
            {
                double n = best.Parameters * f;
                Assert.True(law.Loss(n, flops / (6 * n)) > best.Loss);
            }
        }
    }

    [Fact]
    public void Tokens_cap_moves_the_budget_into_parameters()
    {
        // N = 1e21/(6*1e10); L = 1.69 + 406.4/N**0.34 + 410.7/1e10**0.28
        var capped = ChinchillaLaw.Hoffmann2022.ComputeOptimal(1e21, 1e10);
        Assert.True(capped.TokensLimited);
        Close(1e10, capped.Tokens);
        Close(16666666666.666666, capped.Parameters);
        Close(2.4769113177423, capped.Loss, 1e-12);
        // A cap above D_opt changes nothing.
        Assert.Equal(ChinchillaLaw.Hoffmann2022.ComputeOptimal(1e21), ChinchillaLaw.Hoffmann2022.ComputeOptimal(1e21, 1e12));
    }

    [Fact]
    public void Kaplan_laws_match_the_formulas()
    {
        var k = KaplanLaw.Kaplan2020;
        Close(2.3756402951345246, k.LossFromParameters(1e9));     // (8.8e13/1e9)**0.076
        Close(2.2624417538197132, k.LossFromTokens(1e10));        // (5.4e13/1e10)**0.095
        Close(2.483843684464613, k.Loss(1e9, 1e10));              // ((8.8e13/1e9)**(0.076/0.095) + 5.4e13/1e10)**0.095
        Close(1069114.010235652, k.CriticalBatchSize(3.0));       // 2e8/3**(1/0.21)
    }

    [Fact]
    public void Learning_rate_laws_match_the_formulas()
    {
        // McCandlish: 1e-3/(1 + 100/25) = 2e-4; surge: 1e-3/(0.5*(sqrt(100/25)+sqrt(25/100))) = 1e-3/1.25 = 8e-4
        Close(2e-4, LearningRateBatchScaling.McCandlish(25, 1e-3, 100));
        Close(8e-4, LearningRateBatchScaling.Surge(25, 1e-3, 100));
        Close(8e-4, LearningRateBatchScaling.Surge(400, 1e-3, 100)); // symmetric in log B around the peak
        Close(1e-3, LearningRateBatchScaling.Surge(100, 1e-3, 100)); // the peak is eps_max at B_noise
        // Doubling at the peak: h(1)/h(2) = 1/(0.5*(sqrt(1/2)+sqrt(2))) = 0.9428090415820632; SGD: 2/1.5
        var surge = new LearningRateBatchScaling(LearningRateBatchLaw.Surge, 1, 7);
        Close(0.9428090415820632, surge.Factor(7, 14));
        Close(1.3333333333333333, new LearningRateBatchScaling(LearningRateBatchLaw.McCandlish, 1, 7).Factor(7, 14), 1e-15);
    }

    [Fact]
    public void Prediction_flags_a_batch_past_the_Adam_peak()
    {
        var surge = new LearningRateBatchScaling(LearningRateBatchLaw.Surge, 1e-3, 256);
        var before = surge.Predict(128);
        Assert.False(before.PastPeak);
        Assert.Null(before.Warning);
        var after = surge.Predict(1024);
        Assert.True(after.PastPeak);
        Assert.Contains("past the Adam peak", after.Warning);
        Assert.Contains("256", after.Warning);
        Assert.False(new LearningRateBatchScaling(LearningRateBatchLaw.McCandlish, 1e-3, 256).Predict(1024).PastPeak);
    }

    [Fact]
    public void Invalid_inputs_name_the_argument()
    {
        Assert.Equal("flops", Assert.Throws<ArgumentOutOfRangeException>(() => ChinchillaLaw.Hoffmann2022.ComputeOptimal(0)).ParamName);
        Assert.Equal("flops", Assert.Throws<ArgumentOutOfRangeException>(() => ChinchillaLaw.Hoffmann2022.ComputeOptimal(double.NaN)).ParamName);
        Assert.Equal("tokensAvailable", Assert.Throws<ArgumentOutOfRangeException>(() => ChinchillaLaw.Hoffmann2022.ComputeOptimal(1e21, -1)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => ChinchillaLaw.Hoffmann2022.Loss(-5, 1e9)).ParamName);
        Assert.Equal("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new ChinchillaLaw(1, 1, 1, 0, 1).ComputeOptimal(1e20)).ParamName);
        Assert.Equal("loss", Assert.Throws<ArgumentOutOfRangeException>(() => KaplanLaw.Kaplan2020.CriticalBatchSize(double.PositiveInfinity)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => KaplanLaw.Kaplan2020.LossFromTokens(0)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateBatchScaling.Surge(0, 1, 1)).ParamName);
        Assert.Equal("noiseScale", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateBatchScaling.McCandlish(1, 1, double.NaN)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ChinchillaLaw.Hoffmann2022.ComputeOptimal(-1e21));
        Assert.Contains("flops must be a positive finite number", e.Message);
    }
}
