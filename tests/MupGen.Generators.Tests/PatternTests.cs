using System.Linq;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Issue 9's construction patterns: each a snapshot (which also checks compilation, caching on a cloned
/// compilation with every step tracked, and no Roslyn objects in step outputs) plus the parsed facts asserted.</summary>
public class PatternTests
{
    private static string Run(string name, string source)
    {
        var text = GeneratorHarness.RunSingle(CoverageTests.Usings + source);
        Snapshot.Match(name, text);
        return text;
    }

    private static ParameterSpec Fact(ModelSpec spec, string name) => Assert.Single(spec.Parameters, p => p.Name == name);

    private const string Arrays = """
        namespace Samples;

        public partial class ArrayMlp : Module<Tensor, Tensor>
        {
            private readonly ModuleList<Linear> hidden;
            private readonly Sequential trunk;
            private readonly ModuleList<Module<Tensor, Tensor>> fixedItems;
            [ReadoutLayer] private readonly Linear readout;

            public ArrayMlp([Width(64)] int width, [Depth(3)] int depth, int inputs = 10) : base("arrays")
            {
                var layers = new Linear[depth];
                for (var i = 0; i < depth; i++)
                    layers[i] = Linear(i == 0 ? inputs : width, width);
                hidden = ModuleList(layers);
                var blocks = new Module<Tensor, Tensor>[] { Linear(width, 2 * width), ReLU(), Linear(2 * width, width) };
                trunk = Sequential(blocks);
                var items = new Module<Tensor, Tensor>[2];
                items[0] = Linear(inputs, width);
                items[1] = LayerNorm(width);
                fixedItems = ModuleList(items);
                readout = Linear(width, 2);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void ArraysFilledInLoopsAndInitializers()
    {
        Run("Pattern_Arrays", Arrays);
        var spec = CoverageTests.Parse(Arrays, "ArrayMlp");
        Assert.Empty(spec.Unresolved);
        // The first item reads the inputs: Input; the others Hidden; the concrete index wins at run time.
        Assert.Equal(Role.Input, Fact(spec, "hidden.0.weight").Role);
        Assert.Equal(Role.Hidden, Fact(spec, "hidden.*.weight").Role);
        Assert.Equal("hidden", spec.Depth!.BlockList);
        Assert.Equal(Role.Hidden, Fact(spec, "trunk.0.weight").Role);
        Assert.Equal(Role.Hidden, Fact(spec, "trunk.2.weight").Role);
        Assert.Equal(Role.Input, Fact(spec, "fixedItems.0.weight").Role);
        Assert.Equal(Role.Vector, Fact(spec, "fixedItems.1.weight").Role);
    }

    private const string NamedList = """
        namespace Samples;

        public partial class Vgg : Module<Tensor, Tensor>
        {
            private readonly Sequential features;
            private readonly Sequential classifier;

            public Vgg([Width(16)] int width, int layers = 3) : base("vgg")
            {
                var modules = new List<(string, Module<Tensor, Tensor>)>();
                modules.Add(("stem", Conv2d(3, width, 3)));
                for (var i = 0; i < layers; i++)
                {
                    modules.Add(($"conv{i}", Conv2d(width, width, 3, padding: 1)));
                    modules.Add(($"bn{i}", BatchNorm2d(width)));
                    modules.Add(($"relu{i}", ReLU()));
                }
                features = Sequential(modules);
                classifier = Sequential(("fc1", Linear(width, 2 * width)), ("act", ReLU()), ("fc2", Linear(2 * width, 10)));
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => classifier.forward(features.forward(x) * MupReadoutMultiplier);
        }
        """;

    [Fact]
    public void NamedSequentialItemsWithLoopIndexNames()
    {
        Run("Pattern_NamedList", NamedList);
        var spec = CoverageTests.Parse(NamedList, "Vgg");
        Assert.Equal(Role.Input, Fact(spec, "features.stem.weight").Role);
        Assert.Equal(Role.Hidden, Fact(spec, "features.conv*.weight").Role);
        Assert.Equal(Role.Vector, Fact(spec, "features.bn*.weight").Role);
        Assert.Equal(Role.Hidden, Fact(spec, "classifier.fc1.weight").Role);
        // fc2: width-scaled fan_in, fixed fan_out, not marked: reported, with the structured reason.
        Assert.Equal(UnresolvedReason.MissingReadout, Fact(spec, "classifier.fc2.weight").Reason);
        var issue = Assert.Single(spec.Unresolved);
        Assert.Equal("classifier.fc2", issue.Path);
        Assert.Equal(UnresolvedReason.MissingReadout, issue.Reason);
    }

    private const string Registered = """
        namespace Samples;

        public partial class Registered : Module<Tensor, Tensor>
        {
            private readonly Linear _input;
            private readonly Linear _fc;
            private readonly Linear _late;

