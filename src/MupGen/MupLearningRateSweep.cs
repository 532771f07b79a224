using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MupGen;

/// <summary>
/// The result of a learning-rate sweep over sizes (widths or depths): the loss table and what it says about transfer.
/// Sizes and learning rates are in ascending order; a non-finite loss is stored as +∞ (diverged).
/// </summary>
public sealed record MupSweepResult
{
    /// <summary>What was swept, e.g. "µP" or "SP"; the table's and the plot panel's title.</summary>
    public string Label { get; }
    /// <summary>The size's short name in the table and legend: "w" for widths, "L" for depths.</summary>
    public string SizeName { get; }
    /// <summary>The sizes, ascending.</summary>
    public IReadOnlyList<int> Sizes { get; }
    /// <summary>The learning rates, ascending.</summary>
    public IReadOnlyList<double> LearningRates { get; }
    /// <summary><c>Losses[i][j]</c>: the loss of size <c>Sizes[i]</c> trained with <c>LearningRates[j]</c> (+∞ if it diverged).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Losses { get; }
    /// <summary>Per size, the index of its best learning rate (the first on a tie), or -1 if every one diverged.</summary>
    public IReadOnlyList<int> BestIndices { get; }
    /// <summary>Per size, its best learning rate (NaN if every one diverged).</summary>
    public IReadOnlyList<double> BestLearningRates { get; }
    /// <summary>Per size, its lowest loss (+∞ if every learning rate diverged).</summary>
    public IReadOnlyList<double> BestLosses { get; }
    /// <summary>log2(best lr of the largest size / best lr of the smallest): grid steps on a grid of powers of 2.
    /// Under µP it stays near 0; under SP it falls as the size grows. NaN if either size diverged everywhere.</summary>
    public double Shift { get; }
    /// <summary>How many grid points the best learning rate moved from the smallest to the largest size (null if
    /// either size diverged everywhere).</summary>
    public int? ShiftSteps { get; }
    /// <summary>The loss of the largest size trained with the smallest size's best learning rate (NaN if the smallest
    /// size diverged everywhere).</summary>
    public double TransferredLoss { get; }
    /// <summary>Transfer in one number: <see cref="TransferredLoss"/> relative to the largest size's own best loss,
    /// minus 1 (0.042 = 4.2% worse than tuning the large model itself). NaN if either size diverged everywhere.</summary>
    public double TransferPenalty { get; }
    /// <summary>True if the best loss strictly decreases from each size to the next ("wider is better").</summary>
    public bool WiderIsBetter { get; }
    /// <summary>Per size, the sub-grid optimum: the vertex of the parabola through the best grid point and its two
    /// neighbours (in log2 lr), as the reference package's experiments report it. See <see cref="MupVertex"/>.</summary>
    public IReadOnlyList<MupVertex> Vertices { get; }
    /// <summary>True if every size's best grid point has a finite neighbour on each side (the optimum is bracketed);
    /// false means the grid must be widened before <see cref="VertexShift"/> can be trusted.</summary>
    public bool Bracketed { get; }
    /// <summary>Vertex log2 lr of the largest size minus that of the smallest, in octaves (NaN unless both are
    /// bracketed). Finer than <see cref="Shift"/>, which moves in whole grid steps.</summary>
    public double VertexShift { get; }

    /// <summary>Builds a result from a loss table (rows: sizes, columns: learning rates, in any order; both are
    /// sorted here). <see cref="MupLearningRateSweep"/>'s Run methods build it for you.</summary>
    public MupSweepResult(string label, string sizeName, IEnumerable<int> sizes, IEnumerable<double> learningRates,
        IEnumerable<IEnumerable<double>> losses)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(sizeName);
        var s = MupLearningRateSweep.ValidateSizes(sizes);
        var lr = MupLearningRateSweep.ValidateLearningRates(learningRates);
        ArgumentNullException.ThrowIfNull(losses);
        var rows = losses.Select(r => (r ?? throw new ArgumentException("A row of losses is null.", nameof(losses))).ToArray()).ToArray();
        if (rows.Length != s.Length || rows.Any(r => r.Length != lr.Length))
            throw new ArgumentException($"The loss table must have {s.Length} rows of {lr.Length} values (one per size and learning rate).", nameof(losses));
        var sizeOrder = Enumerable.Range(0, s.Length).OrderBy(i => s[i]).ToArray();
        var lrOrder = Enumerable.Range(0, lr.Length).OrderBy(j => lr[j]).ToArray();
        Label = label;
        SizeName = sizeName;
        Sizes = sizeOrder.Select(i => s[i]).ToArray();
        LearningRates = lrOrder.Select(j => lr[j]).ToArray();
        var table = sizeOrder.Select(i => lrOrder.Select(j => double.IsFinite(rows[i][j]) ? rows[i][j] : double.PositiveInfinity).ToArray()).ToArray();
        Losses = table;

