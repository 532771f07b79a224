using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MupGen.Analyzers;

/// <summary>
/// The forward pass of µP models and the modules they build: MUP005 (readout input without MupReadoutMultiplier),
/// MUP006 (a residual add in a [Depth] block without MupResidualMultiplier), MUP007 (attention logits scaled by
/// 1/sqrt(head dim), or TorchSharp's scaled_dot_product_attention). Operation actions are registered only inside
/// those classes.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ForwardPassAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ReadoutWithoutMultiplier,
        DiagnosticDescriptors.ResidualWithoutMultiplier,
        DiagnosticDescriptors.AttentionSqrtScale);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (MupSymbols.Get(start.Compilation) is not { } symbols)
                return;
            start.RegisterSymbolStartAction(symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                if (!symbolStart.Symbol.DeclaringSyntaxReferences.Any() || !symbols.Types.IsModelOrSubmodule(type))
                    return;
                var isBlock = symbols.IsResidualBlock(type, symbolStart.CancellationToken);
                symbolStart.RegisterOperationAction(c => AnalyzeInvocation(c, symbols, type), OperationKind.Invocation);
                symbolStart.RegisterOperationAction(c => AnalyzeBinary(c, symbols, type, isBlock), OperationKind.Binary);
                symbolStart.RegisterOperationAction(c => AnalyzeCompound(c, symbols, type, isBlock), OperationKind.CompoundAssignment);
            }, SymbolKind.NamedType);
        });
    }

    // ---- MUP005 and MUP007 (scaled_dot_product_attention) ----

    private static void AnalyzeInvocation(OperationAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (invocation.Syntax is not InvocationExpressionSyntax syntax || syntax.ContainsDiagnostics || invocation.SemanticModel is not { } model)
            return;

        if (method.Name == "scaled_dot_product_attention" && method.ContainingNamespace?.ToDisplayString() == "TorchSharp")
        {
            var query = syntax.ArgumentList.Arguments.FirstOrDefault()?.Expression.ToString() ?? "q";
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AttentionSqrtScale, syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Kind, "Sdpa"),
                "scaled_dot_product_attention", type.Name,
                $"call MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale({query}.shape[^1])) instead"));
            return;
        }

        if (method.Name is not ("forward" or "call") || syntax.ArgumentList.Arguments.Count == 0)
            return;
        var member = Strip(invocation.Instance) switch
        {
            IFieldReferenceOperation f => (ISymbol)f.Field,
            IPropertyReferenceOperation p => p.Property,
            _ => null,
        };
        if (!symbols.IsReadoutField(member))
            return;
        var argument = syntax.ArgumentList.Arguments[0].Expression;
        if (Expressions.IsMultipliedBy(argument, MupSymbols.ReadoutMultiplier, model))
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ReadoutWithoutMultiplier, argument.GetLocation(), member!.Name, method.Name));
    }

    // ---- MUP006 and MUP007 (x / sqrt(d), x * (1 / sqrt(d))) ----

    private static void AnalyzeBinary(OperationAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type, bool isBlock)
    {
        var binary = (IBinaryOperation)context.Operation;
        if (binary.Syntax is not BinaryExpressionSyntax syntax || syntax.ContainsDiagnostics || binary.SemanticModel is not { } model)
            return;
        switch (binary.OperatorKind)
        {
            case BinaryOperatorKind.Divide:
                if (Expressions.IsSqrt(syntax.Right, out var dim) && Expressions.ContainsMatmul(syntax.Left, model))
                    ReportScale(context, type, syntax.Right, dim!, "Divide");
                break;
            case BinaryOperatorKind.Multiply:
                if (Expressions.IsInverseSqrt(syntax.Right, out var right) && Expressions.ContainsMatmul(syntax.Left, model))
                    ReportScale(context, type, syntax.Right, right!, "Multiply");
                else if (Expressions.IsInverseSqrt(syntax.Left, out var left) && Expressions.ContainsMatmul(syntax.Right, model))
                    ReportScale(context, type, syntax.Left, left!, "Multiply");
                break;
            case BinaryOperatorKind.Add when isBlock && symbols.IsTensor(binary.Type):
                AnalyzeResidual(context, binary, syntax, type, model);
                break;
        }
    }

    private static void AnalyzeCompound(OperationAnalysisContext context, MupSymbols symbols, INamedTypeSymbol type, bool isBlock)
    {
        var compound = (ICompoundAssignmentOperation)context.Operation;
        if (compound.Syntax is not AssignmentExpressionSyntax syntax || syntax.ContainsDiagnostics || compound.SemanticModel is not { } model)
            return;
        switch (compound.OperatorKind)
        {
            case BinaryOperatorKind.Divide when Expressions.IsSqrt(syntax.Right, out var dim) && Expressions.ContainsMatmul(syntax.Left, model):
                ReportScale(context, type, syntax.Right, dim!, "DivideAssign");
                break;
            case BinaryOperatorKind.Multiply when Expressions.IsInverseSqrt(syntax.Right, out var inverse) && Expressions.ContainsMatmul(syntax.Left, model):
                ReportScale(context, type, syntax.Right, inverse!, "Multiply");
                break;
            case BinaryOperatorKind.Add when isBlock && symbols.IsTensor(compound.Target.Type)
                                             && Strip(compound.Target) is ILocalReferenceOperation or IParameterReferenceOperation:
                if (!Expressions.IsMultipliedBy(syntax.Right, MupSymbols.ResidualMultiplier, model))
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ResidualWithoutMultiplier, syntax.Right.GetLocation(),
                        syntax.Left.ToString(), type.Name));
                break;
        }
    }

    private static void ReportScale(OperationAnalysisContext context, INamedTypeSymbol type, ExpressionSyntax scale, ExpressionSyntax dim, string form)
    {
        // Half-typed code (`Math.Sqrt( * m)` binds as a pointer dereference): only a well-typed scale is reported.
        var model = context.Operation.SemanticModel!;
        if (model.GetTypeInfo(Expressions.Strip(dim), context.CancellationToken).Type is not { TypeKind: not TypeKind.Error }
            || model.GetOperation(Expressions.Strip(scale), context.CancellationToken) is null or IInvalidOperation
            || model.GetDiagnostics(scale.Span, context.CancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
            return;
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(DiagnosticProperties.Kind, form)
            .Add(DiagnosticProperties.HeadDim, Expressions.Strip(dim).ToString());
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AttentionSqrtScale, scale.GetLocation(), properties,
            $"'{scale}'", type.Name, $"multiply by MupAttentionScale({Expressions.Strip(dim)}) instead"));
    }

    /// <summary>`x + branch` where x is the residual stream: the sum is assigned back to x, or the branch is computed
    /// from x (`x + attn(norm(x))`, or through locals).</summary>
    private static void AnalyzeResidual(OperationAnalysisContext context, IBinaryOperation binary, BinaryExpressionSyntax syntax, INamedTypeSymbol type, SemanticModel model)
    {
        ISymbol? assigned = null;
        var parent = binary.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
            parent = parent.Parent;
        if (parent is ISimpleAssignmentOperation assignment)
            assigned = VariableOf(assignment.Target);

        var left = VariableOf(binary.LeftOperand);
        var right = VariableOf(binary.RightOperand);
        ExpressionSyntax? branch = null;
        ISymbol? stream = null;
        if (left is not null && (SymbolEqualityComparer.Default.Equals(left, assigned) || Expressions.DependsOn(syntax.Right, left, model)))
            (stream, branch) = (left, syntax.Right);
        else if (right is not null && (SymbolEqualityComparer.Default.Equals(right, assigned) || Expressions.DependsOn(syntax.Left, right, model)))
            (stream, branch) = (right, syntax.Left);
        if (stream is null || branch is null || Expressions.IsMultipliedBy(branch, MupSymbols.ResidualMultiplier, model))
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ResidualWithoutMultiplier, branch.GetLocation(), stream.Name, type.Name));
    }

    private static ISymbol? VariableOf(IOperation operation) => Strip(operation) switch
    {
        ILocalReferenceOperation l => l.Local,
        IParameterReferenceOperation p => p.Parameter,
        _ => null,
    };

    private static IOperation? Strip(IOperation? operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
            operation = operation is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)operation).Operand;
        return operation;
    }
}
