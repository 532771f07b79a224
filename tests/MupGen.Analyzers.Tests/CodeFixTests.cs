using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using MupGen.CodeFixes;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>Every code fix on the testing framework: one fix (FixedCode) and fix-all in the document (BatchFixedCode)
/// give the expected text, and the fixed code has exactly the diagnostics marked in it (no compiler error, with the
/// generator run). "No fix offered" is FixedCode = TestCode with every provider of the package.</summary>
public class CodeFixTests
{
    // ---- MUP001 ----

    private const string Unresolved = Usings + """
        public partial class M1 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear {|MUP012:odd|};
            private readonly Linear {|MUP012:other|};
            [ReadoutLayer] private readonly Linear readout;

            public M1([Width(64)] int width) : base(nameof(M1))
            {
                input = Linear(8, width);
                odd = Linear(width, Compute(width));
                other = Linear(Compute(width), width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            // Virtual: a derived class may size it otherwise, so the generator does not follow it.
            protected virtual int Compute(int w) => w;

            public override Tensor forward(Tensor x) => readout.forward(other.forward(odd.forward(input.forward(x))) * MupReadoutMultiplier);
        }
        """;

    /// <summary>A member whose sizes the generator could not read gets no role-attribute fix: the attribute would
    /// assert that those sizes grow exactly with the width, which nothing checked (issue 8.2: right or absent).</summary>
    [Fact]
    public async Task Mup012_NoRoleAttributeOffered()
    {
        // Every provider of the package: none may offer anything (FixedCode = TestCode), on both diagnostics.
        var test = new MupCodeFixTest { TestCode = Unresolved, FixedCode = Unresolved, CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllCheck };
        await test.RunAsync();
        Assert.All(test.Offered, offered => Assert.Empty(offered));
    }

    // ---- MUP002 ----

    private const string NotPartial = Usings + """
        public class {|MUP002:A|} : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public A([Width(64)] int width) : base(nameof(A)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward({|MUP005:input.forward(x)|});
        }

        class {|MUP002:B|} : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public B([Width(64)] int width) : base(nameof(B)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward({|MUP005:input.forward(x)|});
        }
        """;

    [Fact]
    public async Task Mup002_FixAll_MakesEveryClassPartial() => await new MupCodeFixTest(new MakePartialCodeFix())
    {
        TestCode = NotPartial,
        // The readout inputs lack the multiplier (MUP005) before and after.
        FixedCode = NotPartial.Replace("public class {|MUP002:A|}", "public partial class A"),
        BatchFixedCode = NotPartial
            .Replace("public class {|MUP002:A|}", "public partial class A")
            .Replace("\nclass {|MUP002:B|}", "\npartial class B"),
        CodeActionEquivalenceKey = MakePartialCodeFix.Key,
        CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne,
    }.RunAsync();

    [Fact]
    public async Task Mup002_EveryDeclarationPartAndContainingType()
    {
        const string source = Usings + """
            public class Outer
            {
                public partial class {|MUP002:Inner|} : Module<Tensor, Tensor>
                {
                    private readonly Linear input;
                    [ReadoutLayer] private readonly Linear readout;
                    public Inner([Width(64)] int width) : base(nameof(Inner)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
                    public override Tensor forward(Tensor x) => readout.forward({|MUP005:input.forward(x)|});
                }
            }
            """;
        await new MupCodeFixTest(new MakePartialCodeFix())
        {
            TestCode = source,
            FixedCode = source
                .Replace("public class Outer", "public partial class Outer")
                .Replace("{|MUP002:Inner|}", "Inner"),
            CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne | CodeFixTestBehaviors.SkipFixAllCheck,
        }.RunAsync();
    }

    // ---- MUP010 ----

    private const string NestedNotPartial = Usings + """
        public partial class Net : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<Block> blocks;
            private readonly Head head;

            public Net([Width(64)] int width, [Depth(2)] int depth) : base(nameof(Net))
            {
                input = Linear(8, width);
                blocks = new ModuleList<Block>();
                for (int i = 0; i < depth; i++)
                    blocks.Add(new Block(width));
                head = new Head(width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                foreach (var block in blocks)
                    h = block.forward(h);
                return head.forward(h);
            }
        }

        public class {|MUP010:Block|} : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => x + {|CS0103:MupResidualMultiplier|} * fc.forward(x);
        }

        class {|MUP010:Head|} : Module<Tensor, Tensor>
        {
            [ReadoutLayer] private readonly Linear fc;
            public Head(int width) : base(nameof(Head)) { fc = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x * {|CS0103:MupReadoutMultiplier|});
        }
        """;

