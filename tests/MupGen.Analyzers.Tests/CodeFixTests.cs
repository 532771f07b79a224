using System.Linq;
using System.Threading.Tasks;
using MupGen.CodeFixes;
using Xunit;
using static MupGen.Analyzers.Tests.Harness;

namespace MupGen.Analyzers.Tests;

/// <summary>Every code fix through an AdhocWorkspace: the fixed source compiles (with the generator), the diagnostic
/// is gone, and fix-all over a file with several instances gives the expected text.</summary>
public class CodeFixTests
{
    // ---- MUP001 ----

    private const string Unresolved = Usings + """
        public partial class M1 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear odd;
            private readonly Linear other;
            [ReadoutLayer] private readonly Linear readout;

            public M1([Width(64)] int width) : base(nameof(M1))
            {
                input = Linear(8, width);
                odd = Linear(width, Compute(width));
                other = Linear(Compute(width), width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            private static int Compute(int w) => w;

            public override Tensor forward(Tensor x) => readout.forward(other.forward(odd.forward(input.forward(x))) * MupReadoutMultiplier);
        }
        """;

    /// <summary>A member whose sizes the generator could not read gets no role-attribute fix: the attribute would
    /// assert that those sizes grow exactly with the width, which nothing checked (issue 8.2: right or absent).</summary>
    [Fact]
    public async Task Mup012_NoRoleAttributeOffered()
    {
        var document = CreateDocument(Unresolved);
        var diagnostics = await DiagnosticsAsync(document, "MUP012");
        Assert.Equal(2, diagnostics.Length);
        foreach (var provider in CodeFixProviders.All)
        {
            foreach (var diagnostic in diagnostics)
            {
                var actions = new System.Collections.Generic.List<Microsoft.CodeAnalysis.CodeActions.CodeAction>();
                if (provider.FixableDiagnosticIds.Contains(diagnostic.Id))
                    await provider.RegisterCodeFixesAsync(new Microsoft.CodeAnalysis.CodeFixes.CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), default));
                Assert.Empty(actions);
            }
        }
    }

    // ---- MUP002 ----

    private const string NotPartial = Usings + """
        public class A : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public A([Width(64)] int width) : base(nameof(A)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward(input.forward(x));
        }

        class B : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public B([Width(64)] int width) : base(nameof(B)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward(input.forward(x));
        }
        """;

    [Fact]
    public async Task Mup002_FixAll_MakesEveryClassPartial()
    {
        var fixedSource = await FixAllAsync(NotPartial, "MUP002", new MakePartialCodeFix(), MakePartialCodeFix.Key);
        Assert.Equal(NotPartial.Replace("public class A", "public partial class A").Replace("\nclass B", "\npartial class B"), fixedSource);
        AssertFixedExcept(fixedSource, "MUP002", null, ignore: "MUP005");
    }

    [Fact]
    public async Task Mup002_EveryDeclarationPartAndContainingType()
    {
        const string source = Usings + """
            public class Outer
            {
                public partial class Inner : Module<Tensor, Tensor>
                {
                    private readonly Linear input;
                    [ReadoutLayer] private readonly Linear readout;
                    public Inner([Width(64)] int width) : base(nameof(Inner)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
                    public override Tensor forward(Tensor x) => readout.forward(input.forward(x));
                }
            }
            """;
        var fixedSource = await FixOneAsync(source, "MUP002", new MakePartialCodeFix());
        Assert.Equal(source.Replace("public class Outer", "public partial class Outer"), fixedSource);
        AssertFixedExcept(fixedSource, "MUP002", null, ignore: "MUP005");
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

        public class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x);
        }

        class Head : Module<Tensor, Tensor>
        {
            [ReadoutLayer] private readonly Linear fc;
            public Head(int width) : base(nameof(Head)) { fc = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x * MupReadoutMultiplier);
        }
        """;

    [Fact]
    public async Task Mup010_FixAll_MakesEveryNestedModulePartial_AndTheMultipliersCompile()
    {
        var before = Analyze(NestedNotPartial);
        Assert.Equal(2, before.Mup.Count(d => d.Id == "MUP010"));
        Assert.Equal(2, before.Errors.Count(e => e.Id == "CS0103"));

        var fixedSource = await FixAllAsync(NestedNotPartial, "MUP010", new MakePartialCodeFix(), MakePartialCodeFix.Key);
        Assert.Equal(NestedNotPartial
            .Replace("public class Block", "public partial class Block")
            .Replace("\nclass Head", "\npartial class Head"), fixedSource);
        // AssertFixed: compiles with the generator (no CS0103 left) and no MUP010.
        AssertFixed(fixedSource, "MUP010");
        Assert.Empty(Analyze(fixedSource).Mup);
    }

    [Fact]
    public async Task Mup010_One_AlsoTheContainingTypes()
    {
        var source = NestedNotPartial
            .Replace("public class Block : Module<Tensor, Tensor>\n{", "public class Layers\n{\npublic class Block : Module<Tensor, Tensor>\n{")
            .Replace("fc.forward(x);\n}\n\nclass Head", "fc.forward(x);\n}\n}\n\npartial class Head")
            .Replace("ModuleList<Block>", "ModuleList<Layers.Block>")
            .Replace("new Block(width)", "new Layers.Block(width)");
        Assert.Contains("public class Layers\n{\npublic class Block", source);
        Assert.Contains("}\n}\n\npartial class Head", source);
        var actions = await ActionsAsync(source, "MUP010", new MakePartialCodeFix());
        Assert.Equal("Make the nested module class partial", Assert.Single(actions).Title);
        var fixedSource = await FixOneAsync(source, "MUP010", new MakePartialCodeFix());
        Assert.Equal(source.Replace("public class Layers", "public partial class Layers").Replace("public class Block", "public partial class Block"), fixedSource);
        AssertFixed(fixedSource, "MUP010");
    }

    // ---- MUP003 ----

    private const string NoReadout = Usings + """
        public partial class M3 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear head;
            private readonly Linear aux;

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
    public async Task Mup003_FixAll_MarksReadout()
    {
        var fixedSource = await FixAllAsync(NoReadout, "MUP003", new RoleAttributeCodeFix(), RoleAttributeCodeFix.Key("ReadoutLayer"));
        Assert.Equal(NoReadout
            .Replace("    private readonly Linear head;", "    [ReadoutLayer] private readonly Linear head;")
            .Replace("    private readonly Linear aux;", "    [ReadoutLayer] private readonly Linear aux;"), fixedSource);
        AssertFixed(fixedSource, "MUP003");
    }

    [Fact]
    public async Task Mup003_One()
    {
        var fixedSource = await FixOneAsync(NoReadout, "MUP003", new RoleAttributeCodeFix());
        Assert.Equal(NoReadout.Replace("    private readonly Linear head;", "    [ReadoutLayer] private readonly Linear head;"), fixedSource);
    }

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
                return readout.forward(h) + readout.call(functional.relu(h) + h) + readout.forward(h * 2);
            }
        }
        """;

    [Fact]
    public async Task Mup005_FixAll_MultipliesEveryReadoutInput()
    {
        var fixedSource = await FixAllAsync(Readout, "MUP005", new MultiplierCodeFix(), MultiplierCodeFix.ReadoutKey);
        Assert.Equal(Readout.Replace(
            "readout.forward(h) + readout.call(functional.relu(h) + h) + readout.forward(h * 2)",
            "readout.forward(h * MupReadoutMultiplier) + readout.call((functional.relu(h) + h) * MupReadoutMultiplier) + readout.forward(h * 2 * MupReadoutMultiplier)"),
            fixedSource);
        AssertFixed(fixedSource, "MUP005");
    }

    [Fact]
    public async Task Mup005_One()
    {
        var fixedSource = await FixOneAsync(Readout, "MUP005", new MultiplierCodeFix());
        Assert.Contains("return readout.forward(h * MupReadoutMultiplier) + readout.call(functional.relu(h) + h)", fixedSource);
    }

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
                x = x + fc1.forward(x);
                x += fc2.forward(x) + fc1.forward(x);
                return x + functional.relu(fc2.forward(x));
            }
        }
        """;

    [Fact]
    public async Task Mup006_FixAll_MultipliesEveryBranch()
    {
        var fixedSource = await FixAllAsync(Residual, "MUP006", new MultiplierCodeFix(), MultiplierCodeFix.ResidualKey);
        Assert.Equal(Residual
            .Replace("x = x + fc1.forward(x);", "x = x + MupResidualMultiplier * fc1.forward(x);")
            .Replace("x += fc2.forward(x) + fc1.forward(x);", "x += MupResidualMultiplier * (fc2.forward(x) + fc1.forward(x));")
            .Replace("return x + functional.relu(fc2.forward(x));", "return x + MupResidualMultiplier * functional.relu(fc2.forward(x));"),
            fixedSource);
        AssertFixedNested(fixedSource, "MUP006", "Block");
    }

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
                var a1 = qs.matmul(ks.transpose(-2, -1)) / Math.Sqrt(headDim);
                var a2 = qs.matmul(ks.transpose(-2, -1)) * (1.0 / Math.Sqrt(headDim));
                var a3 = torch.matmul(qs, ks.transpose(-2, -1)) * Math.Pow(scaleDim, -0.5);
                var scores = qs.matmul(ks.transpose(-2, -1));
                scores /= Math.Sqrt(ks.shape[^1]);
                var y = functional.scaled_dot_product_attention(qs, ks, vs, is_casual: true);
                var h = (a1 + a2 + a3 + scores).softmax(-1).matmul(vs) + y;
                return lm_head.forward(h * MupReadoutMultiplier);
            }
        }
        """;

    [Fact]
    public async Task Mup007_FixAll_UsesMupAttentionScale()
    {
        var fixedSource = await FixAllAsync(Attention, "MUP007", new AttentionScaleCodeFix(), AttentionScaleCodeFix.Key);
        Assert.Equal(Attention
            .Replace("/ Math.Sqrt(headDim);", "* MupAttentionScale(headDim);")
            .Replace("* (1.0 / Math.Sqrt(headDim));", "* MupAttentionScale(headDim);")
            .Replace("Math.Pow(scaleDim, -0.5)", "MupAttentionScale((long)scaleDim)")
            .Replace("scores /= Math.Sqrt(ks.shape[^1]);", "scores *= MupAttentionScale(ks.shape[^1]);")
            .Replace("functional.scaled_dot_product_attention(qs, ks, vs, is_casual: true)",
                "MupAttention.ScaledDotProduct(qs, ks, vs, MupAttentionScale(qs.shape[^1]), isCausal: true)"),
            fixedSource);
        AssertFixed(fixedSource, "MUP007");
    }

    [Fact]
    public async Task Mup007_One()
    {
        var fixedSource = await FixOneAsync(Attention, "MUP007", new AttentionScaleCodeFix());
        Assert.Contains("var a1 = qs.matmul(ks.transpose(-2, -1)) * MupAttentionScale(headDim);", fixedSource);
        Assert.Contains("/ Math.Sqrt(ks.shape[^1])", fixedSource.Replace("scores /= Math.Sqrt", "scores / Math.Sqrt"));
    }

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
                var a = torch.optim.AdamW(model.parameters(), lr, weight_decay: 0.1);
                var b = new AdamW(model.parameters());
                var c = torch.optim.SGD(model.parameters(), 0.1, momentum: 0.9, nesterov: true);
                var d = torch.optim.Adam(model.parameters(), 1e-3, 0.8, 0.99, 1e-6, 0.01, true);
                var e = torch.optim.Adam(model.named_parameters().Select(p => p.Item2), 1e-3);
            }
        }
        """;

    [Fact]
    public async Task Mup008_FixAll_KeepsEveryArgumentByName()
    {
        var fixedSource = await FixAllAsync(Optimizers, "MUP008", new OptimizerCodeFix(), OptimizerCodeFix.Key);
        Assert.Equal(Optimizers
            .Replace("torch.optim.AdamW(model.parameters(), lr, weight_decay: 0.1)", "model.MupAdamW(lr: lr, weightDecay: 0.1)")
            .Replace("new AdamW(model.parameters())", "model.MupAdamW(lr: 0.001, weightDecay: 0)")
            .Replace("torch.optim.SGD(model.parameters(), 0.1, momentum: 0.9, nesterov: true)", "model.MupSGD(lr: 0.1, momentum: 0.9, nesterov: true)")
            .Replace("torch.optim.Adam(model.parameters(), 1e-3, 0.8, 0.99, 1e-6, 0.01, true)",
                "model.MupAdam(lr: 1e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.01, amsgrad: true)"),
            fixedSource);
        // The named_parameters() subset keeps its diagnostic: no faithful rewrite exists.
        var result = Analyze(fixedSource);
        Assert.False(result.Errors.Any(), string.Join("\n", result.Errors));
        Assert.Single(result.Mup);
    }

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
                public AdamW Optimizer() => torch.optim.AdamW(named_parameters().Select(p => p.Item2), maximize: true);
            }
            """;
        Assert.Empty(await ActionsAsync(source, "MUP008", new OptimizerCodeFix()));
    }

    // ---- helpers ----

    /// <summary>Compiles; <paramref name="id"/> is gone except at a layer named <paramref name="except"/>.</summary>
    private static void AssertFixedExcept(string source, string id, string? except, string? ignore = null)
    {
        var result = Analyze(source);
        Assert.True(!result.Errors.Any(), "fixed source does not compile:\n" + string.Join("\n", result.Errors));
        var left = result.Mup.Where(d => d.Id == id).ToList();
        Assert.True(left.All(d => except is not null && d.GetMessage().Contains($"'{except}'")), string.Join("\n", left));
        Assert.Empty(result.Exceptions);
    }

    /// <summary>As AssertFixed, for a fix that writes a forward multiplier inside a nested module. Until the generator
    /// gives nested modules their members (IMupSubmodule), the only error allowed is that member's absence there.</summary>
    private static void AssertFixedNested(string source, string id, string nestedClass)
    {
        var result = Analyze(source);
        var nested = result.Compilation.GetTypeByMetadataName(nestedClass);
        var generated = nested?.AllInterfaces.Any(i => i.Name == "IMupSubmodule") == true;
        var errors = result.Errors.Where(e => generated || !(e.Id == "CS0103" && e.GetMessage().Contains("'Mup"))).ToList();
        Assert.True(errors.Count == 0, "fixed source does not compile:\n" + string.Join("\n", errors));
        Assert.DoesNotContain(result.Mup, d => d.Id == id);
        Assert.Empty(result.Exceptions);
    }
}
