using System.Linq;
using Microsoft.CodeAnalysis;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Configuration objects: [Width] on a member of a config record or class, read through the model's
/// constructor parameter, the modules it is passed to, fields, locals, `with` copies and computed members; and each
/// pattern's loud neighbour (an instance of unknown origin, a config the model creates, a width the model writes,
/// two widths on one config).</summary>
public class ConfigTests
{
    /// <summary>The parser's model of a configuration-object root, parsed from its [ReadoutLayer] member as the
    /// generator does.</summary>
    internal static ModelSpec? ParseRoot(string source, string className)
    {
        var compilation = GeneratorHarness.Compile(CoverageTests.Usings + source);
        var type = compilation.GetSymbolsWithName(className, SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();
        var readout = type.GetMembers().First(s => s.GetAttributes().Any(a => a.AttributeClass?.Name == "ReadoutLayerAttribute"));
        var result = MupGenerator.Parser.ParseConfigRootOrError(readout, compilation.GetSemanticModel(type.DeclaringSyntaxReferences[0].SyntaxTree), default);
        Assert.Null(result.Error);
        if (result.Model is { } spec)
            GeneratorHarness.AssertNoRoslynObjects(spec);
        return result.Model;
    }

    private static ParameterSpec Fact(ModelSpec spec, string name) => Assert.Single(spec.Parameters, p => p.Name == name);

    private static DimSpec Scaled(long b, string symbol = "NEmbd") => new(DimForm.Monomial, b, new[] { new PowerSpec(symbol, 1) }.ToEquatableArray());

    private const string Config = """
        namespace Samples;

        public sealed record GptConfig
        {
            public int BlockSize { get; init; } = 16;
            public int VocabSize { get; init; } = 50;
            public int NLayer { get; init; } = 2;
            public int NHead { get; init; } = 4;
            [Width(64)] public int NEmbd { get; init; } = 64;
            public bool Bias { get; init; } = true;
            public int MultipleOf { get; init; } = 32;
            public int HeadDim => NEmbd / NHead;
            public int Hidden { get { return MultipleOf * ((8 * NEmbd / 3 + MultipleOf - 1) / MultipleOf); } }
            public static GptConfig Default { get; } = new();
            public static GptConfig Make() => new();
        }

        """;

    private const string NanoGpt = Config + """
        public partial class Attention : Module<Tensor, Tensor>
        {
            private readonly Linear c_attn;
            private readonly Linear c_proj;
            private readonly int headDim;

            public Attention(GptConfig config) : base("attn")
            {
                c_attn = Linear(config.NEmbd, 3 * config.NEmbd, hasBias: config.Bias);
                c_proj = Linear(config.NEmbd, config.NEmbd, hasBias: config.Bias);
                headDim = config.HeadDim;
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => c_proj.forward(c_attn.forward(x) * MupAttentionScale(headDim));
        }

        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly GptConfig cfg;
            private readonly LayerNorm ln;
            private readonly Attention attn;
            private readonly Linear fc;

            public Block(GptConfig config) : base("block")
            {
                cfg = config;
                ln = LayerNorm(cfg.NEmbd);
                attn = new Attention(config);
                var local = config;
                fc = Linear(local.NEmbd, local.Hidden);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => attn.forward(ln.forward(x));
        }

        public partial class NanoGpt : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly ModuleList<Block> h;
            private readonly Block wide;
            [ReadoutLayer] private readonly Linear lm_head;

            public NanoGpt(GptConfig config) : base("gpt")
            {
                wte = Embedding(config.VocabSize, config.NEmbd);
                h = ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new Block(config)).ToArray());
                // A copy twice as wide (its other members unchanged).
                wide = new Block(config with { NEmbd = 2 * config.NEmbd, Bias = false });
                lm_head = Linear(config.NEmbd, config.VocabSize, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => lm_head.forward(wte.forward(x) * MupReadoutMultiplier);
        }
        """;

    /// <summary>Files are scanned for the text "MupAttentionScale" before their classes are walked for its calls; a
    /// name spelled with a unicode escape is the same identifier to C#, and its file is walked too.</summary>
    [Fact]
    public void AnAttentionScaleCallSpelledWithAUnicodeEscapeIsStillRead()
    {
        var escaped = NanoGpt.Replace("MupAttentionScale(headDim)", "\\u004DupAttentionScale(headDim)");
        Assert.NotEqual(NanoGpt, escaped);
        Assert.DoesNotContain("MupAttentionScale", escaped);
        var plain = ParseRoot(NanoGpt, "NanoGpt")!;
        var spec = ParseRoot(escaped, "NanoGpt")!;
        Assert.NotEmpty(plain.Attention);
        Assert.Equal(plain.Attention.Select(a => (a.Module, a.HeadDim)), spec.Attention.Select(a => (a.Module, a.HeadDim)));
    }

    [Fact]
    public void EveryReadOfTheWidthMemberIsTheWidthInTheModelAndEveryModuleItIsPassedTo()
    {
        var files = GeneratorHarness.RunAll(CoverageTests.Usings + NanoGpt);
        Snapshot.Match("Config_NanoGpt", GeneratorHarness.Join(files));
        var spec = ParseRoot(NanoGpt, "NanoGpt")!;
        Assert.Empty(spec.Unresolved);
        Assert.Equal(new[] { new WidthSpec("NEmbd", 64) }, spec.Widths.ToArray());
        Assert.Equal("NanoGpt", spec.ModelName);
        // The embedding's vocabulary is a finite config member; its width the width.
        Assert.Equal(new[] { DimSpec.Fixed, Scaled(64) }, Fact(spec, "wte.weight").Shape.ToArray());
        Assert.Equal(Role.Input, Fact(spec, "wte.weight").Role);
        // Passed into Block and on into Attention (a parameter, a field, a local).
        Assert.Equal(new[] { Scaled(192), Scaled(64) }, Fact(spec, "h.*.attn.c_attn.weight").Shape.ToArray());
        Assert.Equal(Role.Hidden, Fact(spec, "h.*.attn.c_attn.weight").Role);
        Assert.Equal(new[] { Scaled(64) }, Fact(spec, "h.*.ln.weight").Shape.ToArray());
        // A computed member with a block getter: Llama's multiple_of rounding with the config's defaults.
        var hidden = Fact(spec, "h.*.fc.weight").Shape[0];
        Assert.Equal(DimForm.Computed, hidden.Form);
        Assert.Equal(192L, hidden.BaseSize); // 8 * 64 / 3 = 170, rounded up to a multiple of 32
        // The `with` copy: NEmbd is 2 * width in the wide block; Bias = false drops its biases.
        Assert.Equal(new[] { Scaled(384), Scaled(128) }, Fact(spec, "wide.attn.c_attn.weight").Shape.ToArray());
        Assert.DoesNotContain(spec.Parameters, p => p.Name == "wide.attn.c_attn.bias");
        Assert.Contains(spec.Parameters, p => p.Name == "h.*.attn.c_attn.bias"); // Bias default true: not decided, kept
        // The head dimension through a computed member: NEmbd / NHead with NHead a finite value.
        Assert.Contains(spec.Attention, a => a.Module == "h.*.attn" && a.HeadDim == new DimSpec(DimForm.Monomial, null, new[] { new PowerSpec("NEmbd", 1) }.ToEquatableArray()));
        Assert.Contains(spec.Attention, a => a.Module == "wide.attn");
        Assert.Equal(Role.Readout, Fact(spec, "lm_head.weight").Role);
        // The blocks are nested modules (IMupSubmodule partials), not models of their own.
        Assert.Equal(new[] { "Samples.Attention", "Samples.Block" }, spec.Submodules.Select(s => s.HintName).OrderBy(n => n));
        Assert.Equal(new[] { "Samples.Attention.MupSubmodule.g.cs", "Samples.Block.MupSubmodule.g.cs", "Samples.NanoGpt.Mup.g.cs" },
            files.Select(f => f.HintName).OrderBy(n => n));
    }

    [Fact]
    public void TheWidthMemberOfTheConfigurationIsNotAModelAndAModelWithItsOwnWidthIsNotAConfigurationRoot()
    {
        // The [Width] path hits GptConfig.NEmbd: not a module, no model.
        var compilation = GeneratorHarness.Compile(CoverageTests.Usings + NanoGpt);
        var config = compilation.GetTypeByMetadataName("Samples.GptConfig")!;
        var width = config.GetMembers("NEmbd").Single();
        Assert.Null(MupGenerator.Parser.Parse(width, compilation.GetSemanticModel(config.DeclaringSyntaxReferences[0].SyntaxTree), default));
        // A model with its own [Width] taking a config too: the [ReadoutLayer] path returns None (the [Width] path has it).
        var own = Config + """
            public partial class Own : Module<Tensor, Tensor>
            {
                [ReadoutLayer] private readonly Linear head;
                public Own([Width(32)] int width, GptConfig config) : base("own") { head = Linear(width, config.VocabSize); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(x);
            }
            """;
        Assert.Null(ParseRoot(own, "Own"));
        Assert.Equal("width", CoverageTests.Parse(own, "Own").Widths.Single().Name);
    }

    private const string Loud = Config + """
        public partial class Loud : Module<Tensor, Tensor>
        {
            private readonly Linear fromStatic;
            private readonly Linear fromMethod;
            private readonly Linear created;
            private readonly Linear afterWrite;
            private readonly Linear fine;
            [ReadoutLayer] private readonly Linear head;

            public Loud(MutableConfig config, GptConfig gpt) : base("loud")
            {
                fine = Linear(config.Width, config.Width);
                fromStatic = Linear(config.Width, GptConfig.Default.NEmbd);
                fromMethod = Linear(config.Width, GptConfig.Make().NEmbd);
                var made = new GptConfig { NEmbd = 128 };
                created = Linear(config.Width, made.NEmbd);
                config.Width = 2 * config.Width;
                afterWrite = Linear(8, config.Width);
                head = Linear(8, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(x);
        }

        public sealed class MutableConfig
        {
            [Width(32)] public int Width { get; set; } = 32;
        }
        """;

    [Fact]
    public void AnInstanceTheGeneratorCannotFollowAndAWidthTheModelWritesAreReportedNeverAssumed()
    {
        var spec = ParseRoot(Loud, "Loud")!;
        // The first constructor parameter of a configuration type is the root's configuration.
        Assert.Equal("Width", spec.Widths.Single().Name);
        Assert.Equal(Role.Hidden, Fact(spec, "fine.weight").Role);
        foreach (var (member, text) in new[]
        {
            ("fromStatic", "GptConfig.Default.NEmbd"),
            ("fromMethod", "GptConfig.Make().NEmbd"),
            ("created", "made.NEmbd"),
            ("afterWrite", "config.Width"),
        })
        {
            var issue = Assert.Single(spec.Unresolved, u => u.Member == member);
            Assert.Equal(UnresolvedReason.OpaqueSize, issue.Reason);
            Assert.Equal(Role.Unresolved, Fact(spec, member + ".weight").Role);
            Assert.Contains(text, issue.Detail);
        }
        Assert.Contains("origin the generator cannot see", Assert.Single(spec.Unresolved, u => u.Member == "fromStatic").Detail);
        Assert.Contains("written by the model", Assert.Single(spec.Unresolved, u => u.Member == "afterWrite").Detail);
    }

    [Fact]
    public void AConfigurationWithTwoWidthsGivesNoModel()
    {
        const string two = """
            namespace Samples;
            public sealed record TwoConfig
            {
                [Width(64)] public int Dim { get; init; } = 64;
                [Width(256)] public int Hidden { get; init; } = 256;
            }
            public partial class Two : Module<Tensor, Tensor>
            {
                [ReadoutLayer] private readonly Linear head;
                public Two(TwoConfig config) : base("two") { head = Linear(config.Dim, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(x);
            }
            """;
        Assert.Null(ParseRoot(two, "Two"));
        var run = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(CoverageTests.Usings + two)).GetRunResult();
        Assert.Empty(run.GeneratedTrees);
        Assert.Empty(run.Diagnostics); // MUP019 is the analyzers' (tests/MupGen.Analyzers.Tests/ConfigTests.cs)
    }

