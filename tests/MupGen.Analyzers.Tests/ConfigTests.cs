using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>Configuration objects: a model that reads its width through a config compiles clean; a [Width] on a
/// config that no model takes, or a second [Width] on one config, is MUP019 at the member; an instance of unknown
/// origin is MUP012 at the layer.</summary>
public class ConfigTests
{
    private const string Config = """
        public sealed record GptConfig
        {
            [Width(64)] public int NEmbd { get; init; } = 64;
            public int VocabSize { get; init; } = 50;
            public int NHead { get; init; } = 4;
            public static GptConfig Default { get; } = new();
        }

        """;

    [Fact]
    public Task A_model_reading_its_width_through_a_config_is_clean() => VerifyAsync(Usings + Config + """
        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Block(GptConfig config) : base(nameof(Block)) { fc = Linear(config.NEmbd, 4 * config.NEmbd); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x) * MupResidualMultiplier;
        }

        public partial class Gpt : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Block block;
            private readonly Block wide;
            [ReadoutLayer] private readonly Linear head;

            public Gpt(GptConfig config) : base(nameof(Gpt))
            {
                wte = Embedding(config.VocabSize, config.NEmbd);
                block = new Block(config);
                wide = new Block(config with { NEmbd = 2 * config.NEmbd });
                head = Linear(config.NEmbd, config.VocabSize);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(block.forward(wte.forward(x)) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public async Task Mup016_A_config_width_no_model_takes_at_the_member()
    {
        var reported = await VerifyAsync(Usings + """
            public sealed record Lonely
            {
                [Width(64)] public int {|#0:Dim|} { get; init; } = 64;
            }

            public partial class NoReadout : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public NoReadout(Lonely args) : base(nameof(NoReadout)) { fc = Linear(8, 8); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x);
            }
            """,
            Diagnostic("MUP019").WithLocation(0).WithSeverity(DiagnosticSeverity.Error).WithArguments("Dim",
                "is the [Width] of the configuration 'Lonely', but no µP model takes it",
                "take a 'Lonely' in the constructor of the model's partial nn.Module class and mark its readout layer [ReadoutLayer] (the model is the class with the [ReadoutLayer] member), or put [Width] on a constructor parameter of the model instead"));
        Assert.Equal("NoModel", reported.Single().Properties[DiagnosticProperties.Reason]);
    }

    [Fact]
    public async Task Mup016_A_second_width_on_one_config_at_the_second_member()
    {
        var reported = await VerifyAsync(Usings + """
            public sealed record TwoWidths
            {
                [Width(64)] public int Dim { get; init; } = 64;
                [Width(256)] public int {|MUP019:Hidden|} { get; init; } = 256;
            }

            public partial class Two : Module<Tensor, Tensor>
            {
                [ReadoutLayer] private readonly Linear head;
                public Two(TwoWidths args) : base(nameof(Two)) { head = Linear(args.Dim, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(x);
            }
            """);
        Assert.Equal("TwoWidths", reported.Single().Properties[DiagnosticProperties.Reason]);
    }

    [Fact]
    public async Task Mup012_A_config_of_unknown_origin_at_the_layer()
    {
        var reported = await VerifyAsync(Usings + Config + """
            public partial class Gpt : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|#0:other|};
                [ReadoutLayer] private readonly Linear head;

                public Gpt(GptConfig config) : base(nameof(Gpt))
                {
                    input = Linear(8, config.NEmbd);
                    other = Linear(config.NEmbd, {|#1:GptConfig.Default.NEmbd|});
                    head = Linear(config.NEmbd, config.VocabSize);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => head.forward(other.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
            Diagnostic("MUP012").WithLocation(0).WithLocation(1).WithArguments("other", "Gpt",
                "could not read 'outputSize' of Linear 'other': GptConfig.Default.NEmbd is read from a GptConfig whose origin the generator cannot see: only the model's constructor parameter, what it is passed to, and `with` copies of it carry the width",
                "pass the size to the constructor as an int parameter (a [Width] one if it is the width) or compute it there from the width and constants (inline, or in a non-virtual method, local function or get-only property of this project that returns it), or set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel) to take its rule from the shapes of a base and a wider model, as mup does"));
        Assert.Equal("OpaqueSize", reported.Single().Properties[DiagnosticProperties.Reason]);
    }
}
