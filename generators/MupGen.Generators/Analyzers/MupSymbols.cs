using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators;

namespace MupGen.Analyzers;

/// <summary>The symbols the analyzers compare against, resolved once per compilation. <see cref="Create"/> returns
/// null unless the compilation references MupGen (WidthAttribute) and TorchSharp (nn.Module): analyzers return early
/// then and register nothing.</summary>
internal sealed class MupSymbols
{
    public const string IMupModelName = "MupGen.IMupModel";
    public const string IMupSubmoduleName = "MupGen.IMupSubmodule";
    public const string TensorName = "TorchSharp.torch+Tensor";
    public const string OptimName = "TorchSharp.torch+optim";
    public const string FunctionalName = "TorchSharp.torch+nn+functional";
    public const string ReadoutMultiplier = "MupReadoutMultiplier";
    public const string ResidualMultiplier = "MupResidualMultiplier";

    private static readonly ConditionalWeakTable<Compilation, MupSymbols?> Cache = new();

    private readonly Compilation _compilation;
    private readonly Lazy<ModelTypes> _types;
    private readonly Lazy<HashSet<INamedTypeSymbol>> _blocks;
    private readonly Lazy<HashSet<string>> _constructed;
    private readonly Lazy<Dictionary<string, SyntaxTree>> _trees;
    private readonly Lazy<HashSet<string>> _readoutNames;
    private readonly ConcurrentDictionary<INamedTypeSymbol, Lazy<Generators.Model.ModelSpec?>> _specs = new(SymbolEqualityComparer.Default);

    private MupSymbols(Compilation compilation, INamedTypeSymbol width, INamedTypeSymbol module)
    {
        _compilation = compilation;
        Width = width;
        Module = module;
        Depth = compilation.GetTypeByMetadataName(TypeNames.DepthAttribute);
        Readout = compilation.GetTypeByMetadataName(TypeNames.ReadoutLayerAttribute);
        IMupModel = compilation.GetTypeByMetadataName(IMupModelName);
        IMupSubmodule = compilation.GetTypeByMetadataName(IMupSubmoduleName);
        Tensor = compilation.GetTypeByMetadataName(TensorName);
        _types = new Lazy<ModelTypes>(() => ModelTypes.Discover(this, compilation), LazyThreadSafetyMode.ExecutionAndPublication);
        _blocks = new Lazy<HashSet<INamedTypeSymbol>>(FindBlocks, LazyThreadSafetyMode.ExecutionAndPublication);
        _constructed = new Lazy<HashSet<string>>(FindConstructed, LazyThreadSafetyMode.ExecutionAndPublication);
        _trees = new Lazy<Dictionary<string, SyntaxTree>>(FindTrees, LazyThreadSafetyMode.ExecutionAndPublication);
        _readoutNames = new Lazy<HashSet<string>>(FindReadoutNames, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public INamedTypeSymbol Width { get; }
    public INamedTypeSymbol? Depth { get; }
    public INamedTypeSymbol Module { get; }
    public INamedTypeSymbol? Readout { get; }
    public INamedTypeSymbol? IMupModel { get; }
    public INamedTypeSymbol? IMupSubmodule { get; }
    public INamedTypeSymbol? Tensor { get; }

    /// <summary>The µP models of this compilation and the module classes they build (computed once, on first use).</summary>
    public ModelTypes Types => _types.Value;

    /// <summary>The symbols of a compilation, shared by every MupGen analyzer that runs on it (so the model
    /// discovery and the parses happen once); null when MupGen or TorchSharp is not referenced.</summary>
    public static MupSymbols? Get(Compilation compilation) =>
        Cache.GetValue(compilation, static c =>
            c.GetTypeByMetadataName(TypeNames.WidthAttribute) is { } width
            && c.GetTypeByMetadataName(TypeNames.Module) is { } module
                ? new MupSymbols(c, width, module)
                : null);

    public bool IsModule(ITypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, Module))
                return true;
        return false;
    }

    /// <summary>MupGen's interfaces (IMupModel, IMupSubmodule) or a type that implements one: the types whose
    /// MupAttentionScale is the generated one.</summary>
    public bool IsMupModule(ITypeSymbol? type) =>
        type is not null
        && (IsMupInterface(type) || type.AllInterfaces.Any(IsMupInterface));

