using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MupGen.Catalog;
using MupGen.Facts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MupGen;

public sealed partial class MupBinding
{
    /// <summary>One parameter with its facts evaluated against its actual shape. BaseFanIn is fan_in at base shape
    /// (for a bias: its layer's weight fan_in), which drives default inits; ActualFanIn is fan_in at the actual shape
    /// (the standard parametrization's default init). DimM is each dimension's width multiplier (all 1 without a fact).
    /// Kind is the fact's layer kind, or for a parameter without a fact the kind of the module that owns it at run time.
    /// TiedTo names the first parameter sharing this tensor's storage (weight tying), or is null.</summary>
    internal sealed record BoundParameter(
        string Name, MupParameterFact? Fact, MupRole Role, long[] Shape, double MIn, double MOut,
        double BaseFanIn, double ActualFanIn, bool InResidualBlock, bool InReadoutLayer, string? Note)
    {
        public MupLayerKind Layer { get; init; } = Fact?.Layer ?? MupLayerKind.Other;
        public string Tensor { get; init; } = Fact?.Tensor ?? LastSegment(Name);
        public bool IsWeight => Tensor == "weight";
        public double[] DimM { get; init; } = Enumerable.Repeat(1.0, Shape.Length).ToArray();
        public string? TiedTo { get; init; }
        public MupRuleSource Source { get; init; } = Fact is null || Role == MupRole.Unresolved ? MupRuleSource.Unresolved : MupRuleSource.Compiled;
    }

    /// <summary>What the binding reads from the module on every init and optimizer call: names, shapes and which
    /// parameters share storage. A change against the cached read makes the binding read the model again.</summary>
    internal sealed record ParameterRead(string Name, long[] Shape, string? TiedTo)
    {
        public bool SameAs(BoundParameter b) => Name == b.Name && TiedTo == b.TiedTo && Shape.AsSpan().SequenceEqual(b.Shape);
    }

    internal sealed class BoundModel
    {
        private readonly MupModelFacts _facts;
        private readonly Dictionary<string, double> _symbols;

        private BoundModel(MupModelFacts facts, Dictionary<string, double> symbols, List<BoundParameter> parameters,
            double mN, double? mL, double readoutMIn)
        {
            _facts = facts;
            _symbols = symbols;
            Parameters = parameters;
            MN = mN;
            ML = mL ?? 1.0;
            DepthUnmatched = facts.Depth is not null && mL is null;
            WidthMeasured = facts.Widths.Count > 0 && symbols.ContainsKey(facts.Widths[0].Name);
            ReadoutMIn = readoutMIn;
        }

        /// <summary>True when the model has [Depth] but the generator could not match it to a list of blocks.</summary>
        public bool DepthUnmatched { get; }

        /// <summary>False when no dimension measures the first width at run time, so m_N is not known.</summary>
        public bool WidthMeasured { get; }

        /// <summary>Throws when depth rules are asked for but the depth could not be matched to a block list, or the
        /// width multiplier they need (the residual blocks' AdamW epsilon scales by 1/m_N) could not be measured.</summary>
        public void RequireDepth()
        {
            if (!WidthMeasured && _facts.Widths.Count > 0)
                throw new InvalidOperationException(
                    $"{_facts.ModelName}: the depth rules scale the residual blocks' Adam epsilon by 1/m_N, and the width '{_facts.Widths[0].Name}' cannot be measured at run time: " +
                    $"no layer has a dimension that grows exactly with it at a size known at compile time (a size such as 8 * {_facts.Widths[0].Name} / 3 or {_facts.Widths[0].Name} + 1 does not, and MupOptions.BaseShapes gives each parameter its multipliers but not m_N). " +
                    $"Build one layer directly from '{_facts.Widths[0].Name}' (or a whole multiple of it), or use MupParametrization.Mup to apply width rules only.");
            if (DepthUnmatched)
                throw new InvalidOperationException(
                    $"{_facts.ModelName}: [Depth] '{_facts.Depth!.Name}' could not be matched to a list of residual blocks, so the depth multiplier is unknown. " +
                    $"Build the blocks into a ModuleList or Sequential field with `for (int i = 0; i < {_facts.Depth.Name}; i++)` or `Enumerable.Range(0, {_facts.Depth.Name}).Select(...)`, " +
                    "or use MupParametrization.Mup to apply width rules only.");
        }