    [Fact]
    public async Task Mup010_FixAll_MakesEveryNestedModulePartial_AndTheMultipliersCompile() => await new MupCodeFixTest(new MakePartialCodeFix())
    {
        // Before: MUP010 at both classes and the compiler's CS0103 at both multipliers. After: nothing at all.
        TestCode = NestedNotPartial,
        FixedCode = NestedNotPartial
            .Replace("public class {|MUP010:Block|}", "public partial class Block")
            .Replace("{|CS0103:MupResidualMultiplier|}", "MupResidualMultiplier"),
        BatchFixedCode = NestedNotPartial
            .Replace("public class {|MUP010:Block|}", "public partial class Block")
            .Replace("\nclass {|MUP010:Head|}", "\npartial class Head")
            .Replace("{|CS0103:MupResidualMultiplier|}", "MupResidualMultiplier")
            .Replace("{|CS0103:MupReadoutMultiplier|}", "MupReadoutMultiplier"),
        CodeActionEquivalenceKey = MakePartialCodeFix.Key,
        CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne,
    }.RunAsync();

    [Fact]
    public async Task Mup010_One_AlsoTheContainingTypes()
    {
        const string source = Usings + """
            public partial class Net : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly ModuleList<Layers.Block> blocks;
                private readonly Head head;

                public Net([Width(64)] int width, [Depth(2)] int depth) : base(nameof(Net))
                {
                    input = Linear(8, width);
                    blocks = new ModuleList<Layers.Block>();
                    for (int i = 0; i < depth; i++)
                        blocks.Add(new Layers.Block(width));
                    head = new Head(width);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    var h = input.forward(x);
                    foreach (var block in blocks)
                        h = block.forward(h);
                    return head.forward(h);
                }
            }

            public class Layers
            {
            public class {|MUP010:Block|} : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => x + {|CS0103:MupResidualMultiplier|} * fc.forward(x);
            }
            }

            partial class Head : Module<Tensor, Tensor>
            {
                [ReadoutLayer] private readonly Linear fc;
                public Head(int width) : base(nameof(Head)) { fc = Linear(width, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x * MupReadoutMultiplier);
            }
            """;
        var test = new MupCodeFixTest(new MakePartialCodeFix())
        {
            TestCode = source,
            FixedCode = source
                .Replace("public class Layers", "public partial class Layers")
                .Replace("public class {|MUP010:Block|}", "public partial class Block")
                .Replace("{|CS0103:MupResidualMultiplier|}", "MupResidualMultiplier"),
            CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne | CodeFixTestBehaviors.SkipFixAllCheck,
        };
        await test.RunAsync();
        Assert.NotEmpty(test.Offered);
        Assert.All(test.Offered, offered => Assert.Equal(new[] { "Make the nested module class partial" }, offered));
    }

    // ---- MUP003 ----

    private const string NoReadout = Usings + """
        public partial class M3 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear {|MUP003:head|};
            private readonly Linear {|MUP003:aux|};

            public M3([Width(64)] int width) : base(nameof(M3))
            {
                input = Linear(8, width);
                head = Linear(width, 10);
                aux = Linear(width, 3);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(input.forward(x) * MupReadoutMultiplier) + aux.forward(input.forward(x) * MupReadoutMultiplier).sum();
        }
        """;

    [Fact]
    public async Task Mup003_One_AndFixAll_MarkReadout() => await new MupCodeFixTest(new RoleAttributeCodeFix())
    {
        TestCode = NoReadout,
        // One fix (the first offered), then fix-all with the ReadoutLayer action.
        FixedCode = NoReadout.Replace("    private readonly Linear {|MUP003:head|};", "    [ReadoutLayer] private readonly Linear head;"),
        BatchFixedCode = NoReadout
            .Replace("    private readonly Linear {|MUP003:head|};", "    [ReadoutLayer] private readonly Linear head;")
            .Replace("    private readonly Linear {|MUP003:aux|};", "    [ReadoutLayer] private readonly Linear aux;"),
        CodeActionEquivalenceKey = RoleAttributeCodeFix.Key("ReadoutLayer"),
        CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne,
    }.RunAsync();

    // ---- MUP005 ----

    private const string Readout = Usings + """
        public partial class M5 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;

            public M5([Width(64)] int width) : base(nameof(M5))
            {
                input = Linear(8, width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                return readout.forward({|MUP005:h|}) + readout.call({|MUP005:functional.relu(h) + h|}) + readout.forward({|MUP005:h * 2|});
            }
        }
        """;

