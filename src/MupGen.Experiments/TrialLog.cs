using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace MupGen.Experiments;

/// <summary>A finished trial: its key, its loss, and whether it diverged.</summary>
/// <param name="Trial">The trial.</param>
/// <param name="Loss">The final loss; NaN when it diverged.</param>
/// <param name="Diverged">True when training produced a NaN or infinite loss.</param>
/// <param name="Seconds">How long the trial took (informational; not part of the result's identity).</param>
public sealed record TrialResult(SweepTrial Trial, double Loss, bool Diverged, double Seconds)
{
    /// <summary>A result from a training function's loss: a non-finite loss is recorded as diverged.</summary>
    public static TrialResult FromLoss(SweepTrial trial, double loss, double seconds)
        => double.IsFinite(loss) ? new TrialResult(trial, loss, false, seconds) : new TrialResult(trial, double.NaN, true, seconds);

    /// <summary>True when both results are of the same trial with the same outcome (the loss compared bit for bit;
    /// <see cref="Seconds"/> ignored).</summary>
    public bool SameOutcome(TrialResult other)
        => other is not null && other.Trial == Trial && other.Diverged == Diverged && (Diverged || BitConverter.DoubleToInt64Bits(other.Loss) == BitConverter.DoubleToInt64Bits(Loss));
}

/// <summary>
/// The append-only trial file of a sweep, <c>DIR/trials.jsonl</c>: one JSON object per finished trial and line,
/// <c>{"key":"mup/width=256/log2_lr=-7/seed=1","param":"mup","width":256,"log2_lr":-7,"seed":1,"loss":0.4312,"diverged":false,"seconds":1.2}</c>
/// (<c>depth</c> instead of <c>width</c> in a depth sweep; <c>loss</c> is null when diverged). Each line is written
/// with one call and flushed to disk before the next trial starts, so a killed process loses at most the trial it
/// was running; a line cut short by the kill is ignored when the file is read, and the next append starts a fresh
/// line.
/// </summary>
public static class TrialLog
{
    /// <summary>The trial file's name inside a sweep folder.</summary>
    public const string FileName = "trials.jsonl";

    /// <summary>Reads a trial file (or every <c>trials.jsonl</c> of a folder). Lines that are not a complete trial
    /// object (a line cut short by a killed process) are skipped and counted in <paramref name="skipped"/>. A key
    /// that appears twice keeps its first result.</summary>
    public static IReadOnlyList<TrialResult> Read(string path, out int skipped)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            path = Path.Combine(path, FileName);
        skipped = 0;
        var results = new List<TrialResult>();
        if (!File.Exists(path))
            return results;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllText(path, Encoding.UTF8).Split('\n'))
        {
            if (line.Trim().Length == 0)
                continue;
            var result = Parse(line);
            if (result is null) { skipped++; continue; }
            if (seen.Add(result.Trial.Key))
                results.Add(result);
        }
        return results;
    }

    /// <summary>Reads a trial file; see <see cref="Read(string, out int)"/>.</summary>
    public static IReadOnlyList<TrialResult> Read(string path) => Read(path, out _);

    /// <summary>Parses one line, or returns null if it is not a complete trial object.</summary>
    public static TrialResult? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        try
        {
            using var doc = JsonDocument.Parse(line);
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object)
                return null;
            string param = o.GetProperty("param").GetString() ?? throw new FormatException();
            var axis = o.TryGetProperty("width", out var w) ? SweepAxis.Width : SweepAxis.Depth;
            int size = axis == SweepAxis.Width ? w.GetInt32() : o.GetProperty("depth").GetInt32();
            var trial = new SweepTrial(param, axis, size, o.GetProperty("log2_lr").GetInt32(), o.GetProperty("seed").GetInt32());
            bool diverged = o.GetProperty("diverged").GetBoolean();
            var lossElement = o.GetProperty("loss");
            double loss = lossElement.ValueKind == JsonValueKind.Null ? double.NaN : lossElement.GetDouble();
            if (!diverged && !double.IsFinite(loss))
                return null;
            double seconds = o.TryGetProperty("seconds", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 0;
            return new TrialResult(trial, diverged ? double.NaN : loss, diverged, seconds);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>One line of the file (without the newline), invariant and deterministic: the loss is written with
    /// the shortest round-trip representation, so reading it back gives the same double.</summary>
    public static string Format(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var t = result.Trial;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(160);
        sb.Append("{\"key\":").Append(JsonSerializer.Serialize(t.Key))
          .Append(",\"param\":").Append(JsonSerializer.Serialize(t.Param))
          .Append(",\"").Append(t.SizeField).Append("\":").Append(t.Size.ToString(inv))
          .Append(",\"log2_lr\":").Append(t.Log2Lr.ToString(inv))
          .Append(",\"seed\":").Append(t.Seed.ToString(inv))
          .Append(",\"loss\":").Append(result.Diverged ? "null" : result.Loss.ToString("R", inv))
          .Append(",\"diverged\":").Append(result.Diverged ? "true" : "false")
          .Append(",\"seconds\":").Append(Math.Round(result.Seconds, 3).ToString("R", inv))
          .Append('}');
        return sb.ToString();
    }

    /// <summary>Appends one result to <c>DIR/trials.jsonl</c> (creating the folder) and flushes it to disk. If the
    /// file ends in a line cut short by a killed process, the new line starts after a newline, so the cut line stays
    /// a line of its own and is skipped by <see cref="Read(string, out int)"/>.</summary>
    public static void Append(string directory, TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        bool needsNewline = false;
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            needsNewline = stream.ReadByte() != '\n';
        }
        stream.Seek(0, SeekOrigin.End);
        var bytes = Encoding.UTF8.GetBytes((needsNewline ? "\n" : "") + Format(result) + "\n");
        stream.Write(bytes, 0, bytes.Length);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Merges the results of several trial files (shards of one sweep) into grid order, each key once.</summary>
    /// <exception cref="InvalidOperationException">A key has two different outcomes in different files (the files
    /// are not from the same sweep settings); the message names the key.</exception>
    public static IReadOnlyList<TrialResult> Merge(IEnumerable<IReadOnlyList<TrialResult>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var byKey = new Dictionary<string, TrialResult>(StringComparer.Ordinal);
        foreach (var file in files)
            foreach (var r in file)
            {
                if (byKey.TryGetValue(r.Trial.Key, out var existing))
                {
                    if (!existing.SameOutcome(r))
                        throw new InvalidOperationException($"trial {r.Trial.Key} has two different results ({Describe(existing)} and {Describe(r)}): the files come from sweeps with different settings (model, steps, batch).");
                    continue;
                }
                byKey[r.Trial.Key] = r;
            }
        return byKey.Values.OrderBy(r => r.Trial.Axis).ThenBy(r => r.Trial.Size).ThenBy(r => r.Trial.Param, StringComparer.Ordinal)
            .ThenBy(r => r.Trial.Log2Lr).ThenBy(r => r.Trial.Seed).ToList();
    }

    private static string Describe(TrialResult r) => r.Diverged ? "diverged" : "loss " + r.Loss.ToString("R", CultureInfo.InvariantCulture);
}
