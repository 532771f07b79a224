using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace MupGen.Experiments.Tests;

/// <summary>Vertex and slope estimation on synthetic curves whose answers are known in closed form.</summary>
public class EstimationTests
{
    private static readonly double[] Grid = Enumerable.Range(-10, 7).Select(k => (double)k).ToArray();   // -10 .. -4

    [Theory]
    [InlineData(-6.3)]
    [InlineData(-7.0)]
    [InlineData(-8.49)]
    [InlineData(-5.51)]
    public void Vertex_of_an_exact_parabola_is_its_minimum(double optimum)
    {
        var losses = Grid.Select(x => 0.7 * (x - optimum) * (x - optimum) + 1.25).ToArray();
        var v = MupVertex.Estimate(Grid, losses);
        Assert.True(v.Bracketed);
        Assert.Equal(optimum, v.Log2LearningRate, 10);
        Assert.Equal(1.25, v.Loss, 10);
        Assert.Equal((int)Math.Round(optimum) + 10, v.Index);
    }

    [Fact]
    public void Vertex_uses_uneven_spacing_correctly()
    {
        double[] x = { -9, -8.5, -7, -6 };
        var losses = x.Select(v => (v - -7.8) * (v - -7.8)).ToArray();
        var vertex = MupVertex.Estimate(x, losses);
        Assert.Equal(-7.8, vertex.Log2LearningRate, 10);
    }

    [Fact]
    public void Vertex_of_a_non_parabolic_curve_lies_between_the_neighbours_and_near_the_minimum()
    {
        // |x + 6.25|^1.5: not a parabola; the estimate stays within the neighbours of the best point, on the right side.
        var losses = Grid.Select(x => Math.Pow(Math.Abs(x + 6.25), 1.5)).ToArray();
        var v = MupVertex.Estimate(Grid, losses);
        Assert.True(v.Bracketed);
        Assert.InRange(v.Log2LearningRate, -6.5, -6.0);
    }

    [Fact]
    public void Optimum_on_the_grid_edge_or_beside_a_diverged_point_is_not_bracketed()
    {
        var edge = MupVertex.Estimate(Grid, Grid.Select(x => (x + 12) * (x + 12)).ToArray());
        Assert.False(edge.Bracketed);
        Assert.Equal(0, edge.Index);
        Assert.Equal(-10, edge.Log2LearningRate);

        var losses = Grid.Select(x => (x + 5) * (x + 5)).ToArray();
        losses[6] = double.PositiveInfinity;          // -4 diverged: the best (-5) has no finite right neighbour
        var diverged = MupVertex.Estimate(Grid, losses);
        Assert.False(diverged.Bracketed);
        Assert.Equal(5, diverged.Index);

        var dead = MupVertex.Estimate(Grid, Grid.Select(_ => double.NaN).ToArray());
        Assert.Equal(-1, dead.Index);
        Assert.True(double.IsNaN(dead.Log2LearningRate));
    }

    [Fact]
    public void Sweep_result_reports_vertices_bracketing_and_vertex_shift()
    {
        // Optima -6.2 at size 64 and -8.1 at size 1024: shift -1.9 octaves.
        var result = new MupSweepResult("SP", "w", new[] { 64, 1024 }, Grid.Select(k => Math.Pow(2, k)),
            new[] { Grid.Select(x => (x + 6.2) * (x + 6.2) + 2), Grid.Select(x => (x + 8.1) * (x + 8.1) + 1) });
        Assert.True(result.Bracketed);
        Assert.Equal(-1.9, result.VertexShift, 10);
        Assert.Equal(-2.0, result.Shift);   // the argmins -6 and -8
    }

    [Fact]
    public void Bracketed_sweep_widens_the_grid_until_every_optimum_is_interior()
    {
        var calls = new List<(int, int, long)>();
        // Size 64's optimum at 2^-7.4, size 1024's at 2^-11.6: the starting grid -9..-5 misses the second.
        double Loss(int size, double lr, long seed)
        {
            calls.Add((size, (int)Math.Log2(lr), seed));
            double opt = size == 64 ? -7.4 : -11.6;
            return Math.Pow(Math.Log2(lr) - opt, 2) + 1 + 0.001 * seed;
        }
        var result = MupLearningRateSweep.RunBracketed(new[] { 1024, 64 }, -9, -5, new long[] { 0, 1 }, Loss, "SP");
        Assert.True(result.Bracketed);
        Assert.Equal(-13, Math.Log2(result.LearningRates[0]));   // widened to -13 so that -12 has a left neighbour
        Assert.Equal(-7.4, result.Vertices[0].Log2LearningRate, 10);
        Assert.Equal(-11.6, result.Vertices[1].Log2LearningRate, 10);
        Assert.Equal(-4.2, result.VertexShift, 10);
        Assert.Equal(calls.Count, calls.Distinct().Count());      // every (size, lr, seed) trained once
        Assert.Equal(2 * 9 * 2, calls.Count);                      // 2 sizes x 9 lrs (-13..-5) x 2 seeds
        Assert.Equal(1.1605, result.BestLoss(64), 10);             // (0.4^2 + 1) + mean seed offset 0.0005
    }