    private bool IsMupInterface(ITypeSymbol type) =>
        SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, IMupModel)
        || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, IMupSubmodule);

    public bool IsTensor(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, Tensor);

    public bool IsScaleAttribute(INamedTypeSymbol? attribute) =>
        attribute is not null && (SymbolEqualityComparer.Default.Equals(attribute, Width) || SymbolEqualityComparer.Default.Equals(attribute, Depth));

    public bool IsReadoutField(ISymbol? symbol) =>
        symbol is IFieldSymbol or IPropertySymbol
        && Readout is not null
        && symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, Readout));

    /// <summary>The names of every field and property marked [ReadoutLayer] in the source types of this compilation and
    /// their base types: a forward call whose receiver has another name cannot be MUP005's, so the analyzer does not
    /// bind its method (computed once, on first use).</summary>
    public HashSet<string> ReadoutNames => _readoutNames.Value;

    /// <summary>Every type declared in this compilation's own assembly, nested types included (any order).</summary>
    internal static IEnumerable<INamedTypeSymbol> SourceTypes(Compilation compilation)
    {
        var stack = new Stack<INamespaceOrTypeSymbol>();
        stack.Push(compilation.Assembly.GlobalNamespace);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (current is INamespaceSymbol ns)
            {
                foreach (var member in ns.GetMembers())
                    stack.Push(member);
                continue;
            }
            var type = (INamedTypeSymbol)current;
            foreach (var nested in type.GetTypeMembers())
                stack.Push(nested);
            yield return type;
        }
    }

    private HashSet<string> FindReadoutNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (Readout is null)
            return names;
        // Source types: only those whose declarations carry an attribute named like MupGen's can hold a [ReadoutLayer]
        // member; their base types are candidates of their own when they are in source.
        foreach (var type in CandidateTypes(_compilation))
            foreach (var member in type.GetMembers())
                if (IsReadoutField(member))
                    names.Add(member.Name);
        // Base types from other assemblies: only an assembly that references MupGen can carry the attribute.
        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var type in SourceTypes(_compilation))
            for (var t = type.BaseType; t is not null && t.DeclaringSyntaxReferences.Length == 0 && seen.Add(t.OriginalDefinition); t = t.BaseType)
                if (ReferencesMupGen(t.ContainingAssembly))
                    foreach (var member in t.OriginalDefinition.GetMembers())
                        if (IsReadoutField(member))
                            names.Add(member.Name);
        return names;
    }

    private bool ReferencesMupGen(IAssemblySymbol? assembly) =>
        assembly is not null
        && (SymbolEqualityComparer.Default.Equals(assembly, Width.ContainingAssembly)
            || assembly.Modules.Any(m => m.ReferencedAssemblies.Any(r => r.Name == Width.ContainingAssembly.Name)));

    /// <summary>The attribute names that can mean [Width], [Depth] or [ReadoutLayer] in source: the names themselves,
    /// with and without the Attribute suffix, and every using alias (file or global, chains included) whose target
    /// ends in one of them.</summary>
    private static readonly string[] ScaleAndReadoutNames = { "Width", "Depth", "ReadoutLayer" };

    /// <summary>The source types whose declarations carry an attribute that may be [Width], [Depth] or [ReadoutLayer]
    /// (decided by syntax, like ForAttributeWithMetadataName: the name, or a using alias to it), each once. Every µP
    /// root, configuration and configuration-object root has one; no other type's attributes are bound.</summary>
    internal static IEnumerable<INamedTypeSymbol> CandidateTypes(Compilation compilation)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in ScaleAndReadoutNames)
        {
            names.Add(name);
            names.Add(name + "Attribute");
        }
        // MupGen's own files (two per model) carry no attribute and no alias; their partial parts are found from the user's.
        var trees = compilation.SyntaxTrees.Where(t => !MupGenerator.Parser.IsGeneratedByMupGen(t)).ToList();
        var aliases = new List<(string Alias, string Target)>();
        foreach (var tree in trees)
            foreach (var node in tree.GetRoot().DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax))
                if (node is UsingDirectiveSyntax { Alias: { } alias } directive && RightmostName(directive.NamespaceOrType) is { } target)
                    aliases.Add((alias.Name.Identifier.ValueText, target));
        for (var changed = aliases.Count > 0; changed;)
        {
            changed = false;
            foreach (var (alias, target) in aliases)
                if (names.Contains(target) && names.Add(alias))
                    changed = true;
        }

        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var tree in trees)
        {
            SemanticModel? model = null;
            foreach (var node in tree.GetRoot().DescendantNodes(DeclarationsOnly))
            {
                if (node is not AttributeSyntax attribute || RightmostName(attribute.Name) is not { } name || !names.Contains(name)
                    || attribute.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
                    continue;
#pragma warning disable RS1030 // declared symbols only: no body is bound
                model ??= compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                if (model.GetDeclaredSymbol(declaration) is INamedTypeSymbol type && seen.Add(type.OriginalDefinition))
                    yield return type.OriginalDefinition;
            }
        }
    }

    /// <summary>Declarations, their parameter lists and attribute lists; never a body, an initializer or an accessor.</summary>
    private static bool DeclarationsOnly(SyntaxNode node) =>
        node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax or BaseFieldDeclarationSyntax
            or VariableDeclarationSyntax or BasePropertyDeclarationSyntax or BaseMethodDeclarationSyntax
            or BaseParameterListSyntax or ParameterSyntax or AttributeListSyntax or AttributeSyntax;

    private static string? RightmostName(SyntaxNode? name) => name switch
    {
        IdentifierNameSyntax id => id.Identifier.ValueText,
        QualifiedNameSyntax q => q.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The [Width]/[Depth] attributes on a type's constructor parameters, fields and properties.</summary>
    public IEnumerable<(ISymbol Member, ITypeSymbol MemberType, AttributeData Attribute)> ScaleAttributes(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            switch (member)
            {
                case IMethodSymbol { MethodKind: MethodKind.Constructor } constructor:
                    foreach (var parameter in constructor.Parameters)
                        foreach (var attribute in parameter.GetAttributes())
                            if (IsScaleAttribute(attribute.AttributeClass))
                                yield return (parameter, parameter.Type, attribute);
                    break;
                case IFieldSymbol { IsImplicitlyDeclared: false } field:
                    foreach (var attribute in field.GetAttributes())
                        if (IsScaleAttribute(attribute.AttributeClass))
                            yield return (field, field.Type, attribute);
                    break;
                case IPropertySymbol { IsIndexer: false } property:
                    foreach (var attribute in property.GetAttributes())
                        if (IsScaleAttribute(attribute.AttributeClass))
                            yield return (property, property.Type, attribute);
                    break;
            }
        }
    }

    /// <summary>Residual block classes: the module classes held by a [Depth] model's block list, the list field the
    /// generator's parser identifies (filled by a loop, or a LINQ Range, bounded by the depth).</summary>
    public bool IsResidualBlock(INamedTypeSymbol type, CancellationToken ct) =>
        Depth is not null && _blocks.Value.Contains(type.OriginalDefinition);

    /// <summary>The [Depth] block-list field of a root model (<c>blocks</c>), or null.</summary>
    public ISymbol? BlockList(INamedTypeSymbol root)
    {
        if (Depth is null || !HasDepth(root))
            return null;
        var blockList = Parse(root, CancellationToken.None)?.Depth?.BlockList;
        return blockList is null ? null : root.GetMembers(blockList).FirstOrDefault(m => m is IFieldSymbol or IPropertySymbol);
    }

    private HashSet<INamedTypeSymbol> FindBlocks()
    {
        var blocks = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var root in Types.Roots)
        {
            var memberType = BlockList(root) switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
            if (memberType is not null)
                foreach (var held in HeldModuleTypes(memberType))
                    blocks.Add(held.OriginalDefinition);
        }
        return blocks;
    }

    /// <summary>The four members the generator gives a partial nested module class (IMupSubmodule).</summary>
    public static readonly ImmutableHashSet<string> SubmoduleMembers = ImmutableHashSet.Create(
        StringComparer.Ordinal, ResidualMultiplier, "MupAttentionScale", ReadoutMultiplier, "MupInputMultiplier");

    /// <summary>True when a µP model builds <paramref name="type"/> as a nested module: the classes the generator's
    /// parser reaches (<see cref="Generators.Model.ModelSpec.Reached"/>), so MUP010 agrees with what the generator
    /// emits. Computed once, on first use (MUP010 asks only after its cheap syntax check has found a multiplier name).</summary>
    public bool IsConstructedByModel(INamedTypeSymbol type) =>
        _constructed.Value.Contains(type.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));

    private HashSet<string> FindConstructed()
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in Types.Roots)
            if (Parse(root, CancellationToken.None) is { } spec)
                reached.UnionWith(spec.Reached);
        return reached;
    }

    private bool HasDepth(INamedTypeSymbol root) =>
        ScaleAttributes(root).Any(a => SymbolEqualityComparer.Default.Equals(a.Attribute.AttributeClass, Depth))
        || MupGenerator.Parser.KnownTypes.For(_compilation)?.ConfigRootOf(root) is { Config.Depths.Count: > 0 };

    /// <summary>The first [ReadoutLayer] field or property of a class, in declaration order.</summary>
    private ISymbol? ReadoutMember(INamedTypeSymbol type) =>
        type.GetMembers().FirstOrDefault(m => m is IFieldSymbol or IPropertySymbol && IsReadoutField(m));

    /// <summary>The generator's parse of a root model (null when the generator would emit nothing for it).</summary>
    public Generators.Model.ModelSpec? Parse(INamedTypeSymbol root, CancellationToken ct) =>
        _specs.GetOrAdd(root, r => new Lazy<Generators.Model.ModelSpec?>(() => ParseCore(r, CancellationToken.None))).Value;

    private Generators.Model.ModelSpec? ParseCore(INamedTypeSymbol root, CancellationToken ct)
    {
        var target = ScaleAttributes(root).FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Attribute.AttributeClass, Width)).Member
            ?? ReadoutMember(root); // a configuration-object model: the generator parsed it from its [ReadoutLayer] member
        if (target is null || root.DeclaringSyntaxReferences.Length == 0)
            return null;
        // In a build the generator has parsed this model on the compilation ours was generated from: reuse it.
        if (SharedParses.TryGet(target, IsGeneratedFrom, out var shared))
            return shared;
        // The analyzer driver gives compilations a caching semantic-model provider, so this is the model it uses too.
        Interlocked.Increment(ref _ownParses);
        SharedParses.CountMiss();