    [Fact]
    public async Task Mup005_One_AndFixAll_MultiplyEveryReadoutInput() => await new MupCodeFixTest(new MultiplierCodeFix())
    {
        TestCode = Readout,
        FixedCode = Readout.Replace("readout.forward({|MUP005:h|})", "readout.forward(h * MupReadoutMultiplier)"),
        BatchFixedCode = Readout.Replace(
            "readout.forward({|MUP005:h|}) + readout.call({|MUP005:functional.relu(h) + h|}) + readout.forward({|MUP005:h * 2|})",
            "readout.forward(h * MupReadoutMultiplier) + readout.call((functional.relu(h) + h) * MupReadoutMultiplier) + readout.forward(h * 2 * MupReadoutMultiplier)"),
        CodeActionEquivalenceKey = MultiplierCodeFix.ReadoutKey,
        CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne,
    }.RunAsync();

    // ---- MUP006 ----

    private const string Residual = Usings + """
        public partial class Deep : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<Block> blocks;
            [ReadoutLayer] private readonly Linear readout;

            public Deep([Width(64)] int width, [Depth(2)] int depth) : base(nameof(Deep))
            {
                input = Linear(8, width);
                blocks = new ModuleList<Block>();
                for (int i = 0; i < depth; i++)
                    blocks.Add(new Block(width));
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                foreach (var block in blocks)
                    h = block.forward(h);
                return readout.forward(h * MupReadoutMultiplier);
            }
        }

        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc1;
            private readonly Linear fc2;

            public Block(int width) : base(nameof(Block))
            {
                fc1 = Linear(width, width);
                fc2 = Linear(width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + {|MUP006:fc1.forward(x)|};
                x += {|MUP006:fc2.forward(x) + fc1.forward(x)|};
                return x + {|MUP006:functional.relu(fc2.forward(x))|};
            }
        }
        """;

    [Fact]
    public async Task Mup006_FixAll_MultipliesEveryBranch() => await new MupCodeFixTest(new MultiplierCodeFix())
    {
        TestCode = Residual,
        FixedCode = Residual.Replace("x = x + {|MUP006:fc1.forward(x)|};", "x = x + MupResidualMultiplier * fc1.forward(x);"),
        BatchFixedCode = Residual
            .Replace("x = x + {|MUP006:fc1.forward(x)|};", "x = x + MupResidualMultiplier * fc1.forward(x);")
            .Replace("x += {|MUP006:fc2.forward(x) + fc1.forward(x)|};", "x += MupResidualMultiplier * (fc2.forward(x) + fc1.forward(x));")
            .Replace("return x + {|MUP006:functional.relu(fc2.forward(x))|};", "return x + MupResidualMultiplier * functional.relu(fc2.forward(x));"),
        CodeActionEquivalenceKey = MultiplierCodeFix.ResidualKey,
        CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne,
    }.RunAsync();

    // ---- MUP007 ----

    private const string Attention = Usings + """
        public partial class Gpt : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Linear q;
            private readonly Linear k;
            private readonly Linear v;
            [ReadoutLayer] private readonly Linear lm_head;
            private readonly int headDim;
            private readonly double scaleDim;

            public Gpt([Width(64)] int width, int vocab = 100, int heads = 4) : base(nameof(Gpt))
            {
                headDim = width / heads;
                scaleDim = headDim;
                wte = Embedding(vocab, width);
                q = Linear(width, width);
                k = Linear(width, width);
                v = Linear(width, width);
                lm_head = Linear(width, vocab);
                RegisterComponents();
            }

            public override Tensor forward(Tensor idx)
            {
                var x = wte.forward(idx);
                var (qs, ks, vs) = (q.forward(x), k.forward(x), v.forward(x));
                var a1 = qs.matmul(ks.transpose(-2, -1)) / {|MUP007:Math.Sqrt(headDim)|};
                var a2 = qs.matmul(ks.transpose(-2, -1)) * {|MUP007:(1.0 / Math.Sqrt(headDim))|};
                var a3 = torch.matmul(qs, ks.transpose(-2, -1)) * {|MUP007:Math.Pow(scaleDim, -0.5)|};
                var scores = qs.matmul(ks.transpose(-2, -1));
                scores /= {|MUP007:Math.Sqrt(ks.shape[^1])|};
                var y = {|MUP007:functional.scaled_dot_product_attention(qs, ks, vs, is_casual: true)|};
                var h = (a1 + a2 + a3 + scores).softmax(-1).matmul(vs) + y;
                return lm_head.forward(h * MupReadoutMultiplier);
            }
        }
        """;

