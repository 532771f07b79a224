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

/// <summary>MUP002: a class with a [Width]/[Depth] member that is not a partial class deriving from nn.Module (or sits
/// in a non-partial type), so the generator cannot add its members.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelClassAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ModelNotPartialModule);

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
        if (!symbols.Types.IsRoot(type))
            return;
        var declarations = type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(context.CancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .ToList();
        if (declarations.Count == 0)
            return;
        if (type.TypeKind != TypeKind.Class || !symbols.IsModule(type))
        {
            if (type.BaseType is { TypeKind: TypeKind.Error })
                return; // base type not resolved yet
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ModelNotPartialModule,
                declarations[0].Identifier.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "NotModule"),
                type.Name, "does not derive from torch.nn.Module", "derive it from nn.Module<Tensor, Tensor>"));
            return;
        }
        var (notPartial, outer) = ModelDeclarations.FindNotPartial(type, declarations, context.CancellationToken);
        if (notPartial is null && outer is null)
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ModelNotPartialModule,
            (notPartial ?? declarations[0]).Identifier.GetLocation(),
            ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "NotPartial"),
            type.Name,
            notPartial is not null ? "is not partial" : $"is nested in '{outer}', which is not partial",
            "add the partial modifier"));
    }
}
