using System.Linq;
using MupGen.Generators.Model;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Issue 9: a module's own <c>Parameter</c>s, their shapes read from the tensor factory call and classified as
/// mup's shape method does (0 width-scaled dims: Fixed, 1: Vector, 2 at dims 0 and 1: Hidden), with the factory's draw
/// at base width as the init; what mup has no rule for, or values MupInitialize cannot redraw, stay reported.</summary>
public class ParameterTests
{
    private static ParameterSpec Fact(ModelSpec spec, string name) => Assert.Single(spec.Parameters, p => p.Name == name);

    private const string Parameters = """
        namespace Samples;

        public partial class Tokens : Module<Tensor, Tensor>
        {
            private readonly Conv2d patch;
            private readonly Parameter cls_token;
            private readonly Parameter pos_embed;
            private readonly Parameter mix;
            private readonly Parameter gain;
            private readonly Parameter scale;
            private readonly Parameter drawn;
            private readonly Parameter uniform;
            [ReadoutLayer] private readonly Linear head;

            public Tokens([Width(64)] int width, int patches = 16) : base("tokens")
            {
                patch = Conv2d(3, width, 4, stride: 4);
                cls_token = Parameter(zeros(1, 1, width));
                pos_embed = Parameter(torch.randn(1, patches + 1, width) * 0.02);
                mix = new Parameter(randn(new long[] { width, 2 * width }) / System.Math.Sqrt(width));
                gain = Parameter(ones(width));
                scale = Parameter(full(new long[] { 1 }, 0.5));
                drawn = Parameter(empty(width, width).normal_(0.0, 0.01));
                uniform = Parameter(empty(width).uniform_(-0.1, 0.1));
                register_parameter("bias2", Parameter(zeros(width)));
                head = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void ParameterShapesAndInits_AreReadFromTheFactoryCall()
    {
        Snapshot.Match("Parameters", GeneratorHarness.RunSingle(CoverageTests.Usings + Parameters));
        var spec = CoverageTests.Parse(Parameters, "Tokens");
        Assert.Empty(spec.Unresolved);
        // A module's own parameters come first in named_parameters(): the registered one, then fields in order.
        Assert.Equal(new[] { "bias2", "cls_token", "pos_embed", "mix", "gain", "scale", "drawn", "uniform" },
            spec.Parameters.Where(p => p.Layer == LayerKind.Parameter).Select(p => p.Name));

        var cls = Fact(spec, "cls_token");
        Assert.Equal(Role.Vector, cls.Role);
        Assert.Equal(new[] { false, false, true }, cls.Shape.Select(d => d.IsInfinite));
        Assert.Equal(new ParameterInit(InitForm.Zeros, 0, false), cls.Init);

        var pos = Fact(spec, "pos_embed");
        Assert.Equal(Role.Vector, pos.Role);
        Assert.Equal(new ParameterInit(InitForm.Normal, 0.02, false), pos.Init);

        // Two width-scaled dims at 0 and 1: matrix-like, fan_out dim 0 and fan_in dim 1 as mup's InfShape reads them.
        var mix = Fact(spec, "mix");
        Assert.Equal(Role.Hidden, mix.Role);
        Assert.Equal(new long?[] { 64, 128 }, mix.Shape.Select(d => d.BaseSize));
        Assert.Equal(new ParameterInit(InitForm.Normal, 0.125, true), mix.Init);

        Assert.Equal(new ParameterInit(InitForm.Constant, 1, false), Fact(spec, "gain").Init);
        Assert.Equal(Role.Fixed, Fact(spec, "scale").Role);
        Assert.Equal(new ParameterInit(InitForm.Constant, 0.5, false), Fact(spec, "scale").Init);
        Assert.Equal(new ParameterInit(InitForm.Normal, 0.01, false), Fact(spec, "drawn").Init);
        Assert.Equal(Role.Hidden, Fact(spec, "drawn").Role);
        Assert.Equal(new ParameterInit(InitForm.Uniform, 0.1, false), Fact(spec, "uniform").Init);
        Assert.Equal(Role.Vector, Fact(spec, "bias2").Role);
    }

    private const string Loud = """
        namespace Samples;

