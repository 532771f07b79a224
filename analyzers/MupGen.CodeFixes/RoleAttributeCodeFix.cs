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

/// <summary>MUP003 at a layer: mark it [ReadoutLayer]. Only the attributes the analyzer lists in
/// <see cref="DiagnosticProperties.Roles"/> are offered, and it lists one only where the attribute gives the numbers mup
/// would give (a layer whose shape the generator read: width-scaled fan_in, fixed fan_out). Members the generator could
/// not read (MUP001, MUP011–MUP015) get no attribute fix: an attribute there would assert sizes nobody checked.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RoleAttributeCodeFix)), Shared]
public sealed class RoleAttributeCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.MissingReadout);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <summary>The equivalence key of "add [role]" (fix-all applies the same role everywhere).</summary>
    public static string Key(string role) => "MupGen.AddRole." + role;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var member = MemberAt(root, diagnostic);
            if (member is null)
                continue;
            var name = diagnostic.Location.SourceTree?.GetText(context.CancellationToken).ToString(diagnostic.Location.SourceSpan) ?? "layer";
            var roles = diagnostic.Properties.TryGetValue(DiagnosticProperties.Roles, out var list) && !string.IsNullOrEmpty(list)
                ? list!.Split(',')
                : new string[0];
            foreach (var role in roles)
            {
                context.RegisterCodeFix(CodeAction.Create(
                    $"Mark '{name}' [{role}]",
                    ct => AddAttributeAsync(context.Document, diagnostic, role, ct),
                    Key(role)), diagnostic);
            }
        }
    }

    private static MemberDeclarationSyntax? MemberAt(SyntaxNode root, Diagnostic diagnostic)
    {
        var node = FixHelpers.NodeAt(root, diagnostic.Location.SourceSpan);
        return node switch
        {
            VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax field } when field.Declaration.Variables.Count == 1 => field,
            PropertyDeclarationSyntax property => property,
            _ => null,
        };
    }

    private static async Task<Document> AddAttributeAsync(Document document, Diagnostic diagnostic, string role, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
        if (root is null || model is null || MemberAt(root, diagnostic) is not { } member)
            return document;
        var name = FixHelpers.MupName(model, member.SpanStart, role, role + "Attribute");
        // Non-elastic tokens: the attribute stays on the member's line, `[ReadoutLayer] private readonly Linear head;`,
        // the style of the samples (elastic trivia would let the formatter move it to a line of its own).
        var attribute = AttributeList(
            Token(TriviaList(), SyntaxKind.OpenBracketToken, TriviaList()),
            null,
            SingletonSeparatedList(Attribute(ParseName(name))),
            Token(TriviaList(), SyntaxKind.CloseBracketToken, TriviaList(Space)));
        MemberDeclarationSyntax updated;
        if (member.AttributeLists.Count == 0)
        {
            var leading = member.GetLeadingTrivia();
            updated = member.WithoutLeadingTrivia().WithAttributeLists(SingletonList(attribute.WithLeadingTrivia(leading)));
        }
        else
        {
            updated = member.WithAttributeLists(member.AttributeLists.Add(attribute));
        }
        return document.WithSyntaxRoot(root.ReplaceNode(member, updated));
    }
}
