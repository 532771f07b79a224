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
using MupGen.Generators;
using MupGen.Generators.Model;

namespace MupGen.Analyzers;

/// <summary>Why the generator writes nothing for a µP model (a class with a [Width]/[Depth] member), from its symbols:
/// MUP002 (not a partial class deriving from nn.Module, or in a non-partial type), MUP017 (file-local or generic, or
/// nested in such a class: no partial part can be written in another file) and MUP016 (it declares a member the
/// generator writes, such as MupInitialize). The conditions are the parser's own (MupGenerator.Parser.ParseCore).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelClassAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ModelNotPartialModule, DiagnosticDescriptors.ModelCannotTakeGeneratedPart,
            DiagnosticDescriptors.DeclaresGeneratedMember, DiagnosticDescriptors.ConfigWidthUnused);

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
        if (symbols.Types.IsConfig(type))
        {
            AnalyzeConfig(context, symbols, type);
            return;
        }
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
        // File-local or generic: adding partial would not help, so this comes first.
        if (CannotTakePart(type) is { } cannot)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ModelCannotTakeGeneratedPart,
                declarations[0].Identifier.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, cannot.Reason),
                type.Name, cannot.Problem, cannot.Fix));
            return;
        }
        if (type.IsRecord)
            return; // a record cannot derive from nn.Module: the compiler reports it
        var (notPartial, outer) = ModelDeclarations.FindNotPartial(type, declarations, context.CancellationToken);
        if (notPartial is not null || outer is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ModelNotPartialModule,
                (notPartial ?? declarations[0]).Identifier.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "NotPartial"),
                type.Name,
                notPartial is not null ? "is not partial" : $"is nested in '{outer}', which is not partial",
                "add the partial modifier"));
        }
        if (MupGenerator.Parser.GeneratedMemberDeclared(type) is { } member)
        {
            var memberLocation = member.Locations.FirstOrDefault(l => l.IsInSource);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DeclaresGeneratedMember,
                declarations[0].Identifier.GetLocation(),
                memberLocation is null ? Array.Empty<Location>() : new[] { memberLocation },
                type.Name, member.Name));
        }
    }

    /// <summary>MUP017's reason, problem and fix: the class or a class it is nested in is file-local (its partial part
    /// would have to be in the same file) or generic (the generator writes one set of facts per class).</summary>
    private static (string Reason, string Problem, string Fix)? CannotTakePart(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
        {
            var self = SymbolEqualityComparer.Default.Equals(t, type);
            if (t.IsFileLocal)
                return ("FileLocal",
                    self ? "is file-local" : $"is nested in '{t.Name}', which is file-local",
                    $"remove the 'file' modifier of '{t.Name}' (make it internal to keep it out of the public API)");
            if (t.Arity > 0)
                return ("Generic",
                    self ? "is generic" : $"is nested in '{t.Name}', which is generic",
                    self ? "make it a non-generic class (one µP model per class)" : $"move '{type.Name}' out of the generic '{t.Name}'");
        }
        return null;
    }

    /// <summary>MUP019: a configuration type's [Width] that no model uses, or two [Width] members on one configuration.</summary>
    private static void AnalyzeConfig(SymbolAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type)
    {
        if (MupGenerator.Parser.KnownTypes.For(context.Compilation)?.ConfigOf(type) is not { } config)
            return;
        Location? At(ISymbol member) => member.Locations.FirstOrDefault(l => l.IsInSource);
        if (config.Widths.Count > 1)
        {
            foreach (var (member, _) in config.Widths.Skip(1))
                if (At(member) is { } location)
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ConfigWidthUnused, location,
                        ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "TwoWidths"),
                        member.Name, $"is a second [Width] of the configuration '{type.Name}' (the first is '{config.Widths[0].Member.Name}')",
                        "a configuration has one width: remove this [Width] (a size that grows with the width is read from the [Width] member, e.g. `4 * NEmbd`), or pass the second width as a [Width] constructor parameter of the model"));
            return;
        }
        if (config.Depths.Count > 1)
        {
            foreach (var (member, _) in config.Depths.Skip(1))
                if (At(member) is { } location)
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ConfigWidthUnused, location,
                        ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "TwoDepths"),
                        member.Name, $"is a second [Depth] of the configuration '{type.Name}'", "remove it: a configuration has one depth"));
            return;
        }
        if (symbols.Types.IsUsedConfig(type) || At(config.Widths[0].Member) is not { } at)
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ConfigWidthUnused, at,
            ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Reason, "NoModel"),
            config.Widths[0].Member.Name,
            $"is the [Width] of the configuration '{type.Name}', but no µP model takes it",
            $"take a '{type.Name}' in the constructor of the model's partial nn.Module class and mark its readout layer [ReadoutLayer] (the model is the class with the [ReadoutLayer] member), or put [Width] on a constructor parameter of the model instead"));
    }
}
