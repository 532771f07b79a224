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
        /// <summary>Layers: a catalog entry and the factory call's arguments give the layer's tensors, their
        /// dimensions and (with the roles) the facts of one layer.</summary>
        internal sealed partial class FactBuilder
        {
            /// <summary>One tensor of a layer while its role is being decided.</summary>
            private sealed class TensorDraft
            {
                public TensorDraft(string name, List<(Value Value, string Argument)> dims, int[] fanOut, int[] fanIn)
                {
                    Name = name;
                    Dims = dims;
                    FanOut = fanOut;
                    FanIn = fanIn;
                }

                public string Name { get; }
                public List<(Value Value, string Argument)> Dims { get; }
                /// <summary>µP fan_out / fan_in dimensions of a matrix-like weight (the catalog's); empty for vectors.</summary>
                public int[] FanOut { get; }
                public int[] FanIn { get; }
                public bool IsMatrix => FanOut.Length > 0 && FanIn.Length > 0;
            }

            /// <summary>A layer's arguments by the catalog's names, defaults applied (TransformerEncoder/Decoder: the
            /// arguments of the layer they clone).</summary>
            private static (System.Func<string, Value> Arg, System.Func<string, bool?> Flag) Arguments(Layer layer)
            {
                var entry = layer.Entry;
                var args = layer.Args;
                var defaults = entry;
                // TransformerEncoder/Decoder clone the layer they are given: its arguments size every tensor.
                if (entry.LayerArgument is { } cloned)
                {
                    if (args.TryGetValue(cloned, out var inner) && inner is Layer innerLayer)
                    {
                        defaults = innerLayer.Entry;
                        args = new Dictionary<string, Value>(innerLayer.Args);
                        foreach (var stack in entry.Stacks)
                            if (layer.Args.TryGetValue(stack.CountArgument, out var count))
                                args[stack.CountArgument] = count;
                    }
                    else
                    {
                        args = new Dictionary<string, Value>();
                    }
                }

                Value Arg(string name)
                {
                    if (args.TryGetValue(name, out var v))
                        return v;
                    var declared = defaults.Argument(name) ?? entry.Argument(name);
                    return declared?.Default switch
                    {
                        long l => new Const(l),
                        int i => new Const(i),
                        bool b => new BoolConst(b),
                        _ => declared is { Required: false } ? NullArgument : new Unknown(name, "is not given"),
                    };
                }
                bool? Flag(string name) => Arg(name) switch
                {
                    BoolConst b => b.V,
                    _ => null,
                };
                return (Arg, Flag);
            }

            /// <summary>The tensors a layer registers, from its catalog entry: existence conditions decided from the
            /// arguments (a condition the generator cannot decide keeps the tensor: a fact for a tensor that does not
            /// exist is never matched), placeholders expanded (<c>{layer}</c>, <c>{direction}</c>, <c>{index}</c>),
            /// dimensions as products of the arguments.</summary>
            private static List<TensorDraft> Tensors(Layer layer)
            {
                var (Arg, Flag) = Arguments(layer);
                var entry = layer.Entry;
                bool? SameDim()
                {
                    var e = Arg("embedded_dim");
                    bool? Same(string other) => Arg(other) switch
                    {
                        var v when ReferenceEquals(v, NullArgument) => true,
                        var v when ReferenceEquals(v, e) => true,
                        Const c when e is Const ec => c.V == ec.V,
                        _ => null,
                    };
                    var k = Same("kdim");
                    var v = Same("vdim");
                    return k is false || v is false ? false : k is true && v is true ? true : null;
                }

                var result = new List<TensorDraft>();
                foreach (var template in entry.Tensors)
                {
                    var exists = true;
                    foreach (var condition in template.Conditions)
                    {
                        var holds = condition.Kind switch
                        {
                            MupGen.Catalog.CatalogConditionKind.IsTrue => Flag(condition.Argument!),
                            MupGen.Catalog.CatalogConditionKind.QkvSameDim => SameDim(),
                            _ => !SameDim(),
                        };
                        if (holds is false)
                            exists = false;
                    }
                    if (!exists)
                        continue;

                    // Dimensions: one per catalog dim, except normalized_shape given as long[] (one per item).
                    var dims = new List<(Value, string)>();
                    foreach (var dim in template.Dims)
                    {
                        if (dim.Times.Length == 1 && dim.Over.Length == 0 && dim.Coefficient == 1 && dim.Element < 0 && dim.DoubledBy is null
                            && Arg(dim.Times[0]) is Items items)
                        {
                            foreach (var item in items.Values)
                                dims.Add((item, dim.Times[0]));
                            continue;
                        }
                        dims.Add((DimValue(dim, Arg, Flag), dim.Times.Length > 0 ? dim.Times[0] : "1"));
                    }

                    foreach (var name in Expand(template, Arg, Flag))
                        result.Add(new TensorDraft(name, dims, template.FanOut, template.FanIn));
                }
                return result;
            }

            /// <summary>An optional argument left null (MultiheadAttention's kdim).</summary>
            private static readonly Value NullArgument = NullValue;

            private static Value DimValue(MupGen.Catalog.CatalogDim dim, System.Func<string, Value> arg, System.Func<string, bool?> flag)
            {
                Value? result = dim.Coefficient == 1 && dim.Times.Length > 0 ? null : new Const(dim.Coefficient);
                foreach (var name in dim.Times)
                {
                    var value = arg(name);
                    if (ReferenceEquals(value, NullArgument) && dim.OrElse is { } alternative)
                        value = arg(alternative);
                    if (dim.Element >= 0)
                        value = value is Items items ? (dim.Element < items.Values.Count ? items.Values[dim.Element] : new Unknown(name, "has fewer items than the layer has dimensions"))
                            : value;
                    result = result is null ? value : new Binary('*', result, value);
                }
                foreach (var name in dim.Over)
                {
                    var value = arg(name);
                    if (value is Const { V: 1 })
                        continue;
                    result = new Binary('/', result!, value);
                }
                if (dim.DoubledBy is { } doubled)
                {
                    var twice = flag(doubled);
                    if (twice is true)
                        result = new Binary('*', new Const(2), result!);
                    else if (twice is null)
                        result = new Unknown(doubled, "decides whether the size doubles, and the generator cannot read it");
                }
                return result ?? new Const(1);
            }

            /// <summary>A tensor template's names: <c>{layer}</c> per recurrent layer (<c>*</c> when the count is not a
            /// constant), <c>{direction}</c> "" and "_reverse" when bidirectional, <c>{index}</c> a list index.</summary>
            private static IEnumerable<string> Expand(MupGen.Catalog.CatalogTensor template, System.Func<string, Value> arg, System.Func<string, bool?> flag)
            {
                var names = new List<string> { template.Name.Replace("{index}", "*") };
                if (template.Name.Contains("{layer}"))
                {
                    var count = arg("numLayers") is Const { V: > 0 } c ? c.V : (long?)null;
                    var layers = template.Layers switch
                    {
                        MupGen.Catalog.CatalogLayers.First => new List<string> { "0" },
                        MupGen.Catalog.CatalogLayers.Later when count is { } n => Enumerable.Range(1, (int)System.Math.Max(0, n - 1)).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToList(),
                        _ when count is { } n => Enumerable.Range(0, (int)n).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToList(),
                        _ => new List<string> { "*" },
                    };
                    names = names.SelectMany(n => layers.Select(l => n.Replace("{layer}", l))).ToList();
                }
                if (template.Name.Contains("{direction}"))
                {
                    var directions = flag("bidirectional") switch
                    {
                        false => new[] { "" },
                        _ => new[] { "", "_reverse" },
                    };
                    names = names.SelectMany(n => directions.Select(d => n.Replace("{direction}", d))).ToList();
                }
                return names;
            }

            private LayerFacts BuildLayer(string prefix, Layer layer, RoleAttribute attribute, bool inBlock, string? wholeFailure,
                ModuleField? owner, UnresolvedReason wholeReason = UnresolvedReason.NotConstructed)
            {
                var tensors = Tensors(layer);
                if (layer.Entry.HeadDim is { } headDim && wholeFailure is null)
                {
                    var (arg, flag) = Arguments(layer);
                    var value = DimValue(headDim, arg, flag);
                    var dim = AnalyzeDim(value, out _);
                    var issue = Issue(prefix, prefix, owner, UnresolvedReason.UnreadableSize, "", layer.Syntax);
                    var spec = new AttentionLayerSpec(prefix, issue.DeclaringType, issue.Member, dim, dim is { IsInfinite: true }, issue.Location, issue.MemberLocation);
                    if (!AttentionLayers.Contains(spec))
                        AttentionLayers.Add(spec);
                }

                // Read every dimension; the first one that cannot be read names the layer's problem.
                var failure = wholeFailure;
                var failureReason = wholeReason;
                var site = layer.Syntax;
                var read = new List<List<DimSpec?>>();
                foreach (var tensor in tensors)
                {
                    var specs = new List<DimSpec?>();
                    foreach (var (value, argument) in tensor.Dims)
                    {
                        string? problem = null;
                        var problemReason = UnresolvedReason.UnreadableSize;
                        SyntaxNode? problemAt = null;
                        var spec = wholeFailure is null ? AnalyzeDim(value, out problem, out problemReason, out problemAt) : null;
                        if (spec is null && failure is null)
                        {
                            failure = $"could not read '{argument}' of {layer.Kind} '{prefix}': {problem}";
                            failureReason = problemReason;
                            site = problemAt ?? site;
                        }
                        specs.Add(spec);
                    }
                    read.Add(specs);
                }

                var facts = new List<ParameterSpec>();
                for (var t = 0; t < tensors.Count; t++)
                {
                    var tensor = tensors[t];
                    var specs = read[t];
                    Role role;
                    string? note = null;
                    UnresolvedReason? reason = null;
                    List<DimSpec> shape;
                    if (attribute == RoleAttribute.Invariant)
                    {
                        role = Role.Fixed;
                        shape = specs.Select(s => s ?? DimSpec.Fixed).ToList();
                    }
                    else if (failure is not null && attribute == RoleAttribute.None)
                    {
                        role = Role.Unresolved;
                        note = failure;
                        reason = failureReason;
                        shape = specs.Select(s => s ?? DimSpec.Fixed).ToList();
                    }
                    else if (failure is not null)
                    {
                        // The attribute says which dimensions scale; the generator could not read them itself.
                        var infinite = InfiniteByRole(tensor, attribute);
                        shape = specs.Select((s, i) => !infinite.Contains(i) ? DimSpec.Fixed
                            : s is { IsInfinite: true } ? s
                            : new DimSpec(DimForm.Monomial, null, new[] { new PowerSpec(_widths[0].Name, 1) }.ToEquatableArray())).ToList();
                        role = tensor.IsMatrix ? MatrixRole(attribute) : infinite.Count > 0 ? Role.Vector : Role.Fixed;
                    }
                    else
                    {
                        shape = specs.Select(s => s!).ToList();
                        if (tensor.IsMatrix)
                        {
                            var fanOut = tensor.FanOut.Any(d => d < shape.Count && shape[d].IsInfinite);
                            var fanIn = tensor.FanIn.Any(d => d < shape.Count && shape[d].IsInfinite);
                            if (attribute != RoleAttribute.None)
                                role = MatrixRole(attribute);
                            else if (fanOut && fanIn)
                                role = Role.Hidden;
                            else if (fanOut)
                                role = Role.Input;
                            else if (fanIn)
                            {
                                role = Role.Unresolved;
                                note = "width-scaled fan_in and fixed fan_out but not marked [ReadoutLayer]";
                                reason = UnresolvedReason.MissingReadout;
                            }
                            else
                                role = Role.Fixed;
                        }
                        else
                        {
                            role = shape.Any(d => d.IsInfinite) ? Role.Vector : Role.Fixed;
                        }
                    }
                    facts.Add(new ParameterSpec(prefix + "." + tensor.Name, layer.Kind, tensor.Name, role,
                        shape.ToEquatableArray(), inBlock, note, reason));
                }
                return new LayerFacts(facts, attribute, prefix, owner, site) { Unreadable = failure is not null && attribute == RoleAttribute.None };
            }
        }
    }
}
