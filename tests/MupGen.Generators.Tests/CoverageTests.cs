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
            private readonly ModuleDict<Module<Tensor, Tensor>> norm;
            private readonly Module<Tensor, Tensor> act;
            private readonly ModuleList<Linear> hidden;
            private readonly Module<Tensor, Tensor> neverBuilt;
            [ReadoutLayer] private readonly Linear readout;

            public Misc([Width(64)] int width, int features = 8) : base("misc")
            {
                input = Linear(features, width);
                block = MakeBlock(width);
                norm = ModuleDict(("fc", (Module<Tensor, Tensor>)Linear(width, width)));
                act = ReLU();
                var layers = new Linear[3];
                for (var i = 0; i < 3; i++)
                    layers[i] = Linear(width, width);
                hidden = ModuleList(layers);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            // Virtual: a derived class may build something else, so the generator does not follow it.
            protected virtual Module<Tensor, Tensor> MakeBlock(int w) => Sequential(Linear(w, w), ReLU());

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void MembersWithoutFactsAreListedWithTheirReasonAndLocation()
    {
        var spec = Parse(Misc, "Misc");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);
        Assert.Equal(new[] { "block", "norm", "neverBuilt" }, spec.Unresolved.Select(u => u.Path));

        Assert.Equal(UnresolvedReason.HelperCall, byPath["block"].Reason);
        Assert.Equal("block.**", byPath["block"].Pattern);
        Assert.Equal("Samples.Misc", byPath["block"].DeclaringType);
        Assert.Equal("block", byPath["block"].Member);
        Assert.Equal("MakeBlock(width)", TextAt(Misc, byPath["block"].Location));
        Assert.Equal("block", TextAt(Misc, byPath["block"].MemberLocation));

        Assert.Equal(UnresolvedReason.UnknownLayerType, byPath["norm"].Reason);
        Assert.Equal("ModuleDict((\"fc\", (Module<Tensor, Tensor>)Linear(width, width)))", TextAt(Misc, byPath["norm"].Location));

        // The array filled in a counting loop is read: every item the same Hidden layer.
        Assert.Equal(Role.Hidden, Assert.Single(spec.Parameters, p => p.Name == "hidden.*.weight").Role);

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

    private const string Layers = """
        namespace Samples;

        public partial class Layers : Module<Tensor, Tensor>
        {
            private readonly Bilinear bilinear;
            private readonly BatchNorm2d bn;
            private readonly GroupNorm gn;
            private readonly MultiheadAttention attn;
            private readonly MultiheadAttention perHead;
            private readonly LSTM lstm;
            private readonly TransformerEncoder encoder;
            private readonly ConvTranspose2d up;
            private readonly Conv2d depthwise;
            private readonly PReLU act;
            private readonly EmbeddingBag bag;
            [ReadoutLayer] private readonly Linear readout;

            public Layers([Width(64)] int width, int heads = 4, int features = 16) : base("layers")
            {
                bilinear = Bilinear(width, features, width);
                bn = BatchNorm2d(width);
                gn = GroupNorm(8, width, affine: false);
                attn = MultiheadAttention(width, 4);
                perHead = MultiheadAttention(width, width / 16, bias: false);
                lstm = LSTM(features, width, numLayers: 2, bidirectional: true);
                var layer = TransformerEncoderLayer(width, heads, 4 * width);
                encoder = TransformerEncoder(layer, 2);
                up = ConvTranspose2d(width, width / 2, 2);
                depthwise = Conv2d(width, width, 3, groups: width);
                act = PReLU(width);
                bag = EmbeddingBag(1000, width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void CatalogLayersSnapshot() => Snapshot.Match("Coverage_Layers", GeneratorHarness.RunSingle(Usings + Layers));

    [Fact]
    public void AttentionLayersRecordWhetherTheHeadDimensionGrows()
    {
        var spec = Parse(Layers, "Layers");
        Assert.Empty(spec.Unresolved);
        var byPath = spec.AttentionLayers.ToDictionary(a => a.Path);
        Assert.True(byPath["attn"].HeadDimGrows);           // width / 4: the head dimension grows
        Assert.False(byPath["perHead"].HeadDimGrows);       // width / (width / 16) = 16: only the head count grows
        Assert.True(byPath["encoder"].HeadDimGrows);        // d_model / nhead with nhead an argument
        Assert.Equal("MultiheadAttention(width, 4)", TextAt(Layers, byPath["attn"].Location));
        Assert.Equal("attn", TextAt(Layers, byPath["attn"].MemberLocation));
    }
}
