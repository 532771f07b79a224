using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>Silence on correct models: the repository's own sample and test models (read from disk), and models
/// written in several styles (expression bodies, locals, loops, LINQ, named arguments): convolutional nets, residual
/// MLPs, transformers with blocks. Each compiles with the generator and gets no MUP diagnostic.</summary>
public class CleanCorpusTests
{
    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (var name in CleanCorpus.Names)
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task NoDiagnostics(string name) => Assert.Empty(await VerifyAsync(CleanCorpus.Source(name)));

    [Fact]
    public void CorpusHasAtLeastTwelveModels()
    {
        var models = CleanCorpus.Names.Sum(n => CleanCorpus.Source(n).Split("[Width(").Length - 1);
        Assert.True(models >= 12, $"{models} models");
    }

    [Fact]
    public async Task AllTogetherInOneCompilation()
    {
        // One compilation with every corpus file (distinct namespaces): cross-file discovery finds nothing either.
        var test = new MupAnalyzerTest();
        foreach (var (name, i) in CleanCorpus.Names.Select((n, i) => (n, i)))
            test.TestState.Sources.Add(($"/0/Corpus{i}.cs", CleanCorpus.Source(name).Replace("namespace Corpus;", $"namespace Corpus{i};")));
        await test.RunAsync();
    }
}

internal static class CleanCorpus
{
    private static readonly string GptSample = Path.Combine(AppContext.BaseDirectory, "Corpus", "Gpt.cs");

    /// <summary>The corpus; samples/Gpt/Gpt.cs joins it when the sample exists.</summary>
    public static readonly string[] Names = new[]
    {
        "samples/Mlp/Mlp.cs", "tests/MupGen.Tests/GeneratedModels.cs",
        nameof(ConvNet), nameof(DeepMlp), nameof(TinyGpt), nameof(LinqMlp), nameof(NamedArguments), nameof(WidthField),
        nameof(TwoWidths), nameof(EmbeddingClassifier), nameof(Blocks), nameof(Training), nameof(NestedTransformer),
        nameof(NestedResidualMlp),
    }.Concat(File.Exists(GptSample) ? new[] { "samples/Gpt/Gpt.cs" } : Array.Empty<string>()).ToArray();

