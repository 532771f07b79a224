using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MupGen;

/// <summary>One measurement of a coordinate check: the mean |activation| of one layer's output at one width after
/// <see cref="Step"/> optimizer steps.</summary>
public sealed record MupCoordinate(int Width, int Step, string Layer, double MeanAbs);

/// <summary>How one layer's mean |activation| moves with width: the coordinate check's verdict.</summary>
public enum MupCoordinateVerdict
{
    /// <summary>|slope| at most the threshold (default 0.1): the layer's coordinates keep their size, as µP wants.</summary>
    Flat,
    /// <summary>Slope above the threshold: the activations grow with width (SP's readout after one Adam step: about 1).</summary>
    Growing,
    /// <summary>Slope below minus the threshold: the activations vanish as the width grows.</summary>
    Shrinking,
}

/// <summary>The log-log slope of one layer's mean |activation| against width at one step, and its verdict.</summary>
/// <param name="Layer">The layer's name (as in <see cref="MupCoordinate.Layer"/>).</param>
/// <param name="Step">The optimizer step t.</param>
/// <param name="Slope">The least-squares slope of ln(mean |activation|) against ln(width): the exponent p of
/// mean |activation| ∝ width^p (0 under µP; 1 means the activations grow in proportion to the width).</param>
/// <param name="Ratio">The largest over the smallest mean |activation| across the widths.</param>
/// <param name="Verdict">Flat, growing or shrinking, by the threshold the check used.</param>
public sealed record MupCoordinateSlope(string Layer, int Step, double Slope, double Ratio, MupCoordinateVerdict Verdict);