        /// <summary>The base head dimension of the attention module at <paramref name="path"/> that passes
        /// <paramref name="headDim"/>: headDim over the head dimension's width multiplier, from the module's compiled
        /// fact. Where the generator could not read the argument (an unresolved fact) or saw no call at all, there is
        /// no rule to apply (a head dimension that grows with the width and a fixed one with more heads need different
        /// scales), so <paramref name="baseHeadDim"/>, the user's decision (MupOptions.BaseHeadDim), is required.</summary>
        public double BaseHeadDim(string path, long headDim, long? baseHeadDim)
        {
            var facts = _facts.Attention.Where(f => NameMatches(f.Module, path)).ToList();
            var module = path.Length == 0 ? $"{_facts.ModelName} itself" : $"module '{path}' of {_facts.ModelName}";
            if (facts.FirstOrDefault(f => f.HeadDim is null) is { } unread)
            {
                if (baseHeadDim is { } decided)
                    return decided;
                throw new InvalidOperationException(
                    $"MupAttentionScale of {module}: the generator could not read the head dimension passed ({unread.Note ?? "an argument it cannot read"}), " +
                    "so it does not know whether the head dimension grows with the width (µP then scales by sqrt(base head dim) / head dim) or stays fixed while the head count grows (the scale does not change). " +
                    "Pass a head dimension the generator can read: a field the constructor sets (headDim = width / heads) or a constant; " +
                    "or set MupOptions.BaseHeadDim to the head dimension at base width (see diagnostic MUP020).");
            }
            if (facts.Count == 0)
            {
                if (baseHeadDim is { } decided)
                    return decided;
                throw new InvalidOperationException(
                    $"MupAttentionScale of {module}: the generator saw no MupAttentionScale call in this module's class (a call through another object, in a helper class, or from outside the model), " +
                    "so it does not know whether the head dimension grows with the width (µP then scales by sqrt(base head dim) / head dim) or stays fixed while the head count grows (the scale does not change). " +
                    "Call MupAttentionScale(headDim) inside the attention module's own class with a head dimension its constructor sets (headDim = width / heads), " +
                    "or set MupOptions.BaseHeadDim to the head dimension at base width.");
            }
            var form = facts[0].HeadDim!;
            // width / heads with heads an argument: its multiplier is the width's, which must have been measured.
            if (form.Form == MupDimForm.Monomial && form.BaseSize is null && form.Powers.FirstOrDefault(p => !_symbols.ContainsKey(p.Symbol)) is { Symbol: { } unmeasured })
            {
                if (baseHeadDim is { } decided)
                    return decided;
                throw new InvalidOperationException(
                    $"MupAttentionScale of {module}: its head dimension ({form}) scales with the width '{unmeasured}', which no layer measures at run time (no size that grows exactly with it at a size known at compile time). " +
                    $"Build one layer directly from '{unmeasured}', or set MupOptions.BaseHeadDim to the head dimension at base width.");
            }
            double compiled = headDim / Multiplier(form, headDim, _symbols);
            // The user's value must agree with the compiled fact (an integer division at base width rounds).
            if (baseHeadDim is { } given && Math.Abs(given - compiled) >= 1.0)
                throw new InvalidOperationException(
                    $"MupAttentionScale of {module}: MupOptions.BaseHeadDim is {given.ToString(CultureInfo.InvariantCulture)}, but the compiled fact ({facts[0].HeadDim}) gives a base head dimension of " +
                    $"{compiled.ToString("0.###", CultureInfo.InvariantCulture)} for head dimension {headDim.ToString(CultureInfo.InvariantCulture)}. Correct MupOptions.BaseHeadDim or leave it null.");
            return compiled;
        }

        public IReadOnlyList<BoundParameter> Parameters { get; }

        /// <summary>m_N: the first width symbol's multiplier.</summary>
        public double MN { get; }

        /// <summary>m_L: the number of residual blocks over its base (1 without [Depth]).</summary>
        public double ML { get; }

        /// <summary>m_in of the readout weight (1 when there is none).</summary>
        public double ReadoutMIn { get; }

        public static BoundModel Bind(nn.Module module, MupModelFacts facts, IReadOnlyList<ParameterRead> named)
        {
            var matched = named.Select(np => (name: np.Name, np.Shape, Fact: Match(facts, np.Name))).ToList();
            var tied = named.ToDictionary(np => np.Name, np => np.TiedTo);

            // A fact with no shape stands for parameters the generator could not describe (a `field.**` pattern, a
            // Parameter it could not read): Unresolved, with the generator's reason, and no shape to check.
            for (int i = 0; i < matched.Count; i++)
                if (matched[i].Fact is { Role: MupRole.Unresolved, Shape.Count: 0 } opaque && matched[i].Shape.Length > 0)
                    matched[i] = (matched[i].name, matched[i].Shape, opaque with { Shape = Enumerable.Repeat(MupDim.Fixed, matched[i].Shape.Length).ToArray() });

            foreach (var (name, shape, fact) in matched)
            {
                if (fact is not null && fact.Shape.Count != shape.Length)
                    throw new InvalidOperationException(
                        $"Parameter '{name}' of {facts.ModelName} has shape {FormatShape(shape)}, but the compiled facts describe a tensor of rank {fact.Shape.Count}. Rebuild the project so the generated code matches the constructor.");
            }

            var symbols = MeasureSymbols(facts, matched);

            // Per-parameter multipliers and base sizes.
            var dims = new Dictionary<string, (double[] M, double[] Base)>();
            var mismatches = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, shape, fact) in matched)
            {
                if (fact is null)
                    continue;
                var m = new double[shape.Length];
                var baseSize = new double[shape.Length];
                for (int d = 0; d < shape.Length; d++)
                {
                    var dim = fact.Shape[d];
                    m[d] = Multiplier(dim, shape[d], symbols);
                    baseSize[d] = shape[d] / m[d];
                    if (dim.Form == MupDimForm.Computed && dim.SizeAt is { } sizeAt && symbols.TryGetValue(dim.Powers[0].Symbol, out var wm)
                        && facts.Widths.FirstOrDefault(w => w.Name == dim.Powers[0].Symbol) is { } width)
                    {
                        long at = (long)Math.Round(wm * width.BaseValue);
                        long? expected;
                        try { expected = sizeAt(at); }
                        catch (ArithmeticException) { expected = null; }
                        // The base size assumed the defaults: a shape that disagrees means an input had another value,
                        // so the base size is unknown and the parameter has no compiled rule (strict mode refuses it;
                        // MupOptions.BaseShapes can fill it).
                        if (expected != shape[d])
                            mismatches[name] =
                                $"dimension {d.ToString(CultureInfo.InvariantCulture)} ({dim}) is {shape[d].ToString(CultureInfo.InvariantCulture)}, but the constructor's arithmetic with the constants and defaults the generator read gives " +
                                $"{(expected is { } e ? e.ToString(CultureInfo.InvariantCulture) : "nothing (a division by zero)")} at {dim.Powers[0].Symbol} = {at.ToString(CultureInfo.InvariantCulture)}: " +
                                "an input of that size was passed with another value than its default, so its base size is not known (pass it as a constant, or set MupOptions.BaseShapes)";
                    }
                    if (dim.Form == MupDimForm.Monomial && dim.BaseSize is { } b)
                    {
                        double growth = PowerProduct(dim, symbols);
                        double expected = b * growth;
                        if (Math.Abs(expected - shape[d]) > Math.Max(1.0, growth))
                        {
                            var expectedShape = Enumerable.Range(0, shape.Length).Select(k => k == d ? expected : (double)shape[k]);
                            throw new InvalidOperationException(
                                $"Parameter '{name}' of {facts.ModelName} has shape {FormatShape(shape)}, but the compiled facts expect {FormatShape(expectedShape)} " +
                                $"(dimension {d.ToString(CultureInfo.InvariantCulture)} is {dim} at width multipliers {FormatSymbols(symbols)}). " +
                                "The width symbols disagree between layers: check that every layer is built from the [Width] value, or rebuild after changing the constructor.");
                        }
                    }
                }
                dims[name] = (m, baseSize);
            }