            public Registered([Width(64)] int width, string name = "x") : base("registered")
            {
                _input = Linear(8, width);
                _fc = Linear(width, 4);
                register_module("input", _input);
                register_module("fc", _fc);
                register_module("extra", Linear(width, width));
                register_module(name, Linear(width, width));
                RegisterComponents();
                _late = Linear(width, width);
                register_module("late", _late);
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void RegisterModuleNamesTheFacts()
    {
        Run("Pattern_Registered", Registered);
        var spec = CoverageTests.Parse(Registered, "Registered");
        var names = spec.Parameters.Select(p => p.Name).ToList();
        Assert.Contains("input.weight", names);
        Assert.Contains("extra.weight", names);
        Assert.DoesNotContain("_input.weight", names); // registered under "input" first: RegisterComponents skips it
        Assert.Contains("late.weight", names);         // registered after RegisterComponents... under its own name
        Assert.Equal(Role.Input, Fact(spec, "input.weight").Role);
        // A name the generator cannot read: everything the facts do not name is refused, with the reason.
        var unknown = Assert.Single(spec.Unresolved, u => u.Reason == UnresolvedReason.RegisteredName);
        Assert.Equal("**", unknown.Pattern);
        Assert.Equal("register_module(name, Linear(width, width))", CoverageTests.TextAt(Registered, unknown.Location));
    }

    private const string Rounded = """
        namespace Samples;

        public partial class SwiGlu : Module<Tensor, Tensor>
        {
            private readonly Linear w1;
            private readonly Linear w2;
            private readonly Linear eight;
            private readonly Linear square;
            private readonly Linear opaque;
            [ReadoutLayer] private readonly Linear readout;

            public SwiGlu([Width(64)] int dim, int extra, int multipleOf = 32) : base("swiglu")
            {
                var hiddenDim = 4 * dim;
                hiddenDim = 2 * hiddenDim / 3;
                hiddenDim = multipleOf * ((hiddenDim + multipleOf - 1) / multipleOf);
                w1 = Linear(dim, hiddenDim, hasBias: false);
                w2 = Linear(hiddenDim, dim, hasBias: false);
                eight = Linear(dim, (int)(8 * dim / 3));
                square = Linear(dim, dim * dim + 1);
                // extra has no default: the base size is unknown at compile time, so this one is reported.
                opaque = Linear(dim, (dim + extra) / 2 * 2);
                readout = Linear(dim, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void SizesThatDoNotGrowExactlyWithTheWidthGetTheirBaseSizeFromTheConstructorsArithmetic()
    {
        var text = Run("Pattern_Rounded", Rounded);
        var spec = CoverageTests.Parse(Rounded, "SwiGlu");
        // 4 * 64 = 256; 2 * 256 / 3 = 170 (C# truncates); 32 * ((170 + 31) / 32) = 192.
        var w1 = Fact(spec, "w1.weight");
        Assert.Equal(Role.Hidden, w1.Role);
        Assert.Equal(DimForm.Computed, w1.Shape[0].Form);
        Assert.Equal(192L, w1.Shape[0].BaseSize);
        Assert.Equal("dim", Assert.Single(w1.Shape[0].Powers).Symbol);
        Assert.Equal("(32L * (((((2L * (4L * w)) / 3L) + 32L) - 1L) / 32L))", w1.Shape[0].SizeAt);
        Assert.Equal(new DimSpec(DimForm.Monomial, 64L, new[] { new PowerSpec("dim", 1) }.ToEquatableArray()), w1.Shape[1]);
        Assert.Equal(DimForm.Computed, Fact(spec, "w2.weight").Shape[1].Form);
        // 8 * 64 / 3 = 170: a product whose division truncates (266 at dim 100, not 266.67) is computed too
        // (multiplier actual / 170), so it never measures the width.
        Assert.Equal(new DimSpec(DimForm.Computed, 170L, new[] { new PowerSpec("dim", 1) }.ToEquatableArray(), "((8L * w) / 3L)"), Fact(spec, "eight.weight").Shape[0]);
        var square = Fact(spec, "square.weight").Shape[0];
        Assert.Equal(DimForm.Computed, square.Form);
        Assert.Equal(64L * 64 + 1, square.BaseSize);
        // The loud neighbour: an input without a default.
        var opaque = Fact(spec, "opaque.weight");
        Assert.Equal(Role.Unresolved, opaque.Role);
        Assert.Equal(UnresolvedReason.NonProportionalSize, opaque.Reason);
        Assert.Equal("opaque", Assert.Single(spec.Unresolved).Path);
        Assert.Contains("global::MupGen.Facts.MupDim.Computed(192L, \"dim\", static w => (32L * (((((2L * (4L * w)) / 3L) + 32L) - 1L) / 32L)))", text);
    }
}
