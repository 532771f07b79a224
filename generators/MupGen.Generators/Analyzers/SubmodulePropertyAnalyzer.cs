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

/// <summary>MUP009: a submodule of a µP model (or of a module it builds) declared as an auto-property, which
/// RegisterComponents does not register.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SubmodulePropertyAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.SubmoduleProperty);

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

    private static void Analyze(SymbolAnalysisContext context, MupSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!symbols.Types.IsModelOrSubmodule(type))
            return;
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
