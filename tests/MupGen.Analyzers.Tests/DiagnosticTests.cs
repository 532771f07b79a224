using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>Every diagnostic at its exact span ({|MUP00N:...|} markup), and no other MUP diagnostic.</summary>
public class DiagnosticTests
{
    [Fact]
    public async Task Mup012_SizeFromAMethodCall_AtTheField_WithWhatWasNotRead()
    {
        var reported = await VerifyAsync(Usings + """
            public partial class M1 : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|#0:odd|};
                [ReadoutLayer] private readonly Linear readout;

                public M1([Width(64)] int width) : base(nameof(M1))
                {
                    input = Linear(8, width);
                    odd = Linear(width, {|#1:Compute(width)|});
                    readout = Linear(width, 10);
                    RegisterComponents();
                }

                // Virtual: a derived class may size it otherwise, so the generator does not follow it.
                protected virtual int Compute(int w) => w * 2;

                public override Tensor forward(Tensor x) => readout.forward(odd.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
            // The expression the generator could not follow is the additional location.
            Diagnostic("MUP012").WithLocation(0).WithLocation(1).WithArguments("odd", "M1",
                "could not read 'outputSize' of Linear 'odd': Compute(width) is a size computed by a virtual, abstract or interface method, which a derived class may replace (make it non-virtual, or compute the size in the constructor)",
                "pass the size to the constructor as an int parameter (a [Width] one if it is the width) or compute it there from the width and constants (inline, or in a non-virtual method, local function or get-only property of this project that returns it), or set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel) to take its rule from the shapes of a base and a wider model, as mup does"));
        var diagnostic = reported.Single();
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'odd'", message);
        Assert.Contains("Compute(width) is a size computed by a virtual, abstract or interface method", message);
        Assert.Contains("MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel)", message);
        // No role attribute is offered: the generator cannot tell whether Compute(width) grows with the width.
        Assert.False(diagnostic.Properties.ContainsKey(DiagnosticProperties.Roles));
        Assert.Equal("OpaqueSize", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.Equal("odd.**", diagnostic.Properties[DiagnosticProperties.Parameters]);
        Assert.Equal("https://github.com/mupgen/mupgen/blob/main/docs/diagnostics/MUP012.md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public Task SizeHelpers_AreFollowed_NoDiagnostic() => VerifyAsync(Usings + """
        public partial class SizeHelped : Module<Tensor, Tensor>
        {
            private readonly int _width;
            private readonly Linear input, up, down, rounded, inner;
            [ReadoutLayer] private readonly Linear readout;

            public SizeHelped([Width(64)] int width, int multipleOf = 32) : base(nameof(SizeHelped))
            {
                _width = width;
                int Mlp(int d) => (int)(8 * d / 3);
                input = Linear(8, width);
                var hidden = Hidden(width);
                up = Linear(width, hidden);
                down = Linear(hidden, width);
                rounded = Linear(width, RoundUp(Mlp(width), multipleOf));
                inner = Linear(Inner, width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            private static int Hidden(int width) => 4 * width;
            private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
            private int Inner => 2 * _width;

            public override Tensor forward(Tensor x) => readout.forward(x * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public async Task Mup012_SizeHelperWhoseResultIsNotRead_AtTheField_TheCallIsTheAdditionalLocation()
    {
        var reported = await VerifyAsync(Usings + """
            public partial class SizeLoud : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|#0:ffn|};
                [ReadoutLayer] private readonly Linear readout;

                public SizeLoud([Width(64)] int width) : base(nameof(SizeLoud))
                {
                    input = Linear(8, width);
                    ffn = Linear(width, {|#1:Ffn(width)|});
                    readout = Linear(width, 10);
                    RegisterComponents();
                }

                private static int Ffn(int w) => (int)Math.Round(w * 2.67);

                public override Tensor forward(Tensor x) => readout.forward(ffn.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
            Diagnostic("MUP012").WithLocation(0).WithLocation(1).WithArguments("ffn", "SizeLoud",
                "could not read 'outputSize' of Linear 'ffn': Ffn(width) is a size computed by a method whose result the generator cannot read: Math.Round(w * 2.67) is a floating-point call (Math.Round), which the generator does not follow (write the size in integer arithmetic)",
                "pass the size to the constructor as an int parameter (a [Width] one if it is the width) or compute it there from the width and constants (inline, or in a non-virtual method, local function or get-only property of this project that returns it), or set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel) to take its rule from the shapes of a base and a wider model, as mup does"));
        var diagnostic = reported.Single();
        Assert.Equal("OpaqueSize", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.Equal("ffn.**", diagnostic.Properties[DiagnosticProperties.Parameters]);
        Assert.False(diagnostic.Properties.ContainsKey(DiagnosticProperties.Roles));
    }

    [Fact]
    public Task Mup012_SizesFromAMutableReadingGetter_AndFromAFieldAVoidMethodWrites_AtTheFields_CallsAreTheAdditionalLocations() => VerifyAsync(Usings + """
        public partial class SizeWrites : Module<Tensor, Tensor>
        {
            private int _hidden;
            private int _width;
            private readonly Linear input;
            private readonly Linear {|#0:fromInit|};
            private readonly Linear {|#2:fromGetter|};
            [ReadoutLayer] private readonly Linear readout;

            public SizeWrites([Width(64)] int width) : base(nameof(SizeWrites))
            {
                _width = width;
                input = Linear(8, width);
                {|#1:Init(width)|};
                fromInit = Linear(width, _hidden);
                fromGetter = Linear(width, {|#3:Wide|});
                readout = Linear(width, 10);
                RegisterComponents();
            }

            private int Wide => 2 * _width;
            private void Init(int w) { _hidden = 4 * w; }

            public override Tensor forward(Tensor x) => readout.forward(x * MupReadoutMultiplier);
        }
        """,
        Diagnostic("MUP012").WithLocation(0).WithLocation(1).WithArguments("fromInit", "SizeWrites",
            "could not read 'outputSize' of Linear 'fromInit': _hidden is assigned by Init(width), which the generator does not follow (assign it in the constructor)",
            UnresolvedAdviceText),
        Diagnostic("MUP012").WithLocation(2).WithLocation(3).WithArguments("fromGetter", "SizeWrites",
            "could not read 'outputSize' of Linear 'fromGetter': Wide is a size computed by a getter that reads the mutable field '_width' (make it readonly, or pass the value as an argument)",
            UnresolvedAdviceText));

    private const string UnresolvedAdviceText = "pass the size to the constructor as an int parameter (a [Width] one if it is the width) or compute it there from the width and constants (inline, or in a non-virtual method, local function or get-only property of this project that returns it), or set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel) to take its rule from the shapes of a base and a wider model, as mup does";

    [Fact]
    public async Task Mup001_VirtualHelperBuiltLayer_NoRoleOffered_CallIsTheAdditionalLocation()
    {
        var reported = await VerifyAsync(Usings + """
            public partial class M1b : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|#0:head|};

                public M1b([Width(64)] int width) : base(nameof(M1b))
                {
                    input = Linear(8, width);
                    head = {|#1:Make(width)|};
                    RegisterComponents();
                }

                // Virtual: a derived class may build something else, so the generator does not follow it.
                protected virtual Linear Make(int w) => Linear(w, 10);

                public override Tensor forward(Tensor x) => head.forward(input.forward(x));
            }
            """,
            // The call the generator did not follow is the additional location.
            Diagnostic("MUP001").WithLocation(0).WithLocation(1));
        var diagnostic = reported.Single();
        Assert.Equal("HelperCall", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.False(diagnostic.Properties.ContainsKey(DiagnosticProperties.Roles));
    }

    [Fact]
    public Task HelperBuiltLayers_AreRead_AReadoutFromAHelperNeedsItsAttribute_AtTheField() => VerifyAsync(Usings + """
        public partial class M1h : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Sequential block;
            private readonly Linear {|MUP003:head|};

            public M1h([Width(64)] int width) : base(nameof(M1h))
            {
                Linear Layer(int i, int o) => Linear(i, o);
                input = Layer(8, width);
                block = MakeBlock(width);
                head = Make(width);
                RegisterComponents();
            }

            private static Sequential MakeBlock(int w) => Sequential(("fc", Linear(w, w)), ("act", ReLU()));

            private static Linear Make(int w) => Linear(w, 10);

            public override Tensor forward(Tensor x) => head.forward(block.forward(input.forward(x)));
        }
        """);

    [Fact]
    public Task Mup001_NotReportedWithARoleAttribute() => VerifyAsync(Usings + """
        public partial class M1c : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [HiddenLayer] private readonly Linear odd;
            [ReadoutLayer] private readonly Linear readout;

            public M1c([Width(64)] int width) : base(nameof(M1c))
            {
                input = Linear(8, width);
                odd = Linear(width, Compute(width));
                readout = Linear(width, 10);
                RegisterComponents();
            }

            protected virtual int Compute(int w) => w; // virtual: not followed

            public override Tensor forward(Tensor x) => readout.forward(odd.forward(input.forward(x)) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public async Task Mup002_NotPartial_AtTheClassIdentifier()
    {
        var reported = await VerifyAsync(Usings + """
            public class {|MUP002:Plain|} : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public Plain([Width(64)] int width) : base(nameof(Plain)) { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x);
            }
            """);
        var diagnostic = reported.Single();
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("NotPartial", diagnostic.Properties[DiagnosticProperties.Reason]);
    }

    [Fact]
    public Task Mup002_NotAModule() => VerifyAsync(Usings + """
        public partial class {|MUP002:Settings|}
        {
            public Settings([Width(64)] int width) { }
        }
        """);

    [Fact]
    public Task Mup002_ContainingTypeNotPartial() => VerifyAsync(Usings + """
        public class Outer
        {
            public partial class {|MUP002:Inner|} : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                public Inner([Width(64)] int width) : base(nameof(Inner)) { fc = Linear(width, width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x);
            }
        }
        """);

    [Fact]
    public Task Mup003_ReadoutNotMarked_AtTheField() => VerifyAsync(Usings + """
        public partial class M3 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear {|MUP003:head|};

            public M3([Width(64)] int width) : base(nameof(M3))
            {
                input = Linear(8, width);
                head = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(input.forward(x));
        }
        """);

    [Fact]
    public async Task Mup003_NoReadoutAtAll_AtTheClass()
    {
        var reported = await VerifyAsync(Usings + """
            public partial class {|MUP003:Encoder|} : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear hidden;

                public Encoder([Width(64)] int width) : base(nameof(Encoder))
                {
                    input = Linear(8, width);
                    hidden = Linear(width, width);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => hidden.forward(input.forward(x));
            }
            """);
        Assert.Equal("Model", reported.Single().Properties[DiagnosticProperties.Scope]);
    }

    [Fact]
    public Task Mup004_BaseBelowOne_NonInteger_OnFieldsToo() => VerifyAsync(Usings + """
        public partial class M4 : Module<Tensor, Tensor>
        {
            [{|MUP004:Depth(0)|}] private readonly int layers = 2;
            public M4([{|MUP004:Width(64)|}] double width) : base(nameof(M4)) { }
            public override Tensor forward(Tensor x) => x;
        }

        public partial class M4b : Module<Tensor, Tensor>
        {
            public M4b([{|MUP004:Width(-3)|}] int width) : base(nameof(M4b)) { }
            public override Tensor forward(Tensor x) => x;
        }
        """);

    [Fact]
    public Task Mup005_ReadoutInputWithoutMultiplier_ForwardAndCall() => VerifyAsync(Usings + """
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
                var a = readout.forward({|MUP005:h|});
                var b = readout.call({|MUP005:functional.relu(h) + h|});
                var c = readout.forward(h * 2.0 * MupReadoutMultiplier);
                var scaled = MupReadoutMultiplier * h;
                var d = this.readout.forward(scaled);
                return a + b + c + d;
            }
        }
        """);

    [Fact]
    public Task Mup005_InANestedModule() => VerifyAsync(Usings + """
        public partial class Head : Module<Tensor, Tensor>
        {
            [ReadoutLayer] private readonly Linear proj;
            public Head(int width) : base(nameof(Head)) { proj = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x) => proj.forward({|MUP005:x|});
        }

        public partial class M5b : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Head head;

            public M5b([Width(64)] int width) : base(nameof(M5b))
            {
                input = Linear(8, width);
                head = new Head(width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => head.forward(input.forward(x));
        }
        """);

    private const string DeepRoot = """
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

        """;

    [Fact]
    public Task Mup006_ResidualAddsInADepthBlock() => VerifyAsync(Usings + DeepRoot + """
        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc1;
            private readonly Linear fc2;
            private readonly Linear fc3;

            public Block(int width) : base(nameof(Block))
            {
                fc1 = Linear(width, width);
                fc2 = Linear(width, width);
                fc3 = Linear(width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + {|MUP006:fc1.forward(x)|};
                x += {|MUP006:functional.relu(fc2.forward(x))|};
                var branch = fc3.forward(x);
                var y = {|MUP006:branch|} + x;
                var notResidual = fc1.forward(x) + fc2.forward(y);
                return y + {|MUP006:fc3.forward(y)|} + notResidual * 0;
            }
        }
        """);

    [Fact]
    public Task Mup006_NotReportedOutsideDepthBlocks() => VerifyAsync(Usings + """
        public partial class Wide : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear hidden;
            [ReadoutLayer] private readonly Linear readout;

            public Wide([Width(64)] int width) : base(nameof(Wide))
            {
                input = Linear(8, width);
                hidden = Linear(width, width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                h = h + hidden.forward(h);
                return readout.forward(h * MupReadoutMultiplier);
            }
        }
        """);

    [Fact]
    public Task Mup007_SqrtScales_AndScaledDotProductAttention() => VerifyAsync(Usings + """
        public partial class Attention : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly Linear k;
            private readonly Linear v;
            private readonly int headDim;

            public Attention(int width, int heads) : base(nameof(Attention))
            {
                headDim = width / heads;
                q = Linear(width, width);
                k = Linear(width, width);
                v = Linear(width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var (qs, ks, vs) = (q.forward(x), k.forward(x), v.forward(x));
                var a1 = qs.matmul(ks.transpose(-2, -1)) / {|MUP007:Math.Sqrt(headDim)|};
                var a2 = qs.matmul(ks.transpose(-2, -1)) * {|MUP007:(1.0 / Math.Sqrt(headDim))|};
                var a3 = torch.matmul(qs, ks.transpose(-2, -1)) * {|MUP007:Math.Pow(headDim, -0.5)|};
                var scores = qs.matmul(ks.transpose(-2, -1));
                scores /= {|MUP007:Math.Sqrt(ks.shape[^1])|};
                var notAttention = vs / Math.Sqrt(headDim);
                var y = {|MUP007:functional.scaled_dot_product_attention(qs, ks, vs, is_casual: true)|};
                return (a1 + a2 + a3 + scores).softmax(-1).matmul(vs) + y + notAttention;
            }
        }

        public partial class Gpt7 : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Attention attn;
            [ReadoutLayer] private readonly Linear lm_head;

            public Gpt7([Width(64)] int width, int vocab = 100) : base(nameof(Gpt7))
            {
                wte = Embedding(vocab, width);
                attn = new Attention(width, 4);
                lm_head = Linear(width, vocab);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => lm_head.forward(attn.forward(wte.forward(x)) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task Mup007_NotReportedOutsideMupModels() => VerifyAsync(Usings + """
        public sealed class PlainAttention : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            public PlainAttention(int width) : base(nameof(PlainAttention)) { q = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x)
            {
                var s = q.forward(x);
                return s.matmul(s.transpose(-2, -1)) / Math.Sqrt(64) + functional.scaled_dot_product_attention(s, s, s);
            }
        }
        """);

    private const string Mlp8 = """
        public partial class Mlp8 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public Mlp8([Width(64)] int width) : base(nameof(Mlp8)) { input = Linear(8, width); readout = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
        }

        public sealed class Sp8 : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Sp8() : base(nameof(Sp8)) { fc = Linear(8, 8); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }

        """;

    [Fact]
    public Task Mup008_PlainOptimizersOnAMupModel() => VerifyAsync(Usings + Mlp8 + """
        public static class Train
        {
            public static void Run()
            {
                var model = new Mlp8(128);
                var a = {|MUP008:torch.optim.AdamW(model.parameters(), 1e-3, weight_decay: 0.1)|};
                var b = {|MUP008:new AdamW(model.parameters())|};
                var c = {|MUP008:torch.optim.SGD(model.parameters(), 0.1, momentum: 0.9)|};
                var d = {|MUP008:torch.optim.Adam(model.named_parameters().Select(p => p.Item2), 1e-3)|};
                var fine = model.MupAdamW(1e-3, 0.1);
                var sp = torch.optim.AdamW(new Sp8().parameters(), 1e-3);
            }
        }
        """);

    [Fact]
    public Task Mup009_SubmoduleProperty_AtThePropertyIdentifier() => VerifyAsync(Usings + """
        public partial class M9 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            public Linear {|MUP009:Hidden|} { get; }
            [ReadoutLayer] private readonly Linear readout;
            public int NotAModule { get; } = 3;

            public M9([Width(64)] int width) : base(nameof(M9))
            {
                input = Linear(8, width);
                Hidden = Linear(width, width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward(Hidden.forward(input.forward(x)) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task Mup012_InANestedModule_AtTheNestedField() => VerifyAsync(Usings + """
        public partial class Inner : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            private readonly Linear {|MUP012:odd|};

            public Inner(int width) : base(nameof(Inner))
            {
                fc = Linear(width, width);
                odd = Linear(width, Size(width));
                RegisterComponents();
            }

            protected virtual int Size(int w) => w; // virtual: not followed

            public override Tensor forward(Tensor x) => odd.forward(fc.forward(x));
        }

        public partial class Outer1 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<Inner> blocks;
            [ReadoutLayer] private readonly Linear readout;

            public Outer1([Width(64)] int width) : base(nameof(Outer1))
            {
                input = Linear(8, width);
                blocks = new ModuleList<Inner>(new Inner(width), new Inner(width));
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward(blocks[1].forward(blocks[0].forward(input.forward(x))) * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task Mup006_AndMup007_InNestedBlocksBuiltByLinq() => VerifyAsync(Usings + """
        public partial class Attn : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly int headDim;
            public Attn(int width) : base(nameof(Attn)) { headDim = width / 4; q = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x)
            {
                var s = q.forward(x);
                return (s.matmul(s.transpose(-2, -1)) * {|MUP007:Math.Pow(headDim, -0.5)|}).softmax(-1).matmul(s);
            }
        }

        public partial class Blk : Module<Tensor, Tensor>
        {
            private readonly Attn attn;
            public Blk(int width) : base(nameof(Blk)) { attn = new Attn(width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => x + {|MUP006:attn.forward(x)|};
        }

        public partial class Net6 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<Blk> blocks;
            [ReadoutLayer] private readonly Linear readout;

            public Net6([Width(64)] int width, [Depth(2)] int depth) : base(nameof(Net6))
            {
                input = Linear(8, width);
                blocks = new ModuleList<Blk>(Enumerable.Range(0, depth).Select(_ => new Blk(width)).ToArray());
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward(blocks.Aggregate(input.forward(x), (h, b) => b.forward(h)) * MupReadoutMultiplier);
        }
        """);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WithoutTheGenerator_TheAnalyzersParseTheModelsThemselves(bool generate)
    {
        // The analyzers read only the parser's model, never the generator's output: with or without it in the
        // compilation (a build that runs analyzers but not the generator) they report the same things, at the same
        // places. Without the generator the generated members are missing (CS0103): compiler errors are not compared.
        var test = new MupAnalyzerTest
        {
            RunGenerator = generate,
            CompilerDiagnostics = generate ? CompilerDiagnostics.Errors : CompilerDiagnostics.None,
            TestCode = Usings + DeepRoot + """
                public partial class Block : Module<Tensor, Tensor>
                {
                    private readonly Linear fc1;
                    private readonly Linear {|MUP012:odd|};

                    public Block(int width) : base(nameof(Block))
                    {
                        fc1 = Linear(width, width);
                        odd = Linear(width, Size(width));
                        RegisterComponents();
                    }

                    protected virtual int Size(int w) => w; // virtual: not followed

                    public override Tensor forward(Tensor x) => x + {|MUP006:odd.forward(fc1.forward(x))|};
                }
                """,
        };
        await test.RunAsync();
    }

    [Fact]
    public Task Mup006_InTheRootLoopOverPlainLayerBlocks() => VerifyAsync(Usings + """
        public partial class Deep2 : Module<Tensor, Tensor>
        {
            private readonly Linear embed;
            private readonly ModuleList<Linear> layers;
            [ReadoutLayer] private readonly Linear head;

            public Deep2([Width(32)] int width, [Depth(2)] int depth) : base(nameof(Deep2))
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
                    h = h + {|MUP006:functional.relu(layer.forward(h))|};
                for (var i = 0; i < layers.Count; i++)
                    h = h + {|MUP006:layers[i].forward(h)|};
                var notABlock = h + embed.forward(x);
                return head.forward((h + notABlock) * MupReadoutMultiplier);
            }
        }
        """);

    // ---- MUP010 ----

    /// <summary>A model that builds Block in its [Depth] loop and Mlp directly (target-typed, through a field of the
    /// base type Module); Block builds Attn.</summary>
    private const string NestedRoot = """
        public partial class Net : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<Block> blocks;
            private readonly Module<Tensor, Tensor> mlp;
            [ReadoutLayer] private readonly Linear readout;

            public Net([Width(64)] int width, [Depth(2)] int depth) : base(nameof(Net))
            {
                input = Linear(8, width);
                blocks = new ModuleList<Block>();
                for (int i = 0; i < depth; i++)
                    blocks.Add(new Block(width));
                mlp = new Mlp(width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                foreach (var block in blocks)
                    h = block.forward(h);
                return readout.forward(mlp.forward(h) * MupReadoutMultiplier);
            }
        }

        """;

    private const string PartialMlp = """
        public partial class Mlp : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Mlp(int width) : base(nameof(Mlp)) { fc = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }

        """;

    private const string PartialAttn = """
        public partial class Attn : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            public Attn(int width) : base(nameof(Attn)) { q = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => q.forward(x);
        }

        """;

    [Fact]
    public async Task Mup010_NonPartialBlockUsingAMultiplier_AtTheClassIdentifier()
    {
        var reported = await VerifyAsync(Usings + NestedRoot + PartialMlp + PartialAttn + """
            public class {|MUP010:Block|} : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                private readonly Attn attn;
                public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); attn = new Attn(width); RegisterComponents(); }
                public override Tensor forward(Tensor x) => x + {|#0:MupResidualMultiplier|} * fc.forward(attn.forward(x));
            }
            """,
            // The compiler's own error, which MUP010 explains.
            CompilerError("CS0103").WithLocation(0).WithArguments("MupResidualMultiplier"));
        var diagnostic = reported.Single(d => d.Id == "MUP010");
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(DiagnosticDescriptors.UsageCategory, diagnostic.Descriptor.Category);
        Assert.Equal("NotPartial", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.Equal("Nested module 'Block' is not partial, so it gets no MupGen multipliers",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("https://github.com/mupgen/mupgen/blob/main/docs/diagnostics/MUP010.md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public Task Mup010_TransitivelyBuilt_OtherMultipliers_NonPartialContainingType_SecondPartWithoutPartial() => VerifyAsync(Usings + NestedRoot + """
        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            private readonly Attn attn;
            public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); attn = new(width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(attn.forward(x));
        }

        public class {|MUP010:Attn|} : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly long headDim;
            public Attn(int width) : base(nameof(Attn)) { q = Linear(width, width); headDim = width / 4; RegisterComponents(); }
            public override Tensor forward(Tensor x) => q.forward(x).matmul(x.transpose(-2, -1)) * this.{|#0:MupAttentionScale|}(headDim);
        }

        public partial class Mlp : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Mlp(int width) : base(nameof(Mlp)) { fc = Linear(width, width); RegisterComponents(); }
        }

        public class {|#1:Mlp|}
        {
            public override Tensor forward(Tensor x) => fc.forward(x * {|CS0103:MupInputMultiplier|});
        }
        """,
        CompilerError("CS1061").WithLocation(0).WithArguments("Attn", "MupAttentionScale"),
        Diagnostic("MUP010").WithLocation(1).WithArguments("Mlp"),
        CompilerError("CS0260").WithLocation(1).WithArguments("Mlp"));

    [Fact]
    public Task Mup010_ContainingTypeNotPartial_AtTheNestedClass() => VerifyAsync(Usings + """
        public partial class Wide : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Outer.Head head;
            public Wide([Width(64)] int width) : base(nameof(Wide)) { input = Linear(8, width); head = new Outer.Head(width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => head.forward(input.forward(x));
        }

        public class Outer
        {
            public partial class {|MUP010:Head|} : Module<Tensor, Tensor>
            {
                [ReadoutLayer] private readonly Linear fc;
                public Head(int width) : base(nameof(Head)) { fc = Linear(width, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x * {|CS0103:MupReadoutMultiplier|});
            }
        }
        """);

    [Fact]
    public Task Mup010_NotReportedForAPartialNestedModule() => VerifyAsync(Usings + NestedRoot + PartialMlp + PartialAttn + """
        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            private readonly Attn attn;
            public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); attn = new Attn(width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(attn.forward(x) * MupAttentionScale(16));
        }
        """);

    [Fact]
    public Task Mup010_NotReportedForANonPartialModuleThatUsesNoMultiplier() => VerifyAsync(Usings + """
        public partial class Deep10 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<Block> blocks;
            [ReadoutLayer] private readonly Linear readout;

            public Deep10([Width(64)] int width, [Depth(2)] int depth) : base(nameof(Deep10))
            {
                input = Linear(8, width);
                blocks = new ModuleList<Block>(Enumerable.Range(0, depth).Select(_ => new Block(width)).ToArray());
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

        public class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); RegisterComponents(); }
            // A local of that name is not the generated member.
            public override Tensor forward(Tensor x) { var MupInputMultiplier = 1.0; return functional.relu(fc.forward(x)) * MupInputMultiplier; }
        }
        """);

    [Fact]
    public Task Mup010_NotReportedWhenTheNameBinds_OwnMemberOrPartialBase() => VerifyAsync(Usings + NestedRoot + PartialAttn + """
        public abstract partial class BlockBase : Module<Tensor, Tensor>
        {
            protected BlockBase(string name) : base(name) { }
        }

        public class Block : BlockBase
        {
            private readonly Linear fc;
            private readonly Attn attn;
            public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); attn = new Attn(width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(attn.forward(x));
        }

        public class Mlp : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Mlp(int width) : base(nameof(Mlp)) { fc = Linear(width, width); RegisterComponents(); }
            public double MupReadoutMultiplier { get; set; } = 1.0;
            public override Tensor forward(Tensor x) => fc.forward(x * MupReadoutMultiplier);
        }
        """);

    [Fact]
    public Task Mup010_NotReportedForModulesNoMupModelBuilds() => VerifyAsync(Usings + """
        public class Plain : Module<Tensor, Tensor>
        {
            private readonly Block block;
            public Plain(int width) : base(nameof(Plain)) { block = new Block(width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => block.forward(x);
        }

        public class Block : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Block(int width) : base(nameof(Block)) { fc = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => x + {|CS0103:MupResidualMultiplier|} * fc.forward(x);
        }

        public class Loose : Module<Tensor, Tensor>
        {
            public Loose() : base(nameof(Loose)) { }
            public override Tensor forward(Tensor x) => x * {|CS0103:MupAttentionScale|}(64);
        }
        """);
}
