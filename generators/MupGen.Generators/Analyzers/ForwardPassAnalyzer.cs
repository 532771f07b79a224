using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MupGen.Analyzers;

/// <summary>
/// The forward pass of µP models and the modules they build: MUP005 (readout input without MupReadoutMultiplier),
/// MUP006 (a residual add in a [Depth] block without MupResidualMultiplier), MUP007 (attention logits scaled by
/// 1/sqrt(head dim), or TorchSharp's scaled_dot_product_attention), and in any class MUP021 (MupAttentionScale called
/// on a module whose class never calls it itself). Each class is read by one symbol action that walks its declarations'
/// syntax (other classes only for MUP021), and every check rejects a node by its shape (a method name, a sqrt factor)
/// before asking the semantic model.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ForwardPassAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ReadoutWithoutMultiplier,
        DiagnosticDescriptors.ResidualWithoutMultiplier,
        DiagnosticDescriptors.AttentionSqrtScale,
        DiagnosticDescriptors.AttentionScaleOnOtherObject);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (MupSymbols.Get(start.Compilation) is not { } symbols)
                return;
            // One symbol action per class that walks its own declarations, not syntax-node actions registered from a
            // symbol-start action: those make the analyzer driver track every member of every type of the compilation
            // (per-symbol action sets, symbol-end bookkeeping), which cost more than the checks themselves
            // (docs/BUILD-COST.md).
            start.RegisterSymbolAction(c => AnalyzeType(c, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext symbolContext, MupSymbols symbols)
    {
        var type = (INamedTypeSymbol)symbolContext.Symbol;
        if (type.DeclaringSyntaxReferences.Length == 0)
            return;
        var ct = symbolContext.CancellationToken;
        // Any other class (a trainer, a helper) is read only for MUP021, and without its nested classes (each is read
        // by its own action).
        var isModel = symbols.Types.IsModelOrSubmodule(type);
        var isBlock = isModel && symbols.IsResidualBlock(type, ct);
        // A root whose blocks are plain layers (ModuleList<Linear>) adds their residuals itself.
        var blockList = isModel && symbols.Types.IsRoot(type) ? symbols.BlockList(type) : null;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            // MupGen's own partial parts hold no forward pass; the driver drops what is reported in other generated code
            // (ConfigureGeneratedCodeAnalysis above), as it did for syntax actions.
            if (reference.GetSyntax(ct) is not TypeDeclarationSyntax declaration
                || Generators.MupGenerator.Parser.IsGeneratedByMupGen(declaration.SyntaxTree))
                continue;
            var context = new NodeContext(symbolContext, declaration.SyntaxTree);
            // A model's members, and those of its nested classes that are not modules of the model themselves (those
            // are analyzed by their own action), as the syntax actions of a symbol-start action reached them.
            foreach (var node in declaration.DescendantNodes(n => n == declaration || n is not TypeDeclarationSyntax nested
                || (isModel && !IsAnalyzedItself(type, declaration, nested, symbols))))
            {
                context.Node = node;
                switch (node.Kind())
                {
                    case SyntaxKind.InvocationExpression:
                        if (isModel)
                            AnalyzeInvocation(context, symbols, type);
                        AnalyzeScaleCall(context, symbols, type, declaration);
                        break;
                    case SyntaxKind.DivideExpression or SyntaxKind.MultiplyExpression or SyntaxKind.AddExpression when isModel:
                        AnalyzeBinary(context, symbols, type, isBlock, blockList);
                        break;
                    case SyntaxKind.DivideAssignmentExpression or SyntaxKind.MultiplyAssignmentExpression or SyntaxKind.AddAssignmentExpression when isModel:
                        AnalyzeCompound(context, symbols, type, isBlock);
                        break;
                }
            }
        }
    }

    /// <summary>A nested class declared inside <paramref name="declaration"/> (a declaration of <paramref name="type"/>)
    /// that is a module of the model itself, so its own symbol action analyzes it. Found by names and arities from
    /// <paramref name="type"/> down, without a semantic model.</summary>
    private static bool IsAnalyzedItself(INamedTypeSymbol type, TypeDeclarationSyntax declaration, TypeDeclarationSyntax nested, MupSymbols symbols)
    {
        var path = new System.Collections.Generic.List<TypeDeclarationSyntax> { nested };
        for (var d = nested.Parent as TypeDeclarationSyntax; d is not null && d != declaration; d = d.Parent as TypeDeclarationSyntax)
            path.Insert(0, d);
        INamedTypeSymbol? current = type;
        foreach (var d in path)
            current = current?.GetTypeMembers(d.Identifier.ValueText, d.TypeParameterList?.Parameters.Count ?? 0).FirstOrDefault();
        return current is not null && symbols.Types.IsModelOrSubmodule(current);
    }

    /// <summary>What the checks below need of the node they look at: the node, its tree's semantic model (asked for
    /// only when a syntax check passes), the cancellation token and a way to report.</summary>
    private sealed class NodeContext
    {
        private readonly SymbolAnalysisContext _context;
        private readonly SyntaxTree _tree;
        private SemanticModel? _model;

        public NodeContext(SymbolAnalysisContext context, SyntaxTree tree)
        {
            _context = context;
            _tree = tree;
            Node = tree.GetRoot(context.CancellationToken);
        }

        public SyntaxNode Node { get; set; }

#pragma warning disable RS1030 // the driver's caching semantic-model provider serves this model
        public SemanticModel SemanticModel => _model ??= _context.Compilation.GetSemanticModel(_tree);
#pragma warning restore RS1030

        public System.Threading.CancellationToken CancellationToken => _context.CancellationToken;

        public void ReportDiagnostic(Diagnostic diagnostic) => _context.ReportDiagnostic(diagnostic);
    }

    // ---- MUP021 ----

    /// <summary>A MupAttentionScale call on another object (<c>attn.MupAttentionScale(d)</c>, <c>block?.MupAttentionScale(d)</c>)
    /// whose method is MupGen's and whose class makes no call of its own (the generator reads only a module's calls on
    /// itself, so that module has no fact and the call throws at run time). Reported in the class whose own declaration
    /// holds the call (a nested class's calls by that class's action).</summary>
    private static void AnalyzeScaleCall(NodeContext context, MupSymbols symbols, INamedTypeSymbol type, TypeDeclarationSyntax declaration)
    {
        var syntax = (InvocationExpressionSyntax)context.Node;
        ExpressionSyntax? receiver = syntax.Expression switch
        {
            MemberAccessExpressionSyntax { Name.Identifier.ValueText: "MupAttentionScale" } access
                when Expressions.Strip(access.Expression) is not (ThisExpressionSyntax or BaseExpressionSyntax) => access.Expression,
            MemberBindingExpressionSyntax { Name.Identifier.ValueText: "MupAttentionScale" }
                when syntax.Parent is ConditionalAccessExpressionSyntax conditional => conditional.Expression,
            _ => null,
        };
        if (receiver is null || syntax.ContainsDiagnostics || syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() != declaration)
            return;
        var model = context.SemanticModel;
        if (model.GetSymbolInfo(syntax, context.CancellationToken).Symbol is not IMethodSymbol { Name: "MupAttentionScale" } method
            || !symbols.IsMupModule(method.ContainingType))
            return;
        // Only a class in source with no call of its own: its module then has no fact and the call throws. An
        // interface-typed receiver may be any class, and a class with its own call has a fact that decides the scale.
        if (model.GetTypeInfo(Expressions.Strip(receiver), context.CancellationToken).Type is not INamedTypeSymbol { TypeKind: TypeKind.Class } callee
            || callee.DeclaringSyntaxReferences.Length == 0
            || Generators.MupGenerator.Parser.AnalysisContext.AttentionCallSites(callee, context.CancellationToken).Any())
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AttentionScaleOnOtherObject, syntax.GetLocation(),
            syntax.ToString(), type.Name, receiver.ToString(), callee.Name));
    }

    // ---- MUP005 and MUP007 (scaled_dot_product_attention) ----

    private static void AnalyzeInvocation(NodeContext context, MupSymbols symbols, INamedTypeSymbol type)
    {
        var syntax = (InvocationExpressionSyntax)context.Node;
        var name = Expressions.InvokedName(syntax);
        if (name is not ("forward" or "call" or "scaled_dot_product_attention") || syntax.ContainsDiagnostics)
            return;
        // Syntax first: a forward call is only MUP005's when its receiver is named like a [ReadoutLayer] member and its
        // argument is not visibly multiplied by MupReadoutMultiplier; any other call leaves the method unbound.
        if (name != "scaled_dot_product_attention"
            && (syntax.ArgumentList.Arguments.Count == 0
                || syntax.Expression is not MemberAccessExpressionSyntax { Expression: var receiverSyntax }
                || Expressions.SimpleName(receiverSyntax) is not { } receiverName
                || !symbols.ReadoutNames.Contains(receiverName)
                || Expressions.IsMultipliedBySyntax(syntax.ArgumentList.Arguments[0].Expression, MupSymbols.ReadoutMultiplier)))
            return;
        var model = context.SemanticModel;
        if (model.GetSymbolInfo(syntax, context.CancellationToken).Symbol is not IMethodSymbol method)
            return;

        if (name == "scaled_dot_product_attention")
        {
            if (method.ContainingNamespace?.ToDisplayString() != "TorchSharp")
                return;
            // The head dimension to pass must be one the generator reads (a field the constructor sets), never
            // q.shape[^1]: a tensor's shape is known only at run time (MUP020).
            var headDim = HeadDimMember(type, context.CancellationToken);
            var sdpa = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Kind, "Sdpa");
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AttentionSqrtScale, syntax.GetLocation(),
                headDim is null ? sdpa : sdpa.Add(DiagnosticProperties.HeadDim, headDim),
                "scaled_dot_product_attention", type.Name,
                headDim is null
                    ? $"call MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale(headDim)) instead, {HeadDimAdvice}"
                    : $"call MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale({headDim})) instead"));
            return;
        }

        if (syntax.ArgumentList.Arguments.Count == 0)
            return;
        var receiver = syntax.Expression switch
        {
            MemberAccessExpressionSyntax access => access.Expression,
            _ => null,
        };
        if (receiver is null || model.GetSymbolInfo(Expressions.Strip(receiver), context.CancellationToken).Symbol is not { } member
            || !symbols.IsReadoutField(member))
            return;
        var argument = syntax.ArgumentList.Arguments[0].Expression;
        if (Expressions.IsMultipliedBy(argument, MupSymbols.ReadoutMultiplier, model))
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ReadoutWithoutMultiplier, argument.GetLocation(), member.Name, method.Name));
    }

    // ---- MUP006 and MUP007 (x / sqrt(d), x * (1 / sqrt(d))) ----

    private static void AnalyzeBinary(NodeContext context, MupSymbols symbols, INamedTypeSymbol type, bool isBlock, ISymbol? blockList)
    {
        var syntax = (BinaryExpressionSyntax)context.Node;
        if (syntax.ContainsDiagnostics)
            return;
        var model = context.SemanticModel;
        switch (syntax.Kind())
        {
            case SyntaxKind.DivideExpression:
                if (Expressions.IsSqrt(syntax.Right, out var dim) && Expressions.ContainsMatmul(syntax.Left, model))
                    ReportScale(context, type, syntax.Right, dim!, "Divide");
                break;
            case SyntaxKind.MultiplyExpression:
                if (Expressions.IsInverseSqrt(syntax.Right, out var right) && Expressions.ContainsMatmul(syntax.Left, model))
                    ReportScale(context, type, syntax.Right, right!, "Multiply");
                else if (Expressions.IsInverseSqrt(syntax.Left, out var left) && Expressions.ContainsMatmul(syntax.Right, model))
                    ReportScale(context, type, syntax.Left, left!, "Multiply");
                break;
            case SyntaxKind.AddExpression when (isBlock || blockList is not null) && MayBeUnscaledResidual(syntax)
                && symbols.IsTensor(model.GetTypeInfo(syntax, context.CancellationToken).Type):
                AnalyzeResidual(context, syntax, type, model, isBlock ? null : blockList);
                break;
        }
    }

    /// <summary>The syntax half of <see cref="AnalyzeResidual"/>: the stream is a plain variable (so one side is an
    /// identifier) and the other side, the branch, is not visibly multiplied by MupResidualMultiplier. False means
    /// AnalyzeResidual would report nothing, so the method is not bound for it.</summary>
    private static bool MayBeUnscaledResidual(BinaryExpressionSyntax syntax)
    {
        var leftIsVariable = Expressions.Strip(syntax.Left) is IdentifierNameSyntax;
        var rightIsVariable = Expressions.Strip(syntax.Right) is IdentifierNameSyntax;
        return (leftIsVariable && !Expressions.IsMultipliedBySyntax(syntax.Right, MupSymbols.ResidualMultiplier))
            || (rightIsVariable && !Expressions.IsMultipliedBySyntax(syntax.Left, MupSymbols.ResidualMultiplier));
    }

    private static void AnalyzeCompound(NodeContext context, MupSymbols symbols, INamedTypeSymbol type, bool isBlock)
    {
        var syntax = (AssignmentExpressionSyntax)context.Node;
        if (syntax.ContainsDiagnostics)
            return;
        var model = context.SemanticModel;
        switch (syntax.Kind())
        {
            case SyntaxKind.DivideAssignmentExpression when Expressions.IsSqrt(syntax.Right, out var dim) && Expressions.ContainsMatmul(syntax.Left, model):
                ReportScale(context, type, syntax.Right, dim!, "DivideAssign");
                break;
            case SyntaxKind.MultiplyAssignmentExpression when Expressions.IsInverseSqrt(syntax.Right, out var inverse) && Expressions.ContainsMatmul(syntax.Left, model):
                ReportScale(context, type, syntax.Right, inverse!, "Multiply");
                break;
            case SyntaxKind.AddAssignmentExpression when isBlock && Expressions.Strip(syntax.Left) is IdentifierNameSyntax
                && !Expressions.IsMultipliedBySyntax(syntax.Right, MupSymbols.ResidualMultiplier)
                && VariableOf(syntax.Left, model) is { } target && symbols.IsTensor(TypeOf(target)):
                if (!Expressions.IsMultipliedBy(syntax.Right, MupSymbols.ResidualMultiplier, model))
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ResidualWithoutMultiplier, syntax.Right.GetLocation(),
                        target.Name, type.Name));
                break;
        }
    }

    private static void ReportScale(NodeContext context, INamedTypeSymbol type, ExpressionSyntax scale, ExpressionSyntax dim, string form)
    {
        // Half-typed code (`Math.Sqrt( * m)` binds as a pointer dereference): only a well-typed scale is reported.
        var model = context.SemanticModel;
        if (model.GetTypeInfo(Expressions.Strip(dim), context.CancellationToken).Type is not { TypeKind: not TypeKind.Error }
            || model.GetOperation(Expressions.Strip(scale), context.CancellationToken) is null or IInvalidOperation
            || model.GetDiagnostics(scale.Span, context.CancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
            return;
        // sqrt(q.shape[^1]): the generator cannot read a tensor's shape (MUP020), so the suggestion is the class's
        // head-dimension field, or none the code fix could write.
        string? headDim = Expressions.Strip(dim).ToString();
        if (ReadsShape(dim))
            headDim = HeadDimMember(type, context.CancellationToken);
        var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Kind, form);
        if (headDim is not null)
            properties = properties.Add(DiagnosticProperties.HeadDim, headDim);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AttentionSqrtScale, scale.GetLocation(), properties,
            $"'{scale}'", type.Name, headDim is null
                ? $"multiply by MupAttentionScale(headDim) instead, {HeadDimAdvice}"
                : $"multiply by MupAttentionScale({headDim}) instead"));
    }

    private const string HeadDimAdvice =
        "with headDim the head dimension the constructor computes (headDim = nEmbd / nHead;): a tensor's shape is known only at run time, so the generator cannot read it (MUP020)";

    /// <summary>The expression reads a tensor's shape (<c>q.shape[^1]</c>, <c>k.size(-1)</c>).</summary>
    internal static bool ReadsShape(SyntaxNode expression) =>
        expression.DescendantNodesAndSelf().Any(n => n is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "shape" or "size" });

    /// <summary>The class's one integer field or property named like a head dimension (<c>headDim</c>, <c>head_dim</c>,
    /// <c>dHead</c>, ...), or null when it has none or several.</summary>
    private static string? HeadDimMember(INamedTypeSymbol type, System.Threading.CancellationToken ct)
    {
        var names = type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(ct))
            .OfType<TypeDeclarationSyntax>()
            .SelectMany(HeadDimNames.In)
            .Distinct()
            .ToList();
        return names.Count == 1 ? names[0] : null;
    }

    /// <summary>`x + branch` where x is the residual stream: the sum is assigned back to x, or the branch is computed
    /// from x (`x + attn(norm(x))`, or through locals).</summary>
    /// <remarks>In a root model (<paramref name="blockList"/> set), only adds whose branch calls one of the blocks count:
    /// <c>h = h + layer.forward(h)</c> in <c>foreach (var layer in blocks)</c>, or <c>blocks[i].forward(h)</c>.</remarks>
    private static void AnalyzeResidual(NodeContext context, BinaryExpressionSyntax syntax, INamedTypeSymbol type, SemanticModel model, ISymbol? blockList)
    {
        ISymbol? assigned = null;
        SyntaxNode current = syntax;
        while (current.Parent is ParenthesizedExpressionSyntax)
            current = current.Parent;
        if (current.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment && assignment.Right == current)
            assigned = VariableOf(assignment.Left, model);

        var left = VariableOf(syntax.Left, model);
        var right = VariableOf(syntax.Right, model);
        ExpressionSyntax? branch = null;
        ISymbol? stream = null;
        if (left is not null && (SymbolEqualityComparer.Default.Equals(left, assigned) || Expressions.DependsOn(syntax.Right, left, model)))
            (stream, branch) = (left, syntax.Right);
        else if (right is not null && (SymbolEqualityComparer.Default.Equals(right, assigned) || Expressions.DependsOn(syntax.Left, right, model)))
            (stream, branch) = (right, syntax.Left);
        if (stream is null || branch is null || Expressions.IsMultipliedBy(branch, MupSymbols.ResidualMultiplier, model))
            return;
        if (blockList is not null && !CallsBlock(branch, blockList, model))
            return;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ResidualWithoutMultiplier, branch.GetLocation(), stream.Name, type.Name));
    }

    /// <summary>The branch calls an item of the block list: through a foreach variable over it, or an index into it.</summary>
    private static bool CallsBlock(ExpressionSyntax branch, ISymbol blockList, SemanticModel model)
    {
        foreach (var invocation in branch.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
        {
            if (invocation.Expression is not MemberAccessExpressionSyntax access)
                continue;
            var receiver = Expressions.Strip(access.Expression);
            if (receiver is ElementAccessExpressionSyntax element
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(Expressions.Strip(element.Expression)).Symbol, blockList))
                return true;
            if (receiver is IdentifierNameSyntax id && model.GetSymbolInfo(id).Symbol is ILocalSymbol local
                && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is ForEachStatementSyntax loop
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(Expressions.Strip(loop.Expression)).Symbol, blockList))
                return true;
        }
        return false;
    }

    /// <summary>The local or parameter an expression is (after parentheses and casts), or null.</summary>
    private static ISymbol? VariableOf(ExpressionSyntax expression, SemanticModel model) =>
        Expressions.Strip(expression) is IdentifierNameSyntax id && model.GetSymbolInfo(id).Symbol is { } symbol
        && symbol is ILocalSymbol or IParameterSymbol
            ? symbol
            : null;

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol l => l.Type,
        IParameterSymbol p => p.Type,
        _ => null,
    };
}
