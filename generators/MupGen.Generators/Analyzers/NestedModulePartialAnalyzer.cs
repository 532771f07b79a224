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

/// <summary>MUP010: a module class a µP model builds that is not partial (or sits in a non-partial type) but names a
/// multiplier (MupResidualMultiplier, MupAttentionScale, ...) that the generator gives only partial classes.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NestedModulePartialAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.NestedModuleNotPartial);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (MupSymbols.Get(start.Compilation) is not { } symbols)
                return;
            start.RegisterSymbolAction(c => Analyze(c, symbols), SymbolKind.NamedType);
        });
    }

    /// <summary>A module class a µP model constructs (directly or through other nested modules) that is not partial,
    /// or sits in a non-partial type, gets no IMupSubmodule members from the generator; reported only when its own
    /// code names one of them and the name does not bind (it would be CS0103). Checked by syntax first (a multiplier
    /// name in the class), then whether a model builds it, then binding.</summary>
    private static void Analyze(SymbolAnalysisContext context, MupSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
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
        var (notPartial, outer) = ModelDeclarations.FindNotPartial(type, declarations, ct);
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
}
