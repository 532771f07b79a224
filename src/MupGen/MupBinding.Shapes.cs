using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MupGen.Catalog;
using MupGen.Facts;

namespace MupGen;

public sealed partial class MupBinding
{
    /// <summary>
    /// What mup's shape method says about one tensor at its actual shape: its class by number of infinite
    /// (width-scaled) dimensions and the rule that class gets. mup's conventions (mup/infshape.py, optim.py,
    /// shape.py): fan_in is dimension 1 and fan_out dimension 0; 2 infinite dimensions are matrix-like (Hidden:
    /// Adam lr / m_in with m_in the multiplier of dimension 1), 1 is vector-like (biases, norms, embeddings, input and
    /// readout weights: Adam lr unchanged, SGD lr × m), 0 is fixed; an nn.Linear (here also Conv) weight with infinite
    /// fan_in and finite fan_out is a readout, which mup requires to be a MuReadout (assert_hidden_size_inf).
    /// </summary>
    /// <remarks>Problem: why the shapes give no rule (missing, rank or finite size mismatch, more than two
    /// infinite dimensions), or null. M: each dimension's multiplier (actual / base; 1 when finite).</remarks>
    internal sealed record ShapeView(string? Problem, int Ninf, bool ReadoutLike, MupRole Role, double MIn, double MOut,
        double[] M, string Text);

    internal static ShapeView Analyze(MupBaseShape? entry, long[] actual, MupLayerKind kind, string tensor)
    {
        var none = Array.Empty<double>();
        if (entry is null)
            return new ShapeView("the base shapes have no parameter of this name (read them from this model at its base width and at another width)",
                0, false, MupRole.Unresolved, 1, 1, none, "absent");
        int rank = entry.BaseShape.Count;
        if (rank != actual.Length)
            return new ShapeView($"it has rank {Int(actual.Length)} ({FormatShape(actual)}), but rank {Int(rank)} in the base shapes ({FormatShape(entry.BaseShape)})",
                0, false, MupRole.Unresolved, 1, 1, none, "base shape " + entry);
        var m = new double[rank];
        var infinite = new List<int>();
        for (int d = 0; d < rank; d++)
        {
            if (!entry.Infinite[d] && actual[d] != entry.BaseShape[d])
                return new ShapeView(
                    $"dimension {Int(d)} is {Int(actual[d])} here but {Int(entry.BaseShape[d])} in both the base and the delta model, so the shapes call it fixed. " +
                    "If it scales with a [Width] value, vary that value in the delta model too; otherwise the models differ in more than width",
                    0, false, MupRole.Unresolved, 1, 1, none, "base shape " + entry);
            m[d] = entry.Multiplier(d, actual[d]);
            if (entry.Infinite[d])
                infinite.Add(d);
        }
        // Which dimensions are fan_in and fan_out comes from the layer catalog (Linear/Conv: dim 1 (× kernel) and
        // dim 0, as mup reads them; Embedding: dim 0 is the vocabulary; ConvTranspose: dim 0 is in_channels);
        // a tensor the catalog does not know as a matrix is read with mup's convention (fan_in dim 1, fan_out dim 0).
        var layout = Layout.Of(kind, tensor, rank);
        bool matrix = layout.FanIn.Length > 0 && layout.FanOut.Length > 0;
        string Text(string cls, double mIn, double mOut) =>
            $"{cls} ({Int(infinite.Count)} width-scaled dimension{(infinite.Count == 1 ? "" : "s")}), base {entry}, m_in {Fmt(mIn)}, m_out {Fmt(mOut)}";
        switch (infinite.Count)
        {
            case 0:
                return new ShapeView(null, 0, false, MupRole.Fixed, 1, 1, m, Text("fixed", 1, 1));
            case 1:
            {
                int d = infinite[0];
                if (matrix && layout.FanIn.Contains(d))
                    return new ShapeView(null, 1, true, MupRole.Readout, m[d], 1, m, Text("readout-like (width-scaled fan_in, fixed fan_out)", m[d], 1));
                if (matrix && layout.FanOut.Contains(d))
                    return new ShapeView(null, 1, false, MupRole.Input, 1, m[d], m, Text("vector-like (input)", 1, m[d]));
                return new ShapeView(null, 1, false, MupRole.Vector, 1, m[d], m, Text("vector-like", 1, m[d]));
            }
            case 2 when matrix && layout.FanIn.Contains(infinite[0]) != layout.FanIn.Contains(infinite[1])
                             && layout.FanOut.Contains(infinite[0]) != layout.FanOut.Contains(infinite[1]):
            {
                int fanIn = layout.FanIn.Contains(infinite[0]) ? infinite[0] : infinite[1];
                int fanOut = fanIn == infinite[0] ? infinite[1] : infinite[0];
                return new ShapeView(null, 2, false, MupRole.Hidden, m[fanIn], m[fanOut], m, Text("hidden-like", m[fanIn], m[fanOut]));
            }
            case 2 when !matrix && infinite[0] == 0 && infinite[1] == 1:
                return new ShapeView(null, 2, false, MupRole.Hidden, m[1], m[0], m, Text("hidden-like", m[1], m[0]));
            case 2:
                return new ShapeView(
                    $"dimensions {Int(infinite[0])} and {Int(infinite[1])} scale with width; mup's matrix rule takes fan_in = dimension 1 and fan_out = dimension 0 and does not cover this tensor",
                    2, false, MupRole.Unresolved, 1, 1, m, Text("unsupported", 1, 1));
            default:
                return new ShapeView(
                    $"{Int(infinite.Count)} dimensions scale with width; mup has no rule for more than two (its optimizers raise NotImplementedError)",
                    infinite.Count, false, MupRole.Unresolved, 1, 1, m, Text("unsupported", 1, 1));
        }
    }