    [Fact]
    public async Task Mup007_One_AndFixAll_UseMupAttentionScale() => await new MupCodeFixTest(new AttentionScaleCodeFix())
    {
        TestCode = Attention,
        FixedCode = Attention.Replace("/ {|MUP007:Math.Sqrt(headDim)|};", "* MupAttentionScale(headDim);"),
        BatchFixedCode = Attention
            .Replace("/ {|MUP007:Math.Sqrt(headDim)|};", "* MupAttentionScale(headDim);")
            .Replace("* {|MUP007:(1.0 / Math.Sqrt(headDim))|};", "* MupAttentionScale(headDim);")
            .Replace("{|MUP007:Math.Pow(scaleDim, -0.5)|}", "MupAttentionScale((long)scaleDim)")
            // A tensor's shape is not readable at compile time (MUP020): the class's head-dimension field instead.
            .Replace("scores /= {|MUP007:Math.Sqrt(ks.shape[^1])|};", "scores *= MupAttentionScale(headDim);")
            .Replace("{|MUP007:functional.scaled_dot_product_attention(qs, ks, vs, is_casual: true)|}",
                "MupAttention.ScaledDotProduct(qs, ks, vs, MupAttentionScale(headDim), isCausal: true)"),
        CodeActionEquivalenceKey = AttentionScaleCodeFix.Key,
        CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne,
    }.RunAsync();

    // ---- MUP008 ----

    private const string Optimizers = Usings + """
        public partial class Mlp8 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public Mlp8([Width(64)] int width) : base(nameof(Mlp8)) { input = Linear(8, width); readout = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
        }

        public static class Train
        {
            public static void Run(double lr)
            {
                var model = new Mlp8(128);
                var a = {|MUP008:torch.optim.AdamW(model.parameters(), lr, weight_decay: 0.1)|};
                var b = {|MUP008:new AdamW(model.parameters())|};
                var c = {|MUP008:torch.optim.SGD(model.parameters(), 0.1, momentum: 0.9, nesterov: true)|};
                var d = {|MUP008:torch.optim.Adam(model.parameters(), 1e-3, 0.8, 0.99, 1e-6, 0.01, true)|};
                var e = {|MUP008:torch.optim.Adam(model.named_parameters().Select(p => p.Item2), 1e-3)|};
            }
        }
        """;

    [Fact]
    public async Task Mup008_FixAll_KeepsEveryArgumentByName() => await new MupCodeFixTest(new OptimizerCodeFix())
    {
        TestCode = Optimizers,
        FixedCode = Optimizers.Replace("{|MUP008:torch.optim.AdamW(model.parameters(), lr, weight_decay: 0.1)|}", "model.MupAdamW(lr: lr, weightDecay: 0.1)"),
        // The named_parameters() subset keeps its diagnostic: no faithful rewrite exists.
        BatchFixedCode = Optimizers
            .Replace("{|MUP008:torch.optim.AdamW(model.parameters(), lr, weight_decay: 0.1)|}", "model.MupAdamW(lr: lr, weightDecay: 0.1)")
            .Replace("{|MUP008:new AdamW(model.parameters())|}", "model.MupAdamW(lr: 0.001, weightDecay: 0)")
            .Replace("{|MUP008:torch.optim.SGD(model.parameters(), 0.1, momentum: 0.9, nesterov: true)|}", "model.MupSGD(lr: 0.1, momentum: 0.9, nesterov: true)")
            .Replace("{|MUP008:torch.optim.Adam(model.parameters(), 1e-3, 0.8, 0.99, 1e-6, 0.01, true)|}",
                "model.MupAdam(lr: 1e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.01, amsgrad: true)"),
        CodeActionEquivalenceKey = OptimizerCodeFix.Key,
        CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne,
    }.RunAsync();

    [Fact]
    public async Task Mup008_NoFixForASubset()
    {
        const string source = Usings + """
            public partial class Mlp8 : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                [ReadoutLayer] private readonly Linear readout;
                public Mlp8([Width(64)] int width) : base(nameof(Mlp8)) { input = Linear(8, width); readout = Linear(width, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
                public AdamW Optimizer() => {|MUP008:torch.optim.AdamW(named_parameters().Select(p => p.Item2), maximize: true)|};
            }
            """;
        // Every provider of the package: none offers anything.
        var test = new MupCodeFixTest { TestCode = source, FixedCode = source, CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllCheck };
        await test.RunAsync();
        Assert.All(test.Offered, offered => Assert.Empty(offered));
    }
}