    public static string Source(string name) => name switch
    {
        "samples/Mlp/Mlp.cs" => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "Mlp.cs")),
        "tests/MupGen.Tests/GeneratedModels.cs" => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "GeneratedModels.cs")),
        "samples/Gpt/Gpt.cs" => File.ReadAllText(GptSample),
        _ => Usings + "namespace Corpus;\n" + (string)typeof(CleanCorpus).GetField(name)!.GetValue(null)!,
    };

    public const string ConvNet = """
        public partial class ConvNet : Module<Tensor, Tensor>
        {
            private readonly Conv2d stem;
            private readonly Conv2d conv;
            [ReadoutLayer] private readonly Linear classifier;

            public ConvNet([Width(16)] int channels, int classes = 10) : base(nameof(ConvNet))
            {
                stem = Conv2d(3, channels, 3);
                conv = Conv2d(in_channels: channels, out_channels: channels, kernel_size: 3, bias: false);
                classifier = Linear(channels, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = functional.relu(stem.forward(x));
                h = functional.relu(conv.forward(h));
                h = h.mean(new long[] { 2, 3 });
                return classifier.forward(h * MupReadoutMultiplier);
            }
        }

        public partial class Conv1dNet : Module<Tensor, Tensor>
        {
            private readonly Conv1d input;
            private readonly Conv1d hidden;
            [ReadoutLayer] private readonly Conv1d output;

            public Conv1dNet([Width(8)] int channels) : base(nameof(Conv1dNet))
            {
                input = Conv1d(4, channels, 5);
                hidden = Conv1d(channels, 2 * channels, 3);
                output = Conv1d(2 * channels, 2, 1);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => output.call(MupReadoutMultiplier * hidden.call(input.call(x)));
        }
        """;

    public const string DeepMlp = """
        public partial class DeepMlp : Module<Tensor, Tensor>
        {
            private readonly Linear embed;
            private readonly ModuleList<Linear> layers;
            [ReadoutLayer] private readonly Linear head;

            public DeepMlp([Width(32)] int width, [Depth(2)] int depth) : base(nameof(DeepMlp))
            {
                embed = Linear(8, width);
                layers = new ModuleList<Linear>();
                for (var i = 0; i < depth; i++)
                    layers.Add(Linear(width, width));
                head = Linear(width, 4);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = embed.forward(x);
                foreach (var layer in layers)
                    h = h + MupResidualMultiplier * functional.relu(layer.forward(h));
                return head.forward(h * MupReadoutMultiplier);
            }
        }
        """;

    public const string TinyGpt = """
        public partial class TinyGpt : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly LayerNorm ln;
            private readonly Linear q;
            private readonly Linear k;
            private readonly Linear v;
            private readonly Linear proj;
            [ReadoutLayer] private readonly Linear lm_head;
            private readonly int headDim;

            public TinyGpt([Width(64)] int width, int vocab = 128, int heads = 4) : base(nameof(TinyGpt))
            {
                headDim = width / heads;
                wte = Embedding(vocab, width);
                ln = LayerNorm(width);
                q = Linear(width, width, hasBias: false);
                k = Linear(width, width, hasBias: false);
                v = Linear(width, width, hasBias: false);
                proj = Linear(width, width);
                lm_head = Linear(width, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor idx)
            {
                var x = wte.forward(idx);
                var h = ln.forward(x);
                var scores = q.forward(h).matmul(k.forward(h).transpose(-2, -1)) * MupAttentionScale(headDim);
                var y = scores.softmax(-1).matmul(v.forward(h));
                x = x + proj.forward(y);
                var z = MupAttention.ScaledDotProduct(q.forward(h), k.forward(h), v.forward(h), MupAttentionScale(headDim), isCausal: true);
                return lm_head.forward((x + z) * MupReadoutMultiplier);
            }
        }
        """;

    public const string LinqMlp = """
        public partial class LinqMlp : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Sequential hidden;
            [ReadoutLayer] private readonly Linear readout;

            public LinqMlp([Width(32)] int width) : base(nameof(LinqMlp))
            {
                input = Linear(10, width);
                hidden = Sequential(Enumerable.Range(0, 3).Select(_ => (Module<Tensor, Tensor>)Linear(width, width)).ToArray());
                readout = Linear(width, 2);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var features = new[] { input.forward(x) }.Select(hidden.forward).Single();
                var scaled = features * MupReadoutMultiplier;
                return readout.forward(scaled);
            }
        }
        """;

    public const string NamedArguments = """
        public partial class NamedArguments : Module<Tensor, Tensor>
        {
            private readonly Linear fc_in;
            private readonly Linear fc_hidden;
            [ReadoutLayer] private readonly Linear fc_out;

            public NamedArguments([Width(48)] int width, int features = 12) : base(nameof(NamedArguments))
            {
                fc_in = Linear(inputSize: features, outputSize: width, hasBias: true);
                fc_hidden = Linear(outputSize: width, inputSize: width);
                fc_out = Linear(inputSize: width, outputSize: 3);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => fc_out.forward(MupReadoutMultiplier * functional.gelu(fc_hidden.forward(fc_in.forward(x))));
        }
        """;

    public const string WidthField = """
        public partial class WidthField : Module<Tensor, Tensor>
        {
            [Width(64)] private readonly int width;
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;

            public WidthField(int width) : base(nameof(WidthField))
            {
                this.width = width;
                input = Linear(6, this.width);
                readout = Linear(this.width, 6);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                Tensor h;
                h = functional.tanh(input.forward(x));
                return readout.forward(h * MupReadoutMultiplier);
            }
        }
        """;

    public const string TwoWidths = """
        public partial class TwoWidths : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear up;
            private readonly Linear down;
            [ReadoutLayer] private readonly Linear readout;

            public TwoWidths([Width(64)] int width, [Width(256)] int ffn) : base(nameof(TwoWidths))
            {
                input = Linear(16, width);
                up = Linear(width, ffn);
                down = Linear(ffn, width);
                readout = Linear(width, 16);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                h = h + down.forward(functional.gelu(up.forward(h)));
                return readout.forward(h * MupReadoutMultiplier);
            }
        }
        """;

    public const string EmbeddingClassifier = """
        public partial class EmbeddingClassifier : Module<Tensor, Tensor>
        {
            private readonly Embedding tokens;
            [WidthInvariant] private readonly Embedding positions;
            private readonly LayerNorm norm;
            [ReadoutLayer] private readonly Linear head;

            public EmbeddingClassifier([Width(32)] int dim, int vocab = 50, int context = 16) : base(nameof(EmbeddingClassifier))
            {
                tokens = Embedding(vocab, dim);
                positions = Embedding(context, dim);
                norm = LayerNorm(new long[] { dim });
                head = Linear(dim, 2);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = tokens.forward(x) + positions.forward(torch.arange(x.shape[1]));
                return head.forward(norm.forward(h).mean(new long[] { 1 }) * MupReadoutMultiplier);
            }
        }
        """;

    public const string Blocks = """
        public sealed class Mlp : Module<Tensor, Tensor>
        {
            private readonly Linear up;
            private readonly Linear down;

            public Mlp(int width) : base(nameof(Mlp))
            {
                up = Linear(width, 4 * width);
                down = Linear(4 * width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => down.forward(functional.gelu(up.forward(x)));
        }

        public sealed class Block : Module<Tensor, Tensor>
        {
            private readonly LayerNorm norm;
            private readonly Mlp mlp;

            public Block(int width) : base(nameof(Block))
            {
                norm = LayerNorm(width);
                mlp = new Mlp(width);
                RegisterComponents();
            }

            // The block returns its branch; the residual add (with the multiplier) is the model's.
            public override Tensor forward(Tensor x) => mlp.forward(norm.forward(x));
        }

        public partial class BlockNet : Module<Tensor, Tensor>
        {
            private readonly Linear embed;
            private readonly ModuleList<Block> blocks;
            [ReadoutLayer] private readonly Linear head;

            public BlockNet([Width(32)] int width, [Depth(2)] int depth) : base(nameof(BlockNet))
            {
                embed = Linear(8, width);
                blocks = new ModuleList<Block>(Enumerable.Range(0, depth).Select(_ => new Block(width)).ToArray());
                head = Linear(width, 8);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = embed.forward(x);
                for (var i = 0; i < blocks.Count; i++)
                    h = h + MupResidualMultiplier * blocks[i].forward(h);
                return head.forward(h * MupReadoutMultiplier);
            }
        }
        """;

    public const string Training = """
        public partial class Small : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;

            public Small([Width(8)] int width) : base(nameof(Small))
            {
                input = Linear(4, width);
                readout = Linear(width, 4);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
        }

        public sealed class Baseline : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Baseline() : base(nameof(Baseline)) { fc = Linear(4, 4); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }

        public static class Trainer
        {
            public static void Run()
            {
                var model = new Small(width: 64);
                model.MupInitialize();
                var adamw = model.MupAdamW(lr: 3e-3, weightDecay: 0.1);
                var adam = model.MupAdam(1e-3);
                var sgd = model.MupSGD(0.1, momentum: 0.9);
                var baseline = new Baseline();
                var sp = torch.optim.AdamW(baseline.parameters(), 1e-3);
                IMupModel described = model;
                Console.WriteLine(described.MupDescribe().Count);
            }
        }
        """;

    public const string NestedTransformer = """
        public partial class CausalSelfAttention : Module<Tensor, Tensor>
        {
            private readonly Linear qkv;
            private readonly Linear proj;
            private readonly int heads;
            private readonly int headDim;

            public CausalSelfAttention(int width, int heads) : base(nameof(CausalSelfAttention))
            {
                this.heads = heads;
                headDim = width / heads;
                qkv = Linear(width, 3 * width);
                proj = Linear(width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]);
                var parts = qkv.forward(x).split(c, 2);
                Tensor Heads(Tensor z) => z.view(b, t, heads, headDim).transpose(1, 2);
                var (q, k, v) = (Heads(parts[0]), Heads(parts[1]), Heads(parts[2]));
                var manual = (q.matmul(k.transpose(-2, -1)) * MupAttentionScale(headDim)).softmax(-1).matmul(v);
                var fused = MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale(headDim), isCausal: true);
                return proj.forward((manual + fused).transpose(1, 2).contiguous().view(b, t, c));
            }
        }

        public partial class FeedForward : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            private readonly Linear proj;

            public FeedForward(int width) : base(nameof(FeedForward))
            {
                fc = Linear(width, 4 * width);
                proj = Linear(4 * width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => proj.forward(functional.gelu(fc.forward(x)));
        }

        public partial class TransformerBlock : Module<Tensor, Tensor>
        {
            private readonly LayerNorm ln1;
            private readonly CausalSelfAttention attn;
            private readonly LayerNorm ln2;
            private readonly FeedForward mlp;

            public TransformerBlock(int width, int heads) : base(nameof(TransformerBlock))
            {
                ln1 = LayerNorm(width);
                attn = new CausalSelfAttention(width, heads);
                ln2 = LayerNorm(width);
                mlp = new FeedForward(width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + MupResidualMultiplier * attn.forward(ln1.forward(x));
                var branch = mlp.forward(ln2.forward(x));
                return x + branch * MupResidualMultiplier;
            }
        }

        public partial class NestedGpt : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Embedding wpe;
            private readonly ModuleList<TransformerBlock> h;
            private readonly LayerNorm ln_f;
            [ReadoutLayer] private readonly Linear lm_head;

            public NestedGpt([Width(64)] int width, [Depth(2)] int layers, int vocab = 96, int context = 32, int heads = 4) : base(nameof(NestedGpt))
            {
                wte = Embedding(vocab, width);
                wpe = Embedding(context, width);
                h = new ModuleList<TransformerBlock>();
                for (var i = 0; i < layers; i++)
                    h.Add(new TransformerBlock(width, heads));
                ln_f = LayerNorm(width);
                lm_head = Linear(width, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor idx)
            {
                var x = wte.forward(idx) + wpe.forward(torch.arange(idx.shape[1]));
                x = h.Aggregate(x, (acc, block) => block.forward(acc));
                return lm_head.forward(ln_f.forward(x) * MupReadoutMultiplier);
            }
        }
        """;

    public const string NestedResidualMlp = """
        public partial class ResidualBlock : Module<Tensor, Tensor>
        {
            private readonly Linear fc1;
            private readonly Linear fc2;

            public ResidualBlock(int width) : base(nameof(ResidualBlock))
            {
                fc1 = Linear(width, width);
                fc2 = Linear(width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x += MupResidualMultiplier * fc2.forward(functional.relu(fc1.forward(x)));
                return x;
            }
        }

        public partial class NestedResidualMlp : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<ResidualBlock> blocks;
            [ReadoutLayer] private readonly Linear output;

            public NestedResidualMlp([Width(32)] int width, [Depth(3)] int depth, int features = 6) : base(nameof(NestedResidualMlp))
            {
                input = Linear(features, width);
                blocks = new ModuleList<ResidualBlock>(Enumerable.Range(0, depth).Select(_ => new ResidualBlock(width)).ToArray());
                output = Linear(width, 1);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                foreach (var block in blocks)
                    h = block.forward(h);
                return output.forward(h * MupReadoutMultiplier);
            }
        }
        """;
}