#pragma warning disable RS1030
        var semanticModel = _compilation.GetSemanticModel(root.DeclaringSyntaxReferences[0].SyntaxTree);
#pragma warning restore RS1030
        return MupGenerator.Parser.Parse(target, semanticModel, ct);
    }

    // Weak: the fingerprint of an older generator run must not live as long as this compilation.
    private readonly ConditionalWeakTable<SharedParses.Fingerprint, StrongBox<bool>> _generatedFrom = new();
    private int _ownParses;

    /// <summary>How many models the analyzers parsed themselves in this compilation (not reused from the generator).</summary>
    internal int OwnParses => Volatile.Read(ref _ownParses);

    /// <summary>Whether this compilation is <paramref name="generated"/> plus MupGen's output (decided once per pair).</summary>
    private bool IsGeneratedFrom(SharedParses.Fingerprint generated) =>
        _generatedFrom.GetValue(generated, g => new StrongBox<bool>(g.Matches(_compilation))).Value;

    /// <summary>The source location of a place the parser recorded (<see cref="Generators.Model.SourceSpot"/>: plain
    /// values, so the cached parse roots no syntax tree). With <paramref name="member"/>, a field's or property's
    /// declaration is narrowed to its name, where the diagnostics go. Null when the tree is not in this compilation.</summary>
    public Location? LocationOf(Generators.Model.SourceSpot? spot, bool member, CancellationToken ct)
    {
        if (spot is null || !_trees.Value.TryGetValue(spot.FilePath, out var tree))
            return null;
        var span = new Microsoft.CodeAnalysis.Text.TextSpan(spot.Start, spot.Length);
        var root = tree.GetRoot(ct);
        if (span.End > root.FullSpan.End)
            return null;
        if (member)
        {
            var node = root.FindNode(span, getInnermostNodeForTie: true);
            var identifier = node.FirstAncestorOrSelf<SyntaxNode>(n => n is VariableDeclaratorSyntax or PropertyDeclarationSyntax or ParameterSyntax) switch
            {
                VariableDeclaratorSyntax v when v.Span.Contains(span) || span.Contains(v.Span) => v.Identifier,
                PropertyDeclarationSyntax p when p.Span.Contains(span) || span.Contains(p.Span) => p.Identifier,
                _ => default,
            };
            if (identifier.RawKind != 0)
                return identifier.GetLocation();
        }
        return Location.Create(tree, span);
    }

    private Dictionary<string, SyntaxTree> FindTrees()
    {
        var trees = new Dictionary<string, SyntaxTree>(StringComparer.Ordinal);
        foreach (var tree in _compilation.SyntaxTrees)
            if (!trees.ContainsKey(tree.FilePath))
                trees[tree.FilePath] = tree;
        return trees;
    }

    /// <summary>Module classes a type holds as fields or properties (directly, or as the items of a ModuleList, an
    /// array or any generic collection): the nested modules of a model.</summary>
    public IEnumerable<INamedTypeSymbol> HeldModuleTypes(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                foreach (var t in HeldModuleTypes(array.ElementType))
                    yield return t;
                break;
            case INamedTypeSymbol named:
                if (named.DeclaringSyntaxReferences.Length > 0 && IsModule(named))
                    yield return named;
                foreach (var argument in named.TypeArguments)
                    foreach (var t in HeldModuleTypes(argument))
                        yield return t;
                break;
        }
    }
}

