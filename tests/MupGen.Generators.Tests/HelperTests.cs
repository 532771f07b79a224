using System.Linq;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Issue 9: layers built by helper methods and local functions of the same compilation are read through the
/// call, with the arguments bound to the parameters; what the generator cannot follow stays reported.</summary>
public class HelperTests
{
    private static ParameterSpec Fact(ModelSpec spec, string name) => Assert.Single(spec.Parameters, p => p.Name == name);

    private const string Helpers = """
        namespace Samples;

        public static class Layers
        {
            public static Linear Square(int w) => Linear(w, w);
        }

        public class HelperBlock : Module<Tensor, Tensor>
        {
            private readonly Linear fc;

            public HelperBlock(int dim) : base("helperblock")
            {
                fc = Make(dim);
                RegisterComponents();
            }

            private static Linear Make(int d) => Linear(d, 2 * d);

            public override Tensor forward(Tensor x) => fc.forward(x);
        }

        public partial class HelperNet : Module<Tensor, Tensor>
        {
            private readonly int mult = 3;
            private readonly Linear stem;
            private readonly Sequential block;
            private readonly Linear square;
            private readonly Linear wide;
            private readonly ModuleList<Linear> stack;
            private readonly HelperBlock sub;
            private readonly Linear guarded;
            private readonly Linear captured;
            [ReadoutLayer] private readonly Linear head;

            public HelperNet([Width(64)] int width, int features = 8, int depth = 3) : base("helpers")
            {
                var inner = 2 * width;
                Linear Layer(int i, int o) => Linear(i, o);
                Linear Captures() => Linear(width, inner);
                stem = Layer(features, width);
                block = MakeBlock(width);
                square = Layers.Square(width);
                wide = Wide(width);
                stack = Stack(width, depth);
                sub = Sub(width);
                guarded = Guarded(width);
                captured = Captures();
                head = Linear(width, 10);
                RegisterComponents();
            }

            private static Sequential MakeBlock(int width) =>
                Sequential(("norm", LayerNorm(width)), ("up", Linear(width, 4 * width)), ("act", GELU()), ("down", Linear(4 * width, width)));

            private Linear Wide(int w) => Linear(w, mult * w);

            private static ModuleList<Linear> Stack(int w, int n)
            {
                var list = new List<Linear>();
                for (var i = 0; i < n; i++)
                    list.Add(Linear(w, w));
                return ModuleList(list.ToArray());
            }

            private static HelperBlock Sub(int w) => new HelperBlock(w);

            private static Linear Guarded(int w)
            {
                if (w <= 0)
                    throw new System.ArgumentOutOfRangeException(nameof(w));
                if (w > 100000)
                    return Linear(w, w);
                return Linear(w, w);
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void HelperMethodsAndLocalFunctions_AreReadThroughTheCall()
    {
        Snapshot.Match("Helpers", GeneratorHarness.RunSingle(CoverageTests.Usings + Helpers));
        var spec = CoverageTests.Parse(Helpers, "HelperNet");
        Assert.Empty(spec.Unresolved);
        // A local function with its arguments bound: Layer(features, width) is the input layer.
        Assert.Equal(Role.Input, Fact(spec, "stem.weight").Role);
        // A static method returning a named Sequential: names as TorchSharp registers them.
        Assert.Equal(Role.Vector, Fact(spec, "block.norm.weight").Role);
        Assert.Equal(Role.Hidden, Fact(spec, "block.up.weight").Role);
        Assert.Equal(256L, Fact(spec, "block.up.weight").Shape[0].BaseSize);
        Assert.Equal(Role.Hidden, Fact(spec, "block.down.weight").Role);
        // A static method of another class of the compilation.
        Assert.Equal(Role.Hidden, Fact(spec, "square.weight").Role);
        // An instance method reading a field the constructor set.
        Assert.Equal(192L, Fact(spec, "wide.weight").Shape[0].BaseSize);
        // A loop in the helper over a count it reads: one pattern.
        Assert.Equal(Role.Hidden, Fact(spec, "stack.*.weight").Role);
        // A helper returning a nested module; the nested module's own helper.
        Assert.Equal(128L, Fact(spec, "sub.fc.weight").Shape[0].BaseSize);
        Assert.Contains("Samples.HelperBlock", spec.Reached.Select(r => r.Replace("global::", "")));
        // Guards and several returns that give the same layer.
        Assert.Equal(Role.Hidden, Fact(spec, "guarded.weight").Role);
        // A local function reading the constructor's locals.
        Assert.Equal(128L, Fact(spec, "captured.weight").Shape[0].BaseSize);
    }

    private const string Loud = """
        namespace Samples;

