using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace MupGen.Scaling.Tests;

// Hernandez et al. 2021 (arXiv 2102.01293), Eq. 1.1 and Table 1. Expected values computed with python3:
// 1.9e4 * 1e7**0.18 * 1e9**0.38 and so on.
public class TransferLawTests
{
    private static void Close(double expected, double actual, double relative = 1e-12)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Published_constants_are_the_papers()
    {
        Assert.Equal(new TransferLaw(1.9e4, 0.18, 0.38), TransferLaw.TextToPython);
        Assert.Equal(new TransferLaw(2.1e5, 0.096, 0.38), TransferLaw.TextAndCodeToPython);
    }

    [Fact]
    public void Closed_forms_against_hand_computed_values()
    {
        var law = TransferLaw.TextToPython;
        Close(909397175.413013, law.EffectiveDataTransferred(1e7, 1e9));            // 1.9e4 * 1e7**0.18 * 1e9**0.38
        Close(91.93971754130129, law.EffectiveDataMultiplier(1e7, 1e9));            // 1 + D_T / D_F
        Close(0.9891233078941016, law.FractionFromTransfer(1e7, 1e9));              // D_T / (D_F + D_T)
        Close(2595489610.2334723, TransferLaw.TextAndCodeToPython.EffectiveDataTransferred(1e7, 1e9));

        var e = law.Estimate(1e7, 1e9);
        Close(909397175.413013, e.EffectiveDataTransferred);
        Close(91.93971754130129, e.EffectiveDataMultiplier);
        Close(0.9891233078941016, e.FractionFromTransfer);
        Close(1e7 + 909397175.413013, e.EffectiveData);
    }

    [Fact]
    public void Exponents_behave_as_the_paper_states()
    {
        var law = TransferLaw.TextToPython;
        // 10x the model multiplies D_T by 10^beta = 2.40; 10x the data by 10^alpha = 1.51 (section 1.1).
        Close(Math.Pow(10, 0.38), law.EffectiveDataTransferred(1e6, 1e10) / law.EffectiveDataTransferred(1e6, 1e9), 1e-12);
        Close(Math.Pow(10, 0.18), law.EffectiveDataTransferred(1e7, 1e9) / law.EffectiveDataTransferred(1e6, 1e9), 1e-12);
        // The multiplier falls as the fine-tuning set grows (alpha < 1).
        Assert.True(law.EffectiveDataMultiplier(1e8, 1e9) < law.EffectiveDataMultiplier(1e6, 1e9));
    }

    [Fact]
    public void Fit_recovers_known_constants_from_noisy_data()
    {
        var truth = new TransferLaw(3.0e4, 0.22, 0.41);
        var rng = new Gaussian(20210202);
        var points = new List<TransferObservation>();
        foreach (double df in new[] { 1e5, 1e6, 1e7, 1e8 })
            foreach (double n in new[] { 1e6, 1e7, 1e8, 1e9, 1e10 })
            {
                double noise = 0.05 * rng.Next();   // 5% multiplicative noise on D_T
                points.Add(new TransferObservation(df, n, truth.EffectiveDataTransferred(df, n) * Math.Exp(noise)));
            }
        var fit = TransferLaw.Fit(points);
        Assert.Equal(20, fit.Count);
        Assert.InRange(fit.Law.Alpha, 0.20, 0.24);
        Assert.InRange(fit.Law.Beta, 0.39, 0.43);
        Assert.InRange(fit.Law.K / truth.K, 0.6, 1.6);
        Assert.InRange(fit.RSquared, 0.99, 1.0);
        Assert.InRange(fit.RmseLog, 0.02, 0.08);   // about the 0.05 noise put in
    }

    [Fact]
    public void Fit_without_noise_is_exact_and_R2_is_one()
    {
        var truth = TransferLaw.TextToPython;
        var points = new[] { (1e5, 1e7), (1e7, 1e7), (1e6, 1e9), (1e8, 1e8) }
            .Select(p => new TransferObservation(p.Item1, p.Item2, truth.EffectiveDataTransferred(p.Item1, p.Item2)))
            .ToArray();
        var fit = TransferLaw.Fit(points);
        Close(1.9e4, fit.Law.K, 1e-8);
        Close(0.18, fit.Law.Alpha, 1e-9);
        Close(0.38, fit.Law.Beta, 1e-9);
        Assert.Equal(1.0, fit.RSquared, 12);
    }

    [Fact]
    public void Invalid_inputs_give_clear_errors()
    {
        var law = TransferLaw.TextToPython;
        Assert.Equal("finetuneData", Assert.Throws<ArgumentOutOfRangeException>(() => law.EffectiveDataTransferred(0, 1e9)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => law.EffectiveDataTransferred(1e6, -1)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentOutOfRangeException>(() => law.Estimate(1e6, double.NaN)).ParamName);
        Assert.Equal("K", Assert.Throws<ArgumentOutOfRangeException>(() => new TransferLaw(0, 0.2, 0.4).Validate()).ParamName);
        Assert.Equal("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new TransferLaw(1, 1.0, 0.4).Validate()).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => new TransferLaw(1, 0.2, double.PositiveInfinity).Validate()).ParamName);

        var two = new[] { new TransferObservation(1e6, 1e8, 1e9), new TransferObservation(1e7, 1e9, 2e9) };
        var few = Assert.Throws<ArgumentException>(() => TransferLaw.Fit(two));
        Assert.Contains("at least 3 points", few.Message);
        Assert.Contains("got 2", few.Message);

        var bad = new[] { new TransferObservation(1e6, 1e8, 1e9), new TransferObservation(1e7, 1e9, 0), new TransferObservation(1e5, 1e7, 1e8) };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TransferLaw.Fit(bad));
        Assert.Equal("points[1].EffectiveDataTransferred", e.ParamName);

        // N constant: beta cannot be told from k.
        var flatN = new[] { new TransferObservation(1e5, 1e8, 1e8), new TransferObservation(1e6, 1e8, 2e8), new TransferObservation(1e7, 1e8, 3e8) };
        Assert.Contains("cannot separate alpha from beta", Assert.Throws<ArgumentException>(() => TransferLaw.Fit(flatN)).Message);
        // D_F and N in lockstep (N = 100 D_F): collinear.
        var lockstep = new[] { 1e5, 1e6, 1e7, 1e8 }.Select(d => new TransferObservation(d, 100 * d, d)).ToArray();
        Assert.Contains("cannot separate alpha from beta", Assert.Throws<ArgumentException>(() => TransferLaw.Fit(lockstep)).Message);
    }
}
