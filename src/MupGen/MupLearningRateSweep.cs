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

    /// <summary>Builds a result from a loss table (rows: sizes, columns: learning rates, in any order; both are
    /// sorted here). <see cref="MupLearningRateSweep.Run"/> builds it for you.</summary>
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
