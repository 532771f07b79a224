using System.Linq;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Sizes returned by helper methods, local functions and computed properties, as TorchSharp users write them
/// (<c>Linear(width, Hidden(width))</c>, Llama's <c>RoundUp(h, multipleOf)</c>): followed with the arguments bound,
/// so the size is read exactly as if the returned expression had been written at the call. What the generator does not
/// follow is reported at the call, saying why (MUP012), and refused at run time: never guessed.</summary>
public class SizeHelperTests
{
    private static ParameterSpec Fact(ModelSpec spec, string name) => Assert.Single(spec.Parameters, p => p.Name == name);

    private const string Followed = """
        namespace Samples;

        public static class Sizes
        {
            public static int Quad(int w) => 4 * w;
            public static int Times(this int w, int k) => k * w;
        }

        public partial class SizeNet : Module<Tensor, Tensor>
        {
            private readonly int _width;
            private readonly Linear up, down, rounded, head1, mlp, defaulted, named, other, extension, property, nested, perHead, guarded, padded,
                explicitThis, blockGetter, readsField, compound, roundedInline, head1Inline, mlpInline, guardedInline, compoundInline;
            [ReadoutLayer] private readonly Linear head;

            public SizeNet([Width(64)] int width, int heads, int vocab = 50) : base("sizes")
            {
                _width = width;
                int Mlp(int d) => (int)(8 * d / 3);
                up = Linear(width, Hidden(width));
                var hidden = Hidden(width);
                down = Linear(hidden, width);
                rounded = Linear(width, RoundUp(Hidden(width), 256));
                head1 = Linear(width, HeadDim(width, 4));
                mlp = Linear(width, Mlp(width));
                defaulted = Linear(width, RoundUp64(width + 1));
                named = Linear(width, RoundUp64(multiple: 32, x: width + 1));
                other = Linear(width, Sizes.Quad(width));
                extension = Linear(width, width.Times(2));
                property = Linear(width, Inner);
                nested = Linear(width, Twice(Hidden(width)));
                perHead = Linear(width, HeadDim(width, heads));
                guarded = Linear(width, Checked(width));
                padded = Linear(RoundUp(vocab, 8), width);
                explicitThis = Linear(width, this.HeadDim(width, 2));
                blockGetter = Linear(width, Outer);
                readsField = Linear(width, Scaled(3));
                compound = Linear(width, Llama(width, 32));
                // The same sizes written inline: each helper must read exactly as these.
                roundedInline = Linear(width, (4 * width + 256 - 1) / 256 * 256);
                head1Inline = Linear(width, width / 4);
                mlpInline = Linear(width, (int)(8 * width / 3));
                guardedInline = Linear(width, width / 2 * 3);
                compoundInline = Linear(width, 32 * ((4 * width * 2 / 3 + 32 - 1) / 32));
                head = Linear(width, 10);
                RegisterComponents();
            }

            private static int Hidden(int width) => 4 * width;
            static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
            static int RoundUp64(int x, int multiple = 64) => (x + multiple - 1) / multiple * multiple;
            int HeadDim(int w, int heads) { return w / heads; }
            private static int Twice(int x) => 2 * x;
            private int Inner => 2 * _width;
            private int Outer { get { return 3 * _width; } }
            private int Scaled(int k) => k * _width;

            // Llama's hidden size with compound assignments: 4 * 64 = 256, * 2 / 3 = 170, rounded up to 192.
            private static int Llama(int dim, int multipleOf)
            {
                var hidden = 4 * dim;
                hidden *= 2;
                hidden /= 3;
                hidden = multipleOf * ((hidden + multipleOf - 1) / multipleOf);
                return hidden;
            }

            private static long Checked(int w)
            {
                if (w <= 0)
                    throw new System.ArgumentOutOfRangeException(nameof(w));
                var half = w / 2;
                half = half * 3;
                if (w > 100000)
                    return half;
                return half;
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void SizeHelpers_AreReadAsTheInlineExpression()
    {
        Snapshot.Match("SizeHelpers", GeneratorHarness.RunSingle(CoverageTests.Usings + Followed));
        var spec = CoverageTests.Parse(Followed, "SizeNet");
        Assert.Empty(spec.Unresolved);
        DimSpec Out(string layer) => Fact(spec, layer + ".weight").Shape[0];
        DimSpec In(string layer) => Fact(spec, layer + ".weight").Shape[1];
        // Exact monomials: Hidden(width) = 4 * width, as a call and through a local.
        Assert.Equal(new DimSpec(DimForm.Monomial, 256, new[] { new PowerSpec("width", 1) }.ToEquatableArray()), Out("up"));
        Assert.Equal(Out("up"), In("down"));
        Assert.Equal(Role.Hidden, Fact(spec, "up.weight").Role);
        // Llama's rounding, through a nested call: the computed form, as inline (4 * 64 = 256 rounds to 256).
        Assert.Equal(DimForm.Computed, Out("rounded").Form);
        Assert.Equal(256L, Out("rounded").BaseSize);
        Assert.Equal("(((((4L * w) + 256L) - 1L) / 256L) * 256L)", Out("rounded").SizeAt);
        Assert.Equal(Out("roundedInline"), Out("rounded"));
        // A block body returning w / heads with a constant head count: a division that truncates, so computed (never a
        // measure of the width), as inline.
        Assert.Equal(16L, Out("head1").BaseSize);
        Assert.Equal(DimForm.Computed, Out("head1").Form);
        Assert.Equal(Out("head1Inline"), Out("head1"));
        // A local function with a cast: 8 * 64 / 3 = 170, a truncating product, computed as inline.
        Assert.Equal(170L, Out("mlp").BaseSize);
        Assert.Equal(DimForm.Computed, Out("mlp").Form);
        Assert.Equal(Out("mlpInline"), Out("mlp"));
        // An optional parameter left out takes its constant default (64); a named argument binds by name (32).
        Assert.Equal("(((((w + 1L) + 64L) - 1L) / 64L) * 64L)", Out("defaulted").SizeAt);
        Assert.Equal(128L, Out("defaulted").BaseSize);
        Assert.Equal(96L, Out("named").BaseSize);
        Assert.Equal("(((((w + 1L) + 32L) - 1L) / 32L) * 32L)", Out("named").SizeAt);
        // A static method of another class, an extension method, a computed property, a helper of a helper's result.
        Assert.Equal(256L, Out("other").BaseSize);
        Assert.Equal(128L, Out("extension").BaseSize);
        Assert.Equal(128L, Out("property").BaseSize);
        Assert.Equal(512L, Out("nested").BaseSize);
        // An opaque argument (a head count without a default): a monomial measured at run time, as inline.
        Assert.Equal(new DimSpec(DimForm.Monomial, null, new[] { new PowerSpec("width", 1) }.ToEquatableArray()), Out("perHead"));
        // Guards, locals reassigned, two returns giving the same value; a long result.
        Assert.Equal(96L, Out("guarded").BaseSize);
        Assert.Equal(Out("guardedInline"), Out("guarded"));
        // Width-free: a padded vocabulary is fixed.
        Assert.Equal(DimSpec.Fixed, In("padded"));
        Assert.Equal(Role.Input, Fact(spec, "padded.weight").Role);
        // this.Method(...), a getter with a block body, an instance method reading a readonly field the constructor set.
        Assert.Equal(32L, Out("explicitThis").BaseSize);
        Assert.Equal(192L, Out("blockGetter").BaseSize);
        Assert.Equal(192L, Out("readsField").BaseSize);
        // Compound assignments of integers are the arithmetic they stand for.
        Assert.Equal(DimForm.Computed, Out("compound").Form);
        Assert.Equal(192L, Out("compound").BaseSize);
        Assert.Equal("(32L * ((((((4L * w) * 2L) / 3L) + 32L) - 1L) / 32L))", Out("compound").SizeAt);
        Assert.Equal(Out("compoundInline"), Out("compound"));
    }

    private const string Loud = """
        namespace Samples;

