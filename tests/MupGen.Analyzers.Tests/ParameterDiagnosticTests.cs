using System.Threading.Tasks;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>Issue 9: Parameters created from a torch tensor factory get mup's rule (no diagnostic); one whose value or
/// draw the generator cannot read, or that mup has no single rule for, is MUP013 at its field.</summary>
public class ParameterDiagnosticTests
{
    [Fact]
    public Task FactoryParameters_AreRead_TheOthersAreMup013_AtTheField() => VerifyAsync(Usings + """
        public partial class P1 : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Parameter cls_token;
            private readonly Parameter pos_embed;
            private readonly Parameter mix;
            private readonly Parameter {|MUP013:cube|};
            private readonly Parameter {|MUP013:drawn|};
            private readonly Parameter {|MUP013:computed|};
            [ReadoutLayer] private readonly Linear readout;

            public P1([Width(64)] int width, int patches = 16, double std = 0.02) : base(nameof(P1))
            {
                input = Linear(8, width);
                cls_token = Parameter(zeros(1, 1, width));
                pos_embed = Parameter(randn(1, patches + 1, width) * 0.02);
                mix = Parameter(randn(width, width) / Math.Sqrt(width));
                cube = Parameter(randn(width, width, width));
                drawn = Parameter(randn(width) * std);
                computed = Parameter(Make(width));
                register_parameter("shift", Parameter(zeros(width)));
                readout = Linear(width, 10);
                RegisterComponents();
            }

            private static Tensor Make(int w) => ones(w);

            public override Tensor forward(Tensor x) => readout.forward(input.forward(x).matmul(mix) * MupReadoutMultiplier);
        }
        """);
}
