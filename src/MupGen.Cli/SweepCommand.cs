using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using MupGen.Experiments;
using Spectre.Console;

namespace MupGen.Cli;

/// <summary><c>mupgen sweep</c>: widths or depths × a log2 lr grid × seeds × parametrizations, every finished trial
/// appended to DIR/trials.jsonl at once; running it again resumes; <c>--shard I/N</c> runs one deterministic share.</summary>
public static class SweepCommand
{
    /// <summary>Exit code when Ctrl-C stopped the sweep (its finished trials are kept; run the command again to resume).</summary>
    public const int Interrupted = 130;

    /// <summary>The <c>sweep</c> command, ready to add to the root command.</summary>
    public static Command Create() => new Symbols().Command;

    private sealed class Symbols
    {
        public readonly Option<string?> Model = CliLists.Model();
        public readonly Option<IReadOnlyList<int>?> Widths = CliLists.IntList("--widths", "LIST", "Widths to sweep, e.g. 64,256,1024 (one of --widths, --depths).", minimum: 1);
        public readonly Option<IReadOnlyList<int>?> Depths = CliLists.IntList("--depths", "LIST", "Depths to sweep (GPT only), e.g. 2,4,8 (one of --widths, --depths).", minimum: 1);
        public readonly Option<(int From, int To)?> Log2Lr = CliLists.Log2Range("--log2-lr");
        public readonly Option<int?> Seeds = CliOptions.Integer("--seeds", "N", "Seeds per grid point (default 3).");
        public readonly Option<int?> Steps = CliOptions.Integer("--steps", "N", "Training steps per trial (default: mlp 150, gpt 60; --quick: a fifth).");
        public readonly Option<IReadOnlyList<string>?> Param = CliLists.WordList("--param", "LIST",
            "Parametrizations, comma-separated: mup, sp (width sweeps; default mup,sp), completep, depthmup, sp (depth sweeps; default completep,sp).",
            CliModels.Parametrizations);
        public readonly Option<SweepShard?> Shard = CliLists.Shard();
        public readonly Option<string?> Out = new("--out") { Description = "The sweep folder holding trials.jsonl and sweep.json (default sweep).", HelpName = "DIR" };
        public readonly Option<bool> Quick = CliOptions.Flag("--quick", "A fifth of the steps: to try the pipeline, not to measure transfer.");
        public readonly Command Command;

        public Symbols()
        {
            Command = new Command("sweep",
                "Learning-rate sweep over widths or depths: every (parametrization, size, log2 lr, seed) trial is trained once and " +
                "appended to DIR/trials.jsonl as soon as it finishes; running the same command again skips finished trials. A trial is a " +
                "pure function of its key (its torch seed is derived from the key). Diverged trials are recorded as diverged. " +
                "Ctrl-C stops after the current trial.")
            {
                Model, Widths, Depths, Log2Lr, Seeds, Steps, Param, Shard, Out, Quick,
            };
            Command.SetAction(result => Run(result.GetValue(Model)!, result.GetValue(Widths), result.GetValue(Depths), result.GetValue(Log2Lr)!.Value,
                result.GetValue(Seeds) ?? 3, result.GetValue(Steps), result.GetValue(Param), result.GetValue(Shard) ?? SweepShard.All,
                result.GetValue(Out) ?? "sweep", result.GetValue(Quick), result.InvocationConfiguration.Output));
        }
    }

    private static int Run(string model, IReadOnlyList<int>? widths, IReadOnlyList<int>? depths, (int From, int To) lr, int seeds, int? steps,
        IReadOnlyList<string>? param, SweepShard shard, string dir, bool quick, TextWriter output)
    {
        if ((widths is null) == (depths is null))
            throw new CliUsageException("--widths", "give exactly one of --widths LIST and --depths LIST.");
        var axis = widths is not null ? SweepAxis.Width : SweepAxis.Depth;
        if (axis == SweepAxis.Depth && model == "mlp")
            throw new CliUsageException("--depths", "the mlp model has no depth: sweep --widths, or use --model gpt for depths.");
        var parametrizations = param ?? (axis == SweepAxis.Width ? new[] { "mup", "sp" } : new[] { "completep", "sp" });
        if (axis == SweepAxis.Width && model == "mlp" && parametrizations.Any(p => p is "completep" or "depthmup"))
            throw new CliUsageException("--param", "completep and depthmup are depth parametrizations; the mlp has no depth (use mup, sp).");
        int n = steps ?? CliModels.DefaultSteps(model, quick);
        var grid = new SweepGrid(parametrizations, axis, (widths ?? depths)!, lr.From, lr.To, seeds);
        var settings = CliModels.Settings(model, axis, n);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"sweep: {model}, {(axis == SweepAxis.Width ? "widths" : "depths")} {string.Join(",", grid.Sizes)}, log2 lr {lr.From}..{lr.To}, {seeds} seed(s), {string.Join(",", parametrizations)}, {n} steps, shard {shard}: {grid.ShardTrials(shard).Count} of {grid.Trials.Count} trials -> {Path.Combine(dir, TrialLog.FileName)}"));

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;       // a second Ctrl-C ends the process at once
            e.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("mupgen: stopping after the current trial (Ctrl-C again to abort it); finished trials are kept");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var (train, task) = CliModels.Trainer(model, n);
            using (task)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
                var run = SweepConsole.Show(console, output, CliModels.Cost,
                    progress => SweepRunner.Run(grid, shard, dir, settings, train, progress, cancel.Token));
                int diverged = run.Results.Count(r => r.Diverged);
                output.WriteLine(string.Create(inv, $"sweep: ran {run.Ran}, skipped {run.Skipped} already finished, {diverged} diverged; {run.Results.Count} of this shard's trials are in {Path.Combine(dir, TrialLog.FileName)}"));
                if (run.Stopped)
                {
                    output.WriteLine("sweep: interrupted; run the same command again to resume");
                    return Interrupted;
                }
                output.WriteLine($"next: mupgen report {dir}");
                return MupGenCli.Success;
            }
        }
        catch (InvalidOperationException e) when (e.Message.Contains("holds a sweep with other settings", StringComparison.Ordinal))
        {
            throw new CliUsageException("--out", e.Message);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