        public sealed class Calculator
        {
            public int Hidden(int w) => 4 * w;
        }

        public sealed class Other
        {
            public int Vocab { get; set; } = 10;
        }

        public partial class LoudSizes : Module<Tensor, Tensor>
        {
            private int _mutable = 3;
            private readonly int _width;
            private readonly Linear virt, external, round, insideRound, recursive, mutable, settable, effect, branches, loop,
                generic, outParam, refParam, otherObject, argument, unknownInput, virtProperty, floating, loopProperty;
            [ReadoutLayer] private readonly Linear head;

            public int Settable { get; set; } = 2;

            public LoudSizes([Width(64)] int width, int multiple, Other source) : base("loud")
            {
                _width = width;
                var wide = 2 * width;
                double h = width;
                virt = Linear(width, Virt(width));
                external = Linear(width, System.Math.Max(width, 64));
                round = Linear(width, (int)System.Math.Round(width * 2.67));
                insideRound = Linear(width, Rounded(width));
                recursive = Linear(width, Recursive(width, 2));
                mutable = Linear(width, Mutable(width));
                settable = Linear(width, ReadsSettable(width));
                effect = Linear(width, Effect(width));
                branches = Linear(width, Branches(width));
                loop = Linear(width, Loop(width));
                generic = Linear(width, Generic<int>(width));
                outParam = Linear(width, OutParam(width, out var ignored));
                refParam = Linear(width, RefParam(ref wide));
                otherObject = Linear(width, new Calculator().Hidden(width));
                argument = Linear(width, Twice(source.Vocab));
                unknownInput = Linear(width, RoundUp(4 * width, multiple));
                virtProperty = Linear(width, VirtualHidden);
                floating = Linear(width, (int)(h / 3 * 8));
                loopProperty = Linear(width, LoopHidden);
                head = Linear(width, 10);
                RegisterComponents();
            }

