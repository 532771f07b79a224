using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace MupGen.Tests;

public class SweepAndPlotTests
{
    private static readonly int[] Sizes = { 64, 256, 1024 };
    private static readonly double[] Lrs = Enumerable.Range(-10, 9).Select(k => Math.ScaleB(1.0, k)).ToArray(); // 2^-10 .. 2^-2

    // A loss with a known optimum per size: (log2 lr - opt(size))^2 + 1024/size, so the best losses are 16, 4, 1.
    private static Func<int, double, double> Synthetic(Func<int, double> opt) => (size, lr) => Math.Pow(Math.Log2(lr) - opt(size), 2) + 1024.0 / size;
    private static double Flat(int size) => -6;                                    // µP-like: the optimum stays at 2^-6
    private static double Falling(int size) => -6 - Math.Log2(size / 64.0) / 2;    // SP-like: -6, -7, -8

    private static MupSweepResult Mup() => MupLearningRateSweep.Run(Sizes, Lrs, Synthetic(Flat), "µP");
    private static MupSweepResult Sp() => MupLearningRateSweep.Run(Sizes, Lrs, Synthetic(Falling), "SP");

    [Fact]
    public void Sweep_finds_the_known_optima_shift_penalty_and_wider_is_better()
    {
        var sp = Sp();
        Assert.Equal(new[] { 4, 3, 2 }, sp.BestIndices);
        Assert.Equal(new[] { Math.ScaleB(1.0, -6), Math.ScaleB(1.0, -7), Math.ScaleB(1.0, -8) }, sp.BestLearningRates);
        Assert.Equal(new[] { 16.0, 4.0, 1.0 }, sp.BestLosses);
        Assert.Equal(-2.0, sp.Shift);
        Assert.Equal(-2, sp.ShiftSteps);
        Assert.Equal(5.0, sp.TransferredLoss);      // width 1024 at 2^-6: (−6 + 8)^2 + 1
        Assert.Equal(4.0, sp.TransferPenalty);      // 5 / 1 − 1
        Assert.True(sp.WiderIsBetter);
        Assert.Equal(Math.ScaleB(1.0, -7), sp.BestLearningRate(256));
        Assert.Equal(4.0, sp.BestLoss(256));

        var mup = Mup();
        Assert.Equal(new[] { 4, 4, 4 }, mup.BestIndices);
        Assert.Equal(0.0, mup.Shift);
        Assert.Equal(0, mup.ShiftSteps);
        Assert.Equal(0.0, mup.TransferPenalty);
        Assert.True(mup.WiderIsBetter);
    }

    [Fact]
    public void Sweep_sorts_sizes_and_learning_rates_and_trains_the_smallest_first()
    {
        var calls = new List<(int, double)>();
        var result = MupLearningRateSweep.Run(new[] { 1024, 64, 256 }, Lrs.Reverse(), (s, lr) => { calls.Add((s, lr)); return Synthetic(Falling)(s, lr); });
        Assert.Equal(Sizes, result.Sizes);
        Assert.Equal(Lrs, result.LearningRates);
        Assert.Equal(27, calls.Count);
        Assert.Equal((64, Lrs[0]), calls[0]);
        Assert.Equal((1024, Lrs[^1]), calls[^1]);
        Assert.Equal(-2, result.ShiftSteps);
    }

    [Fact]
    public void Wider_is_not_better_when_the_best_loss_grows_with_size()
    {
        var result = MupLearningRateSweep.Run(Sizes, Lrs, (s, lr) => Math.Pow(Math.Log2(lr) + 6, 2) + s / 1024.0);
        Assert.False(result.WiderIsBetter);
        Assert.Equal(0.0, result.Shift);
    }

