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
        internal sealed partial class FactBuilder
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

            /// <summary>A MupAttentionScale argument of the module at <paramref name="path"/>.</summary>
            public void AddAttention(string path, HeadDimCall headDim) => AddAttention(AttentionFor(path, headDim));

            /// <summary>The head dimension's form, or, when the argument is not a size the generator can read (a
            /// tensor's shape, a field the constructor does not set, a method's result), an unread entry with what was
            /// not understood and where: never a guess, since µP's scale differs between a head dimension that grows
            /// with the width (1/d) and a fixed one with more heads (unchanged).</summary>
            private AttentionSpec AttentionFor(string path, HeadDimCall call)
            {
                if (AnalyzeDim(call.Value, out var problem) is { } dim)
                    return new AttentionSpec(path, dim);
                var text = System.Text.RegularExpressions.Regex.Replace(call.Syntax.ToString(), @"\s+", " ").Trim();
                var readsShape = call.Syntax.DescendantNodesAndSelf().Any(n =>
                    n is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Name.Identifier.ValueText: "shape" or "size" });
                var why = readsShape ? $"{text} reads a tensor's shape, which is known only at run time"
                    : problem is null || problem.StartsWith(text, System.StringComparison.Ordinal) ? problem : $"{text}: {problem}";
                var declaring = call.DeclaringType.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
                return new AttentionSpec(path, null, $"MupAttentionScale({text}): {why ?? text + " is not a size the generator can read"}", declaring, Spot(call.Syntax));
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
                            if (AttentionFor(prefix, head) is var spec && !part.Attention.Contains(spec))
                                part.Attention.Add(spec);
                        // A role attribute on the module's field applies to its layers that carry none of their own.
                        foreach (var field in module.Fields)
                            part.Add(FactsFor(field.Value, field.DeclaredType, prefix + "." + field.Name,
                                field.Role != RoleAttribute.None ? field.Role : attribute, inBlock, field));
                        break;
                    case ParameterValue parameter:
                        if (ParameterFacts(prefix, parameter, attribute, inBlock, owner) is { } facts)
                            part.Layers.Add(facts);
                        else
                            Whole(part, prefix, prefix, owner, UnresolvedReason.ParameterField,
                                $"'{prefix}' is a Parameter ({parameter.Text}) whose shape the generator cannot read: its value is not a tensor factory call with a shape (torch.zeros/ones/randn/full/normal/empty/rand)", parameter.Syntax, inBlock);
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
        }
    }
}