/// <summary>Which source types are µP roots (carry [Width]/[Depth]) and which module classes they build, transitively
/// through their fields and properties (blocks, attention, MLPs).</summary>
internal sealed class ModelTypes
{
    private readonly HashSet<INamedTypeSymbol> _roots;
    private readonly HashSet<INamedTypeSymbol> _related;
    private readonly HashSet<INamedTypeSymbol> _configs;
    private readonly HashSet<INamedTypeSymbol> _usedConfigs;

    private ModelTypes(HashSet<INamedTypeSymbol> roots, HashSet<INamedTypeSymbol> related, HashSet<INamedTypeSymbol> configs,
        HashSet<INamedTypeSymbol> usedConfigs)
    {
        _roots = roots;
        _related = related;
        _configs = configs;
        _usedConfigs = usedConfigs;
    }

    public bool IsRoot(INamedTypeSymbol type) => _roots.Contains(type.OriginalDefinition);

    /// <summary>A configuration type: not a module, [Width] on a field or property (GPTConfig.NEmbd).</summary>
    public bool IsConfig(INamedTypeSymbol type) => _configs.Contains(type.OriginalDefinition);

    /// <summary>A configuration type that some root model's constructor takes.</summary>
    public bool IsUsedConfig(INamedTypeSymbol type) => _usedConfigs.Contains(type.OriginalDefinition);

