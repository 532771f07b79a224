using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>MUP021: a MupAttentionScale call on another object whose class makes no call of its own (the generator
/// reads only a module's calls on itself, so that module has no fact and the call throws at run time), wherever the
/// call is: in the model, in a class nested in it, in a helper or trainer class; reported once, at the call. Calls on
/// the module itself, on a class that calls it itself, through MupGen's interfaces (any class
/// may be behind them) and to other methods of that name are not.</summary>
public class AttentionScaleOnOtherObjectTests
{
    private const string Modules = """
        public partial class Attn : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly int headDim;
            public Attn(int width, int heads) : base(nameof(Attn)) { q = Linear(width, width); headDim = width / heads; RegisterComponents(); }
            public override Tensor forward(Tensor x) => q.forward(x) * MupAttentionScale(headDim) * this.MupAttentionScale(16);
        }

        """ + NoCall;

    private const string NoCall = """
        public partial class NoCall : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            public NoCall(int width) : base(nameof(NoCall)) { q = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => q.forward(x);
        }

        """;

    [Fact]
    public Task AtEveryCallOnAClassWithoutItsOwn_NotElsewhere() => VerifyAsync(Usings + Modules + """
        public partial class M21 : Module<Tensor, Tensor>
        {
            private readonly Attn attn;
            private readonly NoCall plain;
            private readonly int headDim;
            [ReadoutLayer] private readonly Linear head;
            public M21([Width(64)] int width) : base(nameof(M21))
            {
                attn = new Attn(width, 4);
                plain = new NoCall(width);
                headDim = width / 4;
                head = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = attn.forward(x) * attn.MupAttentionScale(headDim) * this.MupAttentionScale(headDim);
                var g = plain.forward(h) * {|MUP021:plain.MupAttentionScale(headDim)|} * {|MUP021:(plain).MupAttentionScale(16)|};
                return head.forward(g * MupReadoutMultiplier);
            }

            private sealed class Helper
            {
                public static double Scale(NoCall n, long d) => {|MUP021:n.MupAttentionScale(d)|};
                public static double Maybe(NoCall? n) => n?{|MUP021:.MupAttentionScale(8)|} ?? 1.0;
                public static double Own(M21 m) => m.MupAttentionScale(8);  // M21 calls it itself (forward)
            }
        }

        public partial class Root21 : Module<Tensor, Tensor>
        {
            [ReadoutLayer] private readonly Linear head;
            public Root21([Width(64)] int width) : base(nameof(Root21)) { head = Linear(width, 10); RegisterComponents(); }
            public override Tensor forward(Tensor x) => head.forward(x * MupReadoutMultiplier);
        }

        public static class Trainer
        {
            public static double Run(Root21 model) => {|MUP021:model.MupAttentionScale(16)|};
            public static double Through(IMupModel model) => model.MupAttentionScale(16);
        }

        public sealed class Unrelated
        {
            public double MupAttentionScale(long d) => 1.0 / d;
            public double Call(Unrelated u) => u.MupAttentionScale(4);
        }
        """);

    [Fact]
    public async Task TheMessageNamesTheCall_TheClass_TheObject_AndItsClass()
    {
        await VerifyAsync(Usings + NoCall + """
            public partial class M21 : Module<Tensor, Tensor>
            {
                private readonly NoCall plain;
                [ReadoutLayer] private readonly Linear head;
                public M21([Width(64)] int width) : base(nameof(M21)) { plain = new NoCall(width); head = Linear(width, 10); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(plain.forward(x) * {|#0:plain.MupAttentionScale(16)|} * MupReadoutMultiplier);
            }
            """,
            Diagnostic("MUP021").WithLocation(0).WithSeverity(DiagnosticSeverity.Warning).WithArguments(
                "plain.MupAttentionScale(16)", "M21", "plain", "NoCall"));
    }
}
