using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

using MupGen.Generators;

namespace MupGen.Analyzers;

/// <summary>
/// MUP008: <c>torch.optim.Adam/AdamW/SGD(model.parameters(), ...)</c> (or <c>new AdamW(...)</c>) on a µP model gives
/// every parameter the same learning rate, bypassing the per-parameter µP groups of MupAdam/MupAdamW/MupSGD.
/// Optimizers are built anywhere (Program.cs, a trainer), so this looks at every invocation and object creation, and
/// rejects all but the three TorchSharp optimizers by name before touching a symbol.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OptimizerAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.PlainOptimizer);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (MupSymbols.Get(start.Compilation) is not { } symbols)
                return;
            // Syntax actions with a name filter: no operation tree is built for the project's other method bodies.
            start.RegisterSyntaxNodeAction(c => AnalyzeNode(c, symbols),
                SyntaxKind.InvocationExpression, SyntaxKind.ObjectCreationExpression, SyntaxKind.ImplicitObjectCreationExpression);
        });
    }

    private static void AnalyzeNode(SyntaxNodeAnalysisContext context, MupSymbols symbols)
    {
        var name = context.Node switch
        {
            InvocationExpressionSyntax invocation => Expressions.InvokedName(invocation),
            ObjectCreationExpressionSyntax creation => creation.Type switch
            {
                QualifiedNameSyntax q => q.Right.Identifier.ValueText,
                SimpleNameSyntax n => n.Identifier.ValueText,
                AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
                _ => null,
            },
            _ => "new()", // target-typed: only the semantic model knows
        };
        if (name is not ("Adam" or "AdamW" or "SGD" or "new()") || context.Node.ContainsDiagnostics)
            return;
        switch (context.SemanticModel.GetOperation(context.Node, context.CancellationToken))
        {
            case IInvocationOperation invocation:
                Analyze(context.ReportDiagnostic, context.Node, symbols, invocation.TargetMethod, invocation.Arguments);
                break;
            case IObjectCreationOperation creation:
                Analyze(context.ReportDiagnostic, context.Node, symbols, creation.Constructor, creation.Arguments);
                break;
        }
    }

    /// <summary>The generated method that replaces a TorchSharp optimizer, or null.</summary>
    internal static string? Replacement(IMethodSymbol? method)
    {
        if (method is null)
            return null;
        var name = method.MethodKind == MethodKind.Constructor ? method.ContainingType.Name : method.Name;
        if (name is not ("Adam" or "AdamW" or "SGD"))
            return null;
        var container = method.MethodKind == MethodKind.Constructor
            ? method.ContainingType.ContainingNamespace?.ToDisplayString()
            : method.ContainingType?.ToDisplayString();
        return container is "TorchSharp.Modules" or "TorchSharp.torch.optim" ? "Mup" + name : null;
    }

    private static void Analyze(Action<Diagnostic> report, SyntaxNode node, MupSymbols symbols, IMethodSymbol? method, ImmutableArray<IArgumentOperation> arguments)
    {
        if (Replacement(method) is not { } replacement)
            return;
        var parameters = arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        if (parameters is null || ParametersCall(parameters.Value) is not { } call)
            return;
        var receiverType = call.Instance?.Type ?? call.TargetMethod.ContainingType;
        if (call.Instance is null && call.SemanticModel?.GetEnclosingSymbol(call.Syntax.SpanStart)?.ContainingType is { } enclosing)
            receiverType = enclosing;
        if (!IsMupModel(symbols, receiverType))
            return;
        var receiver = call.Instance is null or IInstanceReferenceOperation { IsImplicit: true } ? "this" : call.Instance.Syntax.ToString();
        report(Diagnostic.Create(DiagnosticDescriptors.PlainOptimizer, node.GetLocation(),
            ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Method, replacement),
            replacement.Substring(3), receiver, call.TargetMethod.Name, replacement));
    }

    /// <summary><c>m.parameters()</c> or <c>m.named_parameters()</c>, possibly behind conversions and LINQ
    /// (<c>m.named_parameters().Select(p => p.parameter)</c>).</summary>
    internal static IInvocationOperation? ParametersCall(IOperation? operation)
    {
        for (var i = 0; i < 8 && operation is not null; i++)
        {
            switch (operation.WithoutConversions())
            {
                case IInvocationOperation { TargetMethod.Name: "parameters" or "named_parameters" } call:
                    return call;
                case IInvocationOperation { TargetMethod.IsExtensionMethod: true, Arguments.Length: > 0 } linq
                    when linq.TargetMethod.ContainingType.ToDisplayString() == "System.Linq.Enumerable":
                    operation = linq.Arguments[0].Value;
                    continue;
                default:
                    return null;
            }
        }
        return null;
    }

    private static bool IsMupModel(MupSymbols symbols, ITypeSymbol? type)
    {
        if (type is null)
            return false;
        if (symbols.IMupModel is { } model && type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, model)))
            return true;
        return type is INamedTypeSymbol named && symbols.Types.IsRoot(named);
    }
}
