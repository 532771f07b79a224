using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using MupGen.Analyzers;
using MupGen.CodeFixes;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>MUP020: a MupAttentionScale argument the generator cannot read (a tensor's shape, a field the constructor
/// does not set, a method's result, another object's member) is reported at the argument, in the model itself and in
/// the nested modules it builds; a readable one (a field set from width / heads, a constant, a parameter) is not. And
/// MUP007 never suggests (nor its fix writes) the unreadable q.shape[^1].</summary>
public class HeadDimTests
{
    [Fact]
    public Task Mup020_AtEveryUnreadableArgument_NotAtReadableOnes() => VerifyAsync(Usings + """
        public partial class Attn : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly int headDim;
            private int later;
            public Attn(int width, int heads) : base(nameof(Attn))
            {
                q = Linear(width, width);
                headDim = width / heads;
                Init();
                RegisterComponents();
            }
            private void Init() => later = 8;
            private long Hd() => headDim;
            public override Tensor forward(Tensor x)
            {
                var qs = q.forward(x);
                var a = qs * MupAttentionScale({|MUP020:qs.shape[^1]|});
                var b = qs * MupAttentionScale({|MUP020:later|});
                var c = qs * MupAttentionScale({|MUP020:Hd()|});
                var d = qs * MupAttentionScale(headDim) * MupAttentionScale(16);
                return a + b + c + d;
            }
        }

        public partial class M20 : Module<Tensor, Tensor>
        {
            private readonly Attn attn;
            [ReadoutLayer] private readonly Linear head;
            public M20([Width(64)] int width, int heads = 4) : base(nameof(M20))
            {
                attn = new Attn(width, heads);
                head = Linear(width, 10);
                RegisterComponents();
            }
            public override Tensor forward(Tensor x)
            {
                var h = attn.forward(x);
                return head.forward(h * MupAttentionScale({|MUP020:h.size(-1)|}) * MupReadoutMultiplier);
            }
        }
        """);

    [Fact]
    public async Task Mup020_Message_NamesTheArgument_TheClass_TheProblem_AndTheHeadDimField()
    {
        await VerifyAsync(Usings + """
            public partial class Attn : Module<Tensor, Tensor>
            {
                private readonly Linear q;
                private readonly int head_dim;
                public Attn(int width, int heads) : base(nameof(Attn)) { q = Linear(width, width); head_dim = width / heads; RegisterComponents(); }
                public override Tensor forward(Tensor x) { var qs = q.forward(x); return qs * MupAttentionScale({|#0:qs.shape[^1]|}); }
            }

            public partial class M20 : Module<Tensor, Tensor>
            {
                private readonly Attn attn;
                [ReadoutLayer] private readonly Linear head;
                public M20([Width(64)] int width) : base(nameof(M20)) { attn = new Attn(width, 4); head = Linear(width, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(attn.forward(x) * MupReadoutMultiplier);
            }
            """,
            Diagnostic("MUP020").WithLocation(0).WithSeverity(DiagnosticSeverity.Warning).WithArguments(
                "qs.shape[^1]", "Attn", "M20", "qs.shape[^1] reads a tensor's shape, which is known only at run time",
                "pass 'head_dim' if the constructor sets it to the head dimension (MupAttentionScale(head_dim)), or compute the head dimension in the constructor (headDim = nEmbd / nHead;) and pass that field; or set MupOptions.BaseHeadDim to the head dimension at base width"));
    }

    [Fact]
    public async Task Mup020_InABlockList_ReportedOnce_WithThePatternFixWhenTheClassHasNoHeadDimField()
    {
        await VerifyAsync(Usings + """
            public partial class Block : Module<Tensor, Tensor>
            {
                private readonly Linear q;
                private readonly Other other;
                public Block(int width) : base(nameof(Block)) { q = Linear(width, width); other = new Other(); RegisterComponents(); }
                public override Tensor forward(Tensor x) => q.forward(x) * MupAttentionScale({|#0:other.Size|});
            }

            public sealed class Other { public int Size { get; set; } = 16; }

            public partial class M20 : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Block> blocks = new();
                [ReadoutLayer] private readonly Linear head;
                public M20([Width(64)] int width) : base(nameof(M20))
                {
                    for (int i = 0; i < 3; i++)
                        blocks.Add(new Block(width));
                    head = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => head.forward(blocks[0].forward(x) * MupReadoutMultiplier);
            }
            """,
            Diagnostic("MUP020").WithLocation(0).WithArguments(
                "other.Size", "Block", "M20", "other.Size is read in a method, not the constructor",
                "compute the head dimension in the constructor (headDim = nEmbd / nHead;) and pass that field, or a constant; or set MupOptions.BaseHeadDim to the head dimension at base width"));
    }

    private const string SdpaWithHeadDim = Usings + """
        public partial class Attn : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly long headDim;
            public Attn(int width, int heads) : base(nameof(Attn)) { q = Linear(width, width); headDim = width / heads; RegisterComponents(); }
            public override Tensor forward(Tensor x)
            {
                var qs = q.forward(x);
                return {|#0:functional.scaled_dot_product_attention(qs, qs, qs, is_casual: true)|};
            }
        }

        public partial class M7 : Module<Tensor, Tensor>
        {
            private readonly Attn attn;
            [ReadoutLayer] private readonly Linear head;
            public M7([Width(64)] int width) : base(nameof(M7)) { attn = new Attn(width, 4); head = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x) => head.forward(attn.forward(x) * MupReadoutMultiplier);
        }
        """;

    [Fact]
    public async Task Mup007_Sdpa_SuggestsTheHeadDimField_NotTheShape()
    {
        var reported = await VerifyAsync(SdpaWithHeadDim,
            Diagnostic("MUP007").WithLocation(0).WithArguments("scaled_dot_product_attention", "Attn",
                "call MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale(headDim)) instead"));
        Assert.Equal("headDim", reported.Single().Properties[DiagnosticProperties.HeadDim]);
    }

    /// <summary>The fixed code compiles and has no diagnostic left: in particular no MUP020, which the old fix
    /// (MupAttentionScale(q.shape[^1])) caused.</summary>
    [Fact]
    public Task Mup007_Sdpa_Fix_PassesTheHeadDimField_AndLeavesNoDiagnostic() => new MupCodeFixTest(new AttentionScaleCodeFix())
    {
        TestCode = SdpaWithHeadDim.Replace("{|#0:functional.scaled_dot_product_attention(qs, qs, qs, is_casual: true)|}",
            "{|MUP007:functional.scaled_dot_product_attention(qs, qs, qs, is_casual: true)|}"),
        FixedCode = SdpaWithHeadDim.Replace("{|#0:functional.scaled_dot_product_attention(qs, qs, qs, is_casual: true)|}",
            "MupAttention.ScaledDotProduct(qs, qs, qs, MupAttentionScale(headDim), isCausal: true)"),
        CodeActionEquivalenceKey = AttentionScaleCodeFix.Key,
    }.RunAsync();

    private const string ShapeOnly = Usings + """
        public partial class M7 : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            [ReadoutLayer] private readonly Linear head;
            public M7([Width(64)] int width) : base(nameof(M7)) { q = Linear(width, width); head = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x)
            {
                var qs = q.forward(x);
                var scores = qs.matmul(qs.transpose(-2, -1)) / {|#0:Math.Sqrt(qs.shape[^1])|};
                var y = {|#1:functional.scaled_dot_product_attention(qs, qs, qs)|};
                return head.forward((scores.softmax(-1).matmul(qs) + y) * MupReadoutMultiplier);
            }
        }
        """;

    [Fact]
    public async Task Mup007_WithoutAHeadDimField_SaysWhatToCompute_AndHandsNoHeadDim()
    {
        const string Advice = "with headDim the head dimension the constructor computes (headDim = nEmbd / nHead;): a tensor's shape is known only at run time, so the generator cannot read it (MUP020)";
        var reported = await VerifyAsync(ShapeOnly,
            Diagnostic("MUP007").WithLocation(0).WithArguments("'Math.Sqrt(qs.shape[^1])'", "M7", "multiply by MupAttentionScale(headDim) instead, " + Advice),
            Diagnostic("MUP007").WithLocation(1).WithArguments("scaled_dot_product_attention", "M7",
                "call MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale(headDim)) instead, " + Advice));
        Assert.All(reported, d => Assert.False(d.Properties.ContainsKey(DiagnosticProperties.HeadDim)));
    }

    /// <summary>No head dimension the generator could read: no fix (it would trade MUP007 for MUP020).</summary>
    [Fact]
    public async Task Mup007_WithoutAHeadDimField_NoFixOffered()
    {
        var code = ShapeOnly.Replace("{|#0:Math.Sqrt(qs.shape[^1])|}", "{|MUP007:Math.Sqrt(qs.shape[^1])|}")
            .Replace("{|#1:functional.scaled_dot_product_attention(qs, qs, qs)|}", "{|MUP007:functional.scaled_dot_product_attention(qs, qs, qs)|}");
        var test = new MupCodeFixTest { TestCode = code, FixedCode = code, CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllCheck };
        await test.RunAsync();
        Assert.NotEmpty(test.Offered);
        Assert.All(test.Offered, offered => Assert.Empty(offered));
    }
}
