using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MupGen.Analyzers;

/// <summary>Syntax questions the forward-pass and optimizer analyzers ask (shared with the code fixes): is an
/// expression a product that includes a multiplier, does it compute a matmul, is it 1/sqrt(d). Locals are followed
/// to the values assigned to them in the same member, a few levels deep.</summary>
internal static class Expressions
{
    private const int MaxDepth = 4;

    private static readonly HashSet<string> MatmulNames = new() { "matmul", "bmm", "mm", "einsum", "baddbmm" };

    public static ExpressionSyntax Strip(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax p:
                    expression = p.Expression;
                    break;
                case CastExpressionSyntax c:
                    expression = c.Expression;
                    break;
                case CheckedExpressionSyntax k:
                    expression = k.Expression;
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } n:
                    expression = n.Operand;
                    break;
                default:
                    return expression;
            }
        }
    }

    /// <summary>The simple name an expression ends in: <c>x</c>, <c>this.x</c>, <c>model.x</c>.</summary>
    public static string? SimpleName(ExpressionSyntax expression) => Strip(expression) switch
    {
        IdentifierNameSyntax id => id.Identifier.ValueText,
        MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The invoked method's simple name: <c>Sqrt</c> for <c>Math.Sqrt(d)</c>, <c>matmul</c> for <c>q.matmul(k)</c>.</summary>
    public static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        IdentifierNameSyntax id => id.Identifier.ValueText,
        GenericNameSyntax g => g.Identifier.ValueText,
        MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax b => b.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>True when <paramref name="expression"/>'s top-level product has a factor named <paramref name="name"/>
    /// (<c>h * MupReadoutMultiplier</c>, <c>MupResidualMultiplier * f(x)</c>, or a local assigned such a product).</summary>
    public static bool IsMultipliedBy(ExpressionSyntax expression, string name, SemanticModel model, int depth = 0)
    {
        expression = Strip(expression);
        if (expression is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.MultiplyExpression } product)
            return IsMultipliedBy(product.Left, name, model, depth) || IsMultipliedBy(product.Right, name, model, depth);
        if (SimpleName(expression) == name)
            return true;
        if (depth < MaxDepth && expression is IdentifierNameSyntax && model.GetSymbolInfo(expression).Symbol is ILocalSymbol local)
            return AssignedValues(local, expression, model).Any(v => IsMultipliedBy(v, name, model, depth + 1));
        return false;
    }

    /// <summary>The part of <see cref="IsMultipliedBy"/> that needs no semantic model: the top-level product has a
    /// factor named <paramref name="name"/>. When true, <see cref="IsMultipliedBy"/> is true too, so the analyzers
    /// check this first and leave the method unbound (binding a method body is most of an analyzer's cost).</summary>
    public static bool IsMultipliedBySyntax(ExpressionSyntax expression, string name)
    {
        expression = Strip(expression);
        if (expression is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.MultiplyExpression } product)
            return IsMultipliedBySyntax(product.Left, name) || IsMultipliedBySyntax(product.Right, name);
        return SimpleName(expression) == name;
    }

    /// <summary>Whether the expression reads <paramref name="variable"/>, directly or through locals assigned from it.</summary>
    public static bool DependsOn(ExpressionSyntax expression, ISymbol variable, SemanticModel model, int depth = 0)
    {
        foreach (var id in expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            var symbol = model.GetSymbolInfo(id).Symbol;
            if (symbol is null)
                continue;
            if (SymbolEqualityComparer.Default.Equals(symbol, variable))
                return true;
            if (depth < MaxDepth && symbol is ILocalSymbol local && !SymbolEqualityComparer.Default.Equals(local, variable)
                && AssignedValues(local, id, model).Any(v => DependsOn(v, variable, model, depth + 1)))
                return true;
        }
        return false;
    }

    /// <summary>Whether the expression computes a matrix product (q.matmul(k.T), torch.matmul, bmm, einsum), directly
    /// or through locals.</summary>
    public static bool ContainsMatmul(ExpressionSyntax expression, SemanticModel model, int depth = 0)
    {
        foreach (var node in expression.DescendantNodesAndSelf())
        {
            if (node is InvocationExpressionSyntax invocation && InvokedName(invocation) is { } invoked && MatmulNames.Contains(invoked))
                return true;
            if (depth < MaxDepth && node is IdentifierNameSyntax id && model.GetSymbolInfo(id).Symbol is ILocalSymbol local
                && AssignedValues(local, id, model).Any(v => ContainsMatmul(v, model, depth + 1)))
                return true;
        }
        return false;
    }

    /// <summary>The values assigned to a local in the member that declares it (initializer and assignments).</summary>
    public static IEnumerable<ExpressionSyntax> AssignedValues(ILocalSymbol local, SyntaxNode use, SemanticModel model)
    {
        var scope = (SyntaxNode?)use.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? use.SyntaxTree.GetRoot();
        if (scope is GlobalStatementSyntax)
            scope = scope.Parent ?? scope;
        foreach (var node in scope.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax { Initializer: { } initializer } declarator
                    when declarator.Identifier.ValueText == local.Name
                         && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declarator), local):
                    yield return initializer.Value;
                    break;
                case AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax left } assignment
                    when left.Identifier.ValueText == local.Name
                         && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(left).Symbol, local):
                    yield return assignment.Right;
                    break;
            }
        }
    }

    /// <summary><c>Math.Sqrt(d)</c>, <c>MathF.Sqrt(d)</c>, <c>torch.sqrt(d)</c>, <c>d.sqrt()</c>, <c>Math.Pow(d, 0.5)</c>:
    /// the square root of <paramref name="dim"/>.</summary>
    public static bool IsSqrt(ExpressionSyntax expression, out ExpressionSyntax? dim)
    {
        dim = null;
        if (Strip(expression) is not InvocationExpressionSyntax invocation || InvokedName(invocation) is not { } name)
            return false;
        var args = invocation.ArgumentList.Arguments;
        switch (name)
        {
            case "Sqrt" or "sqrt" when args.Count == 1:
                dim = args[0].Expression;
                return true;
            case "sqrt" when args.Count == 0 && invocation.Expression is MemberAccessExpressionSyntax receiver:
                dim = receiver.Expression;
                return true;
            case "Pow" or "pow" when args.Count == 2 && IsNumber(args[1].Expression, 0.5):
                dim = args[0].Expression;
                return true;
        }
        return false;
    }

    /// <summary><c>1.0 / Math.Sqrt(d)</c>, <c>Math.Pow(d, -0.5)</c>, <c>torch.rsqrt(d)</c>: one over the square root.</summary>
    public static bool IsInverseSqrt(ExpressionSyntax expression, out ExpressionSyntax? dim)
    {
        dim = null;
        var stripped = Strip(expression);
        if (stripped is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.DivideExpression } quotient
            && IsNumber(quotient.Left, 1.0))
            return IsSqrt(quotient.Right, out dim);
        if (stripped is not InvocationExpressionSyntax invocation || InvokedName(invocation) is not { } name)
            return false;
        var args = invocation.ArgumentList.Arguments;
        switch (name)
        {
            case "Pow" or "pow" when args.Count == 2 && IsNumber(args[1].Expression, -0.5):
                dim = args[0].Expression;
                return true;
            case "rsqrt" when args.Count == 1:
                dim = args[0].Expression;
                return true;
            case "rsqrt" when args.Count == 0 && invocation.Expression is MemberAccessExpressionSyntax receiver:
                dim = receiver.Expression;
                return true;
        }
        return false;
    }

    private static bool IsNumber(ExpressionSyntax expression, double value)
    {
        expression = Strip(expression);
        var sign = 1.0;
        if (expression is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus)
        {
            sign = -1.0;
            expression = Strip(minus.Operand);
        }
        if (expression is not LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } literal)
            return false;
        var number = literal.Token.Value switch
        {
            int i => i,
            long l => l,
            float f => f,
            double d => d,
            decimal m => (double)m,
            _ => double.NaN,
        };
        return sign * number == value;
    }
}