    [Fact]
    public void Bracketed_sweep_fails_loudly_when_the_optimum_runs_away()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            MupLearningRateSweep.RunBracketed(new[] { 64 }, -9, -5, new long[] { 0 }, (s, lr, seed) => -Math.Log2(lr), "µP", maxWiden: 3));
        Assert.Contains("not bracketed", e.Message);
        Assert.Contains("w=64", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    public void Log_log_slope_recovers_a_power_law_exponent(double exponent)
    {
        var widths = new double[] { 64, 128, 256, 512, 1024 };
        var y = widths.Select(w => 0.37 * Math.Pow(w, exponent)).ToArray();
        Assert.Equal(exponent, MupCoordinateCheck.LogLogSlope(widths, y), 10);
    }

    [Fact]
    public void Log_log_slope_is_least_squares_on_noisy_points()
    {
        // ln y = 0.2 ln w + noise with zero sum and zero correlation with ln w: the fit recovers 0.2 exactly.
        var widths = new double[] { 64, 128, 256, 512, 1024 };
        var noise = new[] { 0.1, -0.2, 0.2, -0.2, 0.1 };   // symmetric about the middle: uncorrelated with the centred ln w
        var y = widths.Select((w, i) => Math.Exp(0.2 * Math.Log(w) + noise[i])).ToArray();
        Assert.Equal(0.2, MupCoordinateCheck.LogLogSlope(widths, y), 10);
    }

    [Theory]
    [InlineData(0.0, MupCoordinateVerdict.Flat)]
    [InlineData(0.1, MupCoordinateVerdict.Flat)]
    [InlineData(-0.1, MupCoordinateVerdict.Flat)]
    [InlineData(0.11, MupCoordinateVerdict.Growing)]
    [InlineData(-0.11, MupCoordinateVerdict.Shrinking)]
    [InlineData(1.0, MupCoordinateVerdict.Growing)]
    public void Verdict_thresholds(double slope, MupCoordinateVerdict expected)
        => Assert.Equal(expected, MupCoordinateCheck.Classify(slope));

    [Fact]
    public void Analyze_gives_a_verdict_per_layer_and_step_and_layer_verdicts_take_the_worst_step()
    {
        var coords = (from t in new[] { 1, 2 }
                      from layer in new[] { "hidden", "readout" }
                      from w in new[] { 64, 128, 256 }
                      select new MupCoordinate(w, t, layer, layer == "readout" && t == 2 ? Math.Pow(w, 0.9) : 0.5)).ToList();
        var slopes = MupCoordinateCheck.Analyze(coords);
        Assert.Equal(4, slopes.Count);
        Assert.All(slopes.Where(s => s.Layer == "hidden"), s => Assert.Equal(MupCoordinateVerdict.Flat, s.Verdict));
        var readout2 = slopes.Single(s => s.Layer == "readout" && s.Step == 2);
        Assert.Equal(0.9, readout2.Slope, 10);
        Assert.Equal(MupCoordinateVerdict.Growing, readout2.Verdict);
        var layers = MupCoordinateCheck.LayerVerdicts(slopes);
        Assert.Equal(new[] { "hidden", "readout" }, layers.Select(l => l.Layer));
        Assert.Equal(MupCoordinateVerdict.Growing, layers[1].Verdict);
        Assert.Equal(2, layers[1].Step);

        var csv = MupCoordinateCheck.ToCsv(new[] { ("mup", (IReadOnlyList<MupCoordinate>)coords) }).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("run,layer,step,width,mean_abs,slope,verdict", csv[0]);
        Assert.Equal(1 + coords.Count, csv.Length);
        Assert.Contains(csv, l => l.StartsWith("mup,readout,2,256,", StringComparison.Ordinal) && l.EndsWith(",growing", StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(MupCoordinateCheck.ToJson(new[] { ("mup", (IReadOnlyList<MupCoordinate>)coords) }));
        var readout = json.RootElement.GetProperty("runs")[0].GetProperty("layers")[1];
        Assert.Equal("readout", readout.GetProperty("layer").GetString());
        Assert.Equal("growing", readout.GetProperty("verdict").GetString());
        Assert.Equal(0.1, json.RootElement.GetProperty("flat_threshold").GetDouble());
    }
}