    /// <summary>The number of width-scaled dimensions a compiled role stands for.</summary>
    private static int InfiniteCountOf(MupRole role) => role switch
    {
        MupRole.Hidden => 2,
        MupRole.Input or MupRole.Vector or MupRole.Readout => 1,
        _ => 0,
    };

    private static string ClassOf(int ninf) => ninf switch { 2 => "hidden-like", 1 => "vector-like", 0 => "fixed", _ => "unsupported" };

    private static string CompiledText(BoundParameter bp)
    {
        if (bp.Fact is null)
            return "none";
        if (bp.Role == MupRole.Unresolved)
            return "unresolved";
        var inf = Enumerable.Range(0, bp.Fact.Shape.Count).Where(d => bp.Fact.Shape[d].IsInfinite).ToList();
        return $"{bp.Role} (width-scaled dimensions [{string.Join(", ", inf.Select(Int))}]), multipliers {FormatShape(bp.DimM)}, m_in {Fmt(bp.MIn)}, m_out {Fmt(bp.MOut)}";
    }

    /// <summary>
    /// Compares one parameter's binding with the base shapes at its actual shape; null when they agree on everything
    /// the rules use: which dimensions scale, the class by number of width-scaled dimensions, readout or not, every
    /// dimension's multiplier, and the resulting init, lr and weight-decay scales. A parameter without a rule always
    /// disagrees.
    /// </summary>
    internal static MupVerification? Compare(BoundParameter bp, MupBaseShape? entry)
    {
        var view = Analyze(entry, bp.Shape, bp.Layer, bp.Tensor);
        if (bp.Source != MupRuleSource.Compiled)
        {
            string why = bp.Note ?? BoundModel.NoFact;
            string then = view.Problem is { } problem
                ? "The base shapes cannot fill it either: " + problem + "."
                : view.ReadoutLike
                    ? "The shapes make it a readout (width-scaled fan_in, fixed fan_out): mark its layer [ReadoutLayer] so it gets MupReadoutMultiplier."
                    : $"The shapes give it mup's {ClassOf(view.Ninf)} rule: set MupOptions.BaseShapes to apply it (or give its field a role attribute where the generator can see it).";
            return new MupVerification(bp.Name, CompiledText(bp) + ": " + why, view.Text, "no compiled rule (" + why + "). " + then);
        }

        var fact = bp.Fact!;
        var diffs = new List<string>();
        if (view.Problem is { } p)
            diffs.Add(p);
        else
        {
            for (int d = 0; d < fact.Shape.Count; d++)
                if (fact.Shape[d].IsInfinite != entry!.Infinite[d])
                    diffs.Add(fact.Shape[d].IsInfinite
                        ? $"dimension {Int(d)} scales with width in the facts ({fact.Shape[d]}) but is {Int(entry.BaseShape[d])} in both the base and the delta model"
                        : $"dimension {Int(d)} is fixed in the facts but differs between the base and the delta model (base {Int(entry.BaseShape[d])})");
            int expected = InfiniteCountOf(bp.Role);
            if (expected != view.Ninf)
                diffs.Add($"role {bp.Role} is {ClassOf(expected)} ({Int(expected)} width-scaled dimension{(expected == 1 ? "" : "s")}), but the shapes find {Int(view.Ninf)}: mup would treat it as {ClassOf(view.Ninf)}");
            if (view.ReadoutLike && bp.Role != MupRole.Readout)
                diffs.Add($"the shapes make it a readout (width-scaled fan_in, fixed fan_out) but its role is {bp.Role}: mark the layer [ReadoutLayer] so it gets MupReadoutMultiplier and the readout's base init");
            else if (bp.Role == MupRole.Readout && !view.ReadoutLike && bp.IsWeight)
                diffs.Add("its role is Readout, but the shapes do not give it a width-scaled fan_in (dimension 1) and a fixed fan_out (dimension 0)");
            for (int d = 0; d < fact.Shape.Count; d++)
                if (!Close(bp.DimM[d], view.M[d]))
                    diffs.Add($"dimension {Int(d)} has width multiplier {Fmt(bp.DimM[d])} in the facts but {Fmt(view.M[d])} from the shapes ({Int(bp.Shape[d])} / base {Int(entry!.BaseShape[d])})");
            if (view.Role != MupRole.Unresolved)
            {
                var c = MupRules.Width(bp.Role, bp.MIn, bp.MOut);
                var s = MupRules.Width(view.Role, view.MIn, view.MOut);
                foreach (var (what, a, b) in new[]
                {
                    ("init std", c.InitStd, s.InitStd), ("Adam lr", c.AdamLr, s.AdamLr), ("SGD lr", c.SgdLr, s.SgdLr),
                    ("Adam weight decay", c.AdamWeightDecay, s.AdamWeightDecay), ("SGD weight decay", c.SgdWeightDecay, s.SgdWeightDecay),
                })
                    if (!Close(a, b))
                        diffs.Add($"{what} ×{Fmt(a)} from the facts, ×{Fmt(b)} from the shapes");
            }
        }
        if (diffs.Count == 0)
            return null;
        return new MupVerification(bp.Name, CompiledText(bp), view.Text,
            string.Join("; ", diffs) + ". Fix the role attribute of its layer (or remove it so the generator infers the role), or rebuild if the constructor changed.");
    }

