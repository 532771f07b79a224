using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
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
using MupGen.Generators;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace MupGen.CodeFixes;

/// <summary>MUP008: <c>torch.optim.AdamW(model.parameters(), lr, weight_decay: wd)</c> →
/// <c>model.MupAdamW(lr: lr, weightDecay: wd)</c>. Every argument the user wrote is kept, as a named argument of the
/// generated method (TorchSharp's names mapped to MupGen's), so nothing lands in the wrong position; a required
/// argument the user left to TorchSharp's default gets that default written out.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OptimizerCodeFix)), Shared]
public sealed class OptimizerCodeFix : CodeFixProvider
{
    public const string Key = "MupGen.UseMupOptimizer";

    /// <summary>The generated methods' parameters in declaration order (options is never written).</summary>
    private static readonly Dictionary<string, string[]> Signatures = new()
    {
        ["MupAdamW"] = new[] { "lr", "weightDecay", "beta1", "beta2", "eps", "amsgrad" },
        ["MupAdam"] = new[] { "lr", "beta1", "beta2", "eps", "weightDecay", "amsgrad" },
        ["MupSGD"] = new[] { "lr", "momentum", "weightDecay", "dampening", "nesterov" },
    };

    private static readonly Dictionary<string, string[]> Required = new()
    {
        ["MupAdamW"] = new[] { "lr", "weightDecay" },
        ["MupAdam"] = new[] { "lr" },
        ["MupSGD"] = new[] { "lr" },
    };

    /// <summary>TorchSharp's parameter names → MupGen's.</summary>
    private static readonly Dictionary<string, string> Names = new()
    {
        ["lr"] = "lr",
        ["learningRate"] = "lr",
        ["beta1"] = "beta1",
        ["beta2"] = "beta2",
        ["eps"] = "eps",
        ["weight_decay"] = "weightDecay",
        ["amsgrad"] = "amsgrad",
        ["momentum"] = "momentum",
        ["dampening"] = "dampening",
        ["nesterov"] = "nesterov",
    };

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PlainOptimizer);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Method, out var method) || method is null
                || Rewrite(root, model, diagnostic, method, context.CancellationToken) is null)
                continue;
            context.RegisterCodeFix(CodeAction.Create(
                $"Use {method}",
                ct => FixAsync(context.Document, diagnostic, method, ct),
                Key), diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, string method, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
        if (root is null || model is null || Rewrite(root, model, diagnostic, method, ct) is not { } rewrite)
            return document;
        return document.WithSyntaxRoot(root.ReplaceNode(rewrite.Original, rewrite.Replacement));
    }

    /// <summary>The replacement call, or null when the optimizer cannot be rewritten faithfully (named_parameters or
    /// a LINQ filter selects a subset; maximize: true has no MupGen counterpart).</summary>
    private static (ExpressionSyntax Original, ExpressionSyntax Replacement)? Rewrite(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string method, CancellationToken ct)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: false) is not ExpressionSyntax original
            || !Signatures.TryGetValue(method, out var signature))
            return null;
        var arguments = model.GetOperation(original, ct) switch
        {
            IInvocationOperation i => i.Arguments,
            IObjectCreationOperation o => o.Arguments,
            _ => default,
        };
        if (arguments.IsDefaultOrEmpty)
            return null;
        var parametersArgument = arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        var call = parametersArgument?.Value.WithoutConversions();
        if (call is not IInvocationOperation { TargetMethod.Name: "parameters" } parametersCall
            || parametersCall.Arguments.Any(a => a.ArgumentKind != ArgumentKind.DefaultValue))
            return null;

        var values = new Dictionary<string, ExpressionSyntax>();
        foreach (var argument in arguments)
        {
            if (argument == parametersArgument || argument.Parameter is not { } parameter)
                continue;
            if (parameter.Name == "maximize")
            {
                if (argument.ArgumentKind != ArgumentKind.DefaultValue && argument.Value.ConstantValue is not { HasValue: true, Value: false })
                    return null;
                continue;
            }
            if (!Names.TryGetValue(parameter.Name, out var name))
                return null;
            if (argument.ArgumentKind != ArgumentKind.DefaultValue && argument.Value.Syntax is ExpressionSyntax given)
                values[name] = (given.Parent as ArgumentSyntax)?.Expression ?? given;
            else if (Required[method].Contains(name) && parameter.HasExplicitDefaultValue)
                values[name] = Literal(parameter.ExplicitDefaultValue);
        }
        if (Required[method].Any(r => !values.ContainsKey(r)))
            return null;

        var list = signature
            .Where(values.ContainsKey)
            .Select(name => Argument(NameColon(IdentifierName(name)), default, values[name].WithoutTrivia()));
        var receiver = parametersCall.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
            ? access.Expression.WithoutTrivia()
            : null;
        ExpressionSyntax target = receiver is null
            ? IdentifierName(method)
            : MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, IdentifierName(method));
        var replacement = InvocationExpression(target, ArgumentList(SeparatedList(list)));
        return (original, replacement.NormalizeWhitespace().WithTriviaFrom(original));
    }

    private static ExpressionSyntax Literal(object? value) => value switch
    {
        bool b => LiteralExpression(b ? SyntaxKind.TrueLiteralExpression : SyntaxKind.FalseLiteralExpression),
        double d => ParseExpression(d.ToString("R", CultureInfo.InvariantCulture)),
        _ => ParseExpression(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "0"),
    };
}
