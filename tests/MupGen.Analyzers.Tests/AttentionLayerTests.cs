using System.Threading.Tasks;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>MUP007 for TorchSharp's attention layers (issue 9): their built-in 1/sqrt(head dim) is µP's scale only
/// while the head dimension is fixed. When embed_dim grows with the width and num_heads does not, the diagnostic is
/// at the member that holds the layer (the field, also of a nested module, a list, or an encoder built from such a
/// layer); a fixed head dimension (num_heads = width / 64) gets none.</summary>
public class AttentionLayerTests
{
    [Fact]
    public Task MultiheadAttention_HeadDimGrows_AtTheField_FixedHeadDim_Clean() => VerifyAsync(Usings + """
        public partial class A1 : Module<Tensor, Tensor>
        {
            private readonly Embedding embed;
            private readonly MultiheadAttention {|MUP007:attn|};
            private readonly MultiheadAttention perHead;
            [ReadoutLayer] private readonly Linear head;

            public A1([Width(64)] int width) : base(nameof(A1))
            {
                embed = Embedding(100, width);
                attn = MultiheadAttention(width, 4);
                perHead = MultiheadAttention(width, width / 64);
                head = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(embed.forward(x) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task TransformerEncoderLayer_AndDecoderLayer_AtTheirFields() => VerifyAsync(Usings + """
        public partial class A2 : Module<Tensor, Tensor>
        {
            private readonly Embedding embed;
            private readonly TransformerEncoderLayer {|MUP007:encoder|};
            private readonly TransformerDecoderLayer {|MUP007:decoder|};
            private readonly TransformerEncoderLayer fixedEncoder;
            private readonly TransformerDecoderLayer fixedDecoder;
            [ReadoutLayer] private readonly Linear head;

            public A2([Width(64)] int width) : base(nameof(A2))
            {
                embed = Embedding(100, width);
                encoder = TransformerEncoderLayer(width, 4, 4 * width, 0.0);
                decoder = TransformerDecoderLayer(width, 4, 4 * width, 0.0);
                fixedEncoder = TransformerEncoderLayer(width, width / 64, 4 * width, 0.0);
                fixedDecoder = TransformerDecoderLayer(d_model: width, nhead: width / 32, dim_feedforward: 4 * width, dropout: 0.0);
                head = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(embed.forward(x) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task Transformer_EncoderAndDecoderBuiltFromALayer_AndAHelperBuiltLayer_AtTheFieldsThatHoldThem() => VerifyAsync(Usings + """
        public partial class A3 : Module<Tensor, Tensor>
        {
            private readonly Embedding embed;
            private readonly Transformer {|MUP007:transformer|};
            private readonly TransformerEncoder {|MUP007:stack|};
            private readonly TransformerEncoder fixedStack;
            private readonly TransformerDecoder {|MUP007:decoderStack|};
            private readonly MultiheadAttention {|MUP007:built|};
            [ReadoutLayer] private readonly Linear head;

            public A3([Width(64)] int width, int layers = 2) : base(nameof(A3))
            {
                decoderStack = TransformerDecoder(TransformerDecoderLayer(width, 4, 2 * width, 0.0), layers);
                built = MakeAttention(width);
                embed = Embedding(100, width);
                transformer = Transformer(width, 4, 2, 2, 4 * width, 0.0);
                var layer = TransformerEncoderLayer(width, 8, 4 * width, 0.0);
                stack = TransformerEncoder(layer, layers);
                var perHead = TransformerEncoderLayer(width, width / 64, 4 * width, 0.0);
                fixedStack = TransformerEncoder(perHead, layers);
                head = Linear(width, 10);
                RegisterComponents();
            }

            // Built by a helper method: reported at the field the call is assigned to.
            private static MultiheadAttention MakeAttention(int dim) => MultiheadAttention(dim, 8);

            public override Tensor forward(Tensor x) => head.forward(embed.forward(x) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task LayersInAList_AndInANestedModule_AtTheListAndAtTheNestedField() => VerifyAsync(Usings + """
        public partial class Block7 : Module<Tensor, Tensor>
        {
            private readonly LayerNorm norm;
            private readonly MultiheadAttention {|MUP007:mha|};

            public Block7(int dim, int heads) : base(nameof(Block7))
            {
                norm = LayerNorm(dim);
                mha = MultiheadAttention(dim, heads);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => norm.forward(x);
        }

        public partial class A4 : Module<Tensor, Tensor>
        {
            private readonly Embedding embed;
            private readonly ModuleList<TransformerEncoderLayer> {|MUP007:layers|};
            private readonly ModuleList<Block7> blocks;
            [ReadoutLayer] private readonly Linear head;

            public A4([Width(64)] int width, int nheads = 4, int nlayers = 2) : base(nameof(A4))
            {
                embed = Embedding(100, width);
                layers = new ModuleList<TransformerEncoderLayer>();
                for (int i = 0; i < nlayers; i++)
                    layers.Add(TransformerEncoderLayer(width, nheads, 2 * width, 0.0));
                blocks = new ModuleList<Block7>();
                for (int i = 0; i < nlayers; i++)
                    blocks.Add(new Block7(width, 4));
                head = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(embed.forward(x) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task FixedHeadDimEverywhere_NoDiagnostic() => VerifyAsync(Usings + """
            public partial class A5 : Module<Tensor, Tensor>
            {
                private readonly Embedding embed;
                private readonly MultiheadAttention attn;
                private readonly Transformer transformer;
                private readonly TransformerEncoder stack;
                [ReadoutLayer] private readonly Linear head;

                public A5([Width(64)] int width) : base(nameof(A5))
                {
                    embed = Embedding(100, width);
                    attn = MultiheadAttention(width, width / 64);
                    transformer = Transformer(width, width / 16, 1, 1, 2 * width, 0.0);
                    stack = TransformerEncoder(TransformerEncoderLayer(width, width / 32, 2 * width, 0.0), 2);
                    head = Linear(width, 10);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => head.forward(embed.forward(x) * MupReadoutMultiplier);
            }
            """);
}