        public sealed class Factory
        {
            public Linear Make(int w) => Linear(w, w);
        }

        public partial class LoudNet : Module<Tensor, Tensor>
        {
            private Linear? assigned;
            private readonly Linear virt;
            private readonly Linear recursive;
            private readonly Linear branches;
            private readonly Linear sideEffect;
            private readonly Linear whileLoop;
            private readonly Linear external;
            private readonly Linear otherObject;
            private readonly Linear registers;
            private readonly Linear conditional;
            private readonly Sequential carried;
            [ReadoutLayer] private readonly Linear head;

            public LoudNet([Width(64)] int width) : base("loud")
            {
                virt = Make(width);
                recursive = Recursive(width, 3);
                branches = Branches(width);
                sideEffect = SideEffect(width);
                whileLoop = WhileLoop(width);
                external = Linear(width, width).to(torch.CPU);
                otherObject = new Factory().Make(width);
                registers = Registers(width);
                conditional = Conditional(width, true);
                carried = Carried(width, 2);
                head = Linear(width, 10);
                RegisterComponents();
            }

            protected virtual Linear Make(int w) => Linear(w, w);

            private static Linear Recursive(int w, int n)
            {
                if (n == 0)
                    return Linear(w, w);
                return Recursive(w, n - 1);
            }

            private static Linear Branches(int w)
            {
                if (w > 128)
                    return Linear(w, 2 * w);
                return Linear(w, w);
            }

            private Linear SideEffect(int w)
            {
                assigned = Linear(w, w);
                return Linear(w, w);
            }

            private static Linear WhileLoop(int w)
            {
                var size = 1;
                while (size < w)
                    size *= 2;
                return Linear(w, size);
            }

            private Linear Registers(int w)
            {
                var l = Linear(w, w);
                register_module("extra", l);
                return l;
            }

            private static Linear Conditional(int w, bool wide)
            {
                var size = w;
                if (wide)
                    size = 2 * w;
                return Linear(w, size);
            }

            private static Sequential Carried(int w, int n)
            {
                Module<Tensor, Tensor> m = Linear(w, w);
                for (var i = 0; i < n; i++)
                    m = Sequential(m, Linear(w, w));
                return (Sequential)m;
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void WhatTheGeneratorCannotFollow_StaysReported_AtTheCall()
    {
        var spec = CoverageTests.Parse(Loud, "LoudNet");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);
        void Reported(string path, UnresolvedReason reason, string call, string why)
        {
            Assert.True(byPath.TryGetValue(path, out var issue), $"'{path}' is not reported: " + string.Join(", ", byPath.Keys));
            Assert.Equal(reason, issue!.Reason);
            Assert.Equal(call, CoverageTests.TextAt(Loud, issue.Location));
            Assert.Contains(why, issue.Detail);
            Assert.Equal(path, CoverageTests.TextAt(Loud, issue.MemberLocation));
            // Refused by name at run time.
            Assert.All(spec.Parameters.Where(p => p.Name.StartsWith(path + ".", System.StringComparison.Ordinal)), p => Assert.Equal(Role.Unresolved, p.Role));
        }
        Reported("virt", UnresolvedReason.HelperCall, "Make(width)", "virtual");
        Reported("recursive", UnresolvedReason.NestingLimit, "Recursive(w, n - 1)", "recursion");
        Reported("branches", UnresolvedReason.HelperCall, "Branches(width)", "return statements give different values");
        Reported("sideEffect", UnresolvedReason.HelperCall, "SideEffect(width)", "assigns something it did not create");
        Reported("whileLoop", UnresolvedReason.HelperCall, "WhileLoop(width)", "while or do loop");
        Reported("external", UnresolvedReason.HelperCall, "Linear(width, width).to(torch.CPU)", "another assembly");
        Reported("otherObject", UnresolvedReason.HelperCall, "new Factory().Make(width)", "another object");
        Reported("registers", UnresolvedReason.HelperCall, "Registers(width)", "registers modules itself");
        Reported("conditional", UnresolvedReason.HelperCall, "Conditional(width, true)", "builds on a condition");
        Reported("carried", UnresolvedReason.HelperCall, "Carried(width, 2)", "from one loop iteration to the next");
        // The field the helper assigns is not constructed by the constructor: reported too.
        Assert.Equal(UnresolvedReason.NotConstructed, byPath["assigned"].Reason);
        Assert.Equal(11, spec.Unresolved.Count);
        Assert.Equal(Role.Readout, Fact(spec, "head.weight").Role);
    }