    [Fact]
    public void Non_finite_losses_count_as_diverged()
    {
        // Every learning rate above 2^-5 diverges (NaN or ∞); at width 1024 the best (2^-8) still trains.
        var result = MupLearningRateSweep.Run(Sizes, Lrs, (s, lr) => lr > Math.ScaleB(1.0, -5) ? (s == 256 ? double.NegativeInfinity : double.NaN) : Synthetic(Falling)(s, lr));
        Assert.All(result.Losses, row => Assert.Equal(new[] { double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity }, row.Skip(6)));
        Assert.Equal(new[] { 4, 3, 2 }, result.BestIndices);
        Assert.Equal(4.0, result.TransferPenalty);
        Assert.Contains("inf", result.Format());

        // A size that diverges everywhere has no best learning rate; shift and penalty are undefined.
        var dead = MupLearningRateSweep.Run(Sizes, Lrs, (s, lr) => s == 1024 ? double.NaN : Synthetic(Flat)(s, lr));
        Assert.Equal(-1, dead.BestIndices[2]);
        Assert.True(double.IsNaN(dead.BestLearningRates[2]));
        Assert.Equal(double.PositiveInfinity, dead.BestLosses[2]);
        Assert.True(double.IsNaN(dead.Shift));
        Assert.Null(dead.ShiftSteps);
        Assert.Equal(double.PositiveInfinity, dead.TransferredLoss);
        Assert.True(double.IsNaN(dead.TransferPenalty));
        Assert.False(dead.WiderIsBetter);
        Assert.DoesNotContain("*", dead.Format().Split('\n')[3]);
        XDocument.Parse(MupPlot.LearningRateTransfer(new[] { dead }));   // still plots
    }

