using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Edit scenarios as a user types them: for each, exactly which tracked steps re-run, step by step
/// (Cached: not run; Unchanged: run, same value; Modified/New/Removed: run, new value), and whether the file changed.
/// Every step is asserted tracked first, so a scenario cannot pass on steps the driver never reported.</summary>
public class EditScenarioTests
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

            // The forward pass.
            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);

            public int Count() { return 1; }
        }
        """;

    private const string Unrelated = """
        namespace Other;
        public class Unrelated { public int X() { return 1; } }
        """;

    /// <summary>One line per step and for the source outputs: the distinct reasons of its outputs, in enum order.</summary>
    private static string Profile(GeneratorRunResult result)
    {
        GeneratorHarness.AssertTracked(result);
        var lines = GeneratorHarness.StepNames
            .Where(n => result.TrackedSteps.ContainsKey(n))
            .Select(n => $"{n}={Reasons(result.TrackedSteps[n])}")
            .ToList();
        lines.Add("output=" + Reasons(result.TrackedOutputSteps.SelectMany(p => p.Value)));
        return string.Join("\n", lines);
    }

    private static string Reasons(IEnumerable<IncrementalGeneratorRunStep> steps) =>
        string.Join(",", steps.SelectMany(s => s.Outputs).Select(o => o.Reason).Distinct().OrderBy(r => r));

    private static (string Profile, bool FileChanged) Edit(int tree, string oldText, string newText) =>
        Edit(tree, (oldText, newText));

    private static (string Profile, bool FileChanged) Edit(int tree, params (string Old, string New)[] edits) =>
        EditIn(new[] { Model, Unrelated }, tree, edits);

    private static (string Profile, bool FileChanged) EditIn(string[] sources, int tree, params (string Old, string New)[] edits)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult();
        GeneratorHarness.AssertTracked(first.Results.Single());
        Assert.Empty(first.Diagnostics);
        var before = Assert.Single(first.GeneratedTrees).ToString();

        var syntaxTree = compilation.SyntaxTrees.ElementAt(tree);
        var text = syntaxTree.GetText().ToString();
        foreach (var (oldText, newText) in edits)
        {
            Assert.Contains(oldText, text);
            text = text.Replace(oldText, newText);
        }
        var edited = compilation.ReplaceSyntaxTree(syntaxTree, syntaxTree.WithChangedText(SourceText.From(text)));
        var second = driver.RunGenerators(edited).GetRunResult();
        Assert.Empty(second.Diagnostics);
        var after = Assert.Single(second.GeneratedTrees).ToString();
        return (Profile(second.Results.Single()), before != after);
    }

    /// <summary>The profile of a run. InternalErrors (null per hit; MUP900 otherwise) re-runs only when Parse's value
    /// changed, and stays null; its diagnostic output stays Cached beside the source output.</summary>
    private static string Expect(string parse, string models, string collected, string deduplicated, string output)
    {
        var errors = parse == "Modified" ? "Unchanged" : "Cached";
        var outputs = new[] { Enum.Parse<IncrementalStepRunReason>(output), IncrementalStepRunReason.Cached }.Distinct().OrderBy(r => r);
        // The [ReadoutLayer] path re-runs beside Parse and finds no configuration-object root (None, Unchanged).
        return $"Parse={parse}\nConfigParse=Unchanged\nConfigModels=Cached\nConfigInternalErrors=Cached\nModels={models}\nInternalErrors={errors}\nCollected={collected}\nDeduplicated={deduplicated}\noutput={string.Join(",", outputs)}";
    }

    [Fact]
    public void AnUnrelatedFileEditRerunsOnlyTheParse()
    {
        // The parser follows nested module classes into other files, so Parse re-runs on any edit; its value is equal.
        var (profile, changed) = Edit(1, "return 1;", "return 2;");
        Assert.Equal(Expect("Unchanged", "Cached", "Cached", "Cached", "Cached"), profile);
        Assert.False(changed);
    }

    [Fact]
    public void AMethodBodyEditInTheModelRerunsOnlyTheParse()
    {
        var (profile, changed) = Edit(0, "public int Count() { return 1; }", "public int Count() { var n = 2; return n - 1; }");
        Assert.Equal(Expect("Unchanged", "Cached", "Cached", "Cached", "Cached"), profile);
        Assert.False(changed);
    }

    [Fact]
    public void ACommentEditRerunsOnlyTheParse()
    {
        var (profile, changed) = Edit(0, "// The forward pass.", "// The forward pass: input, then the readout.");
        Assert.Equal(Expect("Unchanged", "Cached", "Cached", "Cached", "Cached"), profile);
        Assert.False(changed);
    }

    [Fact]
    public void ANewPlainFieldRerunsOnlyTheParse()
    {
        var (profile, changed) = Edit(0, "private readonly Linear input;", "private readonly Linear input;\n    private int steps;");
        Assert.Equal(Expect("Unchanged", "Cached", "Cached", "Cached", "Cached"), profile);
        Assert.False(changed);
    }

    [Fact]
    public void ANewLayerFieldChangesTheModelAndTheFile()
    {
        var (profile, changed) = Edit(0,
            ("private readonly Linear input;", "private readonly Linear input;\n    private readonly Linear hidden;"),
            ("readout = Linear(width, 2);", "hidden = Linear(width, width);\n        readout = Linear(width, 2);"));
        Assert.Equal(Expect("Modified", "Modified", "Modified", "Modified", "Modified"), profile);
        Assert.True(changed);
    }

    [Fact]
    public void AChangedAttributeArgumentChangesTheModelAndTheFile()
    {
        var (profile, changed) = Edit(0, "[Width(64)]", "[Width(32)]");
        Assert.Equal(Expect("Modified", "Modified", "Modified", "Modified", "Modified"), profile);
        Assert.True(changed);
    }

    private const string ConfigModel = """
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        namespace Samples;

        public partial class Gpt : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;

            public Gpt(GptConfig config) : base("gpt")
            {
                input = Linear(8, config.NEmbd);
                readout = Linear(config.NEmbd, config.Vocab);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
        }
        """;

    private const string Config = """
        using MupGen;

        namespace Samples;

        public sealed record GptConfig
        {
            [Width(64)] public int NEmbd { get; init; } = 64;
            public int Vocab { get; init; } = 50;
            public int Describe() { return 1; }
        }
        """;

    /// <summary>A configuration-object model with its configuration in its own file: Parse (the [Width] on the config
    /// member) finds no model; ConfigParse (from [ReadoutLayer]) parses the model.</summary>
    private static string ExpectConfig(string configParse, string configModels, string collected, string output)
    {
        var errors = configParse == "Modified" ? "Unchanged" : "Cached";
        var outputs = new[] { Enum.Parse<IncrementalStepRunReason>(output), IncrementalStepRunReason.Cached }.Distinct().OrderBy(r => r);
        return $"Parse=Unchanged\nConfigParse={configParse}\nConfigModels={configModels}\nConfigInternalErrors={errors}\nModels=Cached\nInternalErrors=Cached\nCollected={collected}\nDeduplicated={collected}\noutput={string.Join(",", outputs)}";
    }

    [Fact]
    public void AMethodEditInTheConfigurationRerunsOnlyTheParses()
    {
        var (profile, changed) = EditIn(new[] { ConfigModel, Config }, 1, ("public int Describe() { return 1; }", "public int Describe() { return 2; }"));
        Assert.Equal(ExpectConfig("Unchanged", "Cached", "Cached", "Cached"), profile);
        Assert.False(changed);
    }

    [Fact]
    public void AChangedConfigurationWidthChangesTheModelAndTheFile()
    {
        var (profile, changed) = EditIn(new[] { ConfigModel, Config }, 1, ("[Width(64)]", "[Width(32)]"));
        Assert.Equal(ExpectConfig("Modified", "Modified", "Modified", "Modified"), profile);
        Assert.True(changed);
    }

    [Fact]
    public void AChangedConfigurationDefaultThatNoSizeUsesAsAnInputLeavesTheFile()
    {
        // Vocab is a finite value (its default is only an input of computed sizes): the facts do not change.
        var (profile, changed) = EditIn(new[] { ConfigModel, Config }, 1, ("= 50;", "= 60;"));
        Assert.Equal(ExpectConfig("Unchanged", "Cached", "Cached", "Cached"), profile);
        Assert.False(changed);
    }
}
