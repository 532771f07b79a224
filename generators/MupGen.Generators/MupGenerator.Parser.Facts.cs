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
                        if (declaredType is not null && KnownTypes.KindOf(declaredType) is { } kind)
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
                var patterns = list.Entries
                    .Select(e => FactsFor(e.Item, null, prefix + ".*", attribute, inBlock, owner))
                    .Where(p => !p.IsEmpty)
                    .ToList();
                if (patterns.Count == 0)
                    return new Part();

                var first = Flatten(patterns[0].Layers);
                if (patterns.All(p => Flatten(p.Layers).SequenceEqual(first) && p.Attention.SequenceEqual(patterns[0].Attention)))
                    return patterns[0];

                if (list.Entries.All(e => e.Key is not null))
                {
                    var indexed = new Part();
                    foreach (var e in list.Entries)
                        indexed.Add(FactsFor(e.Item, null, prefix + "." + e.Key, attribute, inBlock, owner));
                    return indexed;
                }

                var note = $"the items of '{prefix}' are different layers and some are added at indices that are not constants";
                foreach (var layer in patterns[0].Layers)
                {
                    layer.Facts = layer.Facts.Select(f => f with { Role = Role.Unresolved, Note = note, Reason = UnresolvedReason.CollectionItemsDiffer }).ToList();
                    layer.Unreadable = true;
                }
                return patterns[0];
            }

            /// <summary>A declared TorchSharp layer type without parameters (ReLU, Dropout, ...).</summary>
            private static bool IsParameterlessType(ITypeSymbol type) =>
                type.ContainingNamespace?.ToDisplayString() == TypeNames.ModulesNamespace && KnownTypes.IsParameterless(type.Name);

            private static List<ParameterSpec> Flatten(List<LayerFacts> layers) => layers.SelectMany(l => l.Facts).ToList();

            /// <summary>One tensor of a layer while its role is being decided.</summary>
            private sealed class TensorDraft
            {
                public TensorDraft(string name, List<(Value Value, string Argument)> dims, int fanOut, int fanIn)
                {
                    Name = name;
                    Dims = dims;
                    FanOut = fanOut;
                    FanIn = fanIn;
                }

                public string Name { get; }
                public List<(Value Value, string Argument)> Dims { get; }
                /// <summary>Index of fan_out / fan_in for matrix weights; -1 for vectors.</summary>
                public int FanOut { get; }
                public int FanIn { get; }
                public bool IsMatrix => FanOut >= 0;
            }

            private static readonly Value KernelDim = new Const(1);

            private LayerFacts BuildLayer(string prefix, Layer layer, RoleAttribute attribute, bool inBlock, string? wholeFailure,
                ModuleField? owner, UnresolvedReason wholeReason = UnresolvedReason.NotConstructed)
            {
                Value Arg(string name) => layer.Args.TryGetValue(name, out var v) ? v : new Unknown(name, "is not given");
                bool IsFalse(string name) => layer.Args.TryGetValue(name, out var v) && v is BoolConst { V: false };

                var tensors = new List<TensorDraft>();
                switch (layer.Kind)
                {
                    case LayerKind.Linear:
                        tensors.Add(new TensorDraft("weight", new() { (Arg("outputSize"), "outputSize"), (Arg("inputSize"), "inputSize") }, 0, 1));
                        if (!IsFalse("hasBias"))
                            tensors.Add(new TensorDraft("bias", new() { (Arg("outputSize"), "outputSize") }, -1, -1));
                        break;
                    case LayerKind.Embedding:
                        tensors.Add(new TensorDraft("weight", new() { (Arg("num_embeddings"), "num_embeddings"), (Arg("embedding_dims"), "embedding_dims") }, 1, 0));
                        break;
                    case LayerKind.LayerNorm:
                        if (IsFalse("elementwise_affine"))
                            break;
                        var shape = Arg("normalized_shape");
                        var dims = shape is Items items
                            ? items.Values.Select(v => (v, "normalized_shape")).ToList()
                            : new List<(Value, string)> { (shape, "normalized_shape") };
                        tensors.Add(new TensorDraft("weight", dims, -1, -1));
                        if (!IsFalse("bias"))
                            tensors.Add(new TensorDraft("bias", dims, -1, -1));
                        break;
                    case LayerKind.Conv1d:
                    case LayerKind.Conv2d:
                        var groups = Arg("groups");
                        var input = groups is Const { V: 1 } ? Arg("in_channels") : new Binary('/', Arg("in_channels"), groups);
                        var weight = new List<(Value, string)> { (Arg("out_channels"), "out_channels"), (input, "in_channels") };
                        for (var k = 0; k < (layer.Kind == LayerKind.Conv1d ? 1 : 2); k++)
                            weight.Add((KernelDim, "kernel_size"));
                        tensors.Add(new TensorDraft("weight", weight, 0, 1));
                        if (!IsFalse("bias"))
                            tensors.Add(new TensorDraft("bias", new() { (Arg("out_channels"), "out_channels") }, -1, -1));
                        break;
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
                            var fanOut = shape[tensor.FanOut].IsInfinite;
                            var fanIn = shape[tensor.FanIn].IsInfinite;
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
                        result.Add(tensor.FanOut);
                    if (attribute is RoleAttribute.Readout or RoleAttribute.Hidden)
                        result.Add(tensor.FanIn);
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
                    case SymbolRef or Opaque:
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
