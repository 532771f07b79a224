using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

// Also compiled into tests/MupGen.Generators.Tests (the fast path's differential test reads the same corpus).

/// <summary>The generated project: four model shapes, cycled, each class suffixed with its index.</summary>
internal static class Corpus
{
    private const string Usings = """
        using System;
        using System.Linq;
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        namespace Bench;

        """;

    public static IEnumerable<string> Files(int models)
    {
        const int PerFile = 10;
        var trainer = new StringBuilder(Usings).AppendLine("public static class Trainer").AppendLine("{").AppendLine("    public static void Run()").AppendLine("    {");
        for (var start = 0; start < models; start += PerFile)
        {
            var file = new StringBuilder(Usings);
            for (var i = start; i < Math.Min(models, start + PerFile); i++)
            {
                var (template, root) = Templates[i % Templates.Length];
                file.AppendLine(template.Replace("_N", "_" + i.ToString(CultureInfo.InvariantCulture)));
                trainer.AppendLine($"        using (var m{i} = new {root}_{i}(128)) using (var o{i} = m{i}.MupAdamW(1e-3, 0.1)) {{ }}");
            }
            yield return file.ToString();
        }
        yield return trainer.AppendLine("    }").AppendLine("}").ToString();
    }

    private static readonly (string Template, string Root)[] Templates =
    {
        ("""
        public partial class Mlp_N : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear hidden;
            [ReadoutLayer] private readonly Linear readout;

            public Mlp_N([Width(64)] int width, int features = 32, int classes = 10) : base(nameof(Mlp_N))
            {
                input = Linear(features, width);
                hidden = Linear(width, width);
                readout = Linear(width, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
                => readout.forward(functional.relu(hidden.forward(functional.relu(input.forward(x)))) * MupReadoutMultiplier);
        }
        """, "Mlp"),
        ("""
        public partial class ConvNet_N : Module<Tensor, Tensor>
        {
            private readonly Conv2d stem;
            private readonly Conv2d conv;
            [ReadoutLayer] private readonly Linear classifier;

            public ConvNet_N([Width(16)] int channels, int classes = 10) : base(nameof(ConvNet_N))
            {
                stem = Conv2d(3, channels, 3);
                conv = Conv2d(in_channels: channels, out_channels: 2 * channels, kernel_size: 3, bias: false);
                classifier = Linear(2 * channels, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = functional.relu(conv.forward(functional.relu(stem.forward(x))));
                return classifier.forward(h.mean(new long[] { 2, 3 }) * MupReadoutMultiplier);
            }
        }
        """, "ConvNet"),
        ("""
        public partial class ResBlock_N : Module<Tensor, Tensor>
        {
            private readonly Linear fc1;
            private readonly Linear fc2;

            public ResBlock_N(int width) : base(nameof(ResBlock_N))
            {
                fc1 = Linear(width, 4 * width);
                fc2 = Linear(4 * width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + MupResidualMultiplier * fc2.forward(functional.gelu(fc1.forward(x)));
                return x;
            }
        }

        public partial class ResMlp_N : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<ResBlock_N> blocks;
            [ReadoutLayer] private readonly Linear output;

            public ResMlp_N([Width(32)] int width, [Depth(2)] int depth = 4) : base(nameof(ResMlp_N))
            {
                input = Linear(8, width);
                blocks = new ModuleList<ResBlock_N>();
                for (var i = 0; i < depth; i++)
                    blocks.Add(new ResBlock_N(width));
                output = Linear(width, 2);
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
        """, "ResMlp"),
        ("""
        public partial class Attention_N : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly Linear k;
            private readonly Linear v;
            private readonly Linear o;
            private readonly int heads;
            private readonly int headDim;

            public Attention_N(int width, int heads) : base(nameof(Attention_N))
            {
                this.heads = heads;
                headDim = width / heads;
                q = Linear(width, width);
                k = Linear(width, width);
                v = Linear(width, width);
                o = Linear(width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]);
                Tensor Split(Tensor z) => z.view(b, t, heads, headDim).transpose(1, 2);
                var y = MupAttention.ScaledDotProduct(Split(q.forward(x)), Split(k.forward(x)), Split(v.forward(x)), MupAttentionScale(headDim), isCausal: true);
                return o.forward(y.transpose(1, 2).contiguous().view(b, t, c));
            }
        }

        public partial class FeedForward_N : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            private readonly Linear proj;

            public FeedForward_N(int width) : base(nameof(FeedForward_N))
            {
                fc = Linear(width, 4 * width);
                proj = Linear(4 * width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => proj.forward(functional.gelu(fc.forward(x)));
        }

        public partial class Block_N : Module<Tensor, Tensor>
        {
            private readonly LayerNorm ln1;
            private readonly Attention_N attn;
            private readonly LayerNorm ln2;
            private readonly FeedForward_N mlp;

            public Block_N(int width, int heads) : base(nameof(Block_N))
            {
                ln1 = LayerNorm(width);
                attn = new Attention_N(width, heads);
                ln2 = LayerNorm(width);
                mlp = new FeedForward_N(width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + MupResidualMultiplier * attn.forward(ln1.forward(x));
                return x + MupResidualMultiplier * mlp.forward(ln2.forward(x));
            }
        }

        public partial class Gpt_N : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Embedding wpe;
            private readonly ModuleList<Block_N> blocks;
            private readonly LayerNorm ln_f;
            [ReadoutLayer] private readonly Linear head;

            public Gpt_N([Width(64)] int width, [Depth(2)] int layers = 4, int vocab = 256, int context = 64, int heads = 4) : base(nameof(Gpt_N))
            {
                wte = Embedding(vocab, width);
                wpe = Embedding(context, width);
                blocks = new ModuleList<Block_N>(Enumerable.Range(0, layers).Select(_ => new Block_N(width, heads)).ToArray());
                ln_f = LayerNorm(width);
                head = Linear(width, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor idx)
            {
                var x = wte.forward(idx) + wpe.forward(torch.arange(idx.shape[1]));
                foreach (var block in blocks)
                    x = block.forward(x);
                return head.forward(ln_f.forward(x) * MupReadoutMultiplier);
            }
        }
        """, "Gpt"),
    };
}
