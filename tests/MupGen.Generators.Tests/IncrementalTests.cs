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
