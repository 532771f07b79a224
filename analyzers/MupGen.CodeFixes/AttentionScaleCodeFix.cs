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
using Microsoft.CodeAnalysis.Operations;
using MupGen.Analyzers;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace MupGen.CodeFixes;

/// <summary>MUP007: <c>att / Math.Sqrt(d)</c> → <c>att * MupAttentionScale(d)</c>; <c>* (1.0 / Math.Sqrt(d))</c> and
/// <c>Math.Pow(d, -0.5)</c> → <c>MupAttentionScale(d)</c>; <c>scaled_dot_product_attention(q, k, v, ...)</c> →
/// <c>MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale(headDim), ...)</c>. The head dimension is the one the
/// analyzer hands over (DiagnosticProperties.HeadDim): the class's head-dimension field where the code reads a tensor's
/// shape (<c>q.shape[^1]</c>, which the generator cannot read: MUP020); without one no fix is offered.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AttentionScaleCodeFix)), Shared]
public sealed class AttentionScaleCodeFix : CodeFixProvider
{
    public const string Key = "MupGen.UseMupAttentionScale";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.AttentionSqrtScale);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var sdpa = diagnostic.Properties.TryGetValue(DiagnosticProperties.Kind, out var kind) && kind == "Sdpa";
            // A TorchSharp attention layer (MultiheadAttention, ...) scales inside: no edit here gives µP's scale.
            // Without a head dimension the generator can read (the analyzer found no head-dimension field to use
            // instead of a tensor's shape), any edit would only trade MUP007 for MUP020: no fix.
            if (kind == "Layer" || !diagnostic.Properties.TryGetValue(DiagnosticProperties.HeadDim, out var headDim) || string.IsNullOrEmpty(headDim))
                continue;
            context.RegisterCodeFix(CodeAction.Create(
                sdpa ? "Use MupAttention.ScaledDotProduct with MupAttentionScale" : "Use MupAttentionScale(headDim)",
                ct => FixAsync(context.Document, diagnostic, kind, ct),
                Key), diagnostic);
        }
        return Task.CompletedTask;
    }

    private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, string? kind, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
        if (root is null || model is null)
            return document;
        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: false);
        var expression = node as ExpressionSyntax ?? (node as ArgumentSyntax)?.Expression;
        if (expression is null)
            return document;
        var headDim = diagnostic.Properties.TryGetValue(DiagnosticProperties.HeadDim, out var given) ? given : null;
        if (string.IsNullOrEmpty(headDim))
            return document;
        if (kind == "Sdpa")
            return Sdpa(document, root, model, expression, ParseExpression(headDim!), ct);

        ExpressionSyntax? dim;
        var found = kind == "Multiply" ? Expressions.IsInverseSqrt(expression, out dim) : Expressions.IsSqrt(expression, out dim);
        if (!found || dim is null)
            return document;
        // The head dimension the analyzer chose: the one under the sqrt, or the class's head-dimension field in place
        // of a tensor's shape the generator cannot read.
        var stripped = Expressions.Strip(dim);
        var scale = headDim == stripped.ToString()
            ? ScaleCall(model, stripped)
            : InvocationExpression(IdentifierName("MupAttentionScale"), ArgumentList(SingletonSeparatedList(Argument(ParseExpression(headDim!)))));
        switch (kind)
        {
            case "Divide" when expression.Parent is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.DivideExpression } quotient && quotient.Right == expression:
                return document.WithSyntaxRoot(root.ReplaceNode(quotient,
                    BinaryExpression(SyntaxKind.MultiplyExpression, quotient.Left, Token(quotient.OperatorToken.LeadingTrivia, SyntaxKind.AsteriskToken, quotient.OperatorToken.TrailingTrivia), scale.WithTriviaFrom(expression))));
            case "DivideAssign" when expression.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.DivideAssignmentExpression } assignment:
                return document.WithSyntaxRoot(root.ReplaceNode(assignment,
                    AssignmentExpression(SyntaxKind.MultiplyAssignmentExpression, assignment.Left,
                        Token(assignment.OperatorToken.LeadingTrivia, SyntaxKind.AsteriskEqualsToken, assignment.OperatorToken.TrailingTrivia),
                        scale.WithTriviaFrom(expression))));
            case "Multiply":
                return document.WithSyntaxRoot(root.ReplaceNode(expression, scale.WithTriviaFrom(expression)));
            default:
                return document;
        }
    }

    /// <summary><c>MupAttentionScale(d)</c>; a non-integer d is cast to long (the head dimension is a count).</summary>
    private static ExpressionSyntax ScaleCall(SemanticModel model, ExpressionSyntax dim)
    {
        var type = model.GetTypeInfo(dim).Type;
        var argument = dim.WithoutTrivia();
        if (type is not null && type.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16
            or SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_SByte or SpecialType.System_UInt32))
            argument = CastExpression(PredefinedType(Token(SyntaxKind.LongKeyword)), FixHelpers.AsFactor(argument));
        return InvocationExpression(IdentifierName("MupAttentionScale"), ArgumentList(SingletonSeparatedList(Argument(argument))));
    }

    private static Document Sdpa(Document document, SyntaxNode root, SemanticModel model, ExpressionSyntax expression, ExpressionSyntax headDim, CancellationToken ct)
    {
        if (expression is not InvocationExpressionSyntax call || model.GetOperation(call, ct) is not IInvocationOperation operation)
            return document;
        ExpressionSyntax? Arg(string name) => operation.Arguments
            .FirstOrDefault(a => a.Parameter?.Name == name && a.ArgumentKind != ArgumentKind.DefaultValue)?.Value.Syntax as ExpressionSyntax;
        if (Arg("query") is not { } query || Arg("key") is not { } key || Arg("value") is not { } value)
            return document;
        var arguments = new List<ArgumentSyntax>
        {
            Argument(query.WithoutTrivia()),
            Argument(key.WithoutTrivia()),
            Argument(value.WithoutTrivia()),
            Argument(InvocationExpression(IdentifierName("MupAttentionScale"), ArgumentList(SingletonSeparatedList(Argument(headDim))))),
        };
        void Named(string from, string to)
        {
            if (Arg(from) is { } given)
                arguments.Add(Argument(NameColon(IdentifierName(to)), default, given.WithoutTrivia()));
        }
        Named("is_casual", "isCausal");
        Named("attn_mask", "attentionMask");
        Named("p", "dropout");
        var attention = FixHelpers.MupName(model, call.SpanStart, "MupAttention", "MupAttention");
        var replacement = InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, ParseName(attention), IdentifierName("ScaledDotProduct")),
            ArgumentList(SeparatedList(arguments)));
        return document.WithSyntaxRoot(root.ReplaceNode(call, replacement.NormalizeWhitespace().WithTriviaFrom(call)));
    }
}