    [Fact]
    public void HelperCalls_DoNotThrowOrLoop_OnMutualRecursionAndDeepChains()
    {
        var spec = CoverageTests.Parse("""
            namespace Samples;

            public partial class Mutual : Module<Tensor, Tensor>
            {
                private readonly Linear a;
                private readonly Linear deep;
                [ReadoutLayer] private readonly Linear head;

                public Mutual([Width(64)] int width) : base("mutual")
                {
                    a = Ping(width);
                    deep = D1(width);
                    head = Linear(width, 10);
                    RegisterComponents();
                }

                private static Linear Ping(int w) => Pong(w);
                private static Linear Pong(int w) => Ping(w);
                private static Linear D1(int w) => D2(w);
                private static Linear D2(int w) => D3(w);
                private static Linear D3(int w) => D4(w);
                private static Linear D4(int w) => D5(w);
                private static Linear D5(int w) => D6(w);
                private static Linear D6(int w) => D7(w);
                private static Linear D7(int w) => D8(w);
                private static Linear D8(int w) => D9(w);
                private static Linear D9(int w) => D10(w);
                private static Linear D10(int w) => Linear(w, w);

                public override Tensor forward(Tensor x) => x;
            }
            """, "Mutual");
        Assert.Equal(UnresolvedReason.NestingLimit, Assert.Single(spec.Unresolved, u => u.Path == "a").Reason);
        Assert.Equal(UnresolvedReason.NestingLimit, Assert.Single(spec.Unresolved, u => u.Path == "deep").Reason);
    }
}

/// <summary>Loop variables are finite only when the generator can see that they are: a foreach over items that are
/// constants or plain finite values, a counting index; a foreach over width-scaled sizes or a for loop variable that
/// is not the counting index (<c>c *= 2</c> up to the width) is reported, never taken for a fixed size. In the
/// constructor and in helper methods alike.</summary>
public class LoopVariableTests
{
    private const string Loops = """
        namespace Samples;

        public partial class Loops : Module<Tensor, Tensor>
        {
            private readonly ModuleList<Linear> widths;
            private readonly ModuleList<Linear> constants;
            private readonly ModuleList<Linear> doubling;
            private readonly Sequential helper;
            [ReadoutLayer] private readonly Linear head;

            public Loops([Width(64)] int width, int extra = 3) : base("loops")
            {
                widths = new ModuleList<Linear>();
                foreach (var c in new[] { width, 2 * width })
                    widths.Add(Linear(c, c));
                constants = new ModuleList<Linear>();
                foreach (var c in new[] { 8, extra })
                    constants.Add(Linear(c, c));
                doubling = new ModuleList<Linear>();
                for (var c = 16; c <= width; c *= 2)
                    doubling.Add(Linear(c, c));
                helper = Make(width);
                head = Linear(width, 10);
                RegisterComponents();
            }

            private static Sequential Make(int w)
            {
                var list = new List<Module<Tensor, Tensor>>();
                foreach (var c in new[] { w, 2 * w })
                    list.Add(Linear(c, c));
                return Sequential(list);
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void WidthScaledLoopVariables_AreReported_FiniteOnesAreFixed()
    {
        var spec = CoverageTests.Parse(Loops, "Loops");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);
        Assert.True(byPath.ContainsKey("widths.*"), string.Join(", ", byPath.Keys));
        Assert.Equal(UnresolvedReason.UnreadableSize, byPath["widths.*"].Reason);
        Assert.Equal("new[] { width, 2 * width }", CoverageTests.TextAt(Loops, byPath["widths.*"].Location));
        Assert.Equal("widths", CoverageTests.TextAt(Loops, byPath["widths.*"].MemberLocation));
        Assert.Equal(UnresolvedReason.UnreadableSize, byPath["doubling.*"].Reason);
        Assert.Equal(UnresolvedReason.UnreadableSize, byPath["helper.*"].Reason);
        Assert.Equal("new[] { w, 2 * w }", CoverageTests.TextAt(Loops, byPath["helper.*"].Location));
        Assert.Equal(3, spec.Unresolved.Count);
        Assert.Equal(Role.Fixed, Assert.Single(spec.Parameters, p => p.Name == "constants.*.weight").Role);
    }
}
