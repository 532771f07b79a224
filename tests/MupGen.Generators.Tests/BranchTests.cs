using System.Linq;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>`if` statements in a constructor: the generator does not decide a condition it cannot evaluate, so a
/// member the branches build differently, a size they set differently and an item added in one branch are unresolved
/// (the last branch must never silently win); a constant condition, finite sizes and parameter-free modules are
/// followed.</summary>
public class BranchTests
{
    private const string Source = """
        namespace Samples;

        public partial class Branches : Module<Tensor, Tensor>
        {
            private readonly Linear differs;
            private readonly Linear sameSize;
            private readonly Linear onlyWhenTrue;
            private readonly Linear bySize;
            private readonly Linear byFiniteSize;
            private readonly Linear byConstant;
            private readonly Module<Tensor, Tensor> act;
            private readonly ModuleList<Module<Tensor, Tensor>> list;
            [ReadoutLayer] private readonly Linear readout;

            public Branches([Width(64)] int width, bool wide = false, bool gelu = false, int features = 8) : base("branches")
            {
                if (width <= 0)
                    throw new System.ArgumentOutOfRangeException(nameof(width));
                if (wide)
                    differs = Linear(width, 2 * width);
                else
                    differs = Linear(width, width);
                sameSize = Linear(width, width);
                if (wide)
                    sameSize = Linear(width, 4 * width);
                if (wide)
                    onlyWhenTrue = Linear(width, width);
                var hidden = width;
                if (wide)
                    hidden = 4 * width;
                bySize = Linear(width, hidden);
                var classes = features;
                if (wide)
                    classes = 2 * features;
                byFiniteSize = Linear(features, classes);
                if (true)
                    byConstant = Linear(width, width);
                else
                    byConstant = Linear(width, 3 * width);
                if (gelu)
                    act = GELU();
                else
                    act = ReLU();
                list = new ModuleList<Module<Tensor, Tensor>>();
                list.Add(Linear(width, width));
                if (wide)
                    list.Add(LayerNorm(width));
                list.Add(Linear(width, width));
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void MembersBuiltDifferentlyInTheBranchesAreUnresolved()
    {
        var spec = CoverageTests.Parse(Source, "Branches");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);

        // Built differently in the two branches (if/else, or an if over an earlier value): refused, never the last branch.
        Assert.Equal(UnresolvedReason.NotConstructed, byPath["differs"].Reason);
        Assert.Equal(UnresolvedReason.NotConstructed, byPath["sameSize"].Reason);
        Assert.Contains("branches of an `if`", byPath["differs"].Detail);
        Assert.StartsWith("if (wide)", CoverageTests.TextAt(Source, byPath["differs"].Location));
        Assert.Equal("differs", CoverageTests.TextAt(Source, byPath["differs"].MemberLocation));
        // A size set differently in the branches makes the layer that reads it unresolved.
        Assert.Contains(spec.Unresolved, u => u.Path.StartsWith("bySize", System.StringComparison.Ordinal));
        // The list's item added under the if (and so every later index) cannot be placed.
        Assert.Contains(spec.Unresolved, u => u.Path.StartsWith("list", System.StringComparison.Ordinal));

        // Followed: a member built only when the condition holds (its tensors exist or not), a finite size either way,
        // a constant condition, parameter-free modules.
        Assert.Equal(Role.Hidden, Assert.Single(spec.Parameters, p => p.Name == "onlyWhenTrue.weight").Role);
        Assert.Equal(Role.Fixed, Assert.Single(spec.Parameters, p => p.Name == "byFiniteSize.weight").Role);
        var constant = Assert.Single(spec.Parameters, p => p.Name == "byConstant.weight");
        Assert.Equal(Role.Hidden, constant.Role);
        Assert.All(constant.Shape, d => Assert.Equal(64L, d.BaseSize));
        Assert.DoesNotContain(spec.Unresolved, u => u.Path is "onlyWhenTrue" or "byFiniteSize" or "byConstant" or "act" or "readout");
        Assert.DoesNotContain(spec.Parameters, p => p.Name.StartsWith("act", System.StringComparison.Ordinal));
    }

    private const string Shortcut = """
        namespace Samples;

        public partial class Block : Module<Tensor, Tensor>
        {
            private readonly Linear main;
            private readonly Linear proj;
            private readonly Sequential shortcut;

            public Block(int inputs, int outputs, int stride) : base("block")
            {
                main = Linear(inputs, outputs);
                if (stride != 1 || inputs != outputs)
                    proj = Linear(inputs, 3 * outputs);
                else
                    proj = Linear(inputs, outputs);
                var items = new System.Collections.Generic.List<(string, Module<Tensor, Tensor>)>();
                if (inputs != outputs)
                    items.Add(("fc", Linear(inputs, outputs)));
                shortcut = Sequential(items);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }

        public partial class Net : Module<Tensor, Tensor>
        {
            private readonly Block same;
            private readonly Block strided;
            private readonly Block wider;
            [ReadoutLayer] private readonly Linear readout;

