using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MupGen.Corpus.Tests;

/// <summary>One MupGen diagnostic of a model file, with the member it sits on (<c>Class.member</c>, or the class).</summary>
public sealed record MupDiagnostic(string Id, string Member, int Line, string Message)
{
    public override string ToString() => $"{Id} on {Member} (line {Line}): {Message}";
}

/// <summary>
/// Runs the real generator and then the MupGen analyzers in memory on one model file (net10 reference assemblies,
/// TorchSharp, the MupGen runtime), as tests/MupGen.Analyzers.Tests/Verifiers.cs does, and returns the MupGen
/// diagnostics located in that file together with analyzer exceptions and generator exceptions.
/// </summary>
internal static class CompileTime
{
    private static readonly MetadataReference[] References =
        Basic.Reference.Assemblies.Net100.References.All
            .Concat(new[]
            {
                MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(MupGen.IMupModel).Assembly.Location),
            })
            .ToArray();

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly CSharpCompilationOptions Options =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

    /// <summary>Every analyzer the MupGen package ships (all [DiagnosticAnalyzer] types of the generator assembly), as
    /// a build runs them.</summary>
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        typeof(MupGen.Generators.MupGenerator).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    /// <summary>How many analyzers run (a test asserts they were found at all).</summary>
    public static int AnalyzerCount => Analyzers.Length;

    public static string ModelPath(string file) => Path.Combine(AppContext.BaseDirectory, "Models", file);

    public sealed record Result(IReadOnlyList<MupDiagnostic> Diagnostics, IReadOnlyList<string> Problems);

    public static Result Analyze(string file)
    {
        var path = ModelPath(file);
        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), ParseOptions, path: path);
        var compilation = CSharpCompilation.Create("Corpus_" + Path.GetFileNameWithoutExtension(file), new[] { tree }, References, Options);

        var driver = CSharpGeneratorDriver.Create(new[] { new MupGen.Generators.MupGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
        driver = (CSharpGeneratorDriver)driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        var problems = new List<string>();
        foreach (var r in driver.GetRunResult().Results)
            if (r.Exception is { } e)
                problems.Add("generator exception: " + e);

        var analyzers = Analyzers;
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (e, _, _) => { lock (exceptions) exceptions.Add(e); }, concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var diagnostics = generated.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        problems.AddRange(exceptions.Select(e => "analyzer exception: " + e));
        problems.AddRange(diagnostics.Where(d => d.Id == "AD0001").Select(d => "AD0001: " + d.GetMessage()));

        var model = generated.GetSemanticModel(generated.SyntaxTrees.First(t => t.FilePath == path));
        var result = diagnostics
            .Where(d => d.Id.StartsWith("MUP", StringComparison.Ordinal) && d.Location.SourceTree?.FilePath == path)
            .Select(d => new MupDiagnostic(d.Id, MemberAt(model, d.Location), d.Location.GetLineSpan().StartLinePosition.Line + 1, d.GetMessage()))
            .OrderBy(d => d.Line).ThenBy(d => d.Id)
            .ToList();
        return new Result(result, problems);
    }

    /// <summary>The declared member a diagnostic sits on: the nearest field, property, parameter or local declarator,
    /// else the method or constructor, else the type (<c>Class.member</c>; a type alone for the class itself).</summary>
    private static string MemberAt(SemanticModel model, Location location)
    {
        var node = location.SourceTree!.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        foreach (var n in node.AncestorsAndSelf())
        {
            ISymbol? symbol = n switch
            {
                VariableDeclaratorSyntax or PropertyDeclarationSyntax or ParameterSyntax => model.GetDeclaredSymbol(n),
                BaseMethodDeclarationSyntax or BaseTypeDeclarationSyntax => model.GetDeclaredSymbol(n),
                _ => null,
            };
            if (symbol is null)
                continue;
            if (symbol is INamedTypeSymbol type)
                return type.Name;
            if (symbol is IParameterSymbol parameter)
                return parameter.ContainingSymbol.ContainingType.Name + "." + parameter.ContainingSymbol.Name + "(" + parameter.Name + ")";
            if (symbol is ILocalSymbol local)
                return local.ContainingSymbol.ContainingType.Name + "." + local.Name;
            return symbol.ContainingType.Name + "." + symbol.Name;
        }
        return "?";
    }
}