        public sealed class Source
        {
            public Tensor Weight { get; } = zeros(4);
        }

        public partial class LoudParameters : Module<Tensor, Tensor>
        {
            private readonly Parameter fromObject;
            private readonly Parameter fromMethod;
            private readonly Parameter threeWide;
            private readonly Parameter lastTwo;
            private readonly Parameter uninitialized;
            private readonly Parameter notCentred;
            private readonly Parameter opaqueScale;
            private readonly Parameter shifted;
            private readonly Parameter opaqueSize;
            [WidthInvariant] private readonly Parameter frozen;
            [ReadoutLayer] private readonly Linear head;

            public LoudParameters([Width(64)] int width, double std = 0.02, Source? source = null) : base("loud")
            {
                fromObject = Parameter(source!.Weight);
                fromMethod = Parameter(Make(width));
                threeWide = Parameter(randn(width, width, width));
                lastTwo = Parameter(randn(3, width, width));
                uninitialized = Parameter(empty(width));
                notCentred = Parameter(rand(width));
                opaqueScale = Parameter(randn(width) * std);
                shifted = Parameter(randn(width) + 1.0);
                opaqueSize = Parameter(zeros(Count(width), width));
                frozen = Parameter(empty(3));
                head = Linear(width, 10);
                RegisterComponents();
            }

            private static Tensor Make(int w) => randn(w);
            protected virtual int Count(int w) => w / 8; // virtual: a derived class may size it otherwise

            public override Tensor forward(Tensor x) => x;
        }
        """;

    [Fact]
    public void WhatMupHasNoRuleFor_OrMupInitializeCannotRedraw_StaysReported()
    {
        var spec = CoverageTests.Parse(Loud, "LoudParameters");
        var byPath = spec.Unresolved.ToDictionary(u => u.Path);
        void Reported(string path, UnresolvedReason reason, string why)
        {
            Assert.True(byPath.TryGetValue(path, out var issue), $"'{path}' is not reported: " + string.Join(", ", byPath.Keys));
            Assert.Equal(reason, issue!.Reason);
            Assert.Contains(why, issue.Detail);
            Assert.Equal(path, issue.Pattern);
            Assert.Equal(path, CoverageTests.TextAt(Loud, issue.MemberLocation));
            Assert.Equal(Role.Unresolved, Fact(spec, path).Role);
            Assert.Null(Fact(spec, path).Init);
        }
        Reported("fromObject", UnresolvedReason.ParameterField, "not a tensor factory call");
        Reported("fromMethod", UnresolvedReason.ParameterField, "not a tensor factory call");
        Reported("threeWide", UnresolvedReason.ParameterField, "3 width-scaled dimensions");
        Reported("lastTwo", UnresolvedReason.ParameterField, "at 1 and 2, not 0 and 1");
        Reported("uninitialized", UnresolvedReason.ParameterField, "leaves the values uninitialized");
        Reported("notCentred", UnresolvedReason.ParameterField, "not centred");
        Reported("opaqueScale", UnresolvedReason.ParameterField, "a factor the generator cannot read");
        Reported("shifted", UnresolvedReason.ParameterField, "shifts or divides");
        Reported("opaqueSize", UnresolvedReason.OpaqueSize, "could not read the shape");
        Assert.Equal(9, spec.Unresolved.Count);
        // [WidthInvariant] on a fixed-size Parameter whose values cannot be redrawn: Fixed, kept as constructed.
        Assert.Equal(Role.Fixed, Fact(spec, "frozen").Role);
        Assert.Null(Fact(spec, "frozen").Init);
    }

    [Fact]
    public void TheInitMirror_HasTheRuntimesNames_InOrder() =>
        Assert.Equal(System.Enum.GetNames(typeof(MupGen.Facts.MupInitKind)), System.Enum.GetNames(typeof(InitForm)));
}