            protected virtual int Virt(int w) => w;
            private static int Rounded(int w) => (int)System.Math.Round(w * 2.67);
            private static int Recursive(int w, int n)
            {
                if (n == 0)
                    return w;
                return Recursive(w, n - 1);
            }
            private int Mutable(int w) => _mutable * w;
            private int ReadsSettable(int w) => Settable * w;
            private static int Effect(int w) { System.Console.WriteLine(w); return w; }
            private static int Branches(int w) { if (w > 128) return w; return 2 * w; }
            private static int Loop(int w) { var s = w; for (var i = 0; i < 2; i++) { var t = i; } return s; }
            private static int Generic<T>(int w) => w;
            private static int OutParam(int w, out int twice) { twice = 2 * w; return w; }
            private static int RefParam(ref int w) => w;
            private static int Twice(int x) => 2 * x;
            private static int RoundUp(int x, int m) => (x + m - 1) / m * m;
            protected virtual int VirtualHidden => 4 * _width;
            private int LoopHidden { get { var s = 0; foreach (var k in new[] { 1, 2 }) s = k; return s * _width; } }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void WhatTheGeneratorDoesNotFollow_IsReportedAtTheCall_SayingWhy()
    {
        var spec = CoverageTests.Parse(Loud, "LoudSizes");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);
        void Reported(string path, UnresolvedReason reason, string at, string why)
        {
            Assert.True(byPath.TryGetValue(path, out var issue), $"'{path}' is not reported: " + string.Join(", ", byPath.Keys));
            Assert.Equal(reason, issue!.Reason);
            Assert.Equal(at, CoverageTests.TextAt(Loud, issue.Location));
            Assert.Contains(why, issue.Detail);
            Assert.Equal(path, CoverageTests.TextAt(Loud, issue.MemberLocation));
            // Refused by name at run time.
            Assert.All(spec.Parameters.Where(p => p.Name.StartsWith(path + ".", System.StringComparison.Ordinal)), p => Assert.Equal(Role.Unresolved, p.Role));
        }
        Reported("virt", UnresolvedReason.OpaqueSize, "Virt(width)", "Virt(width) is a size computed by a virtual, abstract or interface method, which a derived class may replace (make it non-virtual, or compute the size in the constructor)");
        Reported("external", UnresolvedReason.OpaqueSize, "System.Math.Max(width, 64)", "a method of another assembly (Math.Max), whose body the generator cannot read");
        Reported("round", UnresolvedReason.OpaqueSize, "System.Math.Round(width * 2.67)", "System.Math.Round(width * 2.67) is a floating-point call (Math.Round), which the generator does not follow (write the size in integer arithmetic)");
        Reported("insideRound", UnresolvedReason.OpaqueSize, "Rounded(width)", "Rounded(width) is a size computed by a method whose result the generator cannot read: System.Math.Round(w * 2.67) is a floating-point call (Math.Round)");
        Reported("recursive", UnresolvedReason.OpaqueSize, "Recursive(width, 2)", "Recursive(w, n - 1) is a size computed by a method that calls itself (recursion)");
        Reported("mutable", UnresolvedReason.OpaqueSize, "Mutable(width)", "reads the mutable field '_mutable' (make it readonly, or pass the value as an argument)");
        Reported("settable", UnresolvedReason.OpaqueSize, "ReadsSettable(width)", "reads the settable property 'Settable'");
        Reported("effect", UnresolvedReason.OpaqueSize, "Effect(width)", "has a statement with an effect (System.Console.WriteLine(w))");
        Reported("branches", UnresolvedReason.OpaqueSize, "Branches(width)", "return statements give different values");
        Reported("loop", UnresolvedReason.OpaqueSize, "Loop(width)", "loops");
        Reported("generic", UnresolvedReason.OpaqueSize, "Generic<int>(width)", "a generic method");
        Reported("outParam", UnresolvedReason.OpaqueSize, "OutParam(width, out var ignored)", "has the out/ref parameter 'twice' (return the size instead)");
        Reported("refParam", UnresolvedReason.OpaqueSize, "RefParam(ref wide)", "has the out/ref parameter 'w'");
        Reported("otherObject", UnresolvedReason.OpaqueSize, "new Calculator().Hidden(width)", "a method of another object");
        // What an argument brings in keeps its own place in the caller.
        Reported("argument", UnresolvedReason.OpaqueSize, "source.Vocab", "is read from another object");
        // An input the generator cannot know (an argument without a default) in a size that does not grow exactly: as inline.
        Assert.Equal(UnresolvedReason.NonProportionalSize, byPath["unknownInput"].Reason);
        Reported("virtProperty", UnresolvedReason.OpaqueSize, "VirtualHidden", "a virtual or abstract property");
        Reported("floating", UnresolvedReason.UnreadableSize, "h / 3 * 8", "is not integer arithmetic");
        Reported("loopProperty", UnresolvedReason.OpaqueSize, "LoopHidden", "a getter that loops");
        Assert.Equal(19, spec.Unresolved.Count);
        Assert.Equal(Role.Readout, Fact(spec, "head.weight").Role);
    }

