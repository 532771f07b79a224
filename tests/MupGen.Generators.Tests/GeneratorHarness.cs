using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Runs the generator on in-memory compilations (net10 reference assemblies + TorchSharp + MupGen).</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        Basic.Reference.Assemblies.Net100.References.All
            .Concat(new[]
            {
                MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(MupGen.IMupModel).Assembly.Location),
            })
            .ToArray());

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The tracking names the generator declares (tests compare against these, not Roslyn's internal steps).</summary>
    public static readonly string[] StepNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetValue(null)!)
        .ToArray();

    /// <summary>The steps of the nested-module branch.</summary>
    public static readonly string[] SubmoduleSteps =
        { TrackingNames.Submodules, TrackingNames.SubmodulesCollected, TrackingNames.SubmodulesDeduplicated };

    /// <summary>The steps of the configuration-object branch (ForAttributeWithMetadataName on [ReadoutLayer]).</summary>
    public static readonly string[] ConfigSteps =
        { TrackingNames.ConfigParse, TrackingNames.ConfigModels, TrackingNames.ConfigInternalErrors };

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new MupGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once and returns the single generated file;
    /// see <see cref="RunAll"/> for what is checked.</summary>
    public static string RunSingle(string source)
    {
        var generated = Assert.Single(RunAll(source));
        return generated.Text;
    }

    /// <summary>Runs the generator once and returns every generated file, ordered by hint name; asserts the sources
    /// plus generated code compile, a second run on a cloned compilation is fully cached, every named step is tracked
    /// and no step output holds Roslyn objects.</summary>
    public static IReadOnlyList<(string HintName, string Text)> RunAll(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);

        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "compilation errors:\n" + string.Join("\n", errors));

        AssertTracked(result);
        AssertNoRoslynObjects(result);

        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
        AssertAllCached(second);

        return result.GeneratedSources
            .OrderBy(g => g.HintName, StringComparer.Ordinal)
            .Select(g => (g.HintName, g.SourceText.ToString()))
            .ToList();
    }

    /// <summary>Several generated files as one snapshot text: each file after a `// ---- hint name ----` line.</summary>
    public static string Join(IReadOnlyList<(string HintName, string Text)> files) =>
        string.Concat(files.Select(f => $"// ---- {f.HintName} ----\n{f.Text}"));

    /// <summary>Every step the generator names was tracked in this run, and so were the source outputs: an assertion
    /// about the reasons of a step that was never tracked would pass on nothing. The driver reports the steps that
    /// lead to an output, so the submodule branch is only required when a submodule file was generated.</summary>
    public static void AssertTracked(GeneratorRunResult result)
    {
        var hasSubmodules = result.GeneratedSources.Any(g => g.HintName.EndsWith(".MupSubmodule.g.cs", StringComparison.Ordinal));
        // The [ReadoutLayer] branch has no item, so no tracked step, in a compilation without a [ReadoutLayer] member;
        // otherwise all three of its steps must be tracked.
        var hasReadout = ConfigSteps.Any(result.TrackedSteps.ContainsKey);
        foreach (var name in StepNames)
            if ((hasSubmodules || !SubmoduleSteps.Contains(name)) && (hasReadout || !ConfigSteps.Contains(name)))
                Assert.True(result.TrackedSteps.ContainsKey(name), $"step {name} was not tracked");
        Assert.True(result.TrackedOutputSteps.SelectMany(p => p.Value).Any(), "no source output step was tracked");
    }

    /// <summary>Every step the generator names (and its source output) was tracked and is Cached or Unchanged.</summary>
    public static void AssertAllCached(GeneratorRunResult result)
    {
        AssertTracked(result);
        foreach (var name in StepNames)
        {
            if (!result.TrackedSteps.TryGetValue(name, out var steps))
                continue; // a submodule step where no model builds a submodule (AssertTracked decided)
            foreach (var step in steps)
                foreach (var (_, reason) in step.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"step {name} output was {reason}");
        }
        foreach (var step in result.TrackedOutputSteps.SelectMany(p => p.Value))
            foreach (var (_, reason) in step.Outputs)
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"source output was {reason}");
    }

    /// <summary>The reasons of every output of a named step; fails when the step was not tracked at all.</summary>
    public static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var steps), $"step {step} was not tracked");
        return steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
    }

    /// <summary>Walks every tracked output by reflection: no ISymbol, SyntaxNode, Location, Compilation or
    /// SemanticModel may be held, or the driver would root old compilations.</summary>
    public static void AssertNoRoslynObjects(GeneratorRunResult result)
    {
        foreach (var name in StepNames)
        {
            if (!result.TrackedSteps.TryGetValue(name, out var steps))
                continue;
            foreach (var step in steps)
                foreach (var (value, _) in step.Outputs)
                    Walk(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    public static void AssertNoRoslynObjects(object? value) => Walk(value, "value", new HashSet<object>(ReferenceEqualityComparer.Instance));

    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null)
            return;
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal)
            return;
        Assert.False(value is ISymbol or SyntaxNode or SyntaxToken or Location or Compilation or SemanticModel or SyntaxTree,
            $"{path} holds a {type.Name}");
        if (!type.IsValueType && !seen.Add(value))
            return;
        if (value is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
                Walk(item, $"{path}[{i++}]", seen);
            return;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
    }
}
