using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MupGen;

/// <summary>
/// Dependency-free SVG plots of µTransfer: the learning-rate sweep (loss vs log2 lr, one line per size) and the
/// coordinate check (mean |activation| vs width, one line per layer). The output is deterministic: the same input
/// gives the same bytes under any culture.
/// </summary>
public static class MupPlot
{
    // One panel: a plot area of AreaW x AreaH with margins for the title (top), tick labels (left, bottom).
    private const double AreaW = 300, AreaH = 200, MarginL = 58, MarginT = 46, MarginR = 18, MarginB = 46;
    private const double CellW = MarginL + AreaW + MarginR, CellH = MarginT + AreaH + MarginB;
    private const double TitleH = 30, LegendW = 120;

    private static readonly string[] Categorical =
        { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
    // viridis without its pale yellow end: the smallest size dark purple, the largest light green.
    private static readonly string[] Sequential =
        { "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30" };

    /// <summary>The LR-transfer plot: one panel per sweep (e.g. µP | SP) side by side, loss against log2 learning rate,
    /// one line per size, a marker at each size's best learning rate. The y axis is shared and clipped to
    /// [min, min + 3·(median − min)] of the finite losses; higher (and diverged) losses are drawn at the top edge as
    /// hollow markers.</summary>
    public static string LearningRateTransfer(IReadOnlyList<MupSweepResult> sweeps, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        if (sweeps.Count == 0 || sweeps.Any(s => s is null))
            throw new ArgumentException("At least one sweep is needed, and none may be null.", nameof(sweeps));
        var sizes = sweeps.SelectMany(s => s.Sizes).Distinct().OrderBy(s => s).ToList();
        var finite = sweeps.SelectMany(s => s.Losses.SelectMany(r => r)).Where(double.IsFinite).OrderBy(v => v).ToList();
        double lo = finite.Count > 0 ? finite[0] : 0, median = finite.Count > 0 ? finite[finite.Count / 2] : 1;
        if (finite.Count > 0 && finite.Count % 2 == 0)
            median = (finite[finite.Count / 2 - 1] + finite[finite.Count / 2]) / 2;
        double hi = Math.Min(finite.Count > 0 ? finite[^1] : 1, lo + 3 * (median - lo));
        double worstBest = sweeps.SelectMany(s => s.BestLosses).Where(double.IsFinite).DefaultIfEmpty(lo).Max();
        hi = Math.Max(hi, worstBest + 0.1 * (worstBest - lo));
        if (!(hi > lo))
            hi = lo + Math.Max(Math.Abs(lo) * 0.1, 1e-3);
        var y = new Axis(lo - 0.05 * (hi - lo), hi, Log: false);
        var log2 = sweeps.SelectMany(s => s.LearningRates).Select(Math.Log2).ToList();
        var x = new Axis(log2.Min() - 0.5, log2.Max() + 0.5, Log: false);

        var svg = new Svg(sweeps.Count * CellW + LegendW, TitleH + CellH, title ?? "Learning-rate transfer");
        for (int p = 0; p < sweeps.Count; p++)
        {
            var sweep = sweeps[p];
            double ox = p * CellW + MarginL, oy = TitleH + MarginT;
            string subtitle = double.IsNaN(sweep.TransferPenalty) ? "a size diverged at every learning rate"
                : $"best lr shift {Signed(sweep.Shift)}, transfer penalty {Num(100 * sweep.TransferPenalty, "0.0")}%";
            svg.Panel(ox, oy, sweep.Label, subtitle, "log2 learning rate", p == 0 ? "loss" : null);
            svg.XTicks(ox, oy, x, IntegerTicks(x.Min, x.Max).Select(t => (t, Num(t, "0"))));
            svg.YTicks(ox, oy, y, NiceTicks(y.Min, y.Max));
            svg.Frame(ox, oy);
            for (int i = 0; i < sweep.Sizes.Count; i++)
            {
                string color = SizeColor(sizes.IndexOf(sweep.Sizes[i]), sizes.Count);
                var points = sweep.LearningRates.Select((lr, j) =>
                    (ox + x.Map(Math.Log2(lr)) * AreaW, oy + (1 - y.Map(Math.Min(sweep.Losses[i][j], y.Max))) * AreaH)).ToList();
                svg.Polyline(points, color, $"{sweep.SizeName}={sweep.Sizes[i].ToString(CultureInfo.InvariantCulture)}");
                for (int j = 0; j < points.Count; j++)
                    if (sweep.Losses[i][j] > y.Max)
                        svg.Marker(points[j].Item1, points[j].Item2, color, clipped: true);
                int best = sweep.BestIndices[i];
                if (best >= 0)
                    svg.Marker(points[best].Item1, points[best].Item2, color);
            }
        }
        string name = sweeps[0].SizeName;
        svg.Legend(sweeps.Count * CellW, TitleH + MarginT,
            sizes.Select((s, k) => (name + "=" + s.ToString(CultureInfo.InvariantCulture), SizeColor(k, sizes.Count))).ToList(), markers: true,
            clipped: sweeps.Any(s => s.Losses.Any(r => r.Any(v => v > y.Max))));
        return svg.ToString();
    }

    /// <summary>The coordinate-check plot (as mup's <c>plot_coord_data</c>): mean |activation| against width on log
    /// axes, one line per layer, one panel per step t, one row of panels per run (e.g. µP above SP). Under µP the
    /// lines are flat; under SP some climb with width.</summary>
    /// <param name="runs">Labelled results of <see cref="MupCoordinateCheck.Run"/>, e.g. <c>[("µP", mup), ("SP", sp)]</c>.</param>
    /// <param name="title">The figure's title.</param>
    public static string CoordinateCheck(IReadOnlyList<(string Label, IReadOnlyList<MupCoordinate> Coordinates)> runs, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0 || runs.Any(r => r.Coordinates is null || r.Coordinates.Count == 0))
            throw new ArgumentException("At least one run is needed, and every run needs coordinates.", nameof(runs));
        var all = runs.SelectMany(r => r.Coordinates).ToList();
        var layers = all.Select(c => c.Layer).Distinct().ToList();
        var steps = all.Select(c => c.Step).Distinct().OrderBy(t => t).ToList();
        var widths = all.Select(c => c.Width).Distinct().OrderBy(w => w).ToList();
        var positive = all.Select(c => c.MeanAbs).Where(v => v > 0 && double.IsFinite(v)).DefaultIfEmpty(1).ToList();
        double top = Math.Ceiling(Math.Log10(positive.Max())), bottom = Math.Floor(Math.Log10(positive.Min()));
        if (top <= bottom)
            top = bottom + 1;
        var y = new Axis(bottom, top, Log: true);
        double pad = widths.Count > 1 ? 0.04 * (Math.Log2(widths[^1]) - Math.Log2(widths[0])) : 0.5;
        var x = new Axis(Math.Log2(widths[0]) - pad, Math.Log2(widths[^1]) + pad, Log: false);
        int every = (widths.Count + 5) / 6;

        var svg = new Svg(steps.Count * CellW + LegendW, TitleH + runs.Count * CellH, title ?? "Coordinate check: mean |activation| vs width");
        for (int r = 0; r < runs.Count; r++)
            for (int c = 0; c < steps.Count; c++)
            {
                double ox = c * CellW + MarginL, oy = TitleH + r * CellH + MarginT;
                int t = steps[c];
                svg.Panel(ox, oy, runs[r].Label + ", t = " + t.ToString(CultureInfo.InvariantCulture), null, "width", c == 0 ? "mean |activation|" : null);
                svg.XTicks(ox, oy, x, widths.Where((w, k) => k % every == 0).Select(w => (Math.Log2(w), w.ToString(CultureInfo.InvariantCulture))));
                svg.YTicks(ox, oy, y, Enumerable.Range(0, (int)(top - bottom) + 1).Select(k => bottom + k));
                svg.Frame(ox, oy);
                foreach (var (layer, k) in layers.Select((l, k) => (l, k)))
                {
                    var points = runs[r].Coordinates.Where(p => p.Step == t && p.Layer == layer && p.MeanAbs > 0 && double.IsFinite(p.MeanAbs))
                        .OrderBy(p => p.Width)
                        .Select(p => (ox + x.Map(Math.Log2(p.Width)) * AreaW, oy + (1 - y.Map(Math.Log10(p.MeanAbs))) * AreaH)).ToList();
                    if (points.Count > 0)
                        svg.Polyline(points, Categorical[k % Categorical.Length], layer, dots: true);
                }
            }
        svg.Legend(steps.Count * CellW, TitleH + MarginT, layers.Select((l, k) => (l, Categorical[k % Categorical.Length])).ToList(), markers: false);
        return svg.ToString();
    }