    public IEnumerable<INamedTypeSymbol> Roots => _roots;

    /// <summary>A root or a module class a root builds.</summary>
    public bool IsModelOrSubmodule(INamedTypeSymbol type) => _related.Contains(type.OriginalDefinition);

    public static ModelTypes Discover(MupSymbols symbols, Compilation compilation)
    {
        var roots = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        var configs = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        var usedConfigs = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        var known = MupGenerator.Parser.KnownTypes.For(compilation);
        foreach (var type in MupSymbols.CandidateTypes(compilation))
        {
            if (known?.ConfigOf(type) is not null)
                configs.Add(type.OriginalDefinition); // a configuration, not a model (MUP019 when no model takes it)
            else if (type.TypeKind is TypeKind.Class or TypeKind.Struct && symbols.ScaleAttributes(type).Any())
                roots.Add(type);
            else if (known?.ConfigRootOf(type) is { } configRoot)
            {
                // A configuration with two widths gives no model (MUP019 there): its root is no model either.
                if (configRoot.Config.Usable)
                    roots.Add(type);
                usedConfigs.Add(configRoot.Config.Type.OriginalDefinition);
            }
        }

        var related = new HashSet<INamedTypeSymbol>(roots, SymbolEqualityComparer.Default);
        var work = new Stack<INamedTypeSymbol>(roots);
        while (work.Count > 0)
        {
            var type = work.Pop();
            foreach (var member in type.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol { IsStatic: false } f => f.Type,
                    IPropertySymbol { IsStatic: false, IsIndexer: false } p => p.Type,
                    _ => null,
                };
                if (memberType is null)
                    continue;
                foreach (var held in symbols.HeldModuleTypes(memberType))
                    if (related.Add(held.OriginalDefinition))
                        work.Push(held.OriginalDefinition);
            }
        }
        return new ModelTypes(roots, related, configs, usedConfigs);
    }
}
