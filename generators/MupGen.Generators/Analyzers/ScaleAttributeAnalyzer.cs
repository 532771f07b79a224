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

/// <summary>MUP004: a [Width]/[Depth] on a member that is not an int or long, or with a base value below 1. The
/// generator emits nothing for such a model (its parse is null), so no other declaration diagnostic follows.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScaleAttributeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidScaleAttribute);

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
        foreach (var (member, memberType, attribute) in symbols.ScaleAttributes(type))
        {
            var name = attribute.AttributeClass!.Name.Replace("Attribute", "");
            string? problem = null;
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken);
            if (memberType.TypeKind == TypeKind.Error || member.Name.Length == 0 || attributeSyntax?.ContainsDiagnostics == true
                || member.DeclaringSyntaxReferences.Any(r => r.GetSyntax(context.CancellationToken).ContainsDiagnostics))
            {
                continue; // half-typed: the compiler reports the syntax; nothing reliable to say
            }
            if (memberType.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
                problem = $"is on a member of type '{memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'";
            else if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int baseValue && baseValue < 1)
                problem = $"has base value {baseValue}";
            if (problem is null)
                continue; // fine, or half-written (no argument): the compiler reports that
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? member.Locations.FirstOrDefault();
            if (location is not null)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidScaleAttribute, location, name, member.Name, problem));
        }
    }
}
