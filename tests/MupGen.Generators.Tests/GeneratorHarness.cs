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

    /// <summary>Runs the generator once and returns the single generated file; asserts the source plus generated
    /// code compiles, a second run on a cloned compilation is fully cached, and no step output holds Roslyn objects.</summary>
    public static string RunSingle(string source)
    {
        var compilation = Compile(source);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);

        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "compilation errors:\n" + string.Join("\n", errors));

        foreach (var name in StepNames)
            Assert.True(result.TrackedSteps.ContainsKey(name), $"step {name} was not tracked");
        AssertNoRoslynObjects(result);

        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
        AssertAllCached(second);

        var generated = Assert.Single(result.GeneratedSources);
        return generated.SourceText.ToString();
    }

    /// <summary>Every step the generator names (and its source output) is Cached or Unchanged.</summary>
    public static void AssertAllCached(GeneratorRunResult result)
    {
        foreach (var name in StepNames)
        {
            if (!result.TrackedSteps.TryGetValue(name, out var steps))
                continue;
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

    public static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out var steps)
            ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason)
            : Enumerable.Empty<IncrementalStepRunReason>();

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
