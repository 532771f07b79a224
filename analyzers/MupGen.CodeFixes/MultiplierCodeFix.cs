using System.Collections.Immutable;
using System.Composition;
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

/// <summary>MUP005: <c>readout.forward(h)</c> → <c>readout.forward(h * MupReadoutMultiplier)</c>. MUP006:
/// <c>x + branch</c> → <c>x + MupResidualMultiplier * branch</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MultiplierCodeFix)), Shared]
public sealed class MultiplierCodeFix : CodeFixProvider
{
    public const string ReadoutKey = "MupGen.MultiplyReadoutInput";
    public const string ResidualKey = "MupGen.MultiplyResidualBranch";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.ReadoutWithoutMultiplier, DiagnosticIds.ResidualWithoutMultiplier);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var readout = diagnostic.Id == DiagnosticIds.ReadoutWithoutMultiplier;
            context.RegisterCodeFix(CodeAction.Create(
                readout ? "Multiply the readout input by MupReadoutMultiplier" : "Multiply the residual branch by MupResidualMultiplier",
                ct => MultiplyAsync(context.Document, diagnostic, readout, ct),
                readout ? ReadoutKey : ResidualKey), diagnostic);
        }
        return Task.CompletedTask;
    }

    private static async Task<Document> MultiplyAsync(Document document, Diagnostic diagnostic, bool readout, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: false) is not { } node)
            return document;
        var expression = node as ExpressionSyntax ?? (node as ArgumentSyntax)?.Expression;
        if (expression is null)
            return document;
        ExpressionSyntax replacement = readout
            ? BinaryExpression(SyntaxKind.MultiplyExpression, FixHelpers.AsFactor(expression), FixHelpers.Times, IdentifierName("MupReadoutMultiplier"))
            : BinaryExpression(SyntaxKind.MultiplyExpression, IdentifierName("MupResidualMultiplier"), FixHelpers.Times, FixHelpers.AsFactor(expression));
        replacement = replacement.WithTriviaFrom(expression);
        return document.WithSyntaxRoot(root.ReplaceNode(expression, replacement));
    }
}