    /// <summary>Writes an SVG to a file (creating its folder) and returns the file's full path.</summary>
    public static string Save(string path, string svg)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(svg);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, svg, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return full;
    }

    private static string SizeColor(int index, int count)
        => Sequential[count <= 1 ? 0 : (int)Math.Round(index * (Sequential.Length - 1.0) / (count - 1))];

    private static string Num(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Signed(double v) => (Math.Abs(v) < 0.005 ? 0 : v).ToString("+0.##;-0.##;0", CultureInfo.InvariantCulture);

    private static IEnumerable<double> IntegerTicks(double min, double max)
    {
        double first = Math.Ceiling(min), last = Math.Floor(max);
        int step = last - first > 12 ? 2 : 1;
        for (double t = first; t <= last; t += step)
            yield return t;
    }

    /// <summary>About five ticks at 1, 2 or 5 times a power of ten.</summary>
    private static IEnumerable<double> NiceTicks(double min, double max)
    {
        double raw = (max - min) / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = magnitude * (raw / magnitude >= 5 ? 5 : raw / magnitude >= 2 ? 2 : 1);
        for (long k = (long)Math.Ceiling(min / step); k * step <= max + 1e-9 * step; k++)
            yield return k * step;
    }

    /// <summary>A linear axis over [Min, Max] (for a log axis, Min and Max are decades: log10 of the values).</summary>
    private readonly record struct Axis(double Min, double Max, bool Log)
    {
        public double Map(double v) => (v - Min) / (Max - Min);
    }

    /// <summary>A minimal SVG writer: every number is rounded to 2 decimals in the invariant culture.</summary>
    private sealed class Svg
    {
        private readonly StringBuilder sb = new();

        public Svg(double width, double height, string title)
        {
            sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" ")
              .Append("font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
            sb.Append($"<rect width=\"{N(width)}\" height=\"{N(height)}\" fill=\"white\"/>\n");
            Text(width / 2, 20, title, "middle", 15, bold: true);
        }

        public override string ToString() => sb + "</svg>\n";

        public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

        private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

        public void Text(double x, double y, string text, string anchor = "start", double size = 12, bool bold = false, string color = "#222", string? transform = null)
            => sb.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\" font-size=\"{N(size)}\" fill=\"{color}\"")
                 .Append(bold ? " font-weight=\"bold\"" : "").Append(transform is null ? "" : $" transform=\"{transform}\"")
                 .Append($">{Escape(text)}</text>\n");

        private void Line(double x1, double y1, double x2, double y2, string color, double width = 1)
            => sb.Append($"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{color}\" stroke-width=\"{N(width)}\"/>\n");

        /// <summary>The frame, title and axis labels of a panel whose plot area starts at (ox, oy).</summary>
        public void Panel(double ox, double oy, string title, string? subtitle, string xLabel, string? yLabel)
        {
            sb.Append($"<rect x=\"{N(ox)}\" y=\"{N(oy)}\" width=\"{N(AreaW)}\" height=\"{N(AreaH)}\" fill=\"#fafafa\"/>\n");
            Text(ox + AreaW / 2, oy - (subtitle is null ? 10 : 24), title, "middle", 13, bold: true);
            if (subtitle is not null)
                Text(ox + AreaW / 2, oy - 8, subtitle, "middle", 11, color: "#555");
            Text(ox + AreaW / 2, oy + AreaH + 36, xLabel, "middle");
            double lx = ox - 44, ly = oy + AreaH / 2;
            if (yLabel is not null)
                Text(lx, ly, yLabel, "middle", transform: $"rotate(-90 {N(lx)} {N(ly)})");
        }

        /// <summary>The panel's frame, drawn over its grid lines.</summary>
        public void Frame(double ox, double oy)
            => sb.Append($"<rect x=\"{N(ox)}\" y=\"{N(oy)}\" width=\"{N(AreaW)}\" height=\"{N(AreaH)}\" fill=\"none\" stroke=\"#444\"/>\n");

        public void XTicks(double ox, double oy, Axis x, IEnumerable<(double Value, string Label)> ticks)
        {
            foreach (var (v, label) in ticks)
            {
                double px = ox + x.Map(v) * AreaW;
                Line(px, oy, px, oy + AreaH, "#e4e4e4");
                Line(px, oy + AreaH, px, oy + AreaH + 4, "#444");
                Text(px, oy + AreaH + 17, label, "middle", 11);
            }
        }

        public void YTicks(double ox, double oy, Axis y, IEnumerable<double> ticks)
        {
            var list = ticks.ToList();
            int decimals = list.Count > 1 ? Math.Max(0, (int)Math.Ceiling(-Math.Log10(list[1] - list[0]) - 1e-9)) : 2;
            foreach (double v in list)
            {
                double py = oy + (1 - y.Map(v)) * AreaH;
                Line(ox, py, ox + AreaW, py, "#e4e4e4");
                Line(ox - 4, py, ox, py, "#444");
                if (y.Log && v < y.Max)   // minor grid lines at 2..9 times the decade
                    for (int m = 2; m <= 9; m++)
                        Line(ox, oy + (1 - y.Map(v + Math.Log10(m))) * AreaH, ox + AreaW, oy + (1 - y.Map(v + Math.Log10(m))) * AreaH, "#f0f0f0");
                string label = !y.Log ? v.ToString("F" + decimals, CultureInfo.InvariantCulture)
                    : v >= -4 ? Math.Pow(10, v).ToString("0.####", CultureInfo.InvariantCulture) : "1e" + v.ToString("0", CultureInfo.InvariantCulture);
                Text(ox - 7, py + 4, label, "end", 11);
            }
        }

        public void Polyline(IReadOnlyList<(double X, double Y)> points, string color, string name, bool dots = false)
        {
            sb.Append($"<polyline class=\"series\" data-name=\"{Escape(name)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"")
              .Append(string.Join(" ", points.Select(p => N(p.X) + "," + N(p.Y)))).Append("\"/>\n");
            if (dots)
                foreach (var (x, y) in points)
                    sb.Append($"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"2.5\" fill=\"{color}\"/>\n");
        }

        /// <summary>A filled marker at a best learning rate, or a hollow one for a loss clipped at (or diverged above) the top.</summary>
        public void Marker(double x, double y, string color, bool clipped = false)
            => sb.Append(clipped
                ? $"<circle class=\"clipped\" cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"3\" fill=\"white\" stroke=\"{color}\" stroke-width=\"1.5\"/>\n"
                : $"<circle class=\"argmin\" cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"5\" fill=\"{color}\" stroke=\"white\" stroke-width=\"1.5\"/>\n");

        public void Legend(double x, double y, IReadOnlyList<(string Name, string Color)> entries, bool markers, bool clipped = false)
        {
            for (int k = 0; k < entries.Count; k++)
            {
                double ly = y + 6 + 18 * k;
                Line(x, ly, x + 22, ly, entries[k].Color, 2.5);
                Text(x + 28, ly + 4, entries[k].Name);
            }
            if (!markers)
                return;
            double my = y + 6 + 18 * entries.Count + 12;
            sb.Append($"<circle cx=\"{N(x + 11)}\" cy=\"{N(my)}\" r=\"5\" fill=\"#555\"/>\n");
            Text(x + 28, my + 4, "best lr", color: "#555");
            if (!clipped)
                return;
            sb.Append($"<circle cx=\"{N(x + 11)}\" cy=\"{N(my + 18)}\" r=\"3\" fill=\"white\" stroke=\"#555\" stroke-width=\"1.5\"/>\n");
            Text(x + 28, my + 22, "off the top", color: "#555");
        }
    }
}
