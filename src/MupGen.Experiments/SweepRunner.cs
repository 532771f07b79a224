using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace MupGen.Experiments;

/// <summary>Receives a sweep's progress (the console display implements it; tests record it).</summary>
public interface ISweepProgress
{
    /// <summary>The sweep starts: <paramref name="pending"/> trials to run, <paramref name="alreadyDone"/> found in the
    /// trial file and skipped.</summary>
    void Started(IReadOnlyList<SweepTrial> pending, int alreadyDone);
    /// <summary>A trial starts.</summary>
    void TrialStarted(SweepTrial trial);
    /// <summary>A trial finished and was written to the trial file.</summary>
    void TrialFinished(TrialResult result);
}

/// <summary>What <see cref="SweepRunner.Run"/> did.</summary>
/// <param name="Results">Every result of the shard now in the trial file (found and new), in grid order.</param>
/// <param name="Ran">How many trials this call ran.</param>
/// <param name="Skipped">How many trials were already in the file.</param>
/// <param name="Stopped">True when the cancellation token stopped the sweep before the shard was complete.</param>
public sealed record SweepRun(IReadOnlyList<TrialResult> Results, int Ran, int Skipped, bool Stopped);

/// <summary>
/// Runs the trials of a sweep (or of one shard) with your training function, appending each finished trial to
/// <c>DIR/trials.jsonl</c> at once. Running it again on the same folder resumes: trials already in the file are
/// skipped. A non-finite loss is recorded as diverged. The settings that make the trial function (model, steps,
/// batch...) are kept in <c>DIR/sweep.json</c>; resuming with different settings is refused, so one file never mixes
/// two experiments.
/// </summary>
public static class SweepRunner
{
    /// <summary>The settings file's name inside a sweep folder.</summary>
    public const string SettingsFileName = "sweep.json";

    /// <summary>Runs the pending trials of a shard.</summary>
    /// <param name="grid">The sweep's grid.</param>
    /// <param name="shard">The shard to run (<see cref="SweepShard.All"/> for the whole sweep).</param>
    /// <param name="directory">The sweep folder (created if missing).</param>
    /// <param name="settings">What the training function depends on besides the key (e.g. model=mlp, steps=150);
    /// compared with the folder's <c>sweep.json</c> on resume.</param>
    /// <param name="train">The trial function: trial → final loss. It must be a pure function of the trial and the
    /// settings; seed it with <see cref="SweepTrial.TorchSeed"/>.</param>
    /// <param name="progress">Progress receiver, or null.</param>
    /// <param name="cancel">Stops the sweep between trials (the finished trials are kept).</param>
    /// <exception cref="InvalidOperationException">The folder holds a sweep with other settings.</exception>
    public static SweepRun Run(SweepGrid grid, SweepShard shard, string directory, IReadOnlyDictionary<string, string> settings,
        Func<SweepTrial, double> train, ISweepProgress? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(train);
        Directory.CreateDirectory(directory);
        CheckSettings(directory, settings);
        var trials = grid.ShardTrials(shard);
        var done = TrialLog.Read(directory).ToDictionary(r => r.Trial.Key, StringComparer.Ordinal);
        var pending = trials.Where(t => !done.ContainsKey(t.Key)).ToList();
        progress?.Started(pending, trials.Count - pending.Count);
        int ran = 0;
        bool stopped = false;
        foreach (var trial in pending)
        {
            if (cancel.IsCancellationRequested) { stopped = true; break; }
            progress?.TrialStarted(trial);
            var watch = Stopwatch.StartNew();
            double loss = train(trial);
            var result = TrialResult.FromLoss(trial, loss, watch.Elapsed.TotalSeconds);
            TrialLog.Append(directory, result);
            done[trial.Key] = result;
            ran++;
            progress?.TrialFinished(result);
        }
        var results = trials.Where(t => done.ContainsKey(t.Key)).Select(t => done[t.Key]).ToList();
        return new SweepRun(results, ran, trials.Count - pending.Count, stopped);
    }

    private static void CheckSettings(string directory, IReadOnlyDictionary<string, string> settings)
    {
        string path = Path.Combine(directory, SettingsFileName);
        var sorted = settings.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (File.Exists(path))
        {
            Dictionary<string, string>? existing;
            try { existing = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)); }
            catch (JsonException e) { throw new InvalidOperationException($"{path} is not a sweep settings file ({e.Message}); use another --out folder.", e); }
            existing ??= new Dictionary<string, string>();
            var diff = sorted.Where(p => !existing.TryGetValue(p.Key, out var v) || v != p.Value).Select(p => p.Key)
                .Concat(existing.Keys.Where(k => !settings.ContainsKey(k))).Distinct().ToList();
            if (diff.Count > 0)
                throw new InvalidOperationException($"{directory} holds a sweep with other settings ({string.Join(", ", diff.Select(k => k + ": " + (existing.TryGetValue(k, out var v) ? v : "(none)") + " there, " + (settings.TryGetValue(k, out var n) ? n : "(none)") + " now"))}); "
                    + "its trials would not be comparable. Use another --out folder, or the same settings to resume.");
            return;
        }
        var sb = new StringBuilder("{\n");
        for (int i = 0; i < sorted.Count; i++)
            sb.Append("  ").Append(JsonSerializer.Serialize(sorted[i].Key)).Append(": ").Append(JsonSerializer.Serialize(sorted[i].Value)).Append(i + 1 < sorted.Count ? ",\n" : "\n");
        sb.Append("}\n");
        File.WriteAllText(path, sb.ToString());
    }
}
