using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Analyzers;

/// <summary>MUP001 (a layer without a µP rule) and MUP003 (a readout not marked, or none): read from the generator's
/// own parse of the model (the same ModelSpec the generator emits from, cached once per compilation), never from the
/// generated text.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LayerRuleAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The role attributes MUP001 offers, in the fixer's default order.</summary>
    internal static readonly ImmutableArray<string> RoleAttributes =
        ImmutableArray.Create("HiddenLayer", "InputLayer", "ReadoutLayer", "WidthInvariant");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnresolvedLayer,
        DiagnosticDescriptors.MissingReadout);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (MupSymbols.Get(start.Compilation) is not { } symbols)
                return;
            // A nested module shared by several roots is reported once.
            var reported = new ConcurrentDictionary<(string Id, Location Location), bool>();
            start.RegisterSymbolAction(c => Analyze(c, symbols, reported), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, MupSymbols symbols, ConcurrentDictionary<(string, Location), bool> reported)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!symbols.Types.IsRoot(type))
            return;
        // Null when the generator emits nothing for the class (MUP002/MUP004 say why).
        if (symbols.Parse(type, context.CancellationToken) is not { } spec)
            return;

        var byLayer = new Dictionary<ISymbol, List<ParameterSpec>>(SymbolEqualityComparer.Default);
        var unplaced = new List<ParameterSpec>();
        foreach (var parameter in spec.Parameters)
        {
            if (parameter.Role != Role.Unresolved)
                continue;
            if (ResolveLayer(symbols, type, parameter.Name) is { } layer)
            {
                if (!byLayer.TryGetValue(layer, out var list))
                    byLayer[layer] = list = new List<ParameterSpec>();
                list.Add(parameter);
            }
            else
            {
                unplaced.Add(parameter);
            }
        }

        // Only now, with something to report, is the (costly) error check worth it.
        if ((byLayer.Count > 0 || unplaced.Count > 0 || !spec.Parameters.Any(p => p.Role == Role.Readout))
            && ModelDeclarations.HasErrors(type, context.Compilation, context.CancellationToken))
            return;

        foreach (var pair in byLayer)
        {
            var layer = pair.Key;
            if (layer.Locations.FirstOrDefault(l => l.IsInSource) is not { } location || !reported.TryAdd(("layer", location), true))
                continue;
            if (HasRoleAttribute(layer))
                continue;
            if (pair.Value.Any(IsReadoutCandidate))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingReadout, location,
                    ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Scope, "Layer"),
                    layer.Name, "has a width-scaled fan_in and a fixed fan_out, which makes it the readout", "it"));
                continue;
            }
            var roles = OrderedRoles(pair.Value, layer.Name);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnresolvedLayer, location,
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Roles, string.Join(",", roles)),
                layer.Name, type.Name, pair.Value.Select(p => p.Note).FirstOrDefault(n => n is not null) ?? "its role cannot be inferred", roles[0]));
        }

        if (spec.Parameters.Count > 0 && byLayer.Count == 0 && unplaced.Count == 0
            && !spec.Parameters.Any(p => p.Role == Role.Readout)
            && !HasReadoutAnywhere(symbols, type)
            && type.Locations.FirstOrDefault(l => l.IsInSource) is { } classLocation)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingReadout, classLocation,
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Scope, "Model"),
                type.Name, "is a µP model with no readout layer", "its output layer (width-scaled fan_in, fixed fan_out)"));
        }
    }

    /// <summary>The parser's "width-scaled fan_in and fixed fan_out but not marked [ReadoutLayer]" case.</summary>
    private static bool IsReadoutCandidate(ParameterSpec parameter)
    {
        if (parameter.Tensor != "weight" || parameter.Shape.Count < 2 || parameter.Note is not { } note || !note.Contains("[ReadoutLayer]"))
            return false;
        var (fanOut, fanIn) = FanIndices(parameter.Layer);
        return parameter.Shape[fanIn].IsInfinite && !parameter.Shape[fanOut].IsInfinite;
    }

    private static (int FanOut, int FanIn) FanIndices(LayerKind kind) => kind == LayerKind.Embedding ? (1, 0) : (0, 1);

    /// <summary>The role attributes to offer, the most likely first: from the dimensions the parser could read
    /// (a width-scaled dimension is certain; a fixed one may just be unreadable), then from the field's name.</summary>
    internal static List<string> OrderedRoles(IReadOnlyList<ParameterSpec> facts, string fieldName)
    {
        var name = fieldName.ToLowerInvariant();
        var readoutName = new[] { "readout", "head", "classifier", "logits", "output", "unembed", "decoder" }.Any(name.Contains);
        var inputName = new[] { "embed", "input", "stem", "wte", "wpe", "tok" }.Any(name.Contains);
        string inferred;
        var weight = facts.FirstOrDefault(f => f.Tensor == "weight" && f.Shape.Count >= 2);
        var (fanOutIndex, fanInIndex) = weight is null ? (0, 1) : FanIndices(weight.Layer);
        var fanOut = weight is not null && weight.Shape[fanOutIndex].IsInfinite;
        var fanIn = weight is not null && weight.Shape[fanInIndex].IsInfinite;
        if (fanOut && fanIn)
            inferred = "HiddenLayer";
        else if (fanIn)
            inferred = readoutName ? "ReadoutLayer" : "HiddenLayer";
        else if (fanOut)
            inferred = inputName ? "InputLayer" : "HiddenLayer";
        else
            inferred = readoutName ? "ReadoutLayer" : inputName ? "InputLayer" : "HiddenLayer";
        var roles = new List<string> { inferred };
        roles.AddRange(RoleAttributes.Where(r => r != inferred));
        return roles;
    }

    private static bool HasRoleAttribute(ISymbol layer) =>
        layer.GetAttributes().Any(a => a.AttributeClass is { ContainingNamespace.Name: "MupGen" } c
            && c.Name is "ReadoutLayerAttribute" or "InputLayerAttribute" or "HiddenLayerAttribute" or "WidthInvariantAttribute");

    private static bool HasReadoutAnywhere(MupSymbols symbols, INamedTypeSymbol root)
    {
        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default) { root };
        var work = new Stack<INamedTypeSymbol>(seen);
        while (work.Count > 0)
        {
            foreach (var member in work.Pop().GetMembers())
            {
                if (symbols.IsReadoutField(member))
                    return true;
                var memberType = member switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
                if (memberType is not null)
                    foreach (var held in symbols.HeldModuleTypes(memberType))
                        if (seen.Add(held))
                            work.Push(held);
            }
        }
        return false;
    }

    /// <summary>The field (or property) that holds the layer a parameter name such as <c>blocks.*.attn.q.weight</c>
    /// belongs to: each segment names a field of the current module class (or its [ComponentName]); list indices
    /// step into the item type.</summary>
    internal static ISymbol? ResolveLayer(MupSymbols symbols, INamedTypeSymbol root, string parameterName)
    {
        var segments = parameterName.Split('.');
        INamedTypeSymbol? current = root;
        ISymbol? layer = null;
        for (var i = 0; i < segments.Length - 1 && current is not null; i++)
        {
            var segment = segments[i];
            var member = FindMember(current, segment);
            if (member is null)
            {
                if (layer is not null && (segment == "*" || int.TryParse(segment, out _)))
                    continue;
                break;
            }
            layer = member;
            var memberType = member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type;
            current = symbols.HeldModuleTypes(memberType).FirstOrDefault();
        }
        return layer;
    }

    private static ISymbol? FindMember(INamedTypeSymbol type, string name)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is not (IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } or IPropertySymbol { IsStatic: false, IsIndexer: false }))
                continue;
            if (ComponentName(member) is { } componentName ? componentName == name : member.Name == name)
                return member;
        }
        return null;
    }

    private static string? ComponentName(ISymbol member)
    {
        foreach (var attribute in member.GetAttributes())
            if (attribute.AttributeClass?.Name == "ComponentNameAttribute")
                foreach (var named in attribute.NamedArguments)
                    if (named.Key == "Name" && named.Value.Value is string { Length: > 0 } value)
                        return value;
        return null;
    }
}