    public static IEnumerable<object[]> InvalidInputs()
    {
        Func<int, double, double> f = (s, lr) => 1;
        yield return new object[] { "sizes", (Action)(() => MupLearningRateSweep.Run(Array.Empty<int>(), Lrs, f)) };
        yield return new object[] { "sizes", (Action)(() => MupLearningRateSweep.Run(new[] { 64, 256, 64 }, Lrs, f)) };
        yield return new object[] { "sizes", (Action)(() => MupLearningRateSweep.Run(new[] { 0, 64 }, Lrs, f)) };
        yield return new object[] { "learningRates", (Action)(() => MupLearningRateSweep.Run(Sizes, Array.Empty<double>(), f)) };
        yield return new object[] { "learningRates", (Action)(() => MupLearningRateSweep.Run(Sizes, new[] { 1e-3, 0.0 }, f)) };
        yield return new object[] { "learningRates", (Action)(() => MupLearningRateSweep.Run(Sizes, new[] { -1e-3 }, f)) };
        yield return new object[] { "learningRates", (Action)(() => MupLearningRateSweep.Run(Sizes, new[] { double.NaN }, f)) };
        yield return new object[] { "learningRates", (Action)(() => MupLearningRateSweep.Run(Sizes, new[] { double.PositiveInfinity }, f)) };
        yield return new object[] { "learningRates", (Action)(() => MupLearningRateSweep.Run(Sizes, new[] { 1e-3, 1e-2, 1e-3 }, f)) };
        yield return new object[] { "sizes", (Action)(() => MupLearningRateSweep.Run(null!, Lrs, f)) };
        yield return new object[] { "train", (Action)(() => MupLearningRateSweep.Run(Sizes, Lrs, null!)) };
        yield return new object[] { "losses", (Action)(() => new MupSweepResult("", "w", Sizes, Lrs, new[] { new[] { 1.0 } })) };
        yield return new object[] { "sweeps", (Action)(() => MupPlot.LearningRateTransfer(Array.Empty<MupSweepResult>())) };
        yield return new object[] { "runs", (Action)(() => MupPlot.CoordinateCheck(Array.Empty<(string, IReadOnlyList<MupCoordinate>)>())) };
    }

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public void Invalid_inputs_throw_naming_the_argument(string argument, Action call)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(argument, ex.ParamName);
    }

    [Fact]
    public void Format_prints_log2_lrs_and_stars_the_best_value_of_each_row()
    {
        var lines = Sp().Format().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("-- SP", lines[0]);
        Assert.Equal(Enumerable.Range(-10, 9).Select(k => k.ToString(CultureInfo.InvariantCulture)), lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2));
        Assert.StartsWith("   w=64 ", lines[1]);
        Assert.Contains(" 16.000*", lines[1]);
        Assert.Contains("  4.000*", lines[2]);
        Assert.Contains("  1.000*", lines[3]);
        Assert.All(lines.Skip(1), l => Assert.Single(l, c => c == '*'));
        // Columns line up: every row is as long as the header.
        Assert.All(lines, l => Assert.Equal(lines[0].TrimEnd().Length, l.TrimEnd().Length));
    }

    private static List<(double X, double Y)> Points(XElement polyline)
        => polyline.Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

    private static IEnumerable<XElement> Elements(XDocument doc, string name, string? cls = null)
        => doc.Descendants(XName.Get(name, "http://www.w3.org/2000/svg")).Where(e => cls is null || (string?)e.Attribute("class") == cls);

    [Fact]
    public void Lr_transfer_plot_is_xml_with_one_line_per_size_and_markers_at_the_argmins()
    {
        MupSweepResult mup = Mup(), sp = Sp();
        var doc = XDocument.Parse(MupPlot.LearningRateTransfer(new[] { mup, sp }));
        var lines = Elements(doc, "polyline", "series").ToList();
        var markers = Elements(doc, "circle", "argmin").ToList();
        Assert.Equal(6, lines.Count);
        Assert.Equal(new[] { "w=64", "w=256", "w=1024", "w=64", "w=256", "w=1024" }, lines.Select(l => l.Attribute("data-name")!.Value));
        Assert.Equal(6, markers.Count);
        var best = mup.BestIndices.Concat(sp.BestIndices).ToList();
        for (int i = 0; i < 6; i++)
        {
            var points = Points(lines[i]);
            Assert.Equal(9, points.Count);
            Assert.Equal(points[best[i]].X, double.Parse(markers[i].Attribute("cx")!.Value, CultureInfo.InvariantCulture));
            Assert.Equal(points[best[i]].Y, double.Parse(markers[i].Attribute("cy")!.Value, CultureInfo.InvariantCulture));
        }
        // µP: the three markers share one x; SP: one grid step (the same distance) further left per size.
        var cx = markers.Select(m => double.Parse(m.Attribute("cx")!.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(cx[0], cx[1]);
        Assert.Equal(cx[0], cx[2]);
        double step = Points(lines[0])[1].X - Points(lines[0])[0].X;
        Assert.Equal(cx[3] - step, cx[4], 1);
        Assert.Equal(cx[4] - step, cx[5], 1);
        // The panel titles carry the transfer numbers.
        var texts = Elements(doc, "text").Select(t => t.Value).ToList();
        Assert.Contains("best lr shift -2, transfer penalty 400.0%", texts);
        Assert.Contains("best lr shift 0, transfer penalty 0.0%", texts);
    }

    [Fact]
    public void Lr_transfer_plot_clips_high_and_diverged_losses_to_the_panel()
    {
        var sweep = MupLearningRateSweep.Run(Sizes, Lrs, (s, lr) => lr > Math.ScaleB(1.0, -4) ? double.NaN : Synthetic(Falling)(s, lr), "SP");
        var doc = XDocument.Parse(MupPlot.LearningRateTransfer(new[] { sweep }));
        var frame = Elements(doc, "rect").Single(r => (string?)r.Attribute("fill") == "#fafafa");
        double top = double.Parse(frame.Attribute("y")!.Value, CultureInfo.InvariantCulture);
        double bottom = top + double.Parse(frame.Attribute("height")!.Value, CultureInfo.InvariantCulture);
        foreach (var line in Elements(doc, "polyline", "series"))
        {
            var points = Points(line);
            Assert.All(points, p => Assert.InRange(p.Y, top, bottom));
            Assert.Equal(top, points[^1].Y);    // diverged: drawn at the top edge
        }
        // ... with a hollow marker on each of the 3 sizes x 2 diverged learning rates (and on any clipped loss).
        Assert.True(Elements(doc, "circle", "clipped").Count() >= 6);
    }

    private static IReadOnlyList<MupCoordinate> Coordinates(double growth)
        => (from t in new[] { 1, 2, 3 }
            from layer in new[] { "input", "hidden", "readout" }
            from w in new[] { 64, 128, 256, 512, 1024 }
            select new MupCoordinate(w, t, layer, 0.3 * t * Math.Pow(w / 64.0, layer == "readout" ? growth : 0))).ToList();

    [Fact]
    public void Coordinate_check_plot_has_one_line_per_layer_and_panel()
    {
        var svg = MupPlot.CoordinateCheck(new[] { ("µP", Coordinates(0)), ("SP", Coordinates(1)) });
        var doc = XDocument.Parse(svg);
        var lines = Elements(doc, "polyline", "series").ToList();
        Assert.Equal(2 * 3 * 3, lines.Count);
        Assert.Contains("µP, t = 1", Elements(doc, "text").Select(t => t.Value));
        Assert.Contains("SP, t = 3", Elements(doc, "text").Select(t => t.Value));
        // µP's lines are flat; SP's readout climbs (y decreases on screen) and its x follows log2 width evenly.
        Assert.All(lines.Take(9), l => Assert.Single(Points(l).Select(p => p.Y).Distinct()));
        var readout = Points(lines.Skip(9).First(l => l.Attribute("data-name")!.Value == "readout"));
        Assert.True(readout.Zip(readout.Skip(1)).All(p => p.Second.Y < p.First.Y));
        Assert.Equal(readout[1].X - readout[0].X, readout[4].X - readout[3].X, 1);
    }

    [Fact]
    public void Svg_is_byte_identical_across_calls_and_cultures()
    {
        var runs = new[] { ("µP", Coordinates(0)), ("SP", Coordinates(1)) };
        var sweeps = new[] { Mup(), Sp() };
        string lr = MupPlot.LearningRateTransfer(sweeps), coord = MupPlot.CoordinateCheck(runs);
        Assert.Equal(lr, MupPlot.LearningRateTransfer(sweeps));
        Assert.Equal(coord, MupPlot.CoordinateCheck(runs));
        var saved = CultureInfo.CurrentCulture;
        try
        {
            foreach (var culture in new[] { German(), CommaAndMinusSign() })
            {
                CultureInfo.CurrentCulture = culture;
                Assert.Equal(lr, MupPlot.LearningRateTransfer(sweeps));
                Assert.Equal(coord, MupPlot.CoordinateCheck(runs));
                Assert.Equal(Sp().Format(), sweeps[1].Format());
                Assert.Contains("16.000*", sweeps[1].Format());
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    // de-DE where the runtime has culture data; a comma-decimal culture either way.
    private static CultureInfo German()
    {
        try { return CultureInfo.GetCultureInfo("de-DE"); }
        catch (CultureNotFoundException) { return CommaAndMinusSign(); }
    }

    private static CultureInfo CommaAndMinusSign()
    {
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        c.NumberFormat.NumberDecimalSeparator = ",";
        c.NumberFormat.NumberGroupSeparator = ".";
        c.NumberFormat.NegativeSign = "\u2212";
        return c;
    }

    [Fact]
    public void Save_creates_the_folder_and_writes_the_svg_without_a_bom()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mupgen-plot-" + Guid.NewGuid().ToString("N"));
        try
        {
            string svg = MupPlot.LearningRateTransfer(new[] { Sp() });
            string path = MupPlot.Save(Path.Combine(dir, "sub", "lr.svg"), svg);
            Assert.True(Path.IsPathRooted(path));
            Assert.Equal(svg, File.ReadAllText(path));
            Assert.Equal((byte)'<', File.ReadAllBytes(path)[0]);
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }
}
