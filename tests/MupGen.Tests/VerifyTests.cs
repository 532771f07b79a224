using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Facts;
using MupGen.Samples.Gpt;
using MupGen.Tests.Models;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests;

/// <summary>A SwiGLU-style MLP whose hidden size is rounded up to a multiple of 32, as Llama's multiple_of does: it
/// grows 7.17x when the width grows 8x. Its hand-written facts claim "proportional to width" (what a role attribute
/// would say): MupVerify must catch the multipliers.</summary>
internal sealed class HandRounded : Module<Tensor, Tensor>
{
    private readonly Linear up;
    private readonly Linear down;
    private MupBinding? _mup;

    public static long Hidden(int width) => 32 * (long)Math.Ceiling(width * 8 / 3.0 / 32);

    public HandRounded(int width) : base(nameof(HandRounded))
    {
        up = Linear(width, Hidden(width), hasBias: false);
        down = Linear(Hidden(width), width, hasBias: false);
        RegisterComponents();
    }

    public static MupModelFacts Facts { get; } = new(
        "HandRounded", new[] { new MupWidthSymbol("width", 64) }, null,
        new[]
        {
            new MupParameterFact("up.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(null, "width"), MupDim.Scaled(64, "width") }),
            new MupParameterFact("down.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(64, "width"), MupDim.Scaled(null, "width") }),
        });

    public MupBinding Mup => _mup ??= new MupBinding(this, Facts);

    public override Tensor forward(Tensor x) => down.forward(up.forward(x));
}

/// <summary>MupVerify against mup's shape method: clean on every model the runtime tests define, and it finds every
/// parameter a wrong role attribute or a wrong fact changes.</summary>
[Collection(TorchCollection.Name)]
public class VerifyTests
{
    private const int Vocab = 17, Context = 8, Heads = 4;

    internal static MupShapes Shapes(Func<nn.Module> baseModel, Func<nn.Module> deltaModel)
    {
        using var b = baseModel();
        using var d = deltaModel();
        return MupShapes.Of(b, d);
    }

    /// <summary>Every generated model of the runtime tests and the GPT sample: (model at 4x or more, its shapes).</summary>
    public static IEnumerable<object[]> CleanGeneratedModels() => new[]
    {
        new object[] { "Mlp" }, new object[] { "ResidualMlp" }, new object[] { "FixedHeadDimAttention" }, new object[] { "UnmatchedDepth" },
        new object[] { "NestedDepth" }, new object[] { "TwoWidths" }, new object[] { "Gpt" }, new object[] { "GptTied" }, new object[] { "SlimGpt" },
    };

    internal static (IMupModel Model, MupShapes Shapes) Build(string name) => name switch
    {
        "Mlp" => (new Mlp(256), Shapes(() => new Mlp(64), () => new Mlp(128))),
        "ResidualMlp" => (new ResidualMlp(128, layers: 3), Shapes(() => new ResidualMlp(32, layers: 3), () => new ResidualMlp(64, layers: 3))),
        "FixedHeadDimAttention" => (new FixedHeadDimAttention(512), Shapes(() => new FixedHeadDimAttention(64), () => new FixedHeadDimAttention(128))),
        "UnmatchedDepth" => (new UnmatchedDepth(128, 3), Shapes(() => new UnmatchedDepth(32, 3), () => new UnmatchedDepth(64, 3))),
        "NestedDepth" => (new NestedDepth(64, 6), Shapes(() => new NestedDepth(16, 6), () => new NestedDepth(32, 6))),
        "TwoWidths" => (new TwoWidths(128, 128), Shapes(() => new TwoWidths(32, 64), () => new TwoWidths(64, 128))),
        "Gpt" => (new Gpt(256, 4, Vocab, Context, Heads), Shapes(() => new Gpt(64, 4, Vocab, Context, Heads), () => new Gpt(128, 4, Vocab, Context, Heads))),
        "GptTied" => (new Gpt(256, 4, Vocab, Context, Heads, tied: true), Shapes(() => new Gpt(64, 4, Vocab, Context, Heads, tied: true), () => new Gpt(128, 4, Vocab, Context, Heads, tied: true))),
        "SlimGpt" => (new SlimGpt(256, Vocab, Context, Heads), Shapes(() => new SlimGpt(64, Vocab, Context, Heads), () => new SlimGpt(128, Vocab, Context, Heads))),
        "InvariantOnHidden" => (new InvariantOnHidden(128), Shapes(() => new InvariantOnHidden(32), () => new InvariantOnHidden(64))),
        "HiddenOnInput" => (new HiddenOnInput(128), Shapes(() => new HiddenOnInput(32), () => new HiddenOnInput(64))),
        "InputOnHidden" => (new InputOnHidden(128), Shapes(() => new InputOnHidden(32), () => new InputOnHidden(64))),
        "WithInvariantLayer" => (new WithInvariantLayer(64), Shapes(() => new WithInvariantLayer(16), () => new WithInvariantLayer(32))),
        "OpaqueSize" => (new OpaqueSize(128), Shapes(() => new OpaqueSize(32), () => new OpaqueSize(64))),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(CleanGeneratedModels))]
    public void Every_generated_test_model_agrees_with_its_base_shapes(string name)
    {
        var (model, shapes) = Build(name);
        using var module = (nn.Module)model;
        var result = model.MupVerify(shapes);
        Assert.True(result.Count == 0, string.Join("\n", result));
    }

    [Fact]
    public void Every_hand_written_model_agrees_with_its_base_shapes()
    {
        using var mlp = new HandMlp(1024);
        Assert.Empty(mlp.Mup.Verify(Shapes(() => new HandMlp(64), () => new HandMlp(128))));
        using var tied = new HandTied(128);
        Assert.Empty(tied.Mup.Verify(Shapes(() => new HandTied(32), () => new HandTied(64))));
        using var query = new HandQuery(32);
        Assert.Empty(query.Mup.Verify(Shapes(() => new HandQuery(8), () => new HandQuery(16))));
        using var product = new HandProduct(a: 16, b: 12);
        Assert.Empty(product.Mup.Verify(Shapes(() => new HandProduct(8, 4), () => new HandProduct(16, 8))));
    }

    /// <summary>Each wrong attribute, and exactly the parameters whose rule it changes (the bias of an [InputLayer] or
    /// [HiddenLayer] layer stays a width-scaled vector, as the shapes say).</summary>
    [Theory]
    [InlineData("InvariantOnHidden", "hidden.weight:Fixed:hidden-like", "hidden.bias:Fixed:vector-like")]
    [InlineData("WithInvariantLayer", "side.weight:Fixed:hidden-like", "side.bias:Fixed:vector-like")]
    [InlineData("HiddenOnInput", "input.weight:Hidden:vector-like")]
    [InlineData("InputOnHidden", "hidden.weight:Input:hidden-like")]
    public void A_wrong_role_attribute_is_found_on_every_parameter_it_changes(string name, params string[] expected)
    {
        var (model, shapes) = Build(name);
        using var module = (nn.Module)model;
        var result = model.MupVerify(shapes);
        Assert.Equal(expected.Select(e => e.Split(':')[0]), result.Select(r => r.Name));
        foreach (var (e, r) in expected.Zip(result))
        {
            var parts = e.Split(':');
            Assert.StartsWith(parts[1] + " ", r.Compiled);
            Assert.StartsWith(parts[2], r.FromShapes);
            Assert.Contains($"role {parts[1]} is", r.Message);
            Assert.Contains("Fix the role attribute", r.Message);
        }
    }

    [Fact]
    public void A_wrong_attribute_reports_the_numbers_it_changes()
    {
        var (model, shapes) = Build("InputOnHidden");   // m = 4
        using var module = (nn.Module)model;
        var hidden = model.MupVerify(shapes).Single();
        Assert.Contains("Adam lr ×1 from the facts, ×0.25 from the shapes", hidden.Message);
        Assert.Contains("init std ×1 from the facts, ×0.5 from the shapes", hidden.Message);
        Assert.Contains("Adam weight decay ×1 from the facts, ×4 from the shapes", hidden.Message);
    }

    [Fact]
    public void Unresolved_and_missing_facts_are_disagreements()
    {
        var (model, shapes) = Build("OpaqueSize");
        using var module = (nn.Module)model;
        var result = model.MupVerify(shapes);
        Assert.Equal(new[] { "odd.weight", "odd.bias" }, result.Select(r => r.Name));
        Assert.StartsWith("unresolved: could not read", result[0].Compiled);
        Assert.StartsWith("hidden-like", result[0].FromShapes);
        Assert.Contains("BaseShapes", result[0].Message);

        using var mlp = new HandMlp(256);
        var partial = new MupBinding(mlp, new MupModelFacts("HandMlp", HandMlp.Facts.Widths.ToArray(), null,
            HandMlp.Facts.Parameters.Where(p => !p.Name.StartsWith("hidden.", StringComparison.Ordinal)).ToArray()));
        var missing = partial.Verify(Shapes(() => new HandMlp(64), () => new HandMlp(128)));
        Assert.Equal(new[] { "hidden.weight", "hidden.bias" }, missing.Select(r => r.Name));
        Assert.All(missing, r => Assert.StartsWith("none: no compiled fact", r.Compiled));
    }

    [Fact]
    public void Multipliers_that_do_not_grow_with_width_are_found()
    {
        using var model = new HandRounded(512);   // hidden 1376 = 7.17 x 192, width 8 x 64
        Assert.Equal(192, HandRounded.Hidden(64));
        Assert.Equal(1376, HandRounded.Hidden(512));
        var result = model.Mup.Verify(Shapes(() => new HandRounded(64), () => new HandRounded(128)));
        Assert.Equal(new[] { "up.weight", "down.weight" }, result.Select(r => r.Name));
        Assert.Contains("dimension 0 has width multiplier 8 in the facts but 7.1667 from the shapes (1376 / base 192)", result[0].Message);
        Assert.Contains("SGD lr ×1 from the facts, ×0.8958 from the shapes", result[0].Message);
        Assert.Contains("Adam lr ×0.125 from the facts, ×0.1395 from the shapes", result[1].Message);   // 1 / m_in
    }

    [Fact]
    public void Shapes_of_another_model_or_another_configuration_are_reported()
    {
        using var model = new HandMlp(256, features: 8);
        var result = model.Mup.Verify(Shapes(() => new HandMlp(64, features: 16), () => new HandMlp(128, features: 16)));
        var input = Assert.Single(result);
        Assert.Equal("input.weight", input.Name);
        Assert.Contains("dimension 1 is 8 here but 16 in both the base and the delta model", input.Message);

        using var mlp = new Mlp(128);
        var other = mlp.MupVerify(Shapes(() => new ResidualMlp(32), () => new ResidualMlp(64)));
        Assert.Contains(other, r => r.Name == "hidden.weight" && r.FromShapes == "absent");
        Assert.Contains(other, r => r.Name == "embed.weight" && r.Compiled == "absent" && r.Message.Contains("another model"));
    }

    [Fact]
    public void A_delta_that_varies_only_one_of_two_widths_is_reported()
    {
        using var model = new TwoWidths(128, 128);
        var result = model.MupVerify(Shapes(() => new TwoWidths(32, 64), () => new TwoWidths(64, 64)));
        Assert.Equal(new[] { "fc.weight", "fc.bias", "proj.weight" }, result.Select(r => r.Name));
        Assert.Contains("vary that value in the delta model too", result[0].Message);
    }
}