            var byName = matched.ToDictionary(x => x.name);
            var bound = new List<BoundParameter>(matched.Count);
            double readoutMIn = 1.0;
            bool readoutFound = false;
            Dictionary<string, nn.Module>? modules = null;
            foreach (var (name, shape, fact) in matched)
            {
                if (fact is null)
                {
                    modules ??= module.named_modules().ToDictionary(x => x.name, x => x.module);
                    var (ownerKind, ownerTensor) = RuntimeOwner(name, modules);
                    bool inBlock = facts.Depth?.BlockList is { } list && name.StartsWith(list + ".", StringComparison.Ordinal);
                    bound.Add(new BoundParameter(name, null, MupRole.Unresolved, shape, 1, 1, 1, 1, inBlock, false, NoFact)
                    {
                        Layer = ownerKind,
                        Tensor = ownerTensor,
                        TiedTo = tied[name],
                    });
                    continue;
                }
                var (m, baseSize) = dims[name];
                var layout = Layout.Of(fact);
                double mIn = Product(layout.FanIn, m);
                double mOut = Product(layout.FanOut, m);
                double baseFanIn = InitFan(fact.Layer, fact.Tensor, baseSize, layout);
                double actualFanIn = InitFan(fact.Layer, fact.Tensor, shape.Select(x => (double)x).ToArray(), layout);
                bool inReadout = fact.Role == MupRole.Readout;
                // A bias takes its default init bound from its layer's weight fan_in.
                if (fact.Tensor != "weight" && byName.TryGetValue(Prefix(name) + ".weight", out var weight) && weight.Fact is not null)
                {
                    var wl = Layout.Of(weight.Fact);
                    baseFanIn = InitFan(fact.Layer, fact.Tensor, dims[weight.name].Base, wl);
                    actualFanIn = InitFan(fact.Layer, fact.Tensor, weight.Shape.Select(x => (double)x).ToArray(), wl);
                    inReadout = weight.Fact.Role == MupRole.Readout;
                }
                if (fact.Role == MupRole.Readout && fact.Tensor == "weight" && !readoutFound)
                {
                    readoutMIn = mIn;
                    readoutFound = true;
                }
                // An unresolved fact that names no catalog layer (a shapeless `field.**`): the layer that owns the
                // tensor at run time decides its kind, so MupOptions.BaseShapes can give it that layer's default init.
                var (layer, tensor) = (fact.Layer, fact.Tensor);
                if (fact.Role == MupRole.Unresolved && TemplateOf(layer, tensor) is null)
                {
                    modules ??= module.named_modules().ToDictionary(x => x.name, x => x.module);
                    (layer, tensor) = RuntimeOwner(name, modules);
                }
                var mismatch = mismatches.TryGetValue(name, out var why) ? why : null;
                bound.Add(new BoundParameter(name, fact, mismatch is null ? fact.Role : MupRole.Unresolved, shape, mIn, mOut, baseFanIn, actualFanIn,
                    fact.InResidualBlock, inReadout, mismatch ?? fact.Note) { DimM = m, TiedTo = tied[name], Layer = layer, Tensor = tensor });
            }

