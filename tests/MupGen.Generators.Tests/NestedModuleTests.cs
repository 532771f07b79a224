using System.Linq;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Models built from user module classes (blocks, attention, MLP): every generated file of a run is compared
/// with one snapshot (files joined in hint-name order), and the run also checks compilation (the blocks' forward
/// methods use the generated submodule members), caching and that no step output holds Roslyn objects.</summary>
public class NestedModuleTests
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

    /// <summary>Pre-LN GPT parts: attention with q, k, v, o and headDim = width / heads, a 4x MLP, and the block.</summary>
    internal const string GptParts = """
        public partial class CausalSelfAttention : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly Linear k;
            private readonly Linear v;
            private readonly Linear o;
            private readonly int heads;
            private readonly int headDim;

            public CausalSelfAttention(int width, int heads) : base(nameof(CausalSelfAttention))
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
                var scale = MupAttentionScale(headDim);
                var att = functional.softmax(q.forward(x).matmul(k.forward(x).transpose(-2, -1)) * scale, -1);
                return o.forward(att.matmul(v.forward(x)));
            }
        }

        public partial class MlpBlock : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            private readonly Linear proj;

            public MlpBlock(int width) : base(nameof(MlpBlock))
            {
                fc = Linear(width, 4 * width);
                proj = Linear(4 * width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => proj.forward(functional.gelu(fc.forward(x)));
        }

        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly LayerNorm ln1;
            private readonly CausalSelfAttention attn;
            private readonly LayerNorm ln2;
            private readonly MlpBlock mlp;

            public Block(int width, int heads) : base(nameof(Block))
            {
                ln1 = LayerNorm(width);
                attn = new CausalSelfAttention(width, heads);
                ln2 = LayerNorm(width);
                mlp = new(width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + MupResidualMultiplier * attn.forward(ln1.forward(x));
                return x + MupResidualMultiplier * mlp.forward(ln2.forward(x));
            }
        }
        """;

    internal const string Gpt = """
        public partial class Gpt : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Embedding wpe;
            private readonly ModuleList<Block> blocks = new ModuleList<Block>();
            private readonly LayerNorm ln_f;
            [ReadoutLayer] private readonly Linear head;

            public Gpt([Width(64)] int width, [Depth(2)] int layers, int heads = 4, int vocab = 65, int context = 32) : base(nameof(Gpt))
            {
                wte = Embedding(vocab, width);
                wpe = Embedding(context, width);
                for (var i = 0; i < layers; i++)
                    blocks.Add(new Block(width, heads: heads));
                ln_f = LayerNorm(width);
                head = Linear(width, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                foreach (var block in blocks)
                    x = block.forward(x);
                return head.forward(ln_f.forward(x) * MupReadoutMultiplier);
            }
        }
        """;

    private static void Verify(string name, params string[] sources)
    {
        var files = GeneratorHarness.RunAll(sources.Select(s => Usings + s).ToArray());
        Snapshot.Match(name, GeneratorHarness.Join(files));
    }

    [Fact]
    public void GptForLoop() => Verify(nameof(GptForLoop), "namespace Samples.Gpt;\n\n" + GptParts + "\n\n" + Gpt);

    [Fact]
    public void GptLinqSequential() => Verify(nameof(GptLinqSequential), "namespace Samples.Gpt;\n\n" + GptParts + "\n\n" + """
        public partial class GptSeq : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Embedding wpe;
            private readonly Sequential blocks;
            private readonly LayerNorm ln_f;
            [ReadoutLayer] private readonly Linear head;

            public GptSeq([Width(64)] int width, [Depth(2)] int layers, int heads = 4, int vocab = 65, int context = 32) : base(nameof(GptSeq))
            {
                wte = Embedding(vocab, width);
                wpe = Embedding(context, width);
                blocks = Sequential(Enumerable.Range(0, layers).Select(_ => (Module<Tensor, Tensor>)new Block(width, heads)).ToArray());
                ln_f = LayerNorm(width);
                head = Linear(width, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(ln_f.forward(blocks.forward(x)) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public void GptTiedReadout() => Verify(nameof(GptTiedReadout), "namespace Samples.Gpt;\n\n" + GptParts + "\n\n" + Gpt
        .Replace("public partial class Gpt ", "public partial class TiedGpt ")
        .Replace("public Gpt(", "public TiedGpt(")
        .Replace("base(nameof(Gpt))", "base(nameof(TiedGpt))")
        .Replace("""
                    RegisterComponents();
                }
        """, """
                    RegisterComponents();
                    head.weight = wte.weight;
                }
        """));

    [Fact]
    public void SeparateModelAndFeedForwardWidths() => Verify(nameof(SeparateModelAndFeedForwardWidths), """
        namespace Samples.Encoder;

        public partial class FeedForward : Module<Tensor, Tensor>
        {
            private readonly Linear up;
            private readonly Linear down;

            public FeedForward(int dModel, int dFf) : base(nameof(FeedForward))
            {
                up = Linear(dModel, dFf);
                down = Linear(dFf, dModel);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x + MupResidualMultiplier * down.forward(functional.relu(up.forward(x)));
        }

        public partial class Encoder : Module<Tensor, Tensor>
        {
            private readonly Embedding embed;
            private readonly ModuleList<FeedForward> layers;
            [ReadoutLayer] private readonly Linear head;

            public Encoder([Width(64)] int dModel, [Width(256)] int dFf, [Depth(2)] int depth, int vocab = 100) : base(nameof(Encoder))
            {
                embed = Embedding(vocab, dModel);
                layers = new ModuleList<FeedForward>(Enumerable.Range(0, depth).Select(_ => new FeedForward(dFf: dFf, dModel: dModel)).ToArray());
                head = Linear(dModel, vocab);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(x * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public void FixedHeadDimension() => Verify(nameof(FixedHeadDimension), """
        namespace Samples.Heads;

        /// <summary>Heads grow with the width, each head stays 64 wide.</summary>
        public partial class FixedHeadAttention : Module<Tensor, Tensor>
        {
            private readonly Linear qkv;
            private readonly Linear o;
            private readonly long headDim;

            public FixedHeadAttention(int width) : base(nameof(FixedHeadAttention))
            {
                var heads = width / 64;
                headDim = 64;
                qkv = Linear(width, 3 * heads * headDim);
                o = Linear(heads * 64, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                long hd = headDim;
                return o.forward(qkv.forward(x) * MupAttentionScale(hd));
            }
        }

        /// <summary>The head dimension is an argument the width does not enter.</summary>
        public partial class ArgumentHeadAttention : Module<Tensor, Tensor>
        {
            private readonly Linear qkv;
            private readonly int dHead;

            public ArgumentHeadAttention(int width, int heads, int dHead) : base(nameof(ArgumentHeadAttention))
            {
                this.dHead = dHead;
                qkv = Linear(width, 3 * heads * dHead);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => qkv.forward(x) * this.MupAttentionScale(dHead);
        }

        public partial class Heads : Module<Tensor, Tensor>
        {
            private readonly FixedHeadAttention self;
            private readonly FixedHeadAttention wide;
            private readonly ArgumentHeadAttention byArgument;
            private readonly int rootHeadDim;
            [ReadoutLayer] private readonly Linear head;

            public Heads([Width(256)] int width, int dHead = 32) : base(nameof(Heads))
            {
                self = new FixedHeadAttention(width);
                wide = new FixedHeadAttention(2 * width);
                byArgument = new ArgumentHeadAttention(width, width / dHead, dHead);
                rootHeadDim = width / 4;
                head = Linear(2 * width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(x * MupAttentionScale(rootHeadDim) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public void SharedBlockAcrossModelsGivesOneSubmoduleFile()
    {
        var files = GeneratorHarness.RunAll(Usings + "namespace Samples.Gpt;\n\n" + GptParts + "\n\n" + Gpt, Usings + """
            namespace Samples.Gpt;

            public partial class Small : Module<Tensor, Tensor>
            {
                private readonly Block only;
                [ReadoutLayer] private readonly Linear head;

                public Small([Width(32)] int width) : base(nameof(Small))
                {
                    only = new Block(width, 2);
                    head = Linear(width, 3);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => head.forward(only.forward(x) * MupReadoutMultiplier);
            }
            """);
        Assert.Equal(new[]
        {
            "Samples.Gpt.Block.MupSubmodule.g.cs",
            "Samples.Gpt.CausalSelfAttention.MupSubmodule.g.cs",
            "Samples.Gpt.Gpt.Mup.g.cs",
            "Samples.Gpt.MlpBlock.MupSubmodule.g.cs",
            "Samples.Gpt.Small.Mup.g.cs",
        }, files.Select(f => f.HintName));
        var small = files.Single(f => f.HintName == "Samples.Gpt.Small.Mup.g.cs").Text;
        Assert.Contains("\"only.attn.q.weight\"", small);
        // heads is the constant 2 at this call site: head dim = width / 2, base 16.
        Assert.Contains("new global::MupGen.Facts.MupAttentionFact(\"only.attn\", global::MupGen.Facts.MupDim.Scaled(16L, \"width\"))", small);
    }

    [Fact]
    public void NestedModulesWithoutPartialOrWithOwnRegisterComponents()
    {
        var files = GeneratorHarness.RunAll(Usings + """
            namespace Samples.Plain;

            public sealed class PlainBlock : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public PlainBlock(int width) : base("plain") { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x);
            }

            public partial class PartialBlock : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public PartialBlock(int width) : base("partial") { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x) * MupResidualMultiplier;
            }

            public partial class OwnsRegistration : Module<Tensor, Tensor>
            {
                private readonly PartialBlock block;
                [ReadoutLayer] private readonly Linear head;

                public OwnsRegistration([Width(64)] int width) : base("owns")
                {
                    block = new PartialBlock(width);
                    head = Linear(width, 2);
                    RegisterComponents();
                }

                protected override void RegisterComponents() => base.RegisterComponents();

                public override Tensor forward(Tensor x) => head.forward(block.forward(x));
            }

            public partial class UsesPlain : Module<Tensor, Tensor>
            {
                private readonly PlainBlock block;
                [ReadoutLayer] private readonly Linear head;

                public UsesPlain([Width(64)] int width) : base("plain")
                {
                    block = new PlainBlock(width);
                    head = Linear(width, 2);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => head.forward(block.forward(x));
            }
            """);
        Assert.Equal(new[]
        {
            "Samples.Plain.OwnsRegistration.Mup.g.cs",
            "Samples.Plain.PartialBlock.MupSubmodule.g.cs",
            "Samples.Plain.UsesPlain.Mup.g.cs",
        }, files.Select(f => f.HintName));
        var owns = files[0].Text;
        Assert.Contains("\"block.fc.weight\"", owns);
        Assert.DoesNotContain("RegisterComponents", owns);
        var plain = files[2].Text;
        Assert.Contains("\"block.fc.weight\"", plain);
        Assert.DoesNotContain("RegisterComponents", plain);
    }

    [Fact]
    public void PrimaryConstructorsGenericAndFileLocalNestedClasses()
    {
        var files = GeneratorHarness.RunAll(Usings + """
            namespace Samples.Shapes;

            public partial class Compact(int width, int expand = 2) : Module<Tensor, Tensor>("compact")
            {
                private readonly Linear up = Linear(width, expand * width);
                private readonly Linear down = Linear(expand * width, width);

                public override Tensor forward(Tensor x) => x + MupResidualMultiplier * down.forward(up.forward(x));
            }

            public partial class Generic<T> : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public Generic(int width) : base("generic") { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x);
            }

            file partial class Local : Module<Tensor, Tensor>
            {
                private readonly LayerNorm norm;
                public Local(int width) : base("local") { norm = LayerNorm(width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => norm.forward(x);
            }

            public partial class Outer
            {
                public partial class Inner : Module<Tensor, Tensor>
                {
                    private readonly Linear fc;
                    public Inner(int width) : base("inner") { fc = Linear(width, 3 * width); RegisterComponents(); }
                    public override Tensor forward(Tensor x) => fc.forward(x) * MupInputMultiplier;
                }
            }

            public partial class Shapes : Module<Tensor, Tensor>
            {
                private readonly Compact compact;
                private readonly Generic<int> generic;
                private readonly Module<Tensor, Tensor> local;
                private readonly Outer.Inner inner;
                [ReadoutLayer] private readonly Linear head;

                public Shapes([Width(32)] int width) : base("shapes")
                {
                    compact = new Compact(width, expand: 4);
                    generic = new Generic<int>(width);
                    local = new Local(width);
                    inner = new(width);
                    head = Linear(3 * width, 2);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => x;
            }
            """);
        Assert.Equal(new[]
        {
            "Samples.Shapes.Compact.MupSubmodule.g.cs",
            "Samples.Shapes.Outer+Inner.MupSubmodule.g.cs",
            "Samples.Shapes.Shapes.Mup.g.cs",
        }, files.Select(f => f.HintName));
        var names = System.Text.RegularExpressions.Regex.Matches(files[2].Text, "MupParameterFact\\(\"([^\"]+)\"").Select(m => m.Groups[1].Value);
        Assert.Equal(new[]
        {
            "compact.up.weight", "compact.up.bias", "compact.down.weight", "compact.down.bias",
            "generic.fc.weight", "generic.fc.bias", "local.norm.weight", "local.norm.bias",
            "inner.fc.weight", "inner.fc.bias", "head.weight", "head.bias",
        }, names);
        Assert.Contains("\"compact.up.weight\", global::MupGen.MupLayerKind.Linear, \"weight\", global::MupGen.MupRole.Hidden, new global::MupGen.Facts.MupDim[] { global::MupGen.Facts.MupDim.Scaled(128L, \"width\"), global::MupGen.Facts.MupDim.Scaled(32L, \"width\") })", files[2].Text);
        Assert.Contains("namespace Samples.Shapes;\n\npartial class Outer\n{\n    partial class Inner : global::MupGen.IMupSubmodule", files[1].Text);
    }

    [Fact]
    public void BlocksSharingAPartialBaseShareItsMembers()
    {
        const string source = """
            public abstract partial class ResidualBase : Module<Tensor, Tensor>
            {
                protected ResidualBase(string name) : base(name) { }
                protected Tensor Residual(Tensor x, Tensor branch) => x + MupResidualMultiplier * branch;
            }

            public partial class Wide : ResidualBase
            {
                private readonly Linear fc;
                public Wide(int width) : base("wide") { fc = Linear(width, 2 * width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => Residual(x, fc.forward(x));
            }

            public partial class Narrow : ResidualBase
            {
                private readonly Linear fc;
                public Narrow(int width) : base("narrow") { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x);
            }

            public partial class Mixed : Module<Tensor, Tensor>
            {
                private readonly Wide wide;
                private readonly Narrow narrow;
                [ReadoutLayer] private readonly Linear head;

                public Mixed([Width(64)] int width) : base("mixed")
                {
                    wide = new Wide(width);
                    narrow = new Narrow(width);
                    head = Linear(width, 2);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => head.forward(narrow.forward(x) * MupReadoutMultiplier);
            }
            """;
        var files = GeneratorHarness.RunAll(Usings + "namespace Samples.Shared;\n" + source);
        Assert.Equal(new[] { "Samples.Shared.Mixed.Mup.g.cs", "Samples.Shared.ResidualBase.MupSubmodule.g.cs" }, files.Select(f => f.HintName));
        // One spec per class in the model, too.
        var compilation = GeneratorHarness.Compile(Usings + "namespace Samples.Shared;\n" + source);
        var run = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();
        var submodules = run.TrackedSteps[TrackingNames.Submodules].SelectMany(s => s.Outputs).Select(o => o.Value).Cast<System.Collections.IEnumerable>().Single();
        Assert.Single(submodules.Cast<object>());
        Assert.Contains("__Mup.AttachSubmodules();", files[0].Text);
    }

    [Fact]
    public void FieldOrderFollowsRegisterComponents()
    {
        // Own fields in declaration order, then the base class's non-private fields, then its private ones; a nested
        // module's tensors sit at its field's position; chained constructors are followed.
        var text = GeneratorHarness.RunSingle(Usings + """
            namespace Samples.Order;

            public abstract class BlockBase : Module<Tensor, Tensor>
            {
                private readonly Linear basePrivate;
                protected readonly Linear baseProtected;

                protected BlockBase(int width) : base("base")
                {
                    basePrivate = Linear(width, width);
                    baseProtected = Linear(width, 2 * width);
                }
            }

            public sealed class Derived : BlockBase
            {
                private readonly LayerNorm own;

                public Derived(int width) : this(width, 1) { }

                private Derived(int width, int unused) : base(width)
                {
                    own = LayerNorm(width);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => x;
            }

            public partial class Ordered : Module<Tensor, Tensor>
            {
                private readonly Linear first;
                private readonly Derived middle;
                [ReadoutLayer] private readonly Linear last;

                public Ordered([Width(64)] int width) : base("ordered")
                {
                    last = Linear(width, 3);
                    middle = new Derived(width);
                    first = Linear(5, width);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => x;
            }
            """);
        var names = System.Text.RegularExpressions.Regex.Matches(text, "MupParameterFact\\(\"([^\"]+)\"").Select(m => m.Groups[1].Value);
        Assert.Equal(new[]
        {
            "first.weight", "first.bias",
            "middle.own.weight", "middle.own.bias",
            "middle.baseProtected.weight", "middle.baseProtected.bias",
            "middle.basePrivate.weight", "middle.basePrivate.bias",
            "last.weight", "last.bias",
        }, names);
        Assert.Contains("MupParameterFact(\"middle.baseProtected.weight\", global::MupGen.MupLayerKind.Linear, \"weight\", global::MupGen.MupRole.Hidden, new global::MupGen.Facts.MupDim[] { global::MupGen.Facts.MupDim.Scaled(128L, \"width\"), global::MupGen.Facts.MupDim.Scaled(64L, \"width\") })", text);
    }

    [Fact]
    public void DepthListInsideANestedModule()
    {
        var files = GeneratorHarness.RunAll(Usings + "namespace Samples.Gpt;\n\n" + GptParts + "\n\n" + """
            public partial class Trunk : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Block> h = new ModuleList<Block>();

                public Trunk(int width, int count) : base(nameof(Trunk))
                {
                    for (int i = 0; i < count; i++)
                        h.Add(new Block(width, 4));
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => x;
            }

            public partial class Wrapped : Module<Tensor, Tensor>
            {
                private readonly Trunk transformer;
                [ReadoutLayer] private readonly Linear head;

                public Wrapped([Width(64)] int width, [Depth(2)] int layers) : base(nameof(Wrapped))
                {
                    transformer = new Trunk(width, layers);
                    head = Linear(width, 5);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => head.forward(transformer.forward(x) * MupReadoutMultiplier);
            }
            """);
        var root = files.Single(f => f.HintName == "Samples.Gpt.Wrapped.Mup.g.cs").Text;
        Assert.Contains("new global::MupGen.Facts.MupDepthSymbol(\"layers\", 2, \"transformer.h\")", root);
        Assert.Contains("MupParameterFact(\"transformer.h.*.attn.q.weight\", global::MupGen.MupLayerKind.Linear, \"weight\", global::MupGen.MupRole.Hidden, new global::MupGen.Facts.MupDim[] { global::MupGen.Facts.MupDim.Scaled(64L, \"width\"), global::MupGen.Facts.MupDim.Scaled(64L, \"width\") }, InResidualBlock: true)", root);
        Assert.Contains("MupAttentionFact(\"transformer.h.*.attn\", global::MupGen.Facts.MupDim.Scaled(16L, \"width\"))", root);
        Assert.Contains("\"head.weight\", global::MupGen.MupLayerKind.Linear, \"weight\", global::MupGen.MupRole.Readout, new global::MupGen.Facts.MupDim[] { global::MupGen.Facts.MupDim.Fixed, global::MupGen.Facts.MupDim.Scaled(64L, \"width\") })", root);
    }

    [Fact]
    public void DepthThatBoundsNoBlockListHasNoBlockList()
    {
        var text = GeneratorHarness.RunSingle(Usings + """
            namespace Samples;

            public partial class Shallow : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                [ReadoutLayer] private readonly Linear head;

                public Shallow([Width(64)] int width, [Depth(2)] int layers) : base("shallow")
                {
                    fc = Linear(width, width);
                    head = Linear(width, 2);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => x;
            }
            """);
        Assert.Contains("new global::MupGen.Facts.MupDepthSymbol(\"layers\", 2, null)", text);
        Assert.DoesNotContain("InResidualBlock", text);
    }
}
