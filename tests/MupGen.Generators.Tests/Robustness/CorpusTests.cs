using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace MupGen.Generators.Tests.Robustness;

/// <summary>Issue 11, robustness: every corpus source goes through the generator and every analyzer. Asserted for
/// each: no generator exception, no CS8785, no MUP900 (the parser's or emitter's exceptions, observable instead of
/// swallowed), no error inside a generated file, no analyzer exception or AD0001, and the same generated files, byte
/// for byte, from a second run on a fresh compilation. Each family is one test that lists every failing case.</summary>
public class CorpusTests
{
    private static void AssertRobust(IEnumerable<CorpusCase> cases)
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var c in cases)
        {
            count++;
            var outcome = CorpusRunner.Run(c);
            failures.AddRange(outcome.Problems.Select(p => $"{c.Name}: {p}"));
            var again = CorpusRunner.Generate(c).Generated;
            if (!again.SequenceEqual(outcome.Generated))
                failures.Add($"{c.Name}: a second run generated different files");
        }
        Assert.True(count > 0, "no case in this family");
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s) in {count} case(s):\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public void TheCorpusHasAtLeast300SourcesAndEveryAnalyzer()
    {
        var all = CorpusTemplates.All();
        Assert.True(all.Count >= 300, $"only {all.Count} corpus cases");
        Assert.Equal(all.Count, all.Select(c => c.Name).Distinct().Count());
        // The three analyzers MupGen ships, at least (found by reflection, so new ones join automatically).
        Assert.True(CorpusRunner.Analyzers.Length >= 3, string.Join(", ", CorpusRunner.Analyzers.Select(a => a.GetType().Name)));
        // The corpus is deterministic: built twice, the same texts.
        Assert.Equal(all.SelectMany(c => c.Sources), CorpusTemplates.All().SelectMany(c => c.Sources));
    }

    [Fact]
    public void ConstructionPatternsTimesDeclarationShapes() => AssertRobust(CorpusTemplates.Shapes());

    [Fact]
    public void AttributesWithWrongOrMissingArguments() => AssertRobust(CorpusTemplates.Attributes());

    [Fact]
    public void CodeMidTyping() => AssertRobust(CorpusTemplates.MidTyping());

    [Fact]
    public void PartialClassesAcrossFiles() => AssertRobust(CorpusTemplates.AcrossFiles());

    [Fact]
    public void ProjectsWithoutTorchSharp() => AssertRobust(CorpusTemplates.WithoutTorchSharp());

    [Fact]
    public void VeryLargeModels() => AssertRobust(CorpusTemplates.Large());

    [Fact]
    public void HandWrittenEdgeCasesAndPastFuzzFindings() => AssertRobust(CorpusTemplates.Files());

    /// <summary>The valid shapes do produce code (a corpus where nothing is generated would prove little).</summary>
    [Fact]
    public void SupportedShapesGenerateCode()
    {
        var supported = CorpusTemplates.Shapes().Where(c => c.Name.Contains(", partial, top-level", StringComparison.Ordinal)).ToList();
        Assert.True(supported.Count >= 30, $"{supported.Count} supported shapes");
        var empty = supported.Where(c => CorpusRunner.Generate(c).Generated.Count == 0).Select(c => c.Name).ToList();
        Assert.True(empty.Count == 0, "no output for:\n" + string.Join("\n", empty));
    }
}
