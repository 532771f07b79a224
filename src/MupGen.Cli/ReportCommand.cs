using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using MupGen.Experiments;

namespace MupGen.Cli;

/// <summary><c>mupgen report DIR [DIR...]</c>: merges the trial files of one sweep's folders (shards), prints per
/// parametrization and size the argmin and vertex log2 lr and the vertex shift, and writes the transfer plot.</summary>
public static class ReportCommand
{
    /// <summary>The <c>report</c> command, ready to add to the root command.</summary>
    public static Command Create() => new Symbols().Command;

    private sealed class Symbols
    {
        public readonly Argument<string[]> Dirs = new("DIR")
        {
            Description = "Sweep folders (each with a trials.jsonl), e.g. the --out folders of all shards.",
            Arity = ArgumentArity.OneOrMore,
        };
        public readonly Option<bool> Json = CliOptions.Flag("--json",
            "Print { \"<param>\": { \"<size>\": { \"argmin_log2_lr\": .., \"vertex_log2_lr\": .., \"best_loss\": .., \"bracketed\": .. }, \"shift\": .. } } instead of the text.");
        public readonly Option<string?> Plot = new("--plot") { Description = "Where to write the transfer plot (default DIR/transfer.svg of the first DIR).", HelpName = "FILE" };
        public readonly Command Command;

        public Symbols()
        {
            Command = new Command("report",
                "Merge the trial files of a sweep (its shards' folders), then per parametrization and size print the argmin and the vertex " +
                "(parabola through the best grid point and its neighbours) of the seed-averaged loss in log2 lr, and the vertex shift from " +
                "the smallest to the largest size; writes the transfer plot.")
            {
                Dirs, Json, Plot,
            };
            Command.SetAction(result => Run(result.GetValue(Dirs)!, result.GetValue(Json), result.GetValue(Plot), result.InvocationConfiguration.Output));
        }
    }

    private static int Run(IReadOnlyList<string> dirs, bool json, string? plot, TextWriter output)
    {
        var files = new List<IReadOnlyList<TrialResult>>();
        int skipped = 0;
        foreach (var dir in dirs)
        {
            if (!File.Exists(Path.Combine(dir, TrialLog.FileName)) && !File.Exists(dir))
                throw new CliUsageException(null, $"{dir} has no {TrialLog.FileName} (give the --out folder of a sweep).");
            files.Add(TrialLog.Read(dir, out int s));
            skipped += s;
        }
        IReadOnlyList<TrialResult> merged;
        try { merged = TrialLog.Merge(files); }
        catch (InvalidOperationException e) { throw new CliUsageException(null, e.Message); }
        if (merged.Count == 0)
            throw new CliUsageException(null, "the trial files hold no finished trial yet.");
        SweepReport report;
        try { report = SweepReport.Build(merged); }
        catch (ArgumentException e) { throw new CliUsageException(null, e.Message); }
        string plotPath = plot ?? Path.Combine(Directory.Exists(dirs[0]) ? dirs[0] : Path.GetDirectoryName(Path.GetFullPath(dirs[0]))!, "transfer.svg");
        string sizeName = report.Axis == SweepAxis.Width ? "widths" : "depths";
        var sizes = report.Params.SelectMany(p => p.Sizes.Select(s => s.Size)).Distinct().OrderBy(s => s).ToList();
        MupPlot.Save(plotPath, MupPlot.LearningRateTransfer(report.Params.Select(p => p.Sweep).ToList(),
            $"Learning-rate transfer: seed-averaged loss, {sizeName} {sizes[0]}..{sizes[^1]}"));
        if (json)
        {
            output.Write(report.ToJson());
            return MupGenCli.Success;
        }
        if (skipped > 0)
            output.WriteLine($"report: skipped {skipped} incomplete line(s) (a trial cut short by a killed process; it reruns on resume)");
        output.Write(report.Format());
        output.WriteLine($"plot: {plotPath}");
        return MupGenCli.Success;
    }
}
