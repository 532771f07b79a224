using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Spectre.Console;

namespace MupGen.Experiments;

/// <summary>
/// The terminal display of a sweep, drawn with Spectre.Console: a progress bar with trials done, the current trial,
/// the elapsed time and an ETA. When the output is not an interactive terminal (redirected, or the <c>CI</c>
/// variable is set) it prints one plain line per finished trial instead, with the same counts and ETA.
/// The ETA weighs each trial by a cost estimate (e.g. width² for width sweeps), so that the few wide trials are not
/// counted like the many narrow ones.
/// </summary>
public static class SweepConsole
{
    /// <summary>True when the progress bar can be drawn: output to a terminal (not redirected), an interactive
    /// session, and no <c>CI</c> variable.</summary>
    public static bool Interactive(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return console.Profile.Out.IsTerminal && console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
    }

    /// <summary>Runs <paramref name="run"/> (which calls <see cref="SweepRunner.Run"/> with the progress receiver it is
    /// given) under the display.</summary>
    /// <param name="console">The console (e.g. <c>AnsiConsole.Console</c>).</param>
    /// <param name="plain">Where plain lines go when the console is not interactive.</param>
    /// <param name="cost">The relative cost of a trial (for the ETA).</param>
    /// <param name="run">The sweep.</param>
    public static T Show<T>(IAnsiConsole console, TextWriter plain, Func<SweepTrial, double> cost, Func<ISweepProgress, T> run)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(plain);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(run);
        if (!Interactive(console))
            return run(new PlainProgress(plain, cost));
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("sweep", autoStart: true, maxValue: 1);
                result = run(new BarProgress(task, cost));
            });
        return result;
    }

    /// <summary>The shared bookkeeping: counts, cost done, ETA from the cost rate so far.</summary>
    private abstract class Counter : ISweepProgress
    {
        private readonly Func<SweepTrial, double> cost;
        private readonly System.Diagnostics.Stopwatch watch = new();
        protected int Total, Done, Diverged;
        protected double CostTotal, CostDone;

        protected Counter(Func<SweepTrial, double> cost) => this.cost = cost;

        public virtual void Started(IReadOnlyList<SweepTrial> pending, int alreadyDone)
        {
            Total = pending.Count;
            CostTotal = pending.Sum(t => Math.Max(cost(t), 1e-9));
            watch.Start();
        }

        public abstract void TrialStarted(SweepTrial trial);

        public virtual void TrialFinished(TrialResult result)
        {
            Done++;
            if (result.Diverged) Diverged++;
            CostDone += Math.Max(cost(result.Trial), 1e-9);
        }

        protected TimeSpan? Eta => CostDone > 0 ? TimeSpan.FromSeconds(watch.Elapsed.TotalSeconds * (CostTotal - CostDone) / CostDone) : null;

        protected static string Format(TimeSpan? t) => t is { } v
            ? (v.TotalHours >= 1 ? ((int)v.TotalHours).ToString(CultureInfo.InvariantCulture) + "h" + v.Minutes.ToString("00", CultureInfo.InvariantCulture) + "m"
               : ((int)v.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m" + v.Seconds.ToString("00", CultureInfo.InvariantCulture) + "s")
            : "?";
    }

    private sealed class PlainProgress : Counter
    {
        private readonly TextWriter writer;

        public PlainProgress(TextWriter writer, Func<SweepTrial, double> cost) : base(cost) => this.writer = writer;

        public override void Started(IReadOnlyList<SweepTrial> pending, int alreadyDone)
        {
            base.Started(pending, alreadyDone);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sweep: {pending.Count} trials to run, {alreadyDone} already in the trial file"));
        }

        public override void TrialStarted(SweepTrial trial) { }

        public override void TrialFinished(TrialResult result)
        {
            base.TrialFinished(result);
            string outcome = result.Diverged ? "diverged" : "loss " + result.Loss.ToString("0.0000", CultureInfo.InvariantCulture);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Done}/{Total}] {result.Trial}: {outcome} ({result.Seconds:0.0} s, ETA {Format(Eta)})"));
            writer.Flush();
        }
    }

    private sealed class BarProgress : Counter
    {
        private readonly ProgressTask task;

        public BarProgress(ProgressTask task, Func<SweepTrial, double> cost) : base(cost) => this.task = task;

        public override void Started(IReadOnlyList<SweepTrial> pending, int alreadyDone)
        {
            base.Started(pending, alreadyDone);
            task.MaxValue = Math.Max(CostTotal, 1e-9);
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"0/{Total} trials ({alreadyDone} resumed)"));
            if (pending.Count == 0)
                task.Value = task.MaxValue;
        }

        public override void TrialStarted(SweepTrial trial)
            => task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{Done}/{Total} done, {Diverged} diverged | {trial}"));

        public override void TrialFinished(TrialResult result)
        {
            base.TrialFinished(result);
            task.Value = CostDone;
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{Done}/{Total} done, {Diverged} diverged | last {result.Trial}"));
        }
    }
}
