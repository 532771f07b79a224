using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Xunit;

namespace MupGen.Experiments.Tests;

/// <summary>Trial files, resume, shards, diverged trials and reports, with a synthetic trial function (a pure function
/// of the key, so that any two runs of a key agree bit for bit).</summary>
public sealed class SweepRunnerTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mupgen-sweep-" + Guid.NewGuid().ToString("N"));
    private static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string> { ["model"] = "synthetic", ["steps"] = "1" };

    public void Dispose()
    {
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
    }

    private string Dir(string name) => Path.Combine(root, name);

    private static SweepGrid Grid() => new(new[] { "mup", "sp" }, SweepAxis.Width, new[] { 64, 256, 1024 }, -10, -4, 2);

    // µP: optimum at -7 for every width; SP: -7 - log2(width/64)/2. A seed-dependent offset from the key's torch seed;
    // SP at width 1024 and lr 2^-4 diverges.
    private static double Synthetic(SweepTrial t)
    {
        double opt = t.Param == "mup" ? -7.2 : -7.2 - Math.Log2(t.Size / 64.0) / 2;
        if (t.Param == "sp" && t.Size == 1024 && t.Log2Lr == -4)
            return double.NaN;
        return Math.Pow(t.Log2Lr - opt, 2) + 64.0 / t.Size + (t.TorchSeed % 1000) * 1e-6;
    }

    private static IReadOnlyList<string> Lines(string dir) => File.ReadAllLines(Path.Combine(dir, TrialLog.FileName));

    private static void AssertSameResults(IReadOnlyList<TrialResult> expected, IReadOnlyList<TrialResult> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].SameOutcome(actual[i]), $"trial {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void A_full_run_writes_one_parseable_line_per_trial_in_grid_order()
    {
        var run = SweepRunner.Run(Grid(), SweepShard.All, Dir("full"), Settings, Synthetic);
        Assert.Equal(84, run.Ran);                     // 2 params x 3 widths x 7 lrs x 2 seeds
        Assert.Equal(0, run.Skipped);
        var lines = Lines(Dir("full"));
        Assert.Equal(84, lines.Count);
        Assert.StartsWith("{\"key\":\"mup/width=64/log2_lr=-10/seed=0\",\"param\":\"mup\",\"width\":64,\"log2_lr\":-10,\"seed\":0,\"loss\":", lines[0]);
        var read = TrialLog.Read(Dir("full"));
        AssertSameResults(run.Results, read);
        Assert.Equal(Grid().Trials, read.Select(r => r.Trial));
        Assert.True(File.Exists(Path.Combine(Dir("full"), SweepRunner.SettingsFileName)));
    }

    [Fact]
    public void Diverged_trials_are_recorded_as_diverged_with_a_null_loss()
    {
        var run = SweepRunner.Run(Grid(), SweepShard.All, Dir("div"), Settings, Synthetic);
        var diverged = run.Results.Where(r => r.Diverged).ToList();
        Assert.Equal(2, diverged.Count);               // sp, width 1024, lr 2^-4, two seeds
        Assert.All(diverged, d => Assert.Equal(("sp", 1024, -4), (d.Trial.Param, d.Trial.Size, d.Trial.Log2Lr)));
        var line = Lines(Dir("div")).Single(l => l.Contains("\"key\":\"sp/width=1024/log2_lr=-4/seed=1\"", StringComparison.Ordinal));
        Assert.Contains("\"loss\":null,\"diverged\":true", line);
        Assert.True(TrialLog.Read(Dir("div")).Single(r => r.Trial.Key == "sp/width=1024/log2_lr=-4/seed=1").Diverged);
    }

    [Fact]
    public void An_interrupted_sweep_resumes_to_exactly_the_uninterrupted_result()
    {
        var full = SweepRunner.Run(Grid(), SweepShard.All, Dir("a"), Settings, Synthetic);

        // Stop after 30 trials (as Ctrl-C does: between trials), then resume.
        using var cancel = new CancellationTokenSource();
        var progress = new StopAfter(30, cancel);
        var first = SweepRunner.Run(Grid(), SweepShard.All, Dir("b"), Settings, Synthetic, progress, cancel.Token);
        Assert.True(first.Stopped);
        Assert.Equal(30, first.Ran);
        Assert.Equal(30, Lines(Dir("b")).Count);
        var keys = new List<string>();
        var second = SweepRunner.Run(Grid(), SweepShard.All, Dir("b"), Settings, t => { keys.Add(t.Key); return Synthetic(t); });
        Assert.Equal(30, second.Skipped);
        Assert.Equal(54, second.Ran);
        Assert.DoesNotContain(first.Results.Select(r => r.Trial.Key), keys.Contains);   // nothing ran twice
        AssertSameResults(full.Results, second.Results);
        AssertSameResults(full.Results, TrialLog.Merge(new[] { TrialLog.Read(Dir("b")) }));
    }

    [Fact]
    public void A_line_cut_short_by_a_killed_process_is_ignored_and_its_trial_reruns()
    {
        var full = SweepRunner.Run(Grid(), SweepShard.All, Dir("ref"), Settings, Synthetic);
        string dir = Dir("killed");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(Dir("ref"), SweepRunner.SettingsFileName), Path.Combine(dir, SweepRunner.SettingsFileName));
        var lines = Lines(Dir("ref"));
        // 20 complete lines, then the 21st cut in the middle of its loss, without a newline.
        File.WriteAllText(Path.Combine(dir, TrialLog.FileName), string.Join("\n", lines.Take(20)) + "\n" + lines[20][..(lines[20].Length - 25)], new UTF8Encoding(false));
        Assert.Equal(20, TrialLog.Read(dir, out int skipped).Count);
        Assert.Equal(1, skipped);
        var resumed = SweepRunner.Run(Grid(), SweepShard.All, dir, Settings, Synthetic);
        Assert.Equal(64, resumed.Ran);                  // the cut trial and every later one
        AssertSameResults(full.Results, resumed.Results);
        var read = TrialLog.Read(dir, out skipped);
        Assert.Equal(1, skipped);                       // the cut line stays a line of its own, still skipped
        AssertSameResults(full.Results, TrialLog.Merge(new[] { read }));
    }

    [Fact]
    public void Two_shards_merged_equal_the_unsharded_run_trial_for_trial()
    {
        var full = SweepRunner.Run(Grid(), SweepShard.All, Dir("all"), Settings, Synthetic);
        var s0 = SweepRunner.Run(Grid(), new SweepShard(0, 2), Dir("s0"), Settings, Synthetic);
        var s1 = SweepRunner.Run(Grid(), new SweepShard(1, 2), Dir("s1"), Settings, Synthetic);
        Assert.Equal(42, s0.Ran);
        Assert.Equal(42, s1.Ran);
        Assert.Empty(s0.Results.Select(r => r.Trial.Key).Intersect(s1.Results.Select(r => r.Trial.Key)));
        var merged = TrialLog.Merge(new[] { TrialLog.Read(Dir("s1")), TrialLog.Read(Dir("s0")) });
        AssertSameResults(full.Results, merged);
        Assert.Equal(SweepReport.Build(full.Results).ToJson(), SweepReport.Build(merged).ToJson());
    }

    [Fact]
    public void Shards_are_a_deterministic_partition_of_the_grid()
    {
        var grid = Grid();
        var shards = Enumerable.Range(0, 5).Select(i => grid.ShardTrials(new SweepShard(i, 5))).ToList();
        Assert.Equal(grid.Trials.Count, shards.Sum(s => s.Count));
        Assert.Equal(grid.Trials.Select(t => t.Key).OrderBy(k => k, StringComparer.Ordinal), shards.SelectMany(s => s).Select(t => t.Key).OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(shards[3], Grid().ShardTrials(SweepShard.Parse("3/5")));
        Assert.Throws<FormatException>(() => SweepShard.Parse("5/5"));
        Assert.Throws<FormatException>(() => SweepShard.Parse("1/0"));
        Assert.Throws<FormatException>(() => SweepShard.Parse("a/2"));
    }

    [Fact]
    public void Merging_files_that_disagree_on_a_trial_names_the_key()
    {
        var t = new SweepTrial("mup", SweepAxis.Width, 64, -7, 0);
        var e = Assert.Throws<InvalidOperationException>(() => TrialLog.Merge(new[]
        {
            (IReadOnlyList<TrialResult>)new[] { TrialResult.FromLoss(t, 1.0, 0) },
            new[] { TrialResult.FromLoss(t, 1.5, 0) },
        }));
        Assert.Contains("mup/width=64/log2_lr=-7/seed=0", e.Message);
    }

    [Fact]
    public void Resuming_with_other_settings_is_refused()
    {
        SweepRunner.Run(Grid(), new SweepShard(0, 4), Dir("set"), Settings, Synthetic);
        var other = new Dictionary<string, string> { ["model"] = "synthetic", ["steps"] = "2" };
        var e = Assert.Throws<InvalidOperationException>(() => SweepRunner.Run(Grid(), SweepShard.All, Dir("set"), other, Synthetic));
        Assert.Contains("steps: 1 there, 2 now", e.Message);
    }

    [Fact]
    public void Trial_seed_comes_from_the_key_and_is_shared_across_params_sizes_and_lrs()
    {
        var a = new SweepTrial("mup", SweepAxis.Width, 64, -7, 1);
        Assert.Equal(a.TorchSeed, new SweepTrial("sp", SweepAxis.Width, 1024, -3, 1).TorchSeed);
        Assert.NotEqual(a.TorchSeed, new SweepTrial("mup", SweepAxis.Width, 64, -7, 2).TorchSeed);
        Assert.InRange(a.TorchSeed, 0, int.MaxValue);
        Assert.Equal("mup/width=64/log2_lr=-7/seed=1", a.Key);
        Assert.Equal("completep/depth=8/log2_lr=-7/seed=0", new SweepTrial("completep", SweepAxis.Depth, 8, -7, 0).Key);
    }

    [Fact]
    public void Report_finds_the_known_vertices_and_shifts()
    {
        var run = SweepRunner.Run(Grid(), SweepShard.All, Dir("rep"), Settings, Synthetic);
        var report = SweepReport.Build(run.Results);
        var mup = report.Params.Single(p => p.Param == "mup");
        var sp = report.Params.Single(p => p.Param == "sp");
        Assert.All(mup.Sizes, s => Assert.Equal(-7.2, s.VertexLog2Lr!.Value, 10));   // exact parabolas (+ constants)
        Assert.Equal(0.0, mup.Shift!.Value, 10);
        Assert.Equal(-2.0, sp.Shift!.Value, 10);
        Assert.Equal(-7, sp.Sizes[0].ArgminLog2Lr);
        Assert.Equal(-9, sp.Sizes[2].ArgminLog2Lr);
        Assert.Equal(2, report.Diverged);
        Assert.Equal(0, report.Missing);
        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());
        Assert.Equal(-9, json.RootElement.GetProperty("sp").GetProperty("1024").GetProperty("argmin_log2_lr").GetInt32());
        Assert.Equal(-9.2, json.RootElement.GetProperty("sp").GetProperty("1024").GetProperty("vertex_log2_lr").GetDouble(), 10);
        Assert.Equal(-2.0, json.RootElement.GetProperty("sp").GetProperty("shift").GetDouble(), 10);
        Assert.Contains("sp: vertex shift -2.00 octave from width 64 to 1024", report.Format());
    }

    [Fact]
    public void Plain_progress_prints_counts_and_an_eta_per_trial()
    {
        var writer = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(writer) });
        Assert.False(SweepConsole.Interactive(console));
        var small = new SweepGrid(new[] { "mup" }, SweepAxis.Width, new[] { 64 }, -8, -6, 1);
        SweepConsole.Show(console, writer, t => 1, p => SweepRunner.Run(small, SweepShard.All, Dir("plain"), Settings, Synthetic, p));
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sweep: 3 trials to run, 0 already in the trial file", lines[0]);
        Assert.StartsWith("[1/3] mup width=64 lr=2^-8 seed=0: loss ", lines[1]);
        Assert.Contains("ETA ", lines[3]);
    }

    private sealed class StopAfter : ISweepProgress
    {
        private readonly int n;
        private readonly CancellationTokenSource cancel;
        private int done;

        public StopAfter(int n, CancellationTokenSource cancel) { this.n = n; this.cancel = cancel; }

        public void Started(IReadOnlyList<SweepTrial> pending, int alreadyDone) { }

        public void TrialStarted(SweepTrial trial) { }

        public void TrialFinished(TrialResult result)
        {
            if (++done == n) cancel.Cancel();
        }
    }
}