    [Fact]
    public void APositionalRecordMembersDefaultIsItsParametersDefault()
    {
        const string positional = """
            namespace Samples;
            public sealed record Args([property: Width(64)] int Dim = 64, int MultipleOf = 32);
            public partial class Ffn : Module<Tensor, Tensor>
            {
                private readonly Linear up;
                [ReadoutLayer] private readonly Linear head;
                public Ffn(Args args) : base("ffn")
                {
                    up = Linear(args.Dim, args.MultipleOf * ((args.Dim + args.MultipleOf - 1) / args.MultipleOf + 1));
                    head = Linear(args.Dim, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => head.forward(x);
            }
            """;
        var spec = ParseRoot(positional, "Ffn")!;
        Assert.Empty(spec.Unresolved);
        var up = Fact(spec, "up.weight").Shape[0];
        Assert.Equal(DimForm.Computed, up.Form);
        Assert.Equal(32L * ((64 + 31) / 32 + 1), up.BaseSize);
    }

    [Fact]
    public void AConfigurationStoredInAFieldIsReadInForwardForTheHeadDimension()
    {
        var source = Config + """
            public partial class Attn : Module<Tensor, Tensor>
            {
                private readonly GptConfig config;
                private readonly Linear qkv;
                public Attn(GptConfig config) : base("attn") { this.config = config; qkv = Linear(config.NEmbd, 3 * config.NEmbd); RegisterComponents(); }
                public override Tensor forward(Tensor x) => qkv.forward(x) * MupAttentionScale(config.HeadDim) * MupAttentionScale(GptConfig.Default.HeadDim);
            }

            public partial class Gpt : Module<Tensor, Tensor>
            {
                private readonly Attn attn;
                private readonly Attn fixedHeads;
                [ReadoutLayer] private readonly Linear head;
                public Gpt(GptConfig config) : base("gpt")
                {
                    attn = new Attn(config);
                    // The head count grows with the width: a fixed head dimension of 16.
                    fixedHeads = new Attn(config with { NHead = config.NEmbd / 16 });
                    head = Linear(config.NEmbd, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => head.forward(attn.forward(x) * MupReadoutMultiplier);
            }
            """;
        var spec = ParseRoot(source, "Gpt")!;
        // NEmbd / NHead: the width over a finite value; NEmbd / (NEmbd / 16): fixed. The static (another object's
        // member) is read as nothing: an unread entry per module, reported (MUP020) and refused at run time.
        Assert.Equal(new (string, DimForm?)[] { ("attn", DimForm.Monomial), ("attn", null), ("fixedHeads", DimForm.Fixed), ("fixedHeads", null) },
            spec.Attention.Select(a => (a.Module, a.HeadDim?.Form)).ToArray());
        Assert.All(spec.Attention.Where(a => a.HeadDim is null), a => Assert.Equal("GptConfig.Default.HeadDim", CoverageTests.TextAt(source, a.Location)));
    }
}
