using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using MupGen.Generators;

namespace MupGen.Analyzers;

/// <summary>MUP018: a project that runs MupGen's generator (this assembly) but does not reference the MupGen runtime
/// (no <c>MupGen.IMupModel</c>): the generated code would implement the runtime's interfaces, so the generator writes
/// nothing, and <c>[Width]</c> either does not bind (CS0246 says only that) or binds to a WidthAttribute declared in the
/// project. Reported at each such <c>[Width]</c>. A project with the runtime registers nothing here.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RuntimeReferenceAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.RuntimeNotReferenced);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(TypeNames.Model) is not null)
                return;
            start.RegisterSyntaxNodeAction(Analyze, SyntaxKind.Attribute);
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context)
    {
        var attribute = (AttributeSyntax)context.Node;
        var name = attribute.Name switch
        {
            IdentifierNameSyntax id => id.Identifier.ValueText,
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            _ => null,
        };
        // Where the generator looks for [Width]: a parameter, a field or a property.
        if (name is not ("Width" or "WidthAttribute")
            || attribute.Parent?.Parent is not (ParameterSyntax or FieldDeclarationSyntax or PropertyDeclarationSyntax))
            return;
        var info = context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken);
        if (info.Symbol is IMethodSymbol constructor)
        {
            // Bound: only MupGen's own attribute name counts (a UI library's WidthAttribute is none of ours).
            if (constructor.ContainingType.ToDisplayString() != TypeNames.WidthAttribute)
                return;
        }
        else if (!info.CandidateSymbols.IsEmpty)
        {
            return; // ambiguous or inaccessible: the compiler's own error names the candidates
        }
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RuntimeNotReferenced, attribute.GetLocation(), "Width"));
    }
}
