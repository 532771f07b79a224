using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>One model shape per test: the generated file is compared with Snapshots/&lt;Name&gt;.g.cs, and every run
/// also checks compilation, caching on a cloned compilation and that no step output holds Roslyn objects.</summary>
public class SnapshotTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.Linq;
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    private static void Verify(string name, string source) => Snapshot.Match(name, GeneratorHarness.RunSingle(Usings + source));

    [Fact]
    public void Mlp() => Verify(nameof(Mlp), """
        namespace Samples;

        public partial class Mlp : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear hidden;
            [ReadoutLayer] private readonly Linear readout;

            public Mlp([Width(64)] int width, int features = 32, int classes = 10) : base(nameof(Mlp))
            {
                input = Linear(features, width);
                hidden = Linear(width, width);
                readout = Linear(width, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
                => readout.forward(functional.relu(hidden.forward(functional.relu(input.forward(x)))) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public void Products() => Verify(nameof(Products), """
        namespace Samples.Transformer;

        public partial class FeedForward : Module<Tensor, Tensor>
        {
            private readonly Linear up;
            private readonly Linear down;
            private readonly Linear square;
            [ReadoutLayer] private readonly Linear head;

            public FeedForward([Width(64)] int width) : base("ffn")
            {
                up = Linear(width, 4 * width);
                down = Linear(width * 4, width);
                square = Linear(2 * width * 3, width * width);
                head = nn.Linear(width, 10L);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(down.forward(up.forward(x)) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public void Quotients() => Verify(nameof(Quotients), """
        namespace Samples;

        public partial class Attention : Module<Tensor, Tensor>
        {
            private readonly Linear qkv;
            private readonly Linear perHead;
            private readonly Linear quarter;
            private readonly Linear headsTimesDim;
            private readonly Linear tooSmall;
            [ReadoutLayer] private readonly Linear proj;

            public Attention([Width(64)] int width, int heads = 4, int headDim = 16) : base("attn")
            {
                qkv = Linear(width, 3 * width);
                perHead = Linear(width / heads, width / heads);
                quarter = Linear(width / 4, width);
                headsTimesDim = Linear(heads * headDim, width);
                tooSmall = Linear(width / 128, width);
                proj = Linear(width, 8);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void Locals() => Verify(nameof(Locals), """
        namespace Samples;

        public partial class WithLocals : Module<Tensor, Tensor>
        {
            private readonly Linear fc1;
            private readonly Linear fc2;
            [ReadoutLayer] private readonly Linear readout;

            public WithLocals([Width(32)] int width) : base("locals")
            {
                var hidden = 2 * width;
                long inner = hidden;
                int features = 28 * 28;
                fc1 = Linear(features, hidden);
                fc2 = Linear((long)hidden, inner);
                readout = Linear(inner + 16, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void FieldsAssignedOnce() => Verify(nameof(FieldsAssignedOnce), """
        namespace Samples;

        public partial class WithFields : Module<Tensor, Tensor>
        {
            private const int Classes = 10;
            private readonly int features = 16;
            private readonly int hidden;
            private readonly Linear input;
            private readonly Linear fc = Linear(4, 4);
            [ReadoutLayer] private readonly Linear readout;
            private readonly torch.nn.IModule<Tensor, Tensor> byInterface;
            private readonly List<Linear> notRegistered = new List<Linear>();

            public WithFields([Width(64)] int width) : base("fields")
            {
                hidden = width * 2;
                byInterface = Linear(hidden, hidden);
                notRegistered.Add(Linear(width, width));
                input = Linear(features, hidden);
                readout = Linear(this.hidden, Classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void NamedArguments() => Verify(nameof(NamedArguments), """
        namespace Samples;

        public partial class Named : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear hidden;
            [ReadoutLayer] private readonly Linear readout;
            private readonly LayerNorm norm;

            public Named([Width(64)] int width, int features = 8) : base("named")
            {
                input = Linear(outputSize: width, inputSize: features, hasBias: false);
                hidden = Linear(width, outputSize: width, hasBias: true);
                readout = Linear(hasBias: false, inputSize: width, outputSize: 3);
                norm = LayerNorm(eps: 1e-6, normalized_shape: width, bias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void ForLoopModuleList() => Verify(nameof(ForLoopModuleList), """
        namespace Samples;

        public partial class DeepMlp : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<Linear> hidden;
            private readonly ModuleList<Module<Tensor, Tensor>> extra = new ModuleList<Module<Tensor, Tensor>>();
            [ReadoutLayer] private readonly Linear readout;

            public DeepMlp([Width(64)] int width, [Depth(2)] int layers, int features = 32) : base("deep")
            {
                input = Linear(features, width);
                var blocks = new List<Linear>();
                for (var i = 0; i < layers; i++)
                    blocks.Add(Linear(width, width));
                hidden = new ModuleList<Linear>(blocks.ToArray());
                foreach (var _ in Enumerable.Range(0, 3))
                {
                    extra.Add(LayerNorm(width));
                    extra.Add(GELU());
                }
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void LinqSelect() => Verify(nameof(LinqSelect), """
        namespace Samples;

        public partial class LinqModel : Module<Tensor, Tensor>
        {
            private readonly Sequential trunk;
            private readonly ModuleList<Linear> heads;
            [ReadoutLayer] private readonly Linear readout;

            public LinqModel([Width(128)] int width, [Depth(4)] int depth) : base("linq")
            {
                trunk = Sequential(Enumerable.Range(0, depth).Select(_ => (Module<Tensor, Tensor>)Linear(width, width)).ToArray());
                heads = ModuleList(Enumerable.Range(0, 2).Select(i => Linear(width, 2 * width)).ToArray());
                readout = Linear(width, 1);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void SequentialMixed() => Verify(nameof(SequentialMixed), """
        namespace Samples;

        public partial class Stack : Module<Tensor, Tensor>
        {
            private readonly Sequential seq;
            private readonly Sequential same;

            public Stack([Width(64)] int width) : base("stack")
            {
                seq = Sequential(Linear(16, width), ReLU(), Linear(width, width), Dropout(0.1));
                same = Sequential(Linear(width, width), ReLU(), Linear(width, width));
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void Convolutions() => Verify(nameof(Convolutions), """
        namespace Samples.Vision;

        public partial class ConvNet : Module<Tensor, Tensor>
        {
            private readonly Conv2d stem;
            private readonly Conv2d body;
            private readonly Conv1d temporal;
            private readonly Conv2d grouped;
            [ReadoutLayer] private readonly Linear readout;

            public ConvNet([Width(16)] int channels) : base("conv")
            {
                stem = Conv2d(3, channels, 3);
                body = Conv2d(channels, 2 * channels, kernel_size: (3, 5), bias: false);
                temporal = Conv1d(in_channels: channels, out_channels: channels, kernel_size: 7, padding: 3);
                grouped = Conv2d(channels, channels, 3, groups: 4);
                readout = Linear(channels, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void EmbeddingLayerNorm() => Verify(nameof(EmbeddingLayerNorm), """
        namespace Samples.Gpt;

        public partial class TinyLm : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Embedding wpe;
            private readonly LayerNorm ln;
            private readonly LayerNorm ln2;
            private readonly LayerNorm noAffine;
            [ReadoutLayer] private readonly Linear lm_head;

            public TinyLm([Width(64)] int nEmbd, int vocab = 256, int context = 32) : base("lm")
            {
                wte = Embedding(vocab, nEmbd);
                wpe = Embedding(context, nEmbd);
                ln = LayerNorm(nEmbd);
                ln2 = LayerNorm(new long[] { nEmbd });
                noAffine = LayerNorm(nEmbd, elementwise_affine: false);
                lm_head = Linear(nEmbd, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void WidthOnField() => Verify(nameof(WidthOnField), """
        namespace Samples;

        public partial class FieldWidth : Module<Tensor, Tensor>
        {
            [Width(64)] private readonly int width;
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;

            public FieldWidth(int width, int features = 4) : base("field")
            {
                this.width = width;
                input = Linear(features, width);
                readout = Linear(this.width, 2);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void WidthOnProperty() => Verify(nameof(WidthOnProperty), """
        public partial class PropertyWidth : Module<Tensor, Tensor>
        {
            [Width(32)] public int Hidden { get; }
            private readonly Linear input;
            private readonly Linear hidden;
            [ReadoutLayer] private readonly Linear readout;

            public PropertyWidth(int hidden) : base("prop")
            {
                Hidden = hidden;
                input = Linear(5, Hidden);
                this.hidden = Linear(Hidden, hidden);
                readout = Linear(Hidden, 1);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void TwoWidthSymbols() => Verify(nameof(TwoWidthSymbols), """
        namespace Samples;

        public partial class TwoWidths : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear mix;
            private readonly Linear expand;
            private readonly Linear affine;
            [ReadoutLayer] private readonly Linear readout;

            public TwoWidths([Width(64)] int dModel, [Width(16)] int dHead, int heads = 4) : base("two")
            {
                input = Linear(8, dModel);
                mix = Linear(dModel, heads * dHead);
                expand = Linear(dHead, dModel * dHead);
                affine = Linear(dModel + 1, dHead - 2);
                readout = Linear(dModel, 4);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void UnresolvedLayer() => Verify(nameof(UnresolvedLayer), """
        namespace Samples;

        public partial class Opaque : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear odd;
            private readonly Linear built;
            [HiddenLayer] private readonly Linear declared;
            [WidthInvariant] private readonly Linear frozen;
            private readonly Linear onlyPerHead;
            [ReadoutLayer] private readonly Linear readout;

            public Opaque([Width(64)] int width, [Width(8)] int inner, int heads = 2) : base("opaque")
            {
                input = Linear(3, width);
                odd = Linear(width, Compute(width));
                built = MakeLinear(width);
                declared = Linear(Compute(width), Compute(width));
                frozen = Linear(width, width);
                onlyPerHead = Linear(width, inner / heads);
                readout = Linear(Compute(width), 2);
                RegisterComponents();
            }

            protected virtual int Compute(int w) => w * 3 / 2; // virtual: not followed
            protected virtual Linear MakeLinear(int w) => Linear(w, w);

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void MissingReadout() => Verify(nameof(MissingReadout), """
        namespace Samples;

        public partial class Classifier : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear output;

            public Classifier([Width(64)] int width, int classes = 10) : base("classifier")
            {
                input = Linear(784, width);
                output = Linear(width, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => output.forward(input.forward(x));
        }
        """);

    [Fact]
    public void NestedAndGlobal() => Verify(nameof(NestedAndGlobal), """
        public static partial class Models
        {
            public partial class Outer
            {
                internal sealed partial class Inner : Module<Tensor, Tensor>
                {
                    [TorchSharp.Utils.ComponentName(Name = "fc_in")] private readonly Linear input;
                    [ReadoutLayer] private readonly Linear readout;

                    public Inner() : this(64) { }

                    public Inner([Width(64)] int width) : base("inner")
                    {
                        input = Linear(2, width);
                        readout = Linear(width, 2);
                        RegisterComponents();
                    }

                    public override Tensor forward(Tensor x) => x;
                }
            }
        }
        """);

    [Fact]
    public void DepthBlocks() => Verify(nameof(DepthBlocks), """
        namespace Samples.Gpt;

        public sealed class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Block(int width) : base("block") { fc = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }

        public partial class Gpt : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly ModuleList<Block> h;
            private readonly Sequential mlp;
            private readonly Sequential ragged;
            private readonly LayerNorm ln_f;
            [ReadoutLayer] private readonly Linear lm_head;
            private readonly int nLayer;

            public Gpt([Width(64)] int nEmbd, [Depth(2)] int nLayer, int vocab = 100) : base("gpt")
            {
                this.nLayer = nLayer;
                nEmbd = nEmbd * 2;
                wte = Embedding(vocab, nEmbd);
                h = new ModuleList<Block>();
                for (var i = 0; i < this.nLayer; i++)
                    h.Add(new Block(nEmbd));
                mlp = Sequential(("c_fc", Linear(nEmbd, 4 * nEmbd)), ("act", GELU()), ("c_proj", Linear(4 * nEmbd, nEmbd)));
                var layers = new List<Module<Tensor, Tensor>>();
                for (var i = 0; i < 3; i++)
                    layers.Add(Linear(i == 0 ? vocab : nEmbd, nEmbd));
                layers.Add(Linear(nEmbd, 2 * nEmbd));
                ragged = Sequential(layers);
                ln_f = LayerNorm(nEmbd);
                lm_head = Linear(nEmbd, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public void PrimaryConstructor() => Verify(nameof(PrimaryConstructor), """
        namespace Samples;

        public partial class Compact([Width(48)] int width, int features = 6) : Module<Tensor, Tensor>("compact")
        {
            private readonly Linear input = Linear(features, width);
            private readonly Linear hidden = Linear(width, width / 3);
            [ReadoutLayer] private readonly Linear readout = Linear(width / 3, 1);

            public override Tensor forward(Tensor x) => readout.forward(hidden.forward(input.forward(x)) * MupReadoutMultiplier);
        }
        """);
}
