using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Issue 8, compile time: every member of a µP model (and of the modules it builds) either gets facts or
/// an Unresolved entry with a structured reason and a location, and the generated facts refuse it by name.</summary>
public class CoverageTests
{
    internal const string Usings = """
        using System.Collections.Generic;
        using System.Linq;
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    /// <summary>The parser's model of the class that holds the first [Width] member.</summary>
    internal static ModelSpec Parse(string source, string className)
    {
        var compilation = GeneratorHarness.Compile(Usings + source);
        var type = compilation.GetSymbolsWithName(className, SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();
        ISymbol target = type.InstanceConstructors.SelectMany(c => c.Parameters)
            .Concat<ISymbol>(type.GetMembers())
            .First(s => s.GetAttributes().Any(a => a.AttributeClass?.Name == "WidthAttribute"));
        var tree = type.DeclaringSyntaxReferences[0].SyntaxTree;
        var spec = MupGenerator.Parser.Parse(target, compilation.GetSemanticModel(tree), default);
        Assert.NotNull(spec);
        GeneratorHarness.AssertNoRoslynObjects(spec);
        return spec!;
    }

    /// <summary>The source text at a spot (the harness prepends <see cref="Usings"/>).</summary>
    internal static string TextAt(string source, SourceSpot? spot)
    {
        Assert.NotNull(spot);
        return (Usings + source).Substring(spot!.Start, spot.Length);
    }

    private const string Misc = """
        namespace Samples;

        public sealed class External : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public External(int w) : base("ext") { fc = Linear(w, w); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }

        public partial class Misc : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Module<Tensor, Tensor> block;
            private readonly Bilinear norm;
            private readonly Module<Tensor, Tensor> act;
            private readonly ModuleList<Linear> hidden;
            private readonly Module<Tensor, Tensor> neverBuilt;
            [ReadoutLayer] private readonly Linear readout;

            public Misc([Width(64)] int width, int features = 8) : base("misc")
            {
                input = Linear(features, width);
                block = MakeBlock(width);
                norm = Bilinear(width, width, width);
                act = ReLU();
                var layers = new Linear[3];
                for (var i = 0; i < 3; i++)
                    layers[i] = Linear(width, width);
                hidden = ModuleList(layers);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            private static Module<Tensor, Tensor> MakeBlock(int w) => Sequential(Linear(w, w), ReLU());

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void MembersWithoutFactsAreListedWithTheirReasonAndLocation()
    {
        var spec = Parse(Misc, "Misc");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);
        Assert.Equal(new[] { "block", "norm", "hidden.*", "neverBuilt" }, spec.Unresolved.Select(u => u.Path));

        Assert.Equal(UnresolvedReason.HelperCall, byPath["block"].Reason);
        Assert.Equal("block.**", byPath["block"].Pattern);
        Assert.Equal("Samples.Misc", byPath["block"].DeclaringType);
        Assert.Equal("block", byPath["block"].Member);
        Assert.Equal("MakeBlock(width)", TextAt(Misc, byPath["block"].Location));
        Assert.Equal("block", TextAt(Misc, byPath["block"].MemberLocation));

        Assert.Equal(UnresolvedReason.UnknownLayerType, byPath["norm"].Reason);
        Assert.Equal("Bilinear(width, width, width)", TextAt(Misc, byPath["norm"].Location));

        Assert.Equal(UnresolvedReason.ArrayFilledInLoop, byPath["hidden.*"].Reason);
        Assert.Equal("hidden.*.**", byPath["hidden.*"].Pattern);
        Assert.Equal("hidden", byPath["hidden.*"].Member);
        Assert.Equal("new Linear[3]", TextAt(Misc, byPath["hidden.*"].Location));

        Assert.Equal(UnresolvedReason.NotConstructed, byPath["neverBuilt"].Reason);
        Assert.Equal("neverBuilt", TextAt(Misc, byPath["neverBuilt"].Location));

        // Each is refused by name at run time: a fact with no shape, role Unresolved, the reason kept.
        foreach (var issue in spec.Unresolved)
        {
            var fact = Assert.Single(spec.Parameters, p => p.Name == issue.Pattern);
            Assert.Equal(Role.Unresolved, fact.Role);
            Assert.Equal(issue.Reason, fact.Reason);
            Assert.Empty(fact.Shape);
        }
        // The parameter-free activation needs nothing.
        Assert.DoesNotContain(spec.Parameters, p => p.Name.StartsWith("act", System.StringComparison.Ordinal));
    }

    [Fact]
    public void MembersWithoutFactsSnapshot() => Snapshot.Match("Coverage_Misc", GeneratorHarness.RunSingle(Usings + Misc));
}