        var best = table.Select(row => row.All(double.IsPositiveInfinity) ? -1 : Array.IndexOf(row, row.Min())).ToArray();
        BestIndices = best;
        BestLearningRates = best.Select(j => j < 0 ? double.NaN : LearningRates[j]).ToArray();
        BestLosses = best.Select((j, i) => j < 0 ? double.PositiveInfinity : table[i][j]).ToArray();
        int first = best[0], last = best[^1];
        bool defined = first >= 0 && last >= 0;
        Shift = defined ? Math.Log2(LearningRates[last] / LearningRates[first]) : double.NaN;
        ShiftSteps = defined ? last - first : null;
        TransferredLoss = first >= 0 ? table[^1][first] : double.NaN;
        TransferPenalty = defined ? TransferredLoss / BestLosses[^1] - 1 : double.NaN;
        WiderIsBetter = BestLosses.Zip(BestLosses.Skip(1)).All(p => p.Second < p.First);
        var log2 = LearningRates.Select(Math.Log2).ToArray();
        Vertices = table.Select(row => MupVertex.Estimate(log2, row)).ToArray();
        Bracketed = Vertices.All(v => v.Bracketed);
        VertexShift = Vertices[0].Bracketed && Vertices[^1].Bracketed ? Vertices[^1].Log2LearningRate - Vertices[0].Log2LearningRate : double.NaN;
    }

    /// <summary>The best learning rate of one size.</summary>
    public double BestLearningRate(int size) => BestLearningRates[IndexOf(size)];

    /// <summary>The lowest loss of one size.</summary>
    public double BestLoss(int size) => BestLosses[IndexOf(size)];

    private int IndexOf(int size)
    {
        for (int i = 0; i < Sizes.Count; i++)
            if (Sizes[i] == size)
                return i;
        throw new ArgumentException($"Size {size} was not swept.", nameof(size));
    }

    /// <summary>A plain-text table: a header of log2 learning rates, one row per size, <c>*</c> after each size's best
    /// loss, "inf" for a diverged run.</summary>
    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        string RowName(int size) => "   " + SizeName + "=" + size.ToString(inv);
        int prefix = Math.Max(14, Math.Max(("-- " + Label).Length, Sizes.Max(s => RowName(s).Length)) + 1);   // 14: "-- CompleteP" and "-- SP" line up
        var sb = new StringBuilder();
        sb.Append(("-- " + Label).PadRight(prefix));
        foreach (double lr in LearningRates)
            sb.Append(Math.Log2(lr).ToString("0.##", inv).PadLeft(7)).Append(' ');
        sb.AppendLine();
        for (int i = 0; i < Sizes.Count; i++)
        {
            sb.Append(RowName(Sizes[i]).PadRight(prefix));
            for (int j = 0; j < LearningRates.Count; j++)
            {
                double loss = Losses[i][j];
                sb.Append((double.IsFinite(loss) ? loss.ToString("0.000", inv) : "inf").PadLeft(7)).Append(j == BestIndices[i] ? '*' : ' ');
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

/// <summary>
/// µTransfer checked on your own model: train every (size, learning rate) of a grid with your training function and
/// see whether the best learning rate stays put as the model grows (widths under µP, depths under CompleteP).
/// </summary>
public static class MupLearningRateSweep
{
    /// <summary>Trains every size at every learning rate, smallest size first, and returns the table.</summary>
    /// <param name="sizes">Widths or depths, e.g. 64, 256, 1024 (positive, distinct; any order).</param>
    /// <param name="learningRates">The learning-rate grid, e.g. 2^-12 .. 2^-4 (positive, finite, distinct; any order).</param>
    /// <param name="train">Your training function: (size, lr) → final loss. Seed it inside so every run starts from
    /// the same initialisation. A NaN or infinite loss counts as diverged.</param>
    /// <param name="label">The result's label, e.g. "µP" or "SP".</param>
    /// <param name="sizeName">The size's short name in tables and legends: "w" for widths, "L" for depths.</param>
    /// <param name="progress">Called after each run with (size, lr, loss), e.g. to print progress.</param>
    public static MupSweepResult Run(IEnumerable<int> sizes, IEnumerable<double> learningRates, Func<int, double, double> train,
        string label = "", string sizeName = "w", Action<int, double, double>? progress = null)
    {
        var s = ValidateSizes(sizes);
        var lr = ValidateLearningRates(learningRates);
        ArgumentNullException.ThrowIfNull(train);
        Array.Sort(s);
        Array.Sort(lr);
        var losses = new double[s.Length][];
        for (int i = 0; i < s.Length; i++)
        {
            losses[i] = new double[lr.Length];
            for (int j = 0; j < lr.Length; j++)
            {
                losses[i][j] = train(s[i], lr[j]);
                progress?.Invoke(s[i], lr[j], losses[i][j]);
            }
        }
        return new MupSweepResult(label, sizeName, s, lr, losses);
    }

    /// <summary>Trains every size at every learning rate with every seed and returns the table of seed-averaged
    /// losses (a size/lr pair where any seed diverged counts as diverged). Order: sizes ascending, then learning
    /// rates ascending, then seeds as given.</summary>
    /// <param name="sizes">Widths or depths (positive, distinct).</param>
    /// <param name="learningRates">The learning-rate grid (positive, finite, distinct).</param>
    /// <param name="seeds">The seeds (at least one, distinct); each run of <paramref name="train"/> seeds itself with it.</param>
    /// <param name="train">(size, lr, seed) → final loss; NaN or ∞ counts as diverged.</param>
    /// <param name="label">The result's label.</param>
    /// <param name="sizeName">"w" for widths, "L" for depths.</param>
    /// <param name="progress">Called after each run with (size, lr, seed, loss).</param>
    public static MupSweepResult Run(IEnumerable<int> sizes, IEnumerable<double> learningRates, IEnumerable<long> seeds,
        Func<int, double, long, double> train, string label = "", string sizeName = "w", Action<int, double, long, double>? progress = null)
    {
        var s = ValidateSizes(sizes);
        var lr = ValidateLearningRates(learningRates);
        var seedList = ValidateSeeds(seeds);
        ArgumentNullException.ThrowIfNull(train);
        return Run(s, lr, (size, rate) => MeanOverSeeds(size, rate, seedList, train, progress), label, sizeName);
    }

    /// <summary>Like <see cref="Run(IEnumerable{int}, IEnumerable{double}, IEnumerable{long}, Func{int, double, long, double}, string, string, Action{int, double, long, double}?)"/>
    /// on the grid 2^<paramref name="log2From"/> .. 2^<paramref name="log2To"/> (integer steps), widened one octave at
    /// a time on whichever side a size's best learning rate sits at the edge, until every size's optimum is
    /// bracketed (a finite point on each side of the best), so that <see cref="MupSweepResult.Vertices"/> are all
    /// interior. Every (size, lr, seed) is trained once.</summary>
    /// <param name="sizes">Widths or depths (positive, distinct).</param>
    /// <param name="log2From">The grid's first log2 learning rate.</param>
    /// <param name="log2To">The grid's last log2 learning rate (at least <paramref name="log2From"/> + 2).</param>
    /// <param name="seeds">The seeds; each (size, lr) loss is the mean over them.</param>
    /// <param name="train">(size, lr, seed) → final loss; NaN or ∞ counts as diverged.</param>
    /// <param name="label">The result's label.</param>
    /// <param name="sizeName">"w" for widths, "L" for depths.</param>
    /// <param name="maxWiden">How many octaves the grid may grow in total before giving up.</param>
    /// <param name="progress">Called after each run with (size, lr, seed, loss).</param>
    /// <exception cref="InvalidOperationException">The optimum is still at the grid's edge after
    /// <paramref name="maxWiden"/> octaves (the message names the size and the side).</exception>
    public static MupSweepResult RunBracketed(IEnumerable<int> sizes, int log2From, int log2To, IEnumerable<long> seeds,
        Func<int, double, long, double> train, string label = "", string sizeName = "w", int maxWiden = 6,
        Action<int, double, long, double>? progress = null)
    {
        var s = ValidateSizes(sizes);
        Array.Sort(s);
        var seedList = ValidateSeeds(seeds);
        ArgumentNullException.ThrowIfNull(train);
        if (log2To - log2From < 2)
            throw new ArgumentException($"The grid 2^{log2From}..2^{log2To} needs at least three points to bracket an optimum.", nameof(log2To));
        if (maxWiden < 0)
            throw new ArgumentOutOfRangeException(nameof(maxWiden), maxWiden, "maxWiden must not be negative.");
        var cache = new Dictionary<(int, int), double>();
        int from = log2From, to = log2To, widened = 0;
        while (true)
        {
            var grid = Enumerable.Range(from, to - from + 1).ToArray();
            var losses = s.Select(size => grid.Select(k =>
            {
                if (!cache.TryGetValue((size, k), out double loss))
                    cache[(size, k)] = loss = MeanOverSeeds(size, Math.ScaleB(1.0, k), seedList, train, progress);
                return loss;
            }).ToArray()).ToArray();
            var result = new MupSweepResult(label, sizeName, s, grid.Select(k => Math.ScaleB(1.0, k)), losses);
            var low = result.Vertices.Select((v, i) => (v, i)).Where(p => p.v.Index == 0).Select(p => s[p.i]).ToList();
            var high = result.Vertices.Select((v, i) => (v, i)).Where(p => p.v.Index == grid.Length - 1).Select(p => s[p.i]).ToList();
            var dead = result.Vertices.Select((v, i) => (v, i)).Where(p => p.v.Index < 0).Select(p => s[p.i]).ToList();
            if (dead.Count > 0)
                throw new InvalidOperationException($"{label}: {sizeName}={string.Join(", ", dead)} diverged at every learning rate 2^{from}..2^{to}; lower the grid.");
            if (low.Count == 0 && high.Count == 0 && result.Bracketed)
                return result;
            if (widened >= maxWiden)
                throw new InvalidOperationException($"{label}: the best learning rate of {sizeName}=" + string.Join(", ", low.Concat(high).Distinct())
                    + $" is still at the edge of the grid 2^{from}..2^{to} after widening it by {widened} octaves; the optimum is not bracketed. Start from another grid.");
            if (low.Count > 0) { from--; widened++; }
            if (high.Count > 0 && widened < maxWiden) { to++; widened++; }
            if (low.Count == 0 && high.Count == 0) { from--; to++; widened += 2; }   // a non-finite neighbour: look wider on both sides
        }
    }

    private static double MeanOverSeeds(int size, double lr, IReadOnlyList<long> seeds, Func<int, double, long, double> train,
        Action<int, double, long, double>? progress)
    {
        double sum = 0;
        foreach (long seed in seeds)
        {
            double loss = train(size, lr, seed);
            progress?.Invoke(size, lr, seed, loss);
            sum += double.IsFinite(loss) ? loss : double.PositiveInfinity;
        }
        return sum / seeds.Count;
    }

    internal static long[] ValidateSeeds(IEnumerable<long> seeds)
    {
        if (seeds is null)
            throw new ArgumentNullException(nameof(seeds));
        var s = seeds.ToArray();
        if (s.Length == 0)
            throw new ArgumentException("At least one seed is needed.", nameof(seeds));
        if (s.Distinct().Count() != s.Length)
            throw new ArgumentException("Seeds must be distinct (a seed is listed twice).", nameof(seeds));
        return s;
    }

    internal static int[] ValidateSizes(IEnumerable<int> sizes)
    {
        if (sizes is null)
            throw new ArgumentNullException(nameof(sizes));
        var s = sizes.ToArray();
        if (s.Length == 0)
            throw new ArgumentException("At least one size is needed.", nameof(sizes));
        if (s.Any(v => v <= 0))
            throw new ArgumentException("Sizes must be positive.", nameof(sizes));
        if (s.Distinct().Count() != s.Length)
            throw new ArgumentException("Sizes must be distinct (a size is listed twice).", nameof(sizes));
        return s;
    }

    internal static double[] ValidateLearningRates(IEnumerable<double> learningRates)
    {
        if (learningRates is null)
            throw new ArgumentNullException(nameof(learningRates));
        var lr = learningRates.ToArray();
        if (lr.Length == 0)
            throw new ArgumentException("At least one learning rate is needed.", nameof(learningRates));
        if (lr.Any(v => !(v > 0) || !double.IsFinite(v)))
            throw new ArgumentException("Learning rates must be positive and finite.", nameof(learningRates));
        if (lr.Distinct().Count() != lr.Length)
            throw new ArgumentException("Learning rates must be distinct (a learning rate is listed twice).", nameof(learningRates));
        return lr;
    }
}

/// <summary>
/// The sub-grid optimum of one loss curve over a log2 learning-rate grid: the vertex of the parabola through the best
/// grid point and its two neighbours, the estimate mup's experiments report. On a unimodal curve these are the three
/// best points.
/// </summary>
/// <param name="Index">The best grid point's index (-1 when every loss is non-finite).</param>
/// <param name="Log2LearningRate">The vertex's log2 learning rate; the best grid point's own when not bracketed
/// (NaN when every loss is non-finite). Always within the neighbours' span.</param>
/// <param name="Loss">The parabola's value at the vertex (the best grid loss when not bracketed).</param>
/// <param name="Bracketed">True when the best point has a finite neighbour on each side.</param>
public readonly record struct MupVertex(int Index, double Log2LearningRate, double Loss, bool Bracketed)
{
    /// <summary>Estimates the vertex of one curve.</summary>
    /// <param name="log2LearningRates">The grid, ascending (any spacing).</param>
    /// <param name="losses">One loss per grid point; non-finite values count as diverged.</param>
    public static MupVertex Estimate(IReadOnlyList<double> log2LearningRates, IReadOnlyList<double> losses)
    {
        ArgumentNullException.ThrowIfNull(log2LearningRates);
        ArgumentNullException.ThrowIfNull(losses);
        if (log2LearningRates.Count != losses.Count)
            throw new ArgumentException("One loss per grid point is needed.", nameof(losses));
        for (int j = 1; j < log2LearningRates.Count; j++)
            if (!(log2LearningRates[j] > log2LearningRates[j - 1]))
                throw new ArgumentException("The grid must be strictly ascending.", nameof(log2LearningRates));
        int best = -1;
        for (int j = 0; j < losses.Count; j++)
            if (double.IsFinite(losses[j]) && (best < 0 || losses[j] < losses[best]))
                best = j;
        if (best < 0)
            return new MupVertex(-1, double.NaN, double.PositiveInfinity, false);
        if (best == 0 || best == losses.Count - 1 || !double.IsFinite(losses[best - 1]) || !double.IsFinite(losses[best + 1]))
            return new MupVertex(best, log2LearningRates[best], losses[best], false);
        double x0 = log2LearningRates[best - 1], x1 = log2LearningRates[best], x2 = log2LearningRates[best + 1];
        double y0 = losses[best - 1], y1 = losses[best], y2 = losses[best + 1];
        // y = a (x - x1)^2 + b (x - x1) + y1 through the three points; vertex at x1 - b / 2a.
        double d0 = x0 - x1, d2 = x2 - x1;
        double a = ((y0 - y1) / d0 - (y2 - y1) / d2) / (d0 - d2);
        double b = (y0 - y1) / d0 - a * d0;
        if (!(a > 0))   // three equal losses: a flat bottom, the middle point is the estimate
            return new MupVertex(best, x1, y1, true);
        double dx = Math.Clamp(-b / (2 * a), d0, d2);
        return new MupVertex(best, x1 + dx, y1 + a * dx * dx + b * dx, true);
    }
}
