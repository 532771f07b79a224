using System;
using System.Collections.Generic;
using MupGen.Facts;
using MupGen.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Tests;

/// <summary>Every invalid input, class by class: the exception names the argument or parameter and says what to do.
/// (MupOptions' numeric options: OptionsTests; MupShapes: ShapesTests; shape contradictions: BindingTests, VerifyTests,
/// StrictModeTests.)</summary>
[Collection(TorchCollection.Name)]
public class InvalidInputTests
{
    // ------------------------------------------------------------------ MupOptions
    [Fact]
    public void An_unknown_parametrization_names_the_option()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MupOptions { Parametrization = (MupParametrization)42 }.Validate());
        Assert.Equal("Parametrization", ex.ParamName);
        Assert.Contains("unknown value 42", ex.Message);
    }

    [Fact]
    public void Invalid_options_are_refused_by_every_member_before_anything_happens()
    {
        using var model = new Mlp(128);
        var bad = new MupOptions { OutputMultiplier = -2 };
        Assert.Equal("OutputMultiplier", Assert.Throws<ArgumentException>(() => model.MupInitialize(bad)).ParamName);
        Assert.Equal("OutputMultiplier", Assert.Throws<ArgumentException>(() => model.MupDescribe(bad)).ParamName);
        Assert.Equal("OutputMultiplier", Assert.Throws<ArgumentException>(() => model.MupAdamW(0.01, 0, options: bad)).ParamName);
        Assert.Equal("OutputMultiplier", Assert.Throws<ArgumentException>(() => model.MupSGD(0.01, options: bad)).ParamName);
        Assert.Equal("OutputMultiplier", Assert.Throws<ArgumentException>(() => model.MupOptions = bad).ParamName);
        Assert.Equal(1.0, model.MupOptions.OutputMultiplier);   // the refused options did not stick
        Assert.Throws<ArgumentNullException>(() => model.MupOptions = null!);
    }

    // ------------------------------------------------------------------ optimizer arguments
    public static IEnumerable<object[]> BadOptimizerArguments()
    {
        foreach (var kind in new[] { "Adam", "AdamW", "SGD" })
        {
            foreach (var lr in new[] { 0.0, -1e-3, double.NaN, double.PositiveInfinity })
                yield return new object[] { kind, "lr", lr };
            foreach (var wd in new[] { -0.1, double.NaN })
                yield return new object[] { kind, "weightDecay", wd };
            if (kind != "SGD")
                foreach (var eps in new[] { 0.0, -1e-8 })
                    yield return new object[] { kind, "eps", eps };
        }
    }

    [Theory]
    [MemberData(nameof(BadOptimizerArguments))]
    public void Bad_optimizer_arguments_name_the_argument_and_the_valid_range(string kind, string argument, double value)
    {
        using var model = new Mlp(128);
        double lr = argument == "lr" ? value : 0.01, wd = argument == "weightDecay" ? value : 0.0, eps = argument == "eps" ? value : 1e-8;
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => kind switch
        {
            "Adam" => (object)model.MupAdam(lr, eps: eps, weightDecay: wd),
            "AdamW" => model.MupAdamW(lr, wd, eps: eps),
            _ => model.MupSGD(lr, weightDecay: wd),
        });
        Assert.Equal(argument, ex.ParamName);
        Assert.Contains(argument == "weightDecay" ? "non-negative and finite" : "positive and finite", ex.Message);
    }

    // ------------------------------------------------------------------ MupBinding
    [Fact]
    public void The_binding_refuses_null_and_bad_arguments_naming_them()
    {
        using var model = new HandMlp(128);
        Assert.Equal("module", Assert.Throws<ArgumentNullException>(() => new MupBinding(null!, HandMlp.Facts)).ParamName);
        Assert.Equal("facts", Assert.Throws<ArgumentNullException>(() => new MupBinding(model, null!)).ParamName);
        Assert.Equal("headDim", Assert.Throws<ArgumentOutOfRangeException>(() => model.Mup.AttentionScale(0)).ParamName);
        Assert.Equal("shapes", Assert.Throws<ArgumentNullException>(() => model.Mup.Verify(null!)).ParamName);
        using var mlp = new Mlp(128);
        Assert.Equal("shapes", Assert.Throws<ArgumentNullException>(() => mlp.MupVerify(null!)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => MupModelExtensions.MupVerify(null!, VerifyTests.Shapes(() => new Mlp(64), () => new Mlp(128)))).ParamName);
    }

    [Fact]
    public void A_rank_that_contradicts_the_facts_names_the_parameter_and_says_to_rebuild()
    {
        using var model = new RawShapes(("w", new long[] { 4, 4, 4 }));
        var facts = new MupModelFacts("Raw", new[] { new MupWidthSymbol("width", 4) }, null,
            new[] { new MupParameterFact("w", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(4, "width"), MupDim.Scaled(4, "width") }) });
        var ex = Assert.Throws<InvalidOperationException>(() => new MupBinding(model, facts).Describe(null));
        Assert.Contains("Parameter 'w' of Raw has shape [4, 4, 4]", ex.Message);
        Assert.Contains("rank 2", ex.Message);
        Assert.Contains("Rebuild the project", ex.Message);
    }

    [Fact]
    public void A_width_that_cannot_be_measured_names_the_parameter_and_the_fix()
    {
        using var model = new RawShapes(("w", new long[] { 8, 8 }));
        var facts = new MupModelFacts("Raw", new[] { new MupWidthSymbol("width", 4) }, null,
            new[] { new MupParameterFact("w", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(null, "width"), MupDim.Scaled(null, "width") }) });
        var ex = Assert.Throws<InvalidOperationException>(() => new MupBinding(model, facts).Describe(null));
        Assert.Contains("Parameter 'w' of Raw", ex.Message);
        Assert.Contains("cannot be measured", ex.Message);
        Assert.Contains("role attribute", ex.Message);
    }

    // ------------------------------------------------------------------ MupRules
    [Fact]
    public void The_rules_name_every_bad_argument()
    {
        Assert.Equal("mIn", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Width(MupRole.Hidden, 0, 1)).ParamName);
        Assert.Equal("mOut", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Width(MupRole.Hidden, 1, double.NaN)).ParamName);
        Assert.Equal("role", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Width((MupRole)99, 1, 1)).ParamName);
        Assert.Equal("mN", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Depth(MupRole.Hidden, true, -1, 1, 1)).ParamName);
        Assert.Equal("mL", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Depth(MupRole.Hidden, true, 1, 0, 1)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Depth(MupRole.Hidden, true, 1, 1, 2)).ParamName);
        Assert.Equal("mL", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.ResidualMultiplier(0, 1)).ParamName);
        Assert.Equal("headDim", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.AttentionScale(0, 16, 1, false)).ParamName);
        Assert.Equal("baseHeadDim", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.AttentionScale(16, 0, 1, false)).ParamName);
        Assert.Contains("positive and finite", Assert.Throws<ArgumentOutOfRangeException>(() => MupRules.Width(MupRole.Hidden, -2, 1)).Message);
    }

    // ------------------------------------------------------------------ MupModelFacts / MupDim
    [Fact]
    public void Facts_and_dimensions_refuse_impossible_values()
    {
        Assert.Equal("powers", Assert.Throws<ArgumentException>(() => MupDim.Monomial(4, new MupPower("width", 0))).ParamName);
        Assert.Equal("baseSize", Assert.Throws<ArgumentOutOfRangeException>(() => MupDim.Scaled(0, "width")).ParamName);
        Assert.Equal("baseSize", Assert.Throws<ArgumentOutOfRangeException>(() => MupDim.Affine(-1, "width")).ParamName);
        Assert.Equal("modelName", Assert.Throws<ArgumentNullException>(() => new MupModelFacts(null!, Array.Empty<MupWidthSymbol>(), null, Array.Empty<MupParameterFact>())).ParamName);
    }
}