            public Net([Width(64)] int width) : base("net")
            {
                same = new Block(width, width, 1);
                strided = new Block(width, width, 2);
                wider = new Block(width, 2 * width, 1);
                readout = Linear(2 * width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void ConditionsTheCallSiteDecidesAreTakenPerCallSite()
    {
        var spec = CoverageTests.Parse(Shortcut, "Net");
        // same: stride 1 and inputs == outputs (both the width): the else branch, no shortcut item.
        Assert.Equal(64L, Assert.Single(spec.Parameters, p => p.Name == "same.proj.weight").Shape[0].BaseSize);
        Assert.DoesNotContain(spec.Parameters, p => p.Name.StartsWith("same.shortcut", System.StringComparison.Ordinal));
        // strided: stride 2 decides it: the then branch.
        Assert.Equal(192L, Assert.Single(spec.Parameters, p => p.Name == "strided.proj.weight").Shape[0].BaseSize);
        // wider: width != 2 * width is not decided (different values), so proj is refused, and the named shortcut item
        // that exists or not is followed.
        Assert.Contains(spec.Unresolved, u => u.Path == "wider.proj");
        Assert.Equal(Role.Hidden, Assert.Single(spec.Parameters, p => p.Name == "wider.shortcut.fc.weight").Role);
    }
}

/// <summary>TorchSharp's VGG idiom: a counting loop over an array of sizes, carrying the input channels from one
/// iteration to the next, is unrolled (every item its own sizes and name); other loops keep the symbolic walk.</summary>
public class UnrollTests
{
    private const string Source = """
        namespace Samples;

        public partial class Vgg : Module<Tensor, Tensor>
        {
            private readonly Sequential layers;
            private readonly ModuleList<Linear> same;
            private readonly Sequential changed;
            [ReadoutLayer] private readonly Linear classifier;

            public Vgg([Width(8)] int width, int classes = 10) : base("vgg")
            {
                var channels = new[] { width, 2 * width, 4 * width };
                var modules = new System.Collections.Generic.List<(string, Module<Tensor, Tensor>)>();
                long inChannels = 3;
                for (int i = 0; i < channels.Length; i++)
                {
                    modules.Add(($"conv{i}", Conv2d(inChannels, channels[i], kernel_size: 3)));
                    modules.Add(($"relu{i}", ReLU()));
                    inChannels = channels[i];
                }
                layers = Sequential(modules);
                same = new ModuleList<Linear>();
                for (int i = 0; i < 3; i++)
                    same.Add(Linear(width, width));
                var sizes = new[] { width, width };
                sizes[1] = 3 * width;
                var other = new System.Collections.Generic.List<(string, Module<Tensor, Tensor>)>();
                for (int i = 0; i < sizes.Length; i++)
                    other.Add(($"fc{i}", Linear(width, sizes[i])));
                changed = Sequential(other);
                classifier = Linear(4 * width, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void ALoopOverAnArrayOfSizesIsUnrolled()
    {
        var spec = CoverageTests.Parse(Source, "Vgg");
        long?[] Bases(string name) => Assert.Single(spec.Parameters, p => p.Name == name).Shape.Select(d => d.BaseSize).ToArray();
        Assert.Equal(new long?[] { 8, null, null, null }, Bases("layers.conv0.weight"));     // [width, 3, k, k]
        Assert.Equal(new long?[] { 16, 8, null, null }, Bases("layers.conv1.weight"));       // in = the previous out
        Assert.Equal(new long?[] { 32, 16, null, null }, Bases("layers.conv2.weight"));
        Assert.Equal(Role.Input, Assert.Single(spec.Parameters, p => p.Name == "layers.conv0.weight").Role);
        Assert.Equal(Role.Hidden, Assert.Single(spec.Parameters, p => p.Name == "layers.conv2.weight").Role);
        Assert.DoesNotContain(spec.Parameters, p => p.Name.StartsWith("layers.conv*", System.StringComparison.Ordinal));
        // A loop that reads nothing by the index keeps its one symbolic item.
        Assert.Single(spec.Parameters, p => p.Name == "same.*.weight");
        // An array of sizes whose items the constructor sets is not read by index: reported, never stale.
        Assert.Contains(spec.Unresolved, u => u.Path.StartsWith("changed", System.StringComparison.Ordinal));
        Assert.DoesNotContain(spec.Unresolved, u => u.Path is "layers" or "same" or "classifier");
    }
}

/// <summary>An item chosen by the loop index (<c>i == k ? a : b</c>) in a loop that adds several items per iteration
/// sits at start + k * (items per iteration) + its place in the iteration.</summary>
public class ChosenItemTests
{
    private const string Source = """
        namespace Samples;

        public partial class Stack : Module<Tensor, Tensor>
        {
            private readonly Sequential first;
            private readonly Sequential second;
            [ReadoutLayer] private readonly Linear readout;

            public Stack([Width(32)] int width, int depth = 3, int features = 16) : base("stack")
            {
                var a = new System.Collections.Generic.List<Module<Tensor, Tensor>>();
                for (int i = 0; i < depth; i++)
                {
                    a.Add(Linear(i == 0 ? features : width, width));
                    a.Add(GELU());
                }
                first = Sequential(a);
                var b = new System.Collections.Generic.List<Module<Tensor, Tensor>>();
                b.Add(LayerNorm(width));
                for (int i = 0; i < 4; i++)
                {
                    b.Add(ReLU());
                    b.Add(Linear(width, i == 1 ? 2 * width : width));
                }
                second = Sequential(b);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void TheChosenItemSitsAtItsPlaceInTheIteration()
    {
        var spec = CoverageTests.Parse(Source, "Stack");
        Assert.Empty(spec.Unresolved);
        // Iteration 0's Linear is the first of two adds: index 0.
        Assert.Equal(Role.Input, Assert.Single(spec.Parameters, p => p.Name == "first.0.weight").Role);
        Assert.Equal(Role.Hidden, Assert.Single(spec.Parameters, p => p.Name == "first.*.weight").Role);
        // One LayerNorm, then (ReLU, Linear) x 4: iteration 1's Linear is at 1 + 1 * 2 + 1 = 4.
        var chosen = Assert.Single(spec.Parameters, p => p.Name == "second.4.weight");
        Assert.Equal(64L, chosen.Shape[0].BaseSize);
        Assert.DoesNotContain(spec.Parameters, p => p.Name == "second.2.weight");
    }
}