    private const string Written = """
        namespace Samples;

        public partial class WrittenSizes : Module<Tensor, Tensor>
        {
            public static int HiddenMult = 4;
            private static readonly int Fixed = 3;
            private int _hidden;
            private int _chained;
            private int _out;
            private int _reassigned;
            private int _stored;
            private readonly Linear init, chained, outArg, reassigned, staticMutable, staticReadonly, staticAlone, throughSetter, setterField;
            [ReadoutLayer] private readonly Linear head;

            public WrittenSizes([Width(64)] int width) : base("written")
            {
                Init(width);
                init = Linear(width, _hidden);
                Outer(width);
                chained = Linear(width, _chained);
                Compute(width, out _out);
                outArg = Linear(width, _out);
                Init(width);
                _reassigned = 2 * width;
                reassigned = Linear(width, _reassigned);
                staticMutable = Linear(width, HiddenMult * width);
                staticReadonly = Linear(width, Fixed * width);
                staticAlone = Linear(HiddenMult, width);
                Doubled = width;
                throughSetter = Linear(width, Doubled);
                setterField = Linear(width, _stored);
                head = Linear(width, 10);
                RegisterComponents();
            }

            private void Init(int w) { _hidden = 4 * w; }
            // What is assigned is not what reading gives (the getter doubles it).
            private int Doubled { get => 2 * _stored; set => _stored = value; }
            private void Outer(int w) => Inner(w);
            private void Inner(int w) { _chained = 2 * w; }
            private static void Compute(int w, out int size) { size = 2 * w; }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    /// <summary>A size field written by a call the walk does not follow (a void method, through the methods it calls,
    /// an out argument) is reported at that call, never read as the value it had before; a static field that is not
    /// readonly may be changed before the model is built, so its initializer is not taken for its value.</summary>
    [Fact]
    public void SizesWrittenByCallsTheWalkDoesNotFollow_AreReportedAtTheCall()
    {
        var spec = CoverageTests.Parse(Written, "WrittenSizes");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);
        void Reported(string path, string at, string why)
        {
            Assert.True(byPath.TryGetValue(path, out var issue), $"'{path}' is not reported: " + string.Join(", ", byPath.Keys));
            Assert.Equal(UnresolvedReason.OpaqueSize, issue!.Reason);
            Assert.Equal(at, CoverageTests.TextAt(Written, issue.Location));
            Assert.Contains(why, issue.Detail);
            Assert.Equal(path, CoverageTests.TextAt(Written, issue.MemberLocation));
        }
        Reported("init", "Init(width)", "_hidden is assigned by Init(width), which the generator does not follow (assign it in the constructor)");
        Reported("chained", "Outer(width)", "_chained is assigned by Outer(width)");
        Reported("outArg", "Compute(width, out _out)", "_out is assigned by Compute(width, out _out)");
        // A property with accessor bodies: the read follows the getter, which reads the field the setter wrote.
        Reported("throughSetter", "Doubled", "Doubled is a size computed by a getter that reads the mutable field '_stored'");
        Reported("setterField", "Doubled = width", "_stored is assigned by the setter of Doubled, which the generator does not follow");
        Assert.Equal(5, spec.Unresolved.Count);
        // Assigned again by the constructor after the call: that value.
        Assert.Equal(128L, Fact(spec, "reassigned.weight").Shape[0].BaseSize);
        // A mutable static: a finite value of unknown size (the run time measures the product), not its initializer.
        Assert.Equal(new DimSpec(DimForm.Monomial, null, new[] { new PowerSpec("width", 1) }.ToEquatableArray()), Fact(spec, "staticMutable.weight").Shape[0]);
        Assert.Equal(Role.Input, Fact(spec, "staticAlone.weight").Role);
        // A static readonly field: its initializer.
        Assert.Equal(192L, Fact(spec, "staticReadonly.weight").Shape[0].BaseSize);
    }

    /// <summary>A size helper that takes the configuration (or its members) reads it as the constructor does: the
    /// [Width] member is the width, a member's constant initializer its default for a computed size.</summary>
    [Fact]
    public void SizeHelpers_TakingAConfiguration_ReadItsWidth()
    {
        var spec = ConfigTests.ParseRoot("""
            namespace Samples;

