using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MupGen.Analyzers;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace MupGen.CodeFixes;

/// <summary>MUP002 (not partial) and MUP010 (a nested module that is not partial): adds <c>partial</c> to every
/// declaration part of the class and of the types that contain it, in every document.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    public const string Key = "MupGen.MakePartial";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.ModelNotPartialModule, DiagnosticIds.NestedModuleNotPartial);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Reason, out var reason) || reason != "NotPartial")
                continue;
            context.RegisterCodeFix(CodeAction.Create(
                diagnostic.Id == DiagnosticIds.NestedModuleNotPartial ? "Make the nested module class partial" : "Make the model class partial",
                ct => MakePartialAsync(context.Document, diagnostic, ct),
                Key), diagnostic);
        }
        return Task.CompletedTask;
    }

    private static async Task<Solution> MakePartialAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
    {
        var solution = document.Project.Solution;
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
        if (root is null || model is null
            || FixHelpers.NodeAt(root, diagnostic.Location.SourceSpan)?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || model.GetDeclaredSymbol(declaration, ct) is not INamedTypeSymbol type)
            return solution;

        var targets = new List<SyntaxReference>();
        for (var t = type; t is not null; t = t.ContainingType)
            targets.AddRange(t.DeclaringSyntaxReferences);

        foreach (var group in targets.GroupBy(r => r.SyntaxTree))
        {
            var target = solution.GetDocument(group.Key);
            if (target is null || await target.GetSyntaxRootAsync(ct).ConfigureAwait(false) is not { } targetRoot)
                continue;
            var nodes = group.Select(r => r.GetSyntax(ct)).OfType<TypeDeclarationSyntax>()
                .Where(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword))
                .ToList();
            if (nodes.Count == 0)
                continue;
            var newRoot = targetRoot.ReplaceNodes(nodes, (original, rewritten) => AddPartial(rewritten));
            solution = solution.WithDocumentSyntaxRoot(target.Id, newRoot);
        }
        return solution;
    }

    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Count == 0)
        {
            var keyword = declaration.Keyword;
            return declaration
                .WithKeyword(keyword.WithLeadingTrivia())
                .WithModifiers(TokenList(Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, TriviaList(Space))));
        }
        return declaration.WithModifiers(declaration.Modifiers.Add(Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(Space)));
    }
}