/// <summary>
/// The coordinate check of mup (mup/coord_check.py): train each width for a few steps on fixed data and record
/// the mean absolute value of every layer's output. Under µP the curves are flat across width; under SP the readout
/// (and everything after the first step) grows with width.
/// </summary>
/// <remarks>Layer outputs are recorded with forward hooks, which TorchSharp runs only when a layer is invoked as
/// <c>layer.call(x)</c>; a layer invoked as <c>layer.forward(x)</c> is not seen. The model's own output (layer name
/// <c>output</c>) is always recorded.</remarks>
public static class MupCoordinateCheck
{
    /// <summary>Runs the check.</summary>
    /// <param name="widths">The widths to build, e.g. 64, 128, ..., 1024.</param>
    /// <param name="createModel">Builds a freshly initialised model at a width.</param>
    /// <param name="createOptimizer">Builds the optimizer of a model (e.g. <c>m => ((IMupModel)m).MupAdam(1e-2)</c>).</param>
    /// <param name="input">A fixed batch of inputs.</param>
    /// <param name="target">The batch's targets.</param>
    /// <param name="loss">The loss of (model output, target).</param>
    /// <param name="steps">How many optimizer steps; activations are recorded after each, t = 1..steps.</param>
    /// <param name="seed">Seed set before each width's model is built.</param>
    /// <param name="seeds">How many seeds (seed, seed + 1, ...): each width is trained once per seed and every
    /// coordinate is the mean over the seeds (mup's <c>nseeds</c>).</param>
    public static IReadOnlyList<MupCoordinate> Run(
        IEnumerable<int> widths,
        Func<int, nn.Module<Tensor, Tensor>> createModel,
        Func<nn.Module<Tensor, Tensor>, optim.Optimizer> createOptimizer,
        Tensor input, Tensor target,
        Func<Tensor, Tensor, Tensor> loss,
        int steps = 3, long seed = 0, int seeds = 1)
    {
        if (seeds < 1) throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "A coordinate check needs at least one seed.");
        ArgumentNullException.ThrowIfNull(widths);
        var widthList = widths.ToList();
        if (widthList.Count < 2 || widthList.Distinct().Count() != widthList.Count || widthList.Any(w => w < 1))
            throw new ArgumentException("A coordinate check needs at least two distinct positive widths.", nameof(widths));
        var runs = Enumerable.Range(0, seeds).Select(k => RunOnce(widthList, createModel, createOptimizer, input, target, loss, steps, seed + k)).ToList();
        if (seeds == 1)
            return runs[0];
        return runs[0].Select((c, i) => c with { MeanAbs = runs.Average(r => r[i].MeanAbs) }).ToList();
    }

    private static IReadOnlyList<MupCoordinate> RunOnce(
        IEnumerable<int> widths,
        Func<int, nn.Module<Tensor, Tensor>> createModel,
        Func<nn.Module<Tensor, Tensor>, optim.Optimizer> createOptimizer,
        Tensor input, Tensor target,
        Func<Tensor, Tensor, Tensor> loss,
        int steps, long seed)
    {
        ArgumentNullException.ThrowIfNull(widths);
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentNullException.ThrowIfNull(createOptimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "A coordinate check needs at least one step.");
        var result = new List<MupCoordinate>();
        foreach (int width in widths)
        {
            torch.manual_seed(seed);
            using var model = createModel(width);
            using var optimizer = createOptimizer(model);
            int step = 0;
            var hooks = new List<Action>();
            foreach (var (name, module) in model.named_modules())
            {
                if (module is not nn.Module<Tensor, Tensor> leaf || module.children().Any())
                    continue;
                string layer = name;
                var remover = leaf.register_forward_hook((m, x, y) =>
                {
                    if (step > 0)
                        result.Add(new MupCoordinate(width, step, layer, y.abs().mean().ToDouble()));
                    return y;
                });
                hooks.Add(remover.remove);
            }
            for (step = 0; step <= steps; step++)
            {
                using var scope = torch.NewDisposeScope();
                var output = model.forward(input);
                if (step > 0)
                    result.Add(new MupCoordinate(width, step, "output", output.abs().mean().ToDouble()));
                if (step == steps)
                    break;
                optimizer.zero_grad();
                loss(output, target).backward();
                optimizer.step();
            }
            foreach (var remove in hooks)
                remove();
        }
        return result;
    }

    /// <summary>The default |slope| up to which a layer counts as flat: 0.1, a factor of 16^0.1 = 1.32 over a 16x
    /// width range (µP MLPs and GPTs stay within 0.05; SP's readout after one Adam step is near 1).</summary>
    public const double DefaultFlatThreshold = 0.1;

    /// <summary>The least-squares slope of ln(y) against ln(x), over the points with positive finite x and y
    /// (NaN with fewer than two distinct x).</summary>
    public static double LogLogSlope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException("x and y must have the same length.", nameof(y));
        var points = x.Zip(y).Where(p => p.First > 0 && p.Second > 0 && double.IsFinite(p.First) && double.IsFinite(p.Second))
            .Select(p => (X: Math.Log(p.First), Y: Math.Log(p.Second))).ToList();
        if (points.Select(p => p.X).Distinct().Count() < 2)
            return double.NaN;
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxy = points.Sum(p => (p.X - mx) * (p.Y - my)), sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxy / sxx;
    }

    /// <summary>The verdict for a slope: flat when |slope| ≤ <paramref name="flatThreshold"/>, growing above it,
    /// shrinking below minus it. A NaN slope (a layer whose activations are all zero or non-finite) is growing when
    /// any value is non-finite and flat otherwise; see <see cref="Analyze"/>.</summary>
    public static MupCoordinateVerdict Classify(double slope, double flatThreshold = DefaultFlatThreshold)
        => slope > flatThreshold ? MupCoordinateVerdict.Growing : slope < -flatThreshold ? MupCoordinateVerdict.Shrinking : MupCoordinateVerdict.Flat;

    /// <summary>Per layer and step: the log-log slope of mean |activation| against width and its verdict, in the
    /// order layers first appear, steps ascending.</summary>
    /// <param name="coordinates">The result of <see cref="Run"/> (at least two widths).</param>
    /// <param name="flatThreshold">The |slope| up to which a layer is flat (positive).</param>
    public static IReadOnlyList<MupCoordinateSlope> Analyze(IReadOnlyList<MupCoordinate> coordinates, double flatThreshold = DefaultFlatThreshold)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        if (!(flatThreshold > 0) || !double.IsFinite(flatThreshold))
            throw new ArgumentOutOfRangeException(nameof(flatThreshold), flatThreshold, "The flat threshold must be positive and finite.");
        var result = new List<MupCoordinateSlope>();
        foreach (var g in coordinates.GroupBy(c => c.Layer).SelectMany(l => l.GroupBy(c => c.Step).OrderBy(s => s.Key)))
        {
            var points = g.OrderBy(c => c.Width).ToList();
            double slope = LogLogSlope(points.Select(c => (double)c.Width).ToList(), points.Select(c => c.MeanAbs).ToList());
            var finite = points.Select(c => c.MeanAbs).Where(v => double.IsFinite(v) && v > 0).ToList();
            double ratio = finite.Count > 0 ? finite.Max() / finite.Min() : double.NaN;
            var verdict = double.IsNaN(slope)
                ? (points.Any(c => !double.IsFinite(c.MeanAbs)) ? MupCoordinateVerdict.Growing : MupCoordinateVerdict.Flat)
                : Classify(slope, flatThreshold);
            result.Add(new MupCoordinateSlope(g.First().Layer, g.Key, slope, ratio, verdict));
        }
        return result;
    }

    /// <summary>One verdict per layer, over all its steps: flat when every step is flat, otherwise the verdict of
    /// the step with the largest |slope| (that step's slope is returned).</summary>
    public static IReadOnlyList<MupCoordinateSlope> LayerVerdicts(IReadOnlyList<MupCoordinateSlope> slopes)
    {
        ArgumentNullException.ThrowIfNull(slopes);
        return slopes.GroupBy(s => s.Layer)
            .Select(g => g.All(s => s.Verdict == MupCoordinateVerdict.Flat)
                ? g.OrderByDescending(s => double.IsNaN(s.Slope) ? 0 : Math.Abs(s.Slope)).First()
                : g.Where(s => s.Verdict != MupCoordinateVerdict.Flat).OrderByDescending(s => double.IsNaN(s.Slope) ? double.PositiveInfinity : Math.Abs(s.Slope)).First())
            .ToList();
    }

    /// <summary>The check as CSV (invariant culture, one row per width, step and layer):
    /// <c>run,layer,step,width,mean_abs,slope,verdict</c>; the slope and verdict repeat on every width of a (layer, step).</summary>
    /// <param name="runs">Labelled runs, e.g. ("mup", coordinates), ("sp", coordinates).</param>
    /// <param name="flatThreshold">As in <see cref="Analyze"/>.</param>
    public static string ToCsv(IReadOnlyList<(string Label, IReadOnlyList<MupCoordinate> Coordinates)> runs, double flatThreshold = DefaultFlatThreshold)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("run,layer,step,width,mean_abs,slope,verdict\n");
        foreach (var (label, coords) in runs)
        {
            var slopes = Analyze(coords, flatThreshold).ToDictionary(s => (s.Layer, s.Step));
            foreach (var c in coords.OrderBy(c => c.Step).ThenBy(c => c.Layer, StringComparer.Ordinal).ThenBy(c => c.Width))
            {
                var s = slopes[(c.Layer, c.Step)];
                sb.Append(Csv(label)).Append(',').Append(Csv(c.Layer)).Append(',').Append(c.Step.ToString(inv)).Append(',')
                  .Append(c.Width.ToString(inv)).Append(',').Append(c.MeanAbs.ToString("R", inv)).Append(',')
                  .Append(s.Slope.ToString("R", inv)).Append(',').Append(s.Verdict.ToString().ToLowerInvariant()).Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>The check as JSON (invariant culture, indented):
    /// <c>{ "flat_threshold": 0.1, "runs": [ { "run": "mup", "widths": [...], "layers": [ { "layer": "hidden",
    /// "verdict": "flat", "slope": .., "steps": [ { "step": 1, "slope": .., "ratio": .., "verdict": "flat",
    /// "mean_abs": [..one per width..] } ] } ] } ] }</c>.</summary>
    public static string ToJson(IReadOnlyList<(string Label, IReadOnlyList<MupCoordinate> Coordinates)> runs, double flatThreshold = DefaultFlatThreshold)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var inv = CultureInfo.InvariantCulture;
        string N(double v) => double.IsFinite(v) ? v.ToString("R", inv) : "null";
        var sb = new StringBuilder();
        sb.Append("{\n  \"flat_threshold\": ").Append(N(flatThreshold)).Append(",\n  \"runs\": [");
        for (int r = 0; r < runs.Count; r++)
        {
            var (label, coords) = runs[r];
            var widths = coords.Select(c => c.Width).Distinct().OrderBy(w => w).ToList();
            var slopes = Analyze(coords, flatThreshold);
            var verdicts = LayerVerdicts(slopes);
            sb.Append(r == 0 ? "\n" : ",\n").Append("    { \"run\": ").Append(Json(label)).Append(", \"widths\": [")
              .Append(string.Join(", ", widths.Select(w => w.ToString(inv)))).Append("], \"layers\": [");
            for (int l = 0; l < verdicts.Count; l++)
            {
                var v = verdicts[l];
                sb.Append(l == 0 ? "\n" : ",\n").Append("      { \"layer\": ").Append(Json(v.Layer)).Append(", \"verdict\": \"")
                  .Append(v.Verdict.ToString().ToLowerInvariant()).Append("\", \"slope\": ").Append(N(v.Slope)).Append(", \"steps\": [");
                var steps = slopes.Where(s => s.Layer == v.Layer).ToList();
                for (int t = 0; t < steps.Count; t++)
                {
                    var s = steps[t];
                    var values = widths.Select(w => coords.Where(c => c.Layer == s.Layer && c.Step == s.Step && c.Width == w).Select(c => N(c.MeanAbs)).FirstOrDefault("null"));
                    sb.Append(t == 0 ? "\n" : ",\n").Append("        { \"step\": ").Append(s.Step.ToString(inv)).Append(", \"slope\": ").Append(N(s.Slope))
                      .Append(", \"ratio\": ").Append(N(s.Ratio)).Append(", \"verdict\": \"").Append(s.Verdict.ToString().ToLowerInvariant())
                      .Append("\", \"mean_abs\": [").Append(string.Join(", ", values)).Append("] }");
                }
                sb.Append("\n      ] }");
            }
            sb.Append("\n    ] }");
        }
        sb.Append("\n  ]\n}\n");
        return sb.ToString();
    }

    private static string Csv(string s) => s.IndexOfAny(new[] { ',', '"', '\n' }) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";

    private static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    /// <summary>The ratio of a layer's mean |activation| at <paramref name="toWidth"/> over <paramref name="fromWidth"/>
    /// at <paramref name="step"/>.</summary>
    public static double Growth(IReadOnlyList<MupCoordinate> coordinates, string layer, int step, int fromWidth, int toWidth)
    {
        double At(int w) => coordinates.Single(c => c.Layer == layer && c.Step == step && c.Width == w).MeanAbs;
        return At(toWidth) / At(fromWidth);
    }

    /// <summary>A plain-text table: one row per (layer, step), one column per width.</summary>
    public static string Format(IReadOnlyList<MupCoordinate> coordinates)
    {
        var widths = coordinates.Select(c => c.Width).Distinct().OrderBy(w => w).ToList();
        var sb = new StringBuilder();
        if (coordinates.Count > 0 && coordinates.All(c => c.Layer == "output"))
            sb.AppendLine("(only the model output was recorded: invoke layers with call(x), not forward(x), so TorchSharp runs the hooks)");
        sb.Append("layer".PadRight(14)).Append("step");
        foreach (var w in widths)
            sb.Append(("w=" + w.ToString(CultureInfo.InvariantCulture)).PadLeft(10));
        sb.Append("   max/min").AppendLine();
        foreach (var g in coordinates.GroupBy(c => (c.Layer, c.Step)).OrderBy(g => g.Key.Step))
        {
            sb.Append(g.Key.Layer.PadRight(14)).Append(g.Key.Step.ToString(CultureInfo.InvariantCulture).PadLeft(4));
            foreach (var w in widths)
                sb.Append(g.Where(c => c.Width == w).Select(c => c.MeanAbs.ToString("0.0000", CultureInfo.InvariantCulture)).FirstOrDefault("-").PadLeft(10));
            var values = g.Select(c => c.MeanAbs).ToList();
            sb.Append((values.Max() / values.Min()).ToString("0.00", CultureInfo.InvariantCulture).PadLeft(10)).AppendLine();
        }
        return sb.ToString();
    }
}