            public class SizeArgs
            {
                [Width(64)] public int Dim { get; set; } = 64;
                public int MultipleOf { get; set; } = 32;
            }

            public partial class ConfigSizes : Module<Tensor, Tensor>
            {
                private readonly Linear up, rounded;
                [ReadoutLayer] private readonly Linear head;

                public ConfigSizes(SizeArgs args) : base("config")
                {
                    up = Linear(args.Dim, Hidden(args));
                    rounded = Linear(args.Dim, RoundUp(Hidden(args), args.MultipleOf));
                    head = Linear(args.Dim, 10);
                    RegisterComponents();
                }

                private static int Hidden(SizeArgs a) => 4 * a.Dim;
                private static int RoundUp(int x, int m) => (x + m - 1) / m * m;

                public override Tensor forward(Tensor x) => x;
            }
            """, "ConfigSizes")!;
        Assert.Empty(spec.Unresolved);
        Assert.Equal(new DimSpec(DimForm.Monomial, 256, new[] { new PowerSpec("Dim", 1) }.ToEquatableArray()), Fact(spec, "up.weight").Shape[0]);
        Assert.Equal(DimForm.Computed, Fact(spec, "rounded.weight").Shape[0].Form);
        Assert.Equal("(((((4L * w) + 32L) - 1L) / 32L) * 32L)", Fact(spec, "rounded.weight").Shape[0].SizeAt);
    }

    [Fact]
    public void SizeHelpers_DoNotThrowOrLoop_OnMutualRecursionAndDeepChains()
    {
        var spec = CoverageTests.Parse("""
            namespace Samples;

            public partial class MutualSizes : Module<Tensor, Tensor>
            {
                private readonly Linear a, deep, shallow;
                [ReadoutLayer] private readonly Linear head;

                public MutualSizes([Width(64)] int width) : base("mutual")
                {
                    a = Linear(width, Ping(width));
                    deep = Linear(width, D1(width));
                    shallow = Linear(width, D7(width));
                    head = Linear(width, 10);
                    RegisterComponents();
                }

                private static int Ping(int w) => Pong(w);
                private static int Pong(int w) => Ping(w);
                private static int D1(int w) => D2(w);
                private static int D2(int w) => D3(w);
                private static int D3(int w) => D4(w);
                private static int D4(int w) => D5(w);
                private static int D5(int w) => D6(w);
                private static int D6(int w) => D7(w);
                private static int D7(int w) => D8(w);
                private static int D8(int w) => D9(w);
                private static int D9(int w) => D10(w);
                private static int D10(int w) => 2 * w;

                public override Tensor forward(Tensor x) => x;
            }
            """, "MutualSizes");
        Assert.Equal(UnresolvedReason.OpaqueSize, Assert.Single(spec.Unresolved, u => u.Path == "a").Reason);
        Assert.Contains("recursion", Assert.Single(spec.Unresolved, u => u.Path == "a").Detail);
        Assert.Contains("too deep", Assert.Single(spec.Unresolved, u => u.Path == "deep").Detail);
        Assert.Equal(2, spec.Unresolved.Count);
        Assert.Equal(128L, Fact(spec, "shallow.weight").Shape[0].BaseSize);
    }
}
