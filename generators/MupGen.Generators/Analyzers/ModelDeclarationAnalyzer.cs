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

/// <summary>
/// Declarations of µP models: MUP001 (a layer without a rule), MUP002 (not a partial nn.Module), MUP003 (a readout
/// not marked, or none), MUP004 (bad [Width]/[Depth]), MUP009 (a submodule property) and MUP010 (a non-partial
/// nested module that uses the multipliers the generator gives only partial ones). Layer roles come from the
/// generator's own parser, linked into this assembly, so the analyzers see exactly what the generator emits.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelDeclarationAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The role attributes MUP001 offers, in the fixer's default order.</summary>
    internal static readonly ImmutableArray<string> RoleAttributes =
        ImmutableArray.Create("HiddenLayer", "InputLayer", "ReadoutLayer", "WidthInvariant");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnresolvedLayer,
        DiagnosticDescriptors.ModelNotPartialModule,
        DiagnosticDescriptors.MissingReadout,
        DiagnosticDescriptors.InvalidScaleAttribute,
        DiagnosticDescriptors.SubmoduleProperty,
        DiagnosticDescriptors.NestedModuleNotPartial);

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
            start.RegisterSymbolAction(c => AnalyzeType(c, symbols, reported), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, MupSymbols symbols, ConcurrentDictionary<(string, Location), bool> reported)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        CheckNestedModulePartial(context, symbols, type);
        if (!symbols.Types.IsModelOrSubmodule(type))
            return;
        if (symbols.Types.IsRoot(type))
        {
            var valid = CheckScaleAttributes(context, symbols, type);
            var shaped = CheckPartialModule(context, symbols, type);
            if (valid && shaped)
                CheckLayers(context, symbols, type, reported);
        }
        CheckSubmoduleProperties(context, symbols, type);
    }

    // ---- MUP004 ----

    private static bool CheckScaleAttributes(SymbolAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type)
    {
        var valid = true;
        foreach (var (member, memberType, attribute) in symbols.ScaleAttributes(type))
        {
            var name = attribute.AttributeClass!.Name.Replace("Attribute", "");
            string? problem = null;
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken);
            if (memberType.TypeKind == TypeKind.Error || member.Name.Length == 0 || attributeSyntax?.ContainsDiagnostics == true
                || member.DeclaringSyntaxReferences.Any(r => r.GetSyntax(context.CancellationToken).ContainsDiagnostics))
            {
                valid = false; // half-typed: the compiler reports the syntax; nothing reliable to say
                continue;
            }
            if (memberType.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
                problem = $"is on a member of type '{memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'";
            else if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int baseValue && baseValue < 1)
                problem = $"has base value {baseValue}";
            else if (attribute.ConstructorArguments.Length != 1)
                valid = false; // half-written attribute: the compiler reports it
            if (problem is null)
                continue;
            valid = false;
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? member.Locations.FirstOrDefault();
            if (location is not null)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidScaleAttribute, location, name, member.Name, problem));
        }
        return valid;
    }

    // ---- MUP002 ----

    private static bool CheckPartialModule(SymbolAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type)
    {
        var declarations = type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(context.CancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .ToList();
        if (declarations.Count == 0)
            return false;
        if (type.TypeKind != TypeKind.Class || !symbols.IsModule(type))
        {
            if (type.BaseType is { TypeKind: TypeKind.Error })
                return false; // base type not resolved yet
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ModelNotPartialModule,
                declarations[0].Identifier.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "NotModule"),
                type.Name, "does not derive from torch.nn.Module", "derive it from nn.Module<Tensor, Tensor>"));
            return false;
        }
        var (notPartial, outer) = FindNotPartial(type, declarations, context.CancellationToken);
        if (notPartial is null && outer is null)
            return true;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ModelNotPartialModule,
            (notPartial ?? declarations[0]).Identifier.GetLocation(),
            ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "NotPartial"),
            type.Name,
            notPartial is not null ? "is not partial" : $"is nested in '{outer}', which is not partial",
            "add the partial modifier"));
        return false;
    }

    /// <summary>The first declaration part of <paramref name="type"/> without <c>partial</c>, or else the name of the
    /// innermost containing type that has such a part; both null when the whole chain is partial.</summary>
    private static (TypeDeclarationSyntax? NotPartial, string? Outer) FindNotPartial(INamedTypeSymbol type, List<TypeDeclarationSyntax> declarations, System.Threading.CancellationToken ct)
    {
        var notPartial = declarations.FirstOrDefault(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword));
        string? outer = null;
        for (var t = type.ContainingType; t is not null && notPartial is null && outer is null; t = t.ContainingType)
            if (t.DeclaringSyntaxReferences.Any(r => r.GetSyntax(ct) is TypeDeclarationSyntax d && !d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                outer = t.Name;
        return (notPartial, outer);
    }

    // ---- MUP010 ----

    /// <summary>A module class a µP model constructs (directly or through other nested modules) that is not partial,
    /// or sits in a non-partial type, gets no IMupSubmodule members from the generator; reported only when its own
    /// code names one of them and the name does not bind (it would be CS0103). Checked by syntax first (a multiplier
    /// name in the class), then whether a model builds it, then binding.</summary>
    private static void CheckNestedModulePartial(SymbolAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type)
    {
        // Generic and file-local classes get no members even when partial: "add partial" would not help them.
        // A µP model is MUP002's.
        if (type.TypeKind != TypeKind.Class || type.IsGenericType || type.IsFileLocal || type.IsImplicitlyDeclared
            || !symbols.IsModule(type) || symbols.Types.IsRoot(type))
            return;
        var ct = context.CancellationToken;
        var declarations = type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(ct))
            .OfType<TypeDeclarationSyntax>()
            .ToList();
        if (declarations.Count == 0 || declarations.Any(d => d.ContainsDiagnostics))
            return;
        var (notPartial, outer) = FindNotPartial(type, declarations, ct);
        if (notPartial is null && outer is null)
            return;
        var names = declarations
            .SelectMany(d => d.DescendantNodes()
                .OfType<IdentifierNameSyntax>()
                .Where(id => MupSymbols.SubmoduleMembers.Contains(id.Identifier.ValueText) && id.FirstAncestorOrSelf<TypeDeclarationSyntax>() == d))
            .ToList();
        if (names.Count == 0)
            return;
        // A class no µP model builds is none of MupGen's business.
        if (!symbols.IsConstructedByModel(type))
            return;
        if (!names.Any(id => IsUnbound(id, type, context.Compilation, ct)))
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NestedModuleNotPartial,
            (notPartial ?? declarations[0]).Identifier.GetLocation(),
            ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "NotPartial"),
            type.Name));
    }

    /// <summary>The name binds to nothing the class has: no symbol, or only candidates from elsewhere (an outer class's
    /// instance member, CS0120).</summary>
    private static bool IsUnbound(IdentifierNameSyntax id, INamedTypeSymbol type, Compilation compilation, System.Threading.CancellationToken ct)
    {
#pragma warning disable RS1030 // the driver's caching semantic-model provider serves this model
        var model = compilation.GetSemanticModel(id.SyntaxTree);
#pragma warning restore RS1030
        var info = model.GetSymbolInfo(id, ct);
        if (info.Symbol is not null)
            return false;
        foreach (var candidate in info.CandidateSymbols)
            for (var t = type; t is not null; t = t.BaseType)
                if (SymbolEqualityComparer.Default.Equals(candidate.ContainingType?.OriginalDefinition, t.OriginalDefinition))
                    return false;
        return true;
    }

    // ---- MUP001 / MUP003 ----

    private static void CheckLayers(SymbolAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type, ConcurrentDictionary<(string, Location), bool> reported)
    {
        // The generator has already decided: no Unresolved fact and a readout means nothing to report here.
        if (symbols.Generated(type, context.CancellationToken) is { HasUnresolved: false, HasReadout: true })
            return;
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
            && HasErrors(type, context.Compilation, context.CancellationToken))
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

    /// <summary>Compile errors in the constructors or field initializers: the facts read from them are not reliable
    /// (an unresolved call is not "a method call the generator cannot read"), so MUP001/MUP003 wait. Checked on the
    /// operation trees the parser has just asked the same semantic model for (cached), not by re-binding.</summary>
    private static bool HasErrors(INamedTypeSymbol type, Compilation compilation, System.Threading.CancellationToken ct)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is not (IMethodSymbol { MethodKind: MethodKind.Constructor } or IFieldSymbol))
                continue;
            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(ct);
                if (syntax.ContainsDiagnostics)
                    return true;
                var body = syntax switch
                {
                    ConstructorDeclarationSyntax c => (SyntaxNode?)c.Body ?? c.ExpressionBody,
                    VariableDeclaratorSyntax v => v.Initializer,
                    _ => null,
                };
                if (body is null)
                    continue;
#pragma warning disable RS1030 // the driver's caching semantic-model provider serves this model
                var model = compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
                var operation = model.GetOperation(body, ct);
                if (operation is not null && operation.DescendantsAndSelf().Any(o => o is IInvalidOperation || o.Type is { TypeKind: TypeKind.Error }))
                    return true;
            }
        }
        return false;
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

    // ---- MUP009 ----

    private static void CheckSubmoduleProperties(SymbolAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type)
    {
        var backed = new HashSet<ISymbol>(
            type.GetMembers().OfType<IFieldSymbol>().Where(f => f.AssociatedSymbol is not null).Select(f => f.AssociatedSymbol!),
            SymbolEqualityComparer.Default);
        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            if (property.IsStatic || property.IsIndexer || !backed.Contains(property) || !symbols.IsModule(property.Type))
                continue;
            if (property.Locations.FirstOrDefault(l => l.IsInSource) is { } location)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SubmoduleProperty, location, property.Name, type.Name));
        }
    }
}
