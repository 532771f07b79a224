using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        /// <summary>Dimension algebra: a symbolic size as a proportional form of the widths (coefficient, base size),
        /// its value at base width, its rendering, and which widths the runtime can measure.</summary>
        internal sealed partial class FactBuilder
        {
            /// <summary>A width symbol whose base size shows in no dimension cannot be measured at run time: the
            /// layers that use it get no rule.</summary>
            private void ApplyMeasurability()
            {
                // The run time measures a width only from an exact monomial with a known base size: never from a
                // computed size (it does not grow exactly with the width) nor a sum (a · w + c: a is not recorded).
                var measurable = new HashSet<string>(_layers
                    .SelectMany(l => l.Facts)
                    .SelectMany(f => f.Shape)
                    .Where(d => d.BaseSize is not null && d.Form == DimForm.Monomial)
                    .SelectMany(d => d.Powers.Select(p => p.Symbol)));
                foreach (var layer in _layers)
                {
                    if (layer.Attribute == RoleAttribute.Invariant || layer.Unreadable)
                        continue;
                    var missing = layer.Facts
                        .SelectMany(f => f.Shape)
                        .SelectMany(d => d.Powers.Select(p => p.Symbol))
                        .FirstOrDefault(s => !measurable.Contains(s));
                    if (missing is null)
                        continue;
                    var note = $"width '{missing}' appears in no dimension that grows exactly with it at a size known at compile time (a division that truncates, such as 8 * {missing} / 3, or a sum, such as {missing} + 1, does not), so its multiplier cannot be measured at run time";
                    layer.Facts = layer.Facts.Select(f => f with { Role = Role.Unresolved, Note = note, Reason = UnresolvedReason.UnmeasurableWidth }).ToList();
                }
            }

            /// <summary>A size expression in monomial or affine form, or why it is neither.</summary>
            private sealed class Form
            {
                public Dictionary<string, int> Powers { get; } = new();
                public bool HasOpaque { get; set; }
                public string? AffineSymbol { get; set; }
                public string? Failure { get; set; }
                public UnresolvedReason FailureReason { get; set; } = UnresolvedReason.UnreadableSize;
                public SyntaxNode? FailureSyntax { get; set; }
                public bool IsWidthFree => AffineSymbol is null && Powers.Values.All(k => k == 0);
            }

            /// <summary>A head dimension's form (a MupAttentionScale argument, an attention layer's embed_dim /
            /// num_heads): these never measure the width, so a truncating product stays a monomial (<c>width / 4</c>
            /// is <c>Scaled(16, width)</c>), whose multiplier at a known base is actual / base all the same.</summary>
            private DimSpec? AnalyzeDim(Value value, out string? problem) => AnalyzeDim(value, out problem, out _, out _, parameter: false);

            /// <summary>A parameter dimension's form; with <paramref name="parameter"/> a product whose division
            /// truncates is a computed dimension (never used to measure the width).</summary>
            private DimSpec? AnalyzeDim(Value value, out string? problem, out UnresolvedReason reason, out SyntaxNode? at, bool parameter = true)
            {
                problem = null;
                reason = UnresolvedReason.UnreadableSize;
                at = null;
                var form = Analyze(value);
                // Integer arithmetic that does not grow in proportion to the width (Llama's multiple_of rounding,
                // w * w + 1): mup's rule is actual / base per dimension, so the base size is all it needs, when every
                // input is a constant, a default or the width.
                if ((form.Failure is not null && form.FailureReason == UnresolvedReason.NonProportionalSize
                     || form.Failure is null && form.AffineSymbol is not null && EvaluateAtBase(value) is null)
                    && Computed(value) is { } computed)
                    return computed;
                if (form.Failure is not null)
                {
                    problem = form.Failure;
                    reason = form.FailureReason;
                    at = form.FailureSyntax;
                    return null;
                }
                reason = UnresolvedReason.NonPositiveBaseSize;
                var baseSize = EvaluateAtBase(value);
                if (form.AffineSymbol is { } symbol)
                {
                    if (baseSize is not { } b || b <= 0)
                    {
                        problem = $"{Render(value)} is a sum whose size at base width is not a positive compile-time constant";
                        reason = baseSize is null ? UnresolvedReason.NonProportionalSize : UnresolvedReason.NonPositiveBaseSize;
                        return null;
                    }
                    return new DimSpec(DimForm.Affine, b, new[] { new PowerSpec(symbol, 1) }.ToEquatableArray());
                }

                var powers = _widths
                    .Where(w => form.Powers.TryGetValue(w.Name, out var k) && k != 0)
                    .Select(w => new PowerSpec(w.Name, form.Powers[w.Name]))
                    .ToList();
                if (powers.Count == 0)
                    return DimSpec.Fixed;
                if (form.HasOpaque)
                    return new DimSpec(DimForm.Monomial, null, powers.ToEquatableArray());
                if (baseSize is not { } size || size <= 0)
                {
                    problem = $"{Render(value)} is {(baseSize is { } s ? s.ToString(CultureInfo.InvariantCulture) : "undefined")} at base width (C# integer arithmetic)";
                    return null;
                }
                // A product with a division that truncates (8 * d / 3, d / 2) does not grow exactly with the width: its
                // multiplier is actual / base, as mup's shape method gives it, but it must never measure the width (at
                // d = 100, 266 / 170 is not 100 / 64). A computed dimension is exactly that; with two widths in it there
                // is no computed form, and no rule the generator can vouch for.
                if (parameter && !IsExact(value, out _))
                {
                    if (Computed(value) is { } truncated)
                        return truncated;
                    problem = $"{Render(value)} divides by a constant that does not divide it, so it does not grow exactly with the widths it is made of";
                    reason = UnresolvedReason.NonProportionalSize;
                    return null;
                }
                return new DimSpec(DimForm.Monomial, size, powers.ToEquatableArray());
            }

            /// <summary>True when a product and quotient of widths and constants is c · Π w_i^k_i with an integer c at
            /// every width, i.e. no division truncates: a constant divides only a constant, or a term whose integer
            /// coefficient it divides (<c>4 * width / 2</c>); anything divided by a width is not exact.</summary>
            private static bool IsExact(Value value, out long coefficient)
            {
                coefficient = 1;
                switch (value)
                {
                    case Const c:
                        coefficient = c.V;
                        return true;
                    case SymbolRef { IsDepth: false }:
                        return true;
                    case Binary { Op: '*' } product:
                        if (!IsExact(product.Left, out var l) || !IsExact(product.Right, out var r))
                            return false;
                        coefficient = unchecked(l * r);
                        return true;
                    case Binary { Op: '/' } quotient:
                        if (!IsWidthFree(quotient.Right) || EvaluateAtBase(quotient.Right) is not { } divisor || divisor == 0)
                            return false;
                        if (IsWidthFree(quotient.Left))
                        {
                            if (EvaluateAtBase(quotient) is not { } constant)
                                return false;
                            coefficient = constant;
                            return true;
                        }
                        if (!IsExact(quotient.Left, out var dividend) || dividend % divisor != 0)
                            return false;
                        coefficient = dividend / divisor;
                        return true;
                    default:
                        return false;
                }
            }

            private static bool IsWidthFree(Value value) => value switch
            {
                Const => true,
                Binary b => IsWidthFree(b.Left) && IsWidthFree(b.Right),
                _ => false,
            };

            private static Form Analyze(Value value)
            {
                var form = new Form();
                switch (value)
                {
                    case Const:
                        return form;
                    case SymbolRef { IsDepth: false } width:
                        form.Powers[width.Name] = 1;
                        return form;
                    case IndexChoice:
                        form.Failure = $"{Render(value)} depends on the item's index in a way the generator cannot split";
                        form.FailureReason = UnresolvedReason.CollectionItemsDiffer;
                        return form;
                    case SymbolRef or Opaque or LoopIndex:
                        form.HasOpaque = true;
                        return form;
                    case Unknown unknown:
                        form.Failure = $"{unknown.Text} {unknown.Why}";
                        form.FailureReason = unknown.Reason;
                        form.FailureSyntax = unknown.Syntax;
                        return form;
                    case Binary binary:
                        var left = Analyze(binary.Left);
                        if (left.Failure is not null)
                            return left;
                        var right = Analyze(binary.Right);
                        if (right.Failure is not null)
                            return right;
                        form.HasOpaque = left.HasOpaque || right.HasOpaque;
                        if (binary.Op is '*' or '/')
                        {
                            if (left.AffineSymbol is not null || right.AffineSymbol is not null)
                            {
                                form.Failure = $"{Render(binary)} multiplies or divides a sum";
                            form.FailureReason = UnresolvedReason.NonProportionalSize;
                                return form;
                            }
                            foreach (var pair in left.Powers)
                                form.Powers[pair.Key] = pair.Value;
                            foreach (var pair in right.Powers)
                                form.Powers[pair.Key] = (form.Powers.TryGetValue(pair.Key, out var k) ? k : 0) + (binary.Op == '*' ? pair.Value : -pair.Value);
                            return form;
                        }
                        // + and -: a constant sum, or one width symbol to the first power plus a width-free term.
                        if (left.IsWidthFree && right.IsWidthFree)
                            return form;
                        var scaled = left.IsWidthFree ? right : right.IsWidthFree ? left : null;
                        var single = scaled?.AffineSymbol ?? (scaled is not null && scaled.Powers.Count(p => p.Value != 0) == 1
                            && scaled.Powers.Single(p => p.Value != 0) is { Value: 1 } only ? only.Key : null);
                        if (single is null || (binary.Op == '-' && scaled == right))
                        {
                            form.Failure = $"{Render(binary)} is neither a product of widths and constants nor a width plus a constant";
                            form.FailureReason = UnresolvedReason.NonProportionalSize;
                            return form;
                        }
                        form.AffineSymbol = single;
                        return form;
                    default:
                        form.Failure = $"{Render(value)} is not an integer size";
                        return form;
                }
            }

            /// <summary>A size computed from exactly one width by integer arithmetic with constants and defaults: a
            /// <see cref="DimForm.Computed"/> dimension with its base size and the arithmetic as C# for the run time's
            /// check, or null when an input is unknown, two widths enter, or the base size is not positive.</summary>
            private DimSpec? Computed(Value value)
            {
                var symbols = new HashSet<string>();
                if (!Inputs(value, symbols) || symbols.Count != 1)
                    return null;
                var symbol = symbols.Single();
                if (!_widths.Any(w => w.Name == symbol) || EvaluateAtBase(value, withDefaults: true) is not { } size || size <= 0)
                    return null;
                return new DimSpec(DimForm.Computed, size, new[] { new PowerSpec(symbol, 1) }.ToEquatableArray(), CSharp(value));
            }

            /// <summary>True when every leaf of <paramref name="value"/> is a constant, a width (collected) or a value
            /// with a constant default.</summary>
            private static bool Inputs(Value value, HashSet<string> symbols)
            {
                switch (value)
                {
                    case Const:
                        return true;
                    case Opaque { Default: not null }:
                        return true;
                    case SymbolRef { IsDepth: false } width:
                        symbols.Add(width.Name);
                        return true;
                    case Binary binary:
                        return Inputs(binary.Left, symbols) && Inputs(binary.Right, symbols);
                    default:
                        return false;
                }
            }

            /// <summary>The arithmetic as a C# expression of <c>w</c> in long arithmetic, every operation parenthesized
            /// (so C#'s evaluation order and truncating division are exactly the constructor's).</summary>
            private static string CSharp(Value value) => value switch
            {
                Const c => Literal(c.V),
                Opaque { Default: { } d } => Literal(d),
                SymbolRef => "w",
                Binary b => $"({CSharp(b.Left)} {b.Op} {CSharp(b.Right)})",
                _ => throw new System.InvalidOperationException("not an input of a computed size"),
            };

            private static string Literal(long v) => v < 0 ? $"({v.ToString(CultureInfo.InvariantCulture)}L)" : v.ToString(CultureInfo.InvariantCulture) + "L";

            /// <summary>The value with every width symbol at its base, computed as C# computes it (long arithmetic,
            /// integer division truncating, left to right as written); null when it depends on anything else (with
            /// <paramref name="withDefaults"/>, a value with a constant default takes that default).</summary>
            internal static long? EvaluateAtBase(Value value, bool withDefaults = false)
            {
                switch (value)
                {
                    case Const c:
                        return c.V;
                    case Opaque { Default: { } d } when withDefaults:
                        return d;
                    case SymbolRef { IsDepth: false } width:
                        return width.BaseValue;
                    case Binary binary:
                        if (EvaluateAtBase(binary.Left, withDefaults) is not { } l || EvaluateAtBase(binary.Right, withDefaults) is not { } r)
                            return null;
                        unchecked
                        {
                            return binary.Op switch
                            {
                                '+' => l + r,
                                '-' => l - r,
                                '*' => l * r,
                                '/' => r == 0 ? null : r == -1 ? -l : l / r,
                                _ => null,
                            };
                        }
                    default:
                        return null;
                }
            }

            private static string Render(Value value) => value switch
            {
                Const c => c.V.ToString(CultureInfo.InvariantCulture),
                BoolConst b => b.V ? "true" : "false",
                SymbolRef s => s.Name,
                Opaque o => o.Text,
                LoopIndex i => i.Name,
                IndexChoice c => $"(index == {c.Index.ToString(CultureInfo.InvariantCulture)} ? {Render(c.At)} : {Render(c.Others)})",
                Unknown u => u.Text,
                Binary b => $"{RenderOperand(b.Left, b.Op, false)} {b.Op} {RenderOperand(b.Right, b.Op, true)}",
                Items items => "(" + string.Join(", ", items.Values.Select(Render)) + ")",
                Layer l => l.Kind.ToString() + "(...)",
                ListValue => "a module list",
                _ => "a module",
            };

            private static string RenderOperand(Value value, char parentOp, bool isRight)
            {
                var text = Render(value);
                if (value is not Binary child)
                    return text;
                var childLow = child.Op is '+' or '-';
                var parentHigh = parentOp is '*' or '/';
                return (childLow && parentHigh) || (isRight && (parentOp is '-' or '/' || (parentHigh && childLow))) ? $"({text})" : text;
            }
        }
    }
}
