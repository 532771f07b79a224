using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MupGen.Experiments;

/// <summary>What a sweep varies besides the learning rate: the width or the depth.</summary>
public enum SweepAxis
{
    /// <summary>Widths (µP transfer); the trial file's field is <c>width</c>.</summary>
    Width,
    /// <summary>Depths (CompleteP / Depth-µP transfer); the trial file's field is <c>depth</c>.</summary>
    Depth,
}

/// <summary>One trial of a sweep: its key. A trial is a pure function of its key (and of the sweep's fixed settings
/// such as the model and the number of steps): the same key always gives the same loss.</summary>
/// <param name="Param">The parametrization: <c>mup</c>, <c>sp</c>, <c>completep</c> or <c>depthmup</c> (or any name
/// your training function understands).</param>
/// <param name="Axis">Whether <paramref name="Size"/> is a width or a depth.</param>
/// <param name="Size">The width or depth.</param>
/// <param name="Log2Lr">The learning rate's log2 (an integer: the grid is in octaves).</param>
/// <param name="Seed">The seed index (0, 1, ...); see <see cref="TorchSeed"/> for the seed the trial sets.</param>
public sealed record SweepTrial(string Param, SweepAxis Axis, int Size, int Log2Lr, int Seed)
{
    /// <summary>The learning rate, 2^<see cref="Log2Lr"/>.</summary>
    public double LearningRate => Math.ScaleB(1.0, Log2Lr);

    /// <summary>The field name of the size in the trial file: <c>width</c> or <c>depth</c>.</summary>
    public string SizeField => Axis == SweepAxis.Width ? "width" : "depth";

    /// <summary>The trial's key, e.g. <c>mup/width=256/log2_lr=-7/seed=1</c>: unique within a sweep.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Param}/{SizeField}={Size}/log2_lr={Log2Lr}/seed={Seed}");

    /// <summary>The seed the trial passes to <c>torch.manual_seed</c>, derived from the key: a 31-bit FNV-1a hash of
    /// <c>seed=&lt;Seed&gt;</c>. It deliberately leaves out the parametrization, size and learning rate, so that all
    /// trials of one seed index share their data order and (at the base size, where µP equals SP) their
    /// initialisation: the comparisons between learning rates and parametrizations then use common random numbers.</summary>
    public long TorchSeed => Fnv1a("seed=" + Seed.ToString(CultureInfo.InvariantCulture)) & 0x7FFF_FFFF;

    /// <summary>A readable description, e.g. <c>mup width=256 lr=2^-7 seed=1</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Param} {SizeField}={Size} lr=2^{Log2Lr} seed={Seed}");

    internal static long Fnv1a(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return (long)(h >> 1);
    }
}

/// <summary>A shard of a sweep: trial number k (in <see cref="SweepGrid.Trials"/> order) belongs to shard
/// k mod <see cref="Count"/>. Shards are disjoint and together hold every trial.</summary>
/// <param name="Index">This shard, 0 ≤ Index &lt; Count (a Slurm array task id or a Kubernetes job completion index).</param>
/// <param name="Count">The number of shards.</param>
public readonly record struct SweepShard(int Index, int Count)
{
    /// <summary>The whole sweep as one shard.</summary>
    public static SweepShard All => new(0, 1);

    /// <summary>Parses <c>i/n</c> (0 ≤ i &lt; n).</summary>
    /// <exception cref="FormatException">The text is not i/n with 0 ≤ i &lt; n; the message says what is expected.</exception>
    public static SweepShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || n < 1 || i >= n)
            throw new FormatException($"a shard is I/N with 0 <= I < N, e.g. 0/4 (got '{text}').");
        return new SweepShard(i, n);
    }

    /// <summary>True if the trial with this position in the grid belongs to the shard.</summary>
    public bool Contains(int position) => position % Count == Index;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}

/// <summary>The grid of a sweep: parametrizations × sizes × integer log2 learning rates × seeds.</summary>
public sealed record SweepGrid
{
    /// <summary>Creates a grid.</summary>
    /// <param name="parametrizations">e.g. <c>mup, sp</c> (distinct, non-empty names without '/').</param>
    /// <param name="axis">Width or depth.</param>
    /// <param name="sizes">The widths or depths (positive, distinct).</param>
    /// <param name="log2LrFrom">The first log2 learning rate.</param>
    /// <param name="log2LrTo">The last log2 learning rate (inclusive, at least <paramref name="log2LrFrom"/>).</param>
    /// <param name="seeds">How many seeds (seed indices 0 .. seeds-1).</param>
    /// <exception cref="ArgumentException">An input is out of range; the message names it.</exception>
    public SweepGrid(IEnumerable<string> parametrizations, SweepAxis axis, IEnumerable<int> sizes, int log2LrFrom, int log2LrTo, int seeds)
    {
        var p = (parametrizations ?? throw new ArgumentNullException(nameof(parametrizations))).ToArray();
        if (p.Length == 0 || p.Any(string.IsNullOrWhiteSpace) || p.Any(x => x.Contains('/')) || p.Distinct(StringComparer.Ordinal).Count() != p.Length)
            throw new ArgumentException("Parametrizations must be distinct non-empty names without '/'.", nameof(parametrizations));
        var s = (sizes ?? throw new ArgumentNullException(nameof(sizes))).ToArray();
        if (s.Length == 0 || s.Any(v => v < 1) || s.Distinct().Count() != s.Length)
            throw new ArgumentException("Sizes must be positive and distinct, at least one.", nameof(sizes));
        if (log2LrTo < log2LrFrom)
            throw new ArgumentException($"The learning-rate grid {log2LrFrom}:{log2LrTo} is empty (A:B needs A <= B).", nameof(log2LrTo));
        if (seeds < 1)
            throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "At least one seed is needed.");
        Parametrizations = p;
        Axis = axis;
        Sizes = s.OrderBy(v => v).ToArray();
        Log2LrFrom = log2LrFrom;
        Log2LrTo = log2LrTo;
        Seeds = seeds;
    }

    /// <summary>The parametrizations, in the order given.</summary>
    public IReadOnlyList<string> Parametrizations { get; }
    /// <summary>Width or depth.</summary>
    public SweepAxis Axis { get; }
    /// <summary>The sizes, ascending.</summary>
    public IReadOnlyList<int> Sizes { get; }
    /// <summary>The first log2 learning rate.</summary>
    public int Log2LrFrom { get; }
    /// <summary>The last log2 learning rate (inclusive).</summary>
    public int Log2LrTo { get; }
    /// <summary>The number of seeds.</summary>
    public int Seeds { get; }

    /// <summary>Every trial in a fixed order: size ascending, then parametrization (as given), then log2 lr
    /// ascending, then seed. Shards and the progress display use this order.</summary>
    public IReadOnlyList<SweepTrial> Trials =>
        (from size in Sizes
         from param in Parametrizations
         from k in Enumerable.Range(Log2LrFrom, Log2LrTo - Log2LrFrom + 1)
         from seed in Enumerable.Range(0, Seeds)
         select new SweepTrial(param, Axis, size, k, seed)).ToList();

    /// <summary>The trials of one shard, in grid order.</summary>
    public IReadOnlyList<SweepTrial> ShardTrials(SweepShard shard) => Trials.Where((t, k) => shard.Contains(k)).ToList();
}
