using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MupGen.Experiments;

/// <summary>One size of one parametrization in a report: its best grid point and its sub-grid optimum.</summary>
/// <param name="Size">The width or depth.</param>
/// <param name="ArgminLog2Lr">The grid's best log2 lr for the seed-averaged loss (null if every lr diverged).</param>
/// <param name="VertexLog2Lr">The vertex of the parabola through the best point and its neighbours (null unless bracketed).</param>
/// <param name="BestLoss">The seed-averaged loss at the argmin (+∞ if every lr diverged).</param>
/// <param name="Bracketed">True if the argmin has a finite grid point on each side.</param>
public sealed record ReportSize(int Size, int? ArgminLog2Lr, double? VertexLog2Lr, double BestLoss, bool Bracketed);

/// <summary>One parametrization in a report.</summary>
/// <param name="Param">The parametrization's name (<c>mup</c>, <c>sp</c>, ...).</param>
/// <param name="Sweep">The seed-averaged loss table (a cell where any seed diverged is +∞).</param>
/// <param name="Sizes">Per size, ascending.</param>
/// <param name="Shift">Vertex log2 lr of the largest size minus the smallest's (null unless both are bracketed).</param>
public sealed record ReportParam(string Param, MupSweepResult Sweep, IReadOnlyList<ReportSize> Sizes, double? Shift);

/// <summary>What <c>mupgen report</c> prints: per parametrization and size, the argmin and vertex log2 lr, and the
/// shift of the vertex from the smallest to the largest size.</summary>
/// <param name="Axis">Width or depth.</param>
/// <param name="Params">One entry per parametrization, in the order they first appear.</param>
/// <param name="Trials">How many trials were merged.</param>
/// <param name="Diverged">How many of them diverged.</param>
/// <param name="Missing">Grid cells (parametrization, size, lr, seed) absent from the files although the grid spans
/// them; non-zero when a shard has not finished.</param>
public sealed record SweepReport(SweepAxis Axis, IReadOnlyList<ReportParam> Params, int Trials, int Diverged, int Missing)
{
    /// <summary>Builds the report from merged trials (<see cref="TrialLog.Merge"/>). The grid is the span of the
    /// sizes, log2 lrs and seeds found; a (size, lr) cell without any trial counts as missing and is left out of its
    /// parametrization's table by treating it as not run (+∞).</summary>
    /// <exception cref="ArgumentException">No trials, or trials of both axes.</exception>
    public static SweepReport Build(IReadOnlyList<TrialResult> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0)
            throw new ArgumentException("There are no trials to report (is the folder a sweep's --out folder?).", nameof(trials));
        var axes = trials.Select(t => t.Trial.Axis).Distinct().ToList();
        if (axes.Count != 1)
            throw new ArgumentException("The trials mix width and depth sweeps; report them separately.", nameof(trials));
        var axis = axes[0];
        string sizeName = axis == SweepAxis.Width ? "w" : "L";
        var lrs = Enumerable.Range(trials.Min(t => t.Trial.Log2Lr), trials.Max(t => t.Trial.Log2Lr) - trials.Min(t => t.Trial.Log2Lr) + 1).ToArray();
        var seeds = trials.Select(t => t.Trial.Seed).Distinct().OrderBy(s => s).ToArray();
        int missing = 0;
        var result = new List<ReportParam>();
        foreach (var param in trials.Select(t => t.Trial.Param).Distinct(StringComparer.Ordinal))
        {
            var mine = trials.Where(t => t.Trial.Param == param).ToList();
            var sizes = mine.Select(t => t.Trial.Size).Distinct().OrderBy(s => s).ToArray();
            var byCell = mine.ToLookup(t => (t.Trial.Size, t.Trial.Log2Lr));
            var table = sizes.Select(size => lrs.Select(k =>
            {
                var cell = byCell[(size, k)].ToList();
                missing += seeds.Length - cell.Count;
                if (cell.Count == 0)
                    return double.PositiveInfinity;
                return cell.Any(c => c.Diverged) ? double.PositiveInfinity : cell.Average(c => c.Loss);
            }).ToArray()).ToArray();
            var sweep = new MupSweepResult(param, sizeName, sizes, lrs.Select(k => Math.ScaleB(1.0, k)), table);
            var rows = sizes.Select((size, i) =>
            {
                var v = sweep.Vertices[i];
                return new ReportSize(size, v.Index < 0 ? null : lrs[v.Index], v.Bracketed ? v.Log2LearningRate : null, sweep.BestLosses[i], v.Bracketed);
            }).ToList();
            double? shift = rows[0].VertexLog2Lr is { } a && rows[^1].VertexLog2Lr is { } b && rows.Count > 1 ? b - a : null;
            result.Add(new ReportParam(param, sweep, rows, shift));
        }
        return new SweepReport(axis, result, trials.Count, trials.Count(t => t.Diverged), missing);
    }

    /// <summary>The printed report: per parametrization the loss table, then one line per size with its argmin and
    /// vertex log2 lr, then the shift. Invariant culture.</summary>
    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        string field = Axis == SweepAxis.Width ? "width" : "depth";
        var sb = new StringBuilder();
        sb.Append(string.Create(inv, $"{Trials} trials ({Diverged} diverged)"));
        if (Missing > 0)
            sb.Append(string.Create(inv, $", {Missing} missing from the grid (an unfinished shard?)"));
        sb.Append('\n');
        foreach (var p in Params)
        {
            sb.Append(p.Sweep.Format().Replace(Environment.NewLine, "\n"));
            foreach (var s in p.Sizes)
                sb.Append(string.Create(inv, $"{p.Param} {field} {s.Size}: argmin log2 lr {(s.ArgminLog2Lr is { } a ? a.ToString(inv) : "none (all diverged)")}, vertex {(s.VertexLog2Lr is { } v ? v.ToString("0.00", inv) : "not bracketed: widen the grid")}\n"));
            sb.Append(p.Shift is { } shift
                ? string.Create(inv, $"{p.Param}: vertex shift {shift:+0.00;-0.00;0.00} octave from {field} {p.Sizes[0].Size} to {p.Sizes[^1].Size}\n")
                : $"{p.Param}: shift undefined (an end size is not bracketed)\n");
        }
        return sb.ToString();
    }

    /// <summary>The report as JSON: <c>{ "&lt;param&gt;": { "&lt;size&gt;": { "argmin_log2_lr": .., "vertex_log2_lr": ..,
    /// "best_loss": .., "bracketed": .. }, "shift": .. } }</c>; null where a value is undefined.</summary>
    public string ToJson()
    {
        var inv = CultureInfo.InvariantCulture;
        static string N(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "null";
        var sb = new StringBuilder("{");
        for (int i = 0; i < Params.Count; i++)
        {
            var p = Params[i];
            sb.Append(i == 0 ? "\n" : ",\n").Append("  ").Append(System.Text.Json.JsonSerializer.Serialize(p.Param)).Append(": {");
            foreach (var s in p.Sizes)
                sb.Append("\n    \"").Append(s.Size.ToString(inv)).Append("\": { \"argmin_log2_lr\": ").Append(s.ArgminLog2Lr is { } a ? a.ToString(inv) : "null")
                  .Append(", \"vertex_log2_lr\": ").Append(N(s.VertexLog2Lr)).Append(", \"best_loss\": ").Append(N(s.BestLoss))
                  .Append(", \"bracketed\": ").Append(s.Bracketed ? "true" : "false").Append(" },");
            sb.Append("\n    \"shift\": ").Append(N(p.Shift)).Append("\n  }");
        }
        sb.Append("\n}\n");
        return sb.ToString();
    }
}