    /// <summary>
    /// Fills a parameter without a compiled rule from the base shapes (mup's rule for its class). Its init is what a
    /// compiled parameter of the same layer kind and role gets (for a layer kind MupGen does not know, such as a raw
    /// Parameter, the constructor's values are kept, as mup keeps them). Returns the parameter unchanged, with the
    /// reason in its note, when the shapes cannot fill it: a readout-like tensor needs [ReadoutLayer] (the forward
    /// multiplier cannot come from shapes), and mup has no rule beyond two width-scaled dimensions.
    /// </summary>
    private static BoundParameter FromShapes(BoundParameter bp, MupShapes shapes, IReadOnlyDictionary<string, PlanRow> done)
    {
        var entry = shapes[bp.Name];
        var view = Analyze(entry, bp.Shape, bp.Layer, bp.Tensor);
        string why = bp.Note ?? BoundModel.NoFact;
        if (view.Problem is { } problem)
            return bp with { Note = why + "; MupOptions.BaseShapes cannot fill it: " + problem };
        if (view.ReadoutLike)
            return bp with
            {
                Note = why + "; the base shapes make it a readout (width-scaled fan_in, fixed fan_out), whose forward multiplier the shapes cannot supply: " +
                       "mark its layer [ReadoutLayer] and multiply its input by MupReadoutMultiplier",
            };
        var layout = Layout.Of(bp.Layer, bp.Tensor, bp.Shape.Length, view.Role);
        double baseFanIn = InitFan(bp.Layer, bp.Tensor, entry!.BaseShape.Select(x => (double)x).ToArray(), layout);
        double actualFanIn = InitFan(bp.Layer, bp.Tensor, bp.Shape.Select(x => (double)x).ToArray(), layout);
        bool inReadout = false;
        if (!bp.IsWeight && done.TryGetValue(BoundModel.Prefix(bp.Name) + ".weight", out var weight))
        {
            // A bias takes its default init bound from its layer's weight, at the weight's base shape.
            var w = weight.Bound;
            var wl = Layout.Of(w.Layer, w.Tensor, w.Shape.Length, w.Role);
            if (shapes[w.Name] is { } wEntry && wEntry.BaseShape.Count == w.Shape.Length)
            {
                baseFanIn = InitFan(bp.Layer, bp.Tensor, wEntry.BaseShape.Select(x => (double)x).ToArray(), wl);
                actualFanIn = InitFan(bp.Layer, bp.Tensor, w.Shape.Select(x => (double)x).ToArray(), wl);
            }
            inReadout = w.Role == MupRole.Readout;
        }
        return bp with
        {
            Role = view.Role, MIn = view.MIn, MOut = view.MOut, BaseFanIn = baseFanIn, ActualFanIn = actualFanIn,
            InReadoutLayer = inReadout, DimM = view.M, Source = MupRuleSource.BaseShapes,
            Note = "from the base shapes: " + view.Text + " (compiled: " + why + ")",
        };
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Fmt(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
