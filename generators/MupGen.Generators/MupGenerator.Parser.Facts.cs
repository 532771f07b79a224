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
        /// <summary>Turns the symbolic value of each layer field into parameter facts: names, shapes, roles.</summary>
        internal sealed class FactBuilder
        {
            private readonly List<WidthSpec> _widths;
            private readonly SymbolRef? _depth;
            private readonly List<LayerFacts> _layers = new();

            public FactBuilder(List<WidthSpec> widths, SymbolRef? depth)
            {
                _widths = widths;
                _depth = depth;
            }

            /// <summary>The list field whose length is the [Depth] symbol, when the constructor shows it.</summary>
            public string? BlockList { get; private set; }

            /// <summary>The facts of one layer instance (or of one list pattern): they share a role decision.</summary>
            private sealed class LayerFacts
            {
                public LayerFacts(List<ParameterSpec> facts, RoleAttribute attribute, string prefix = "", ModuleField? owner = null, SyntaxNode? site = null)
                {
                    Facts = facts;
                    Attribute = attribute;
                    Prefix = prefix;
                    Owner = owner;
                    Site = site;
                }

                /// <summary>The layer's path (<c>blocks.*.attn.q</c>).</summary>
                public string Prefix { get; }
                /// <summary>The member that holds it (for diagnostics).</summary>
                public ModuleField? Owner { get; }
                /// <summary>Where it is built, or what could not be read.</summary>
                public SyntaxNode? Site { get; set; }

                public List<ParameterSpec> Facts { get; set; }
                public RoleAttribute Attribute { get; }
                /// <summary>Already Unresolved because its sizes could not be read.</summary>
                public bool Unreadable { get; set; }
            }

            /// <summary>Head-dimension facts, one per module path and form, in the order found.</summary>
            public List<AttentionSpec> Attention { get; } = new();

            /// <summary>The user module classes whose instances end up in the model's fields, in the order reached.</summary>
            public List<INamedTypeSymbol> Reached { get; } = new();

            /// <summary>The facts of one subtree: its layers and the head dimensions of its attention modules.</summary>
            private sealed class Part
            {
                public List<LayerFacts> Layers { get; } = new();
                public List<AttentionSpec> Attention { get; } = new();
                public bool IsEmpty => Layers.Count == 0 && Attention.Count == 0;

                public void Add(Part other)
                {
                    Layers.AddRange(other.Layers);
                    foreach (var a in other.Attention)
                        if (!Attention.Contains(a))
                            Attention.Add(a);
                }
            }

            /// <summary>The attention layers of the catalog the model builds (MultiheadAttention, Transformer layers).</summary>
            public List<AttentionLayerSpec> AttentionLayers { get; } = new();

            /// <summary>Everything not understood, one entry per member, in the order found.</summary>
            public List<UnresolvedSpec> Unresolved { get; } = new();

            public void AddField(ModuleField field)
            {
                var part = FactsFor(field.Value, field.DeclaredType, field.Name, field.Role, inBlock: false, field);
                _layers.AddRange(part.Layers);
                foreach (var a in part.Attention)
                    AddAttention(a);
            }

            /// <summary>A MupAttentionScale argument of the module at <paramref name="path"/>; skipped when it is not
            /// a size the generator can read (the runtime then takes the head dimension to grow with the width).</summary>
            public void AddAttention(string path, Value headDim)
            {
                if (AnalyzeDim(headDim, out _) is { } dim)
                    AddAttention(new AttentionSpec(path, dim));
            }

            private void AddAttention(AttentionSpec spec)
            {
                if (!Attention.Contains(spec))
                    Attention.Add(spec);
            }

            public List<ParameterSpec> Build()
            {
                ApplyMeasurability();
                var facts = new List<ParameterSpec>();
                foreach (var layer in _layers)
                {
                    foreach (var fact in layer.Facts)
                        if (!facts.Contains(fact))
                            facts.Add(fact);
                    if (layer.Facts.FirstOrDefault(f => f.Role == Role.Unresolved) is not { } unresolved)
                        continue;
                    var reason = unresolved.Reason ?? UnresolvedReason.UnreadableSize;
                    var pattern = layer.Facts.Count(f => f.Role == Role.Unresolved) == 1 ? unresolved.Name : layer.Prefix + ".**";
                    AddIssue(Issue(layer.Prefix, pattern, layer.Owner, reason, unresolved.Note ?? "", layer.Site));
                }
                return facts;
            }

            private static string Last(string name) => name.Substring(name.LastIndexOf('.') + 1);

            private void AddIssue(UnresolvedSpec issue)
            {
                if (!Unresolved.Contains(issue))
                    Unresolved.Add(issue);
            }

            /// <summary>A member with parameters the generator cannot describe at all: one fact with no shape that the
            /// runtime matches to anything under the member (or to the exact name of a Parameter), so it refuses them
            /// by name with the reason; reported like any Unresolved layer.</summary>
            private static void Whole(Part part, string path, string pattern, ModuleField? owner, UnresolvedReason reason, string detail, SyntaxNode? site, bool inBlock)
            {
                var fact = new ParameterSpec(pattern, LayerKind.Other, pattern.EndsWith("**", System.StringComparison.Ordinal) ? "*" : Last(pattern),
                    Role.Unresolved, EquatableArray<DimSpec>.Empty, inBlock, detail, reason);
                part.Layers.Add(new LayerFacts(new List<ParameterSpec> { fact }, RoleAttribute.None, path, owner, site) { Unreadable = true });
            }

            private static UnresolvedSpec Issue(string path, string pattern, ModuleField? owner, UnresolvedReason reason, string detail, SyntaxNode? site)
            {
                var symbol = owner?.Symbol;
                var declaring = symbol?.ContainingType is { } t
                    ? t.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "")
                    : "";
                var member = symbol is IFieldSymbol or IPropertySymbol ? symbol.Name : owner?.Name ?? Last(path);
                var memberSyntax = owner?.Site ?? (symbol?.DeclaringSyntaxReferences.Length > 0 ? symbol.DeclaringSyntaxReferences[0].GetSyntax() : null);
                return new UnresolvedSpec(path, pattern, declaring, member, reason, detail, Spot(site ?? memberSyntax), Spot(memberSyntax));
            }

            /// <summary>A syntax node's place as plain values.</summary>
            internal static SourceSpot? Spot(SyntaxNode? node)
            {
                if (node is null)
                    return null;
                var span = node.Span;
                var lines = node.SyntaxTree.GetLineSpan(span);
                return new SourceSpot(node.SyntaxTree.FilePath, span.Start, span.Length,
                    lines.StartLinePosition.Line, lines.StartLinePosition.Character, lines.EndLinePosition.Line, lines.EndLinePosition.Character);
            }

            /// <summary>The facts under <paramref name="prefix"/>: a layer's tensors, a list's items (<c>prefix.*</c>),
            /// or a user module's fields (<c>prefix.field</c>, recursively).</summary>
            private Part FactsFor(Value? value, ITypeSymbol? declaredType, string prefix, RoleAttribute attribute, bool inBlock, ModuleField? owner)
            {
                var part = new Part();
                switch (value)
                {
                    case Layer layer:
                        part.Layers.Add(BuildLayer(prefix, layer, attribute, inBlock, null, owner));
                        break;
                    case ListValue list:
                        // The list the [Depth] symbol counts holds the residual blocks.
                        if (_depth is not null && BlockList is null
                            && list.Entries.Any(e => e.Key is null && e.Count is SymbolRef { IsDepth: true }))
                        {
                            BlockList = prefix;
                            inBlock = true;
                        }
                        return ListFacts(list, prefix, attribute, inBlock, owner);
                    case UserModule module:
                        if (!Reached.Contains(module.Type, SymbolEqualityComparer.Default))
                            Reached.Add(module.Type);
                        foreach (var head in module.HeadDims)
                            if (AnalyzeDim(head, out _) is { } dim && !part.Attention.Contains(new AttentionSpec(prefix, dim)))
                                part.Attention.Add(new AttentionSpec(prefix, dim));
                        // A role attribute on the module's field applies to its layers that carry none of their own.
                        foreach (var field in module.Fields)
                            part.Add(FactsFor(field.Value, field.DeclaredType, prefix + "." + field.Name,
                                field.Role != RoleAttribute.None ? field.Role : attribute, inBlock, field));
                        break;
                    case ParameterValue parameter:
                        Whole(part, prefix, prefix, owner, UnresolvedReason.ParameterField,
                            $"'{prefix}' is a Parameter ({parameter.Text}), whose shape the generator does not read", parameter.Syntax, inBlock);
                        break;
                    case OtherModule:
                        break;
                    default:
                        // A layer field the constructor builds in a way the generator cannot follow.
                        var u = value as Unknown;
                        if (declaredType is not null && KnownTypes.EntryOf(declaredType) is { } kind)
                        {
                            var why = u is not null
                                ? $"could not read how '{prefix}' is built: {u.Text} {u.Why}"
                                : $"could not read how '{prefix}' is built: it is not assigned in the constructor";
                            var built = BuildLayer(prefix, new Layer(kind, new Dictionary<string, Value>(), u?.Syntax), attribute, inBlock, why, owner,
                                u?.Reason ?? UnresolvedReason.NotConstructed);
                            part.Layers.Add(built);
                        }
                        else if (u is not null)
                        {
                            Whole(part, prefix, owner is { AnyName: true } ? prefix : prefix + ".**", owner, u.Reason, $"could not read how '{prefix}' is built: {u.Text} {u.Why}", u.Syntax, inBlock);
                        }
                        else if (value is null && declaredType is not null && !IsParameterlessType(declaredType))
                        {
                            Whole(part, prefix, prefix + ".**", owner, UnresolvedReason.NotConstructed,
                                $"could not read how '{prefix}' is built: it is not assigned in the constructor", null, inBlock);
                        }
                        break;
                }
                return part;
            }

            /// <summary>One pattern `list.*.weight` when every item with parameters is the same layer (or module with
            /// the same facts); else one fact per constant index; else an Unresolved pattern.</summary>
            private Part ListFacts(ListValue list, string prefix, RoleAttribute attribute, bool inBlock, ModuleField? owner)
            {
                static bool IsIndex(string? key) => key is null || key.All(char.IsDigit);
                var patterns = list.Entries
                    .Select(e => (Entry: e, Part: FactsFor(e.Item, null, prefix + ".*", attribute, inBlock, owner)))
                    .Where(p => !p.Part.IsEmpty)
                    .ToList();
                if (patterns.Count == 0)
                    return new Part();

                bool Same(Part a, Part b) => Flatten(a.Layers).SequenceEqual(Flatten(b.Layers)) && a.Attention.SequenceEqual(b.Attention);

                // Every item the same layer, at list indices: one pattern `list.*.weight`.
                if (patterns.All(p => IsIndex(p.Entry.Key)) && patterns.All(p => Same(p.Part, patterns[0].Part)))
                    return patterns[0].Part;

                // Repeated items (added in a loop, by Select, or under a name built from the loop index: `conv*`)
                // form groups by their name pattern; each group must be one layer. Items at constant indices or names
                // get their own facts, which the runtime prefers to a group's pattern (`hidden.0.weight` over
                // `hidden.*.weight`).
                var result = new Part();
                var groups = patterns.Where(p => p.Entry.Key is null || p.Entry.Key.Contains("*"))
                    .GroupBy(p => p.Entry.Key ?? "*").ToList();
                foreach (var group in groups)
                {
                    var items = group.ToList();
                    var first = FactsFor(items[0].Entry.Item, null, prefix + "." + group.Key, attribute, inBlock, owner);
                    if (items.All(p => Same(p.Part, items[0].Part)))
                    {
                        result.Add(first);
                        continue;
                    }
                    var note = $"the items of '{prefix}' added at '{group.Key}' are different layers, at indices the generator cannot tell apart";
                    foreach (var layer in first.Layers)
                    {
                        layer.Facts = layer.Facts.Select(f => f with { Role = Role.Unresolved, Note = note, Reason = UnresolvedReason.CollectionItemsDiffer }).ToList();
                        layer.Unreadable = true;
                    }
                    result.Add(first);
                }
                var anyIndex = groups.FirstOrDefault(g => g.Key == "*")?.First().Part;
                foreach (var (entry, part) in patterns)
                {
                    if (entry.Key is null || entry.Key.Contains("*"))
                        continue;
                    if (anyIndex is not null && IsIndex(entry.Key) && Same(part, anyIndex))
                        continue; // the list pattern says the same
                    result.Add(FactsFor(entry.Item, null, prefix + "." + entry.Key, attribute, inBlock, owner));
                }
                return result;
            }

            /// <summary>A declared TorchSharp layer type without parameters (ReLU, Dropout, ...).</summary>
            private static bool IsParameterlessType(ITypeSymbol type) =>
                type.ContainingNamespace?.ToDisplayString() == TypeNames.ModulesNamespace && KnownTypes.IsParameterless(type.Name);

            private static List<ParameterSpec> Flatten(List<LayerFacts> layers) => layers.SelectMany(l => l.Facts).ToList();

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

            private static Role MatrixRole(RoleAttribute attribute) => attribute switch
            {
                RoleAttribute.Readout => Role.Readout,
                RoleAttribute.Input => Role.Input,
                RoleAttribute.Hidden => Role.Hidden,
                _ => Role.Fixed,
            };

            /// <summary>Which dimensions of a tensor a role attribute declares width-scaled.</summary>
            private static HashSet<int> InfiniteByRole(TensorDraft tensor, RoleAttribute attribute)
            {
                var result = new HashSet<int>();
                if (tensor.IsMatrix)
                {
                    if (attribute is RoleAttribute.Input or RoleAttribute.Hidden)
                        result.Add(tensor.FanOut[0]);
                    if (attribute is RoleAttribute.Readout or RoleAttribute.Hidden)
                        result.Add(tensor.FanIn[0]);
                }
                else if (attribute is RoleAttribute.Input or RoleAttribute.Hidden && tensor.Dims.Count > 0)
                {
                    result.Add(0);
                }
                return result;
            }

            /// <summary>A width symbol whose base size shows in no dimension cannot be measured at run time: the
            /// layers that use it get no rule.</summary>
            private void ApplyMeasurability()
            {
                var measurable = new HashSet<string>(_layers
                    .SelectMany(l => l.Facts)
                    .SelectMany(f => f.Shape)
                    .Where(d => d.BaseSize is not null)
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
                    var note = $"width '{missing}' appears in no dimension whose size at base width is a compile-time constant, so its multiplier cannot be measured at run time";
                    layer.Facts = layer.Facts.Select(f => f with { Role = Role.Unresolved, Note = note, Reason = UnresolvedReason.UnmeasurableWidth }).ToList();
                }
            }

            // ---- dimension expressions ----

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

            private DimSpec? AnalyzeDim(Value value, out string? problem) => AnalyzeDim(value, out problem, out _, out _);

            private DimSpec? AnalyzeDim(Value value, out string? problem, out UnresolvedReason reason, out SyntaxNode? at)
            {
                problem = null;
                reason = UnresolvedReason.UnreadableSize;
                at = null;
                var form = Analyze(value);
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
                return new DimSpec(DimForm.Monomial, size, powers.ToEquatableArray());
            }

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

            /// <summary>The value with every width symbol at its base, computed as C# computes it (long arithmetic,
            /// integer division truncating, left to right as written); null when it depends on anything else.</summary>
            private static long? EvaluateAtBase(Value value)
            {
                switch (value)
                {
                    case Const c:
                        return c.V;
                    case SymbolRef { IsDepth: false } width:
                        return width.BaseValue;
                    case Binary binary:
                        if (EvaluateAtBase(binary.Left) is not { } l || EvaluateAtBase(binary.Right) is not { } r)
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
                LoopIndex i => i.Local.Name,
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