            double mN = facts.Widths.Count > 0 && symbols.TryGetValue(facts.Widths[0].Name, out var first) ? first : 1.0;
            double? mL = DepthMultiplier(module, facts, named.Select(n => n.Name));
            return new BoundModel(facts, symbols, bound, mN, mL, readoutMIn);
        }

        /// <summary>m_L = number of blocks in the [Depth] block list / base; null when the list is unknown.</summary>
        private static double? DepthMultiplier(nn.Module module, MupModelFacts facts, IEnumerable<string> names)
        {
            if (facts.Depth is not { } depth)
                return 1.0;
            if (depth.BlockList is not { } list)
                return null;
            // The list may sit inside a nested module: look it up by its full dotted path.
            var child = module.named_modules().FirstOrDefault(c => c.name == list).module;
            long count = child is null ? 0 : child.children().Count();
            if (count == 0)
            {
                var prefix = list + ".";
                count = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
                             .Select(n => n.Substring(prefix.Length).Split('.')[0]).Distinct().Count();
            }
            if (count == 0)
                throw new InvalidOperationException(
                    $"{facts.ModelName}: [Depth] '{depth.Name}' counts the blocks of '{list}', but that list is empty or missing at run time. Build the blocks before MupGen reads the model.");
            return count / (double)depth.BaseValue;
        }

