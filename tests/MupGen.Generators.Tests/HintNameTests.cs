using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Programs whose class names once made the generator throw into the compiler (CS8785, which drops the
/// generated code of every model): hint names must be valid and unique ignoring case, deterministically.</summary>
public class HintNameTests
{
    private const string Usings = """
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    private static string Model(string name, string declaredAs) => $$"""
        public partial class {{declaredAs}} : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public {{declaredAs}}([Width(64)] int width) : base("{{name}}") { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
        }

        """;

    /// <summary>Runs the generator; asserts no CS8785, no MUP900, no error anywhere in sources plus generated code,
    /// and that every listed class (metadata name) implements IMupModel in the output.</summary>
    private static string[] AssertGenerates(string[] models, params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Empty(diagnostics); // CS8785 and MUP900 would be here
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "compilation errors:\n" + string.Join("\n", errors));
        var model = output.GetTypeByMetadataName("MupGen.IMupModel")!;
        foreach (var name in models)
        {
            var type = output.GetTypeByMetadataName(name);
            Assert.NotNull(type);
            Assert.Contains(type!.AllInterfaces, i => SymbolEqualityComparer.Default.Equals(i, model));
        }
        var hints = result.GeneratedSources.Select(g => g.HintName).ToArray();
        Assert.Equal(hints.Length, hints.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        return hints;
    }

    [Fact]
    public void ClassesWhoseNamesDifferOnlyInCaseBothGetTheirCode()
    {
        var hints = AssertGenerates(new[] { "Samples.Mlp", "Samples.MLP" },
            Usings + "namespace Samples;\n" + Model("mlp", "Mlp") + Model("MLP", "MLP"));
        Assert.Equal(2, hints.Length);
        Assert.All(hints, h => Assert.Matches(@"^Samples\.(Mlp|MLP)\.[0-9a-f]{8}\.Mup\.g\.cs$", h));
    }

    [Fact]
    public void ClassesDifferingInCaseAcrossFilesAndNamespacesGetTheirCode()
    {
        AssertGenerates(new[] { "Samples.Models.Mlp", "Samples.models.Mlp" },
            Usings + "namespace Samples.Models;\n" + Model("a", "Mlp"),
            Usings + "namespace Samples.models;\n" + Model("b", "Mlp"));
    }

    [Fact]
    public void AClassNamedWithAVerbatimKeywordGetsItsCode()
    {
        var hints = AssertGenerates(new[] { "Samples.event", "Samples.Mlp" },
            Usings + "namespace Samples;\n" + Model("event", "@event") + Model("mlp", "Mlp"));
        Assert.Contains("Samples.event.Mup.g.cs", hints);
    }

    [Fact]
    public void KeywordNamespacesAndContextualKeywordClassNamesGetTheirCode()
    {
        AssertGenerates(new[] { "class.Models.var", "class.Models.record", "class.Models.Outer+this" },
            Usings + "namespace @class.Models;\n" + Model("var", "var") + Model("record", "@record")
                + "public partial class Outer {\n" + Model("this", "@this") + "}\n");
    }

    [Fact]
    public void NestedModuleClassesWhoseNamesDifferOnlyInCaseBothGetTheirMembers()
    {
        const string blocks = """
            public partial class Block : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public Block(int width) : base("block") { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x);
            }
            public partial class BLOCK : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public BLOCK(int width) : base("BLOCK") { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x);
            }
            public partial class Net : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Block a;
                private readonly BLOCK b;
                [ReadoutLayer] private readonly Linear readout;
                public Net([Width(64)] int width) : base("net") { input = Linear(8, width); a = new Block(width); b = new BLOCK(width); readout = Linear(width, 2); RegisterComponents(); }
                public override Tensor forward(Tensor x) => readout.forward(b.forward(a.forward(input.forward(x))) * MupReadoutMultiplier);
            }
            """;
        var hints = AssertGenerates(new[] { "Samples.Net" }, Usings + "namespace Samples;\n" + blocks);
        Assert.Equal(3, hints.Length);
        Assert.Equal(2, hints.Count(h => h.EndsWith(".MupSubmodule.g.cs", StringComparison.Ordinal)));
    }

    [Fact]
    public void HintNamesAreTheSameWhateverTheOrderOfTheFiles()
    {
        var a = Usings + "namespace Samples;\n" + Model("mlp", "Mlp");
        var b = Usings + "namespace Samples;\n" + Model("MLP", "MLP");
        var forward = AssertGenerates(Array.Empty<string>(), a, b).OrderBy(h => h, StringComparer.Ordinal);
        var backward = AssertGenerates(Array.Empty<string>(), b, a).OrderBy(h => h, StringComparer.Ordinal);
        Assert.Equal(forward, backward);
    }

    [Theory]
    [InlineData("Samples.Mlp", "Samples.Mlp")]
    [InlineData("Samples.Outer+Inner", "Samples.Outer+Inner")]
    [InlineData("Samples.G`1", "Samples.G_1.")]
    [InlineData("Образцы.Модель", "_______.______.")]
    public void SanitizeKeepsValidNamesAndHashesTheRest(string identity, string prefix)
    {
        var name = HintNames.Sanitize(identity);
        if (prefix == identity)
            Assert.Equal(identity, name);
        else
            Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(prefix) + "[0-9a-f]{8}$", name);
    }

    [Fact]
    public void HashIsStable()
    {
        // FNV-1a of "Samples.Mlp": fixed forever, so file names never change between builds or machines.
        // (Reference values computed independently, in Python.)
        Assert.Equal("b36da085", HintNames.Hash("Samples.Mlp"));
        Assert.Equal("811c9dc5", HintNames.Hash(""));
        Assert.NotEqual(HintNames.Hash("Samples.Mlp"), HintNames.Hash("Samples.MLP"));
    }
}
