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

/// <summary>Questions about model declarations that more than one declaration analyzer asks.</summary>
internal static class ModelDeclarations
{
    /// <summary>The first declaration part of <paramref name="type"/> without <c>partial</c>, or else the name of the
    /// innermost containing type that has such a part; both null when the whole chain is partial.</summary>
    internal static (TypeDeclarationSyntax? NotPartial, string? Outer) FindNotPartial(INamedTypeSymbol type, List<TypeDeclarationSyntax> declarations, System.Threading.CancellationToken ct)
    {
        var notPartial = declarations.FirstOrDefault(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword));
        string? outer = null;
        for (var t = type.ContainingType; t is not null && notPartial is null && outer is null; t = t.ContainingType)
            if (t.DeclaringSyntaxReferences.Any(r => r.GetSyntax(ct) is TypeDeclarationSyntax d && !d.Modifiers.Any(SyntaxKind.PartialKeyword)))
                outer = t.Name;
        return (notPartial, outer);
    }

    /// <summary>Runs <paramref name="analyze"/> on every µP root the generator parsed (the analyzers that report from
    /// the parse: MUP001/3/11-15, MUP007 for attention layers, MUP020), once per compilation that references MupGen and
    /// TorchSharp, with one set per compilation so a member of a module shared by several roots (or several paths) is
    /// reported once. The caller's Initialize still enables concurrency and sets generated-code analysis itself (RS1025,
    /// RS1026).</summary>
    internal static void RegisterForParsedRoots(AnalysisContext context,
        Action<SymbolAnalysisContext, MupSymbols, ModelSpec, ConcurrentDictionary<Location, bool>> analyze)
    {
        context.RegisterCompilationStartAction(start =>
        {
            if (MupSymbols.Get(start.Compilation) is not { } symbols)
                return;
            var reported = new ConcurrentDictionary<Location, bool>();
            start.RegisterSymbolAction(c =>
            {
                var type = (INamedTypeSymbol)c.Symbol;
                // Null when the generator emits nothing for the class (MUP002/MUP004 say why).
                if (symbols.Types.IsRoot(type) && symbols.Parse(type, c.CancellationToken) is { } spec)
                    analyze(c, symbols, spec, reported);
            }, SymbolKind.NamedType);
        });
    }

    /// <summary>Compile errors in the constructors or field initializers: the facts read from them are not reliable
    /// (an unresolved call is not "a method call the generator cannot read"), so MUP001/MUP003 wait. Checked on the
    /// operation trees the parser has just asked the same semantic model for (cached), not by re-binding.</summary>
    internal static bool HasErrors(INamedTypeSymbol type, Compilation compilation, System.Threading.CancellationToken ct)
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
}
