using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MupGen.Generators.Tests.Robustness;

/// <summary>Which assemblies a corpus source compiles against.</summary>
internal enum References
{
    /// <summary>net10 + TorchSharp + the MupGen runtime, as a user project.</summary>
    Full,

    /// <summary>net10 + the MupGen runtime, no TorchSharp (a project that forgot the package).</summary>
    NoTorchSharp,

    /// <summary>net10 only: neither the attributes nor TorchSharp resolve.</summary>
    Bare,
}

/// <summary>One input: one or more files compiled together.</summary>
internal sealed record CorpusCase(string Name, string[] Sources, References References = References.Full)
{
    public override string ToString() => Name;
}

/// <summary>What one run of the generator and every analyzer on a case found wrong (empty when robust), and what it
/// generated (hint name and text, in hint-name order).</summary>
internal sealed record CorpusOutcome(IReadOnlyList<string> Problems, IReadOnlyList<(string HintName, string Text)> Generated);

/// <summary>Runs a source through the generator and every analyzer MupGen ships, as a build would (analyzers see the
/// generated code), and lists every robustness failure: a generator exception, CS8785, MUP900 (the parser's or
/// emitter's exception, reported instead of thrown), an error inside a generated file, an analyzer exception or
/// AD0001.</summary>
internal static class CorpusRunner
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<Dictionary<References, MetadataReference[]>> ReferenceSets = new(() =>
    {
        var net = Basic.Reference.Assemblies.Net100.References.All.ToArray();
        var torch = MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location);
        var mup = MetadataReference.CreateFromFile(typeof(MupGen.IMupModel).Assembly.Location);
        return new Dictionary<References, MetadataReference[]>
        {
            [References.Full] = net.Append(torch).Append(mup).ToArray(),
            [References.NoTorchSharp] = net.Append(mup).ToArray(),
            [References.Bare] = net,
        };
    });

    /// <summary>Every analyzer in the generator assembly (where MupGen ships them), found by reflection so a new one
    /// is covered without editing the tests.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = typeof(MupGenerator).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    public static CSharpCompilation Compile(CorpusCase c) =>
        CSharpCompilation.Create(
            "Corpus",
            c.Sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Corpus{i}.cs")),
            ReferenceSets.Value[c.References],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                    concurrentBuild: false, deterministic: true)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    /// <summary>The generator alone: what it generated (hint name order) and the generator's own problems.</summary>
    public static (Compilation Output, List<string> Problems, IReadOnlyList<(string HintName, string Text)> Generated) Generate(CorpusCase c)
    {
        var compilation = Compile(c);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new MupGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var problems = new List<string>();
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
            problems.Add($"generator exception: {result.Exception}");
        foreach (var d in diagnostics.Where(d => d.Id is "CS8785" || d.Id == GeneratorDiagnostics.InternalErrorId))
            problems.Add($"{d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
        var generated = result.GeneratedSources
            .OrderBy(g => g.HintName, StringComparer.Ordinal)
            .Select(g => (g.HintName, g.SourceText.ToString()))
            .ToList();
        return (output, problems, generated);
    }

    /// <summary>Generator, then the compile errors inside generated files, then every analyzer on the result.</summary>
    public static CorpusOutcome Run(CorpusCase c)
    {
        var (output, problems, generated) = Generate(c);

        var generatedTrees = output.SyntaxTrees.Skip(c.Sources.Length).ToList();
        foreach (var tree in generatedTrees)
            foreach (var d in output.GetSemanticModel(tree).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
                problems.Add($"error in generated {System.IO.Path.GetFileName(tree.FilePath)}: {d}");

        var exceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (e, analyzer, _) => { lock (exceptions) exceptions.Add($"{analyzer.GetType().Name} threw {e}"); },
            concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var analyzerDiagnostics = output.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        problems.AddRange(exceptions);
        foreach (var d in analyzerDiagnostics.Where(d => d.Id == "AD0001"))
            problems.Add($"AD0001: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
        return new CorpusOutcome(problems, generated);
    }
}