        /// <summary>Measures every width symbol from the dimensions whose base size is known at compile time,
        /// preferring a dimension that is exactly the symbol (base size = the symbol's base value).</summary>
        private static Dictionary<string, double> MeasureSymbols(MupModelFacts facts,
            List<(string name, long[] Shape, MupParameterFact? Fact)> matched)
        {
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var symbol in facts.Widths)
            {
                double? best = null;
                (bool Exact, bool Whole, bool Linear, long Base) bestScore = default;
                foreach (var (name, shape, fact) in matched)
                {
                    if (fact is null) continue;
                    for (int d = 0; d < fact.Shape.Count; d++)
                    {
                        var dim = fact.Shape[d];
                        if (dim.Form != MupDimForm.Monomial || dim.BaseSize is not { } b || dim.Powers.Count != 1 || dim.Powers[0].Symbol != symbol.Name)
                            continue;
                        int k = dim.Powers[0].Exponent;
                        // Prefer the symbol itself, then a whole multiple of it (the generator emits only sizes that
                        // grow exactly as monomials; a truncating one is Computed), then any linear dimension, then the
                        // largest base (least rounding).
                        bool whole = k == 1 && b % symbol.BaseValue == 0;
                        var score = (Exact: k == 1 && b == symbol.BaseValue, Whole: whole, Linear: k == 1, Base: b);
                        if (best is null || score.CompareTo(bestScore) > 0)
                        {
                            best = Math.Pow(shape[d] / (double)b, 1.0 / k);
                            bestScore = score;
                        }
                    }
                }
                if (best is { } v)
                    result[symbol.Name] = v;
            }
            // A symbol seen only beside others (dModel * dFf) is solved once the others are known.
            for (bool progress = true; progress;)
            {
                progress = false;
                foreach (var (_, shape, fact) in matched)
                {
                    if (fact is null) continue;
                    for (int d = 0; d < fact.Shape.Count; d++)
                    {
                        var dim = fact.Shape[d];
                        if (dim.Form != MupDimForm.Monomial || dim.BaseSize is not { } b)
                            continue;
                        var unknown = dim.Powers.Where(p => !result.ContainsKey(p.Symbol)).ToList();
                        if (unknown.Count != 1 || unknown[0].Exponent == 0)
                            continue;
                        double known = dim.Powers.Where(p => result.ContainsKey(p.Symbol))
                                                 .Aggregate(1.0, (acc, p) => acc * Math.Pow(result[p.Symbol], p.Exponent));
                        result[unknown[0].Symbol] = Math.Pow(shape[d] / (double)b / known, 1.0 / unknown[0].Exponent);
                        progress = true;
                    }
                }
            }
            foreach (var (name, _, fact) in matched)
            {
                if (fact is null) continue;
                foreach (var dim in fact.Shape)
                    foreach (var power in dim.Powers)
                        // A monomial of unknown base needs the width's multiplier; a sum or a computed size has its own
                        // (actual / base), but a compiled rule that leans on a width nothing measured is not one the
                        // generator gives (it reports such a layer Unresolved, UnmeasurableWidth): refused, never 1.
                        if ((dim.Form == MupDimForm.Monomial && dim.BaseSize is null || fact.Role != MupRole.Unresolved) && !result.ContainsKey(power.Symbol))
                            throw new InvalidOperationException(
                                $"Parameter '{name}' of {facts.ModelName}: the width '{power.Symbol}' cannot be measured at run time, because no layer has a dimension that grows exactly with it at a size known at compile time (a size such as 8 * {power.Symbol} / 3 or {power.Symbol} + 1 does not). Mark the layer with a role attribute, build one layer directly from '{power.Symbol}' (or a whole multiple of it), or set MupOptions.BaseShapes.");
            }
            return result;
        }

        /// <summary>The product of <paramref name="values"/> at <paramref name="indices"/> (1 for none).</summary>
        internal static double Product(int[] indices, double[] values)
        {
            double result = 1.0;
            foreach (int i in indices)
                result *= values[i];
            return result;
        }

        private static double PowerProduct(MupDim dim, Dictionary<string, double> symbols) =>
            dim.Powers.Aggregate(1.0, (acc, p) => acc * Math.Pow(symbols.TryGetValue(p.Symbol, out var m) ? m : 1.0, p.Exponent));

        private static double Multiplier(MupDim dim, long actual, Dictionary<string, double> symbols) => dim.Form switch
        {
            MupDimForm.Fixed => 1.0,
            MupDimForm.Affine or MupDimForm.Computed => actual / (double)dim.BaseSize!.Value,
            _ when dim.BaseSize is { } b => actual / (double)b,
            _ => PowerProduct(dim, symbols),
        };

        private static string FormatSymbols(Dictionary<string, double> symbols) =>
            string.Join(", ", symbols.Select(kv => kv.Key + " ×" + kv.Value.ToString("0.###", CultureInfo.InvariantCulture)));

        internal const string NoFact = "no compiled fact: the generator did not see this parameter (a layer it could not follow, or one added after construction)";

        internal static string Prefix(string name)
        {
            int dot = name.LastIndexOf('.');
            return dot < 0 ? "" : name.Substring(0, dot);
        }

        /// <summary>Finds the fact whose name matches <paramref name="name"/>, the most specific first: an exact name,
        /// then the pattern with the fewest <c>*</c> (one list index, or digits inside a name: <c>conv*</c>), then a
        /// <c>**</c> pattern (anything under a member the generator could not read).</summary>
        internal static MupParameterFact? Match(MupModelFacts facts, string name)
        {
            MupParameterFact? best = null;
            int bestScore = int.MaxValue;
            foreach (var fact in facts.Parameters)
            {
                if (!NameMatches(fact.Name, name))
                    continue;
                int score = Specificity(fact.Name);
                if (score < bestScore)
                {
                    best = fact;
                    bestScore = score;
                }
            }
            return best;
        }

        /// <summary>0 for an exact name; one per <c>*</c> segment; a <c>**</c> tail ranks after every other pattern.</summary>
        private static int Specificity(string pattern)
        {
            if (pattern.IndexOf('*') < 0)
                return 0;
            int score = 0;
            foreach (var segment in pattern.Split('.'))
                score += segment == "**" ? 1000 : segment.IndexOf('*') >= 0 ? 1 : 0;
            return score;
        }

        /// <summary>A name pattern: segments separated by dots; <c>*</c> inside a segment matches one or more ASCII
        /// digits (<c>*</c> a list index, <c>conv*</c> a name built with a loop index); a final <c>**</c> matches one or
        /// more remaining segments.</summary>
        internal static bool NameMatches(string pattern, string name)
        {
            if (pattern.IndexOf('*') < 0)
                return pattern == name;
            var ps = pattern.Split('.');
            var ns = name.Split('.');
            bool tail = ps[^1] == "**";
            int fixedCount = tail ? ps.Length - 1 : ps.Length;
            if (tail ? ns.Length <= fixedCount : ns.Length != fixedCount)
                return false;
            for (int i = 0; i < fixedCount; i++)
                if (!SegmentMatches(ps[i], ns[i]))
                    return false;
            return true;
        }

        private static bool SegmentMatches(string pattern, string segment)
        {
            int star = pattern.IndexOf('*');
            if (star < 0)
                return pattern == segment;
            // Literal text around each '*'; each '*' takes one or more digits.
            var parts = pattern.Split('*');
            int pos = 0;
            for (int i = 0; i < parts.Length; i++)
            {
                var part = parts[i];
                if (i == 0)
                {
                    if (!segment.StartsWith(part, StringComparison.Ordinal))
                        return false;
                    pos = part.Length;
                    continue;
                }
                int digits = pos;
                while (digits < segment.Length && char.IsAsciiDigit(segment[digits]))
                    digits++;
                if (digits == pos)
                    return false;
                // The literal after the digits must follow them directly (digits are greedy; literals never start
                // with a digit in names TorchSharp builds from a loop index).
                if (string.CompareOrdinal(segment, digits, part, 0, part.Length) != 0)
                    return false;
                pos = digits + part.Length;
            }
            return pos == segment.Length;
        }
    }

    /// <summary>The tensor's own name: <c>blocks.0.ln.weight</c> → <c>weight</c>.</summary>
    internal static string LastSegment(string name)
    {
        int dot = name.LastIndexOf('.');
        return dot < 0 ? name : name.Substring(dot + 1);
    }

    /// <summary>The layer kind of a module found at run time (for parameters the generator did not see): the layer
    /// catalog's entry for its TorchSharp type, or Other.</summary>
    internal static MupLayerKind LayerKindOf(nn.Module module) =>
        LayerCatalog.ByType(module.GetType().FullName ?? "") is { Kind: not CatalogKind.Parameter } entry ? (MupLayerKind)(int)entry.Kind : MupLayerKind.Other;

    /// <summary>Which dimensions of a tensor are fan_in and fan_out (docs/RULES.md, Notation).</summary>
    internal readonly record struct Layout(int[] FanIn, int[] FanOut)
    {
        public static Layout Of(MupParameterFact fact) => Of(fact.Layer, fact.Tensor, fact.Shape.Count, fact.Role);

        /// <summary>From the layer catalog: a matrix-like tensor's µP fan_in and fan_out dimensions (Linear/Conv
        /// (out, in, k...): fan_in = in × k, fan_out = out; Embedding: fan_in = vocabulary; ConvTranspose: fan_in =
        /// in_channels (dim 0); MultiheadAttention's in_proj_weight, recurrent weight_ih/weight_hh: as Linear);
        /// anything else, or a tensor whose role is Vector, is a vector whose every dimension is fan_out.</summary>
        public static Layout Of(MupLayerKind layer, string tensor, int rank, MupRole? role = null)
        {
            if (role != MupRole.Vector && rank >= 2 && TemplateOf(layer, tensor) is { IsMatrix: true } t
                && t.FanIn.All(d => d < rank) && t.FanOut.All(d => d < rank))
                return new Layout(t.FanIn, t.FanOut);
            return new Layout(Array.Empty<int>(), Enumerable.Range(0, rank).ToArray());
        }
    }
}
