using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Edits that must (or must not) make the generator redo work.</summary>
public class IncrementalTests
{
    private const string Model = """
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        namespace Samples;

        public partial class Mlp : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;

            public Mlp([Width(64)] int width) : base("mlp")
            {
                input = Linear(8, width);
                readout = Linear(width, 2);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward(input.forward(x));
        }
        """;

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);
        GeneratorHarness.AssertTracked(driver.GetRunResult().Results.Single());
        return (driver, compilation);
    }

    private static Compilation Replace(Compilation compilation, string oldText, string newText)
    {
        var tree = compilation.SyntaxTrees.First();
        var source = tree.GetText().ToString();
        Assert.Contains(oldText, source);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(source.Replace(oldText, newText))));
    }

    [Fact]
    public void AddingAnUnrelatedFileKeepsEveryStepCached()
    {
        var (driver, compilation) = FirstRun(Model);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X => 1; }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        GeneratorHarness.AssertAllCached(result);
    }

    [Fact]
    public void EditingForwardKeepsEveryStepCached()
    {
        var (driver, compilation) = FirstRun(Model);
        var edited = Replace(compilation, "readout.forward(input.forward(x))", "readout.forward(functional.relu(input.forward(x)) * MupReadoutMultiplier)");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        GeneratorHarness.AssertAllCached(result);
    }

    [Fact]
    public void EditingTheConstructorRerunsTheParserAndChangesOutput()
    {
        var (driver, compilation) = FirstRun(Model);
        var before = driver.GetRunResult().GeneratedTrees.Single().ToString();
        var edited = Replace(compilation, "input = Linear(8, width);", "input = Linear(8, 2 * width);");
        var run = driver.RunGenerators(edited).GetRunResult();
        var result = run.Results.Single();
        Assert.Contains(IncrementalStepRunReason.Modified, GeneratorHarness.Reasons(result, TrackingNames.Parse));
        Assert.Contains(IncrementalStepRunReason.Modified, GeneratorHarness.Reasons(result, TrackingNames.Deduplicated));
        var after = run.GeneratedTrees.Single().ToString();
        Assert.NotEqual(before, after);
        Assert.Contains("MupDim.Scaled(128L, \"width\")", after);
    }

    private const string Usings = """
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    /// <summary>The GPT of NestedModuleTests with its blocks, attention and MLP in one file and the model in another.</summary>
    private static (GeneratorDriver Driver, Compilation Compilation, string[] Before) NestedFirstRun()
    {
        var compilation = GeneratorHarness.Compile(
            Usings + "namespace Samples.Gpt;\n\n" + NestedModuleTests.Gpt,
            Usings + "namespace Samples.Gpt;\n\n" + NestedModuleTests.GptParts);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()).ToArray();
        Assert.Equal(4, before.Length);
        GeneratorHarness.AssertTracked(driver.GetRunResult().Results.Single());
        return (driver, compilation, before);
    }

    private static Compilation ReplaceIn(Compilation compilation, int tree, string oldText, string newText)
    {
        var syntaxTree = compilation.SyntaxTrees.ElementAt(tree);
        var source = syntaxTree.GetText().ToString();
        Assert.Contains(oldText, source);
        return compilation.ReplaceSyntaxTree(syntaxTree, syntaxTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(source.Replace(oldText, newText))));
    }

    [Fact]
    public void EditingANestedBlocksForwardKeepsEveryStepCached()
    {
        var (driver, compilation, before) = NestedFirstRun();
        var edited = ReplaceIn(compilation, 1,
            "return x + MupResidualMultiplier * mlp.forward(ln2.forward(x));",
            "var y = mlp.forward(functional.dropout(ln2.forward(x), 0.1));\n        return x + MupResidualMultiplier * y;");
        var run = driver.RunGenerators(edited).GetRunResult();
        var result = run.Results.Single();
        Assert.All(GeneratorHarness.Reasons(result, TrackingNames.Parse),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Parse was {r}"));
        GeneratorHarness.AssertAllCached(result);
        Assert.Equal(before, run.GeneratedTrees.Select(t => t.ToString()).ToArray());
    }

    [Fact]
    public void EditingANestedBlocksConstructorChangesTheModel()
    {
        var (driver, compilation, before) = NestedFirstRun();
        var edited = ReplaceIn(compilation, 1, "fc = Linear(width, 4 * width);", "fc = Linear(width, 2 * width);");
        edited = ReplaceIn(edited, 1, "proj = Linear(4 * width, width);", "proj = Linear(2 * width, width);");
        var run = driver.RunGenerators(edited).GetRunResult();
        var result = run.Results.Single();
        Assert.Contains(IncrementalStepRunReason.Modified, GeneratorHarness.Reasons(result, TrackingNames.Parse));
        var model = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("Samples.Gpt.Gpt.Mup.g.cs")).ToString();
        Assert.DoesNotContain(model, before);
        Assert.Contains("\"blocks.*.mlp.fc.weight\", global::MupGen.MupLayerKind.Linear, \"weight\", global::MupGen.MupRole.Hidden, new global::MupGen.Facts.MupDim[] { global::MupGen.Facts.MupDim.Scaled(128L, \"width\")", model);
        // The submodule partials depend on the classes only: unchanged.
        Assert.All(GeneratorHarness.Reasons(result, TrackingNames.SubmodulesDeduplicated),
            r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"SubmodulesDeduplicated was {r}"));
    }

    [Fact]
    public void OutputIsByteIdenticalAcrossRuns()
    {
        var first = GeneratorHarness.RunSingle(Model);
        var second = GeneratorHarness.RunSingle(Model);
        Assert.Equal(first, second);
    }

    [Fact]
    public void SeveralWidthMembersAcrossPartialPartsGiveOneFile()
    {
        var compilation = GeneratorHarness.Compile(Model.Replace("public Mlp([Width(64)] int width)", "public Mlp([Width(64)] int width, int extra = 0)"), """
            using MupGen;
            namespace Samples;
            public partial class Mlp
            {
                [Width(8)] public int Heads { get; set; }
                [Width(4)] private int other;
            }
            """);
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        var generated = Assert.Single(driver.GetRunResult().GeneratedTrees).ToString();
        Assert.Contains("new global::MupGen.Facts.MupWidthSymbol(\"Heads\", 8)", generated);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
