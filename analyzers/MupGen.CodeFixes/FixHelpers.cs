using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace MupGen.CodeFixes;

internal static class FixHelpers
{
    /// <summary>` * `.</summary>
    public static SyntaxToken Times => Token(TriviaList(Space), SyntaxKind.AsteriskToken, TriviaList(Space));

    /// <summary>The name to write for a MupGen type at <paramref name="position"/>: the short name when `using MupGen;`
    /// (or an enclosing MupGen namespace) makes it visible, else qualified.</summary>
    public static string MupName(SemanticModel model, int position, string name, string metadataName)
    {
        var visible = model.LookupNamespacesAndTypes(position, name: metadataName)
            .Any(s => s.ContainingNamespace?.ToDisplayString() == "MupGen");
        return visible ? name : "MupGen." + name;
    }

    /// <summary>Wraps an expression in parentheses when an operator of multiplicative precedence could bind into it.</summary>
    public static ExpressionSyntax AsFactor(ExpressionSyntax expression)
    {
        var bare = expression.WithoutTrivia();
        return bare switch
        {
            IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
                or ParenthesizedExpressionSyntax or LiteralExpressionSyntax or ThisExpressionSyntax or GenericNameSyntax
                or BinaryExpressionSyntax { RawKind: (int)SyntaxKind.MultiplyExpression } => bare,
            _ => ParenthesizedExpression(bare),
        };
    }

    /// <summary>The identifier-owning declaration a diagnostic points at (field variable, property, class).</summary>
    public static SyntaxNode? NodeAt(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        root.FindToken(span.Start).Parent;
}
