using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>The analyzers find µP models by the attribute names in syntax before they bind any attribute (so a build
/// binds no attribute of a class that has none of MupGen's). A using alias, a global alias in another file, a chain of
/// aliases and a qualified name must still be found: each model here has a diagnostic that only a found model gets.</summary>
public class AttributeAliasTests
{
    private const string Mlp = """
        public partial class {0} : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [{2}] private readonly Linear readout;

            public {0}([{1}(64)] int width) : base(nameof({0}))
            {
                input = Linear(8, width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward({|MUP005:input.forward(x)|});
        }
        """;

    private static string Model(string name, string width, string readout) =>
        Mlp.Replace("{0}", name).Replace("{1}", width).Replace("{2}", readout);

    [Fact]
    public async Task FileAliases_AreFound() =>
        await VerifyAsync("using W = MupGen.WidthAttribute;\nusing R = MupGen.ReadoutLayerAttribute;\n" + Usings
            + Model("AliasMlp", "W", "R"));

    [Fact]
    public async Task AChainOfAliases_IsFound() =>
        await VerifyAsync("using W = MupGen.WidthAttribute;\nusing R = MupGen.ReadoutLayerAttribute;\n" + Usings
            + "namespace Inner\n{\n    using W2 = W;\n    using R2 = R;\n"
            + Model("ChainMlp", "W2", "R2") + "\n}\n");

    [Fact]
    public async Task QualifiedNames_AreFound() =>
        await VerifyAsync(Usings + Model("QualifiedMlp", "global::MupGen.Width", "MupGen.ReadoutLayerAttribute"));

    [Fact]
    public async Task AGlobalAliasInAnotherFile_IsFound()
    {
        var test = new MupAnalyzerTest { TestCode = Usings + Model("GlobalAliasMlp", "Wd", "Ro") };
        test.TestState.Sources.Add(("Aliases.cs", "global using Wd = MupGen.WidthAttribute;\nglobal using Ro = MupGen.ReadoutLayerAttribute;\n"));
        await test.RunAsync();
    }
}
