using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>The analyzers read the generator's parse of the model (the cached ModelSpec), never the generated text:
/// the same diagnostics with and without the generator's output in the compilation, and a generated-looking file that
/// claims another verdict changes nothing.</summary>
public class ParseNotTextTests
{
    /// <summary>Models with something to report, one per diagnostic the declaration analyzers give from the parse, the
    /// expected diagnostics marked.</summary>
    private static readonly string[] ReportingSources =
    {
        Usings + """
            public partial class Odd : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|MUP012:odd|};
                [ReadoutLayer] private readonly Linear readout;
                public Odd([Width(64)] int width) : base(nameof(Odd))
                {
                    input = Linear(8, width); odd = Linear(width, Compute(width)); readout = Linear(width, 10);
                    RegisterComponents();
                }
                protected virtual int Compute(int w) => w * 2; // virtual: not followed
                public override Tensor forward(Tensor x) => readout.forward(odd.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
        Usings + """
            public partial class NoMark : Module<Tensor, Tensor>
            {
                private readonly Linear input, {|MUP003:head|};
                public NoMark([Width(64)] int width) : base(nameof(NoMark)) { input = Linear(8, width); head = Linear(width, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(input.forward(x));
            }
            """,
        Usings + """
            public partial class Deep : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly ModuleList<Block> blocks = new();
                [ReadoutLayer] private readonly Linear readout;
                public Deep([Width(64)] int width, [Depth(2)] int depth) : base(nameof(Deep))
                {
                    input = Linear(8, width);
                    for (var i = 0; i < depth; i++) blocks.append(new Block(width));
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x)
                {
                    var h = input.forward(x);
                    foreach (var b in blocks) h = b.forward(h);
                    return readout.forward(h * MupReadoutMultiplier);
                }
            }
            public partial class Block : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => x + {|MUP006:fc.forward(x)|};
            }
            """,
    };

    internal static int ReportingCount => ReportingSources.Length;

    /// <summary>A reporting source with its markup.</summary>
    internal static string Reporting(int index) => ReportingSources[index];

    public static TheoryData<int> Sources()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < ReportingSources.Length + CleanCorpus.Names.Length; i++)
            data.Add(i);
        return data;
    }

    private static string SourceAt(int index) =>
        index < ReportingSources.Length ? ReportingSources[index] : CleanCorpus.Source(CleanCorpus.Names[index - ReportingSources.Length]);

    /// <summary>Exactly the marked diagnostics (none in the clean corpus), at the same places, with and without the
    /// generator's output in the compilation. Without it the generated members are missing (CS0103): compiler errors
    /// are compared only with the generator. The clean corpus with the generator is CleanCorpusTests.NoDiagnostics
    /// (the same exact check, not repeated here).</summary>
    [Theory]
    [MemberData(nameof(Sources))]
    public async Task SameDiagnostics_WithAndWithoutTheGeneratorsOutput(int index)
    {
        foreach (var generate in index < ReportingSources.Length ? new[] { true, false } : new[] { false })
        {
            await new MupAnalyzerTest
            {
                TestCode = SourceAt(index),
                RunGenerator = generate,
                CompilerDiagnostics = generate ? CompilerDiagnostics.Errors : CompilerDiagnostics.None,
            }.RunAsync();
        }
    }

    [Fact]
    public void ReportingSourcesReportSomething()
    {
        // The comparison above would pass trivially on silence: each reporting source expects a diagnostic.
        foreach (var source in ReportingSources)
            Assert.Contains("{|MUP", source);
    }

    /// <summary>A file named like the generator's output (<c>*.Mup.g.cs</c>), a partial part of the model, whose text
    /// claims what the old text shortcut looked for: facts with a readout and no Unresolved one. The layer the parser
    /// cannot read is still reported, at the same place.</summary>
    [Fact]
    public async Task FakeGeneratedFileClaimingNoUnresolved_DoesNotSilenceTheDiagnostic()
    {
        var fake = """
            // <auto-generated/>
            public partial class Odd
            {
                // new MupModelFacts(new MupParameterFact("odd.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, null),
                //     new MupParameterFact("readout.weight", MupLayerKind.Linear, "weight", MupRole.Readout, null));
                private static readonly string __fake = "MupModelFacts( MupRole.Readout MupDepthSymbol(\"depth\", 2, null)";
            }
            """;
        Assert.Contains("{|MUP012:odd|}", ReportingSources[0]);
        var test = new MupAnalyzerTest { RunGenerator = false, CompilerDiagnostics = CompilerDiagnostics.None };
        test.TestState.Sources.Add(ReportingSources[0]);
        test.TestState.Sources.Add(("Fake/Odd.Mup.g.cs", fake));
        await test.RunAsync();
    }

    /// <summary>The converse: a file claiming <c>MupRole.Unresolved</c> and no readout for a clean model adds nothing.</summary>
    [Fact]
    public async Task FakeGeneratedFileClaimingUnresolved_AddsNothing()
    {
        var fake = """
            namespace Corpus;
            public partial class ConvNet
            {
                private static readonly string __fake = "MupModelFacts( MupRole.Unresolved MupDepthSymbol(\"depth\", 2, \"blocks\")";
            }
            """;
        var test = new MupAnalyzerTest();
        test.TestState.Sources.Add(CleanCorpus.Source(nameof(CleanCorpus.ConvNet)));
        test.TestState.Sources.Add(("Fake/ConvNet.Mup.g.cs", fake));
        await test.RunAsync();
    }

    /// <summary>In a build the analyzers reuse the generator's parse of each model (same assembly, same parser) instead
    /// of parsing it again; on a compilation the generator did not run on, or one it did not produce, they parse it.</summary>
    [Fact]
    public void TheGeneratorsParseIsReused_OnlyOnItsOwnOutput()
    {
        var compilation = Compile(CleanCorpus.Source(nameof(CleanCorpus.ConvNet)));
        var generated = Generate(compilation).Compilation;
        var reused = MupSymbols.Get(generated)!;
        Assert.NotEmpty(reused.Types.Roots);
        foreach (var root in reused.Types.Roots)
            Assert.NotNull(reused.Parse(root, default));
        Assert.Equal(0, reused.OwnParses);

        // The same source parsed again (new syntax trees), never run through the generator.
        var alone = MupSymbols.Get(Compile(CleanCorpus.Source(nameof(CleanCorpus.ConvNet))))!;
        foreach (var root in alone.Types.Roots)
            Assert.NotNull(alone.Parse(root, default));
        Assert.Equal(alone.Types.Roots.Count(), alone.OwnParses);

        // The generator's output plus a tree it did not write: not the compilation the parse was made for.
        var edited = MupSymbols.Get(generated.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Extra { }", MupTest.ParseOptions, path: "Extra.cs")))!;
        foreach (var root in edited.Types.Roots)
            Assert.NotNull(edited.Parse(root, default));
        Assert.Equal(edited.Types.Roots.Count(), edited.OwnParses);
    }
}
