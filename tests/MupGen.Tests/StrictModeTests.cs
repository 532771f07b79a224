using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Facts;
using MupGen.Tests.Models;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Tests;

/// <summary>Strict mode (every parameter has a rule or initialisation and the optimizers refuse), AllowUnresolved,
/// and MupOptions.BaseShapes as the fallback that fills what the compiler could not resolve.</summary>
[Collection(TorchCollection.Name)]
public class StrictModeTests
{
    private static readonly MupOptions Allow = new() { AllowUnresolved = true };

    /// <summary>HandMlp's facts with hidden.* removed (the generator did not see the layer) and the input layer
    /// Unresolved with a reason.</summary>
    private static MupModelFacts PartialFacts { get; } = new("HandMlp", HandMlp.Facts.Widths.ToArray(), null,
        HandMlp.Facts.Parameters
            .Where(p => !p.Name.StartsWith("hidden.", StringComparison.Ordinal))
            .Select(p => p.Name.StartsWith("input.", StringComparison.Ordinal) ? p with { Role = MupRole.Unresolved, Note = "could not read 'inputSize': a test says so" } : p)
            .ToArray());

    private static Dictionary<string, float[]> Snapshot(nn.Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    private static MupShapes HandShapes => VerifyTests.Shapes(() => new HandMlp(64), () => new HandMlp(128));

    public static IEnumerable<object[]> Members() => new[] { new object[] { "MupInitialize" }, new object[] { "MupAdam" }, new object[] { "MupAdamW" }, new object[] { "MupSGD" } };

    private static void Call(MupBinding b, string member, MupOptions? options)
    {
        switch (member)
        {
            case "MupInitialize": b.Initialize(options); break;
            case "MupAdam": b.Adam(0.01, 0.9, 0.999, 1e-8, 0, false, options).Dispose(); break;
            case "MupAdamW": b.AdamW(0.01, 0.1, 0.9, 0.999, 1e-8, false, options).Dispose(); break;
            default: b.SGD(0.01, 0, 0, 0, false, options).Dispose(); break;
        }
    }

    [Theory]
    [MemberData(nameof(Members))]
    public void Every_parameter_without_a_rule_is_listed_at_once_with_its_reason_and_the_fixes(string member)
    {
        using var model = new HandMlp(256);
        var binding = new MupBinding(model, PartialFacts);
        var before = Snapshot(model);
        var ex = Assert.Throws<InvalidOperationException>(() => Call(binding, member, null));
        Assert.StartsWith($"HandMlp.{member} refuses: 4 parameters have no µP rule", ex.Message);
        foreach (var name in new[] { "input.weight", "input.bias" })
            Assert.Contains($"  - {name}: could not read 'inputSize': a test says so [fix: a role attribute on its field, BaseShapes, or AllowUnresolved]", ex.Message);
        foreach (var name in new[] { "hidden.weight", "hidden.bias" })
            Assert.Contains($"  - {name}: no compiled fact: the generator did not see this parameter", ex.Message);
        Assert.DoesNotContain("readout", ex.Message);
        Assert.Contains("MupOptions.BaseShapes = MupShapes.Of(", ex.Message);
        Assert.Contains("MupOptions.AllowUnresolved = true", ex.Message);
        Assert.Contains("[HiddenLayer]", ex.Message);
        var after = Snapshot(model);
        Assert.All(before.Keys, k => Assert.True(before[k].SequenceEqual(after[k]), $"{k} was touched before refusing"));
    }

    [Fact]
    public void Describe_lists_unresolved_parameters_and_never_refuses()
    {
        using var model = new HandMlp(256);
        var rows = new MupBinding(model, PartialFacts).Describe(null).ToDictionary(r => r.Name);
        Assert.Equal(MupRuleSource.Unresolved, rows["hidden.weight"].Source);
        Assert.Equal(MupRole.Unresolved, rows["hidden.weight"].Role);
        Assert.StartsWith("no compiled fact", rows["hidden.weight"].Note);
        Assert.Equal("constructor", rows["hidden.weight"].Init);
        Assert.True(double.IsNaN(rows["hidden.weight"].InitStd));
        Assert.Equal(MupRuleSource.Unresolved, rows["input.weight"].Source);
        Assert.Equal(MupRuleSource.Compiled, rows["readout.weight"].Source);
    }

    [Fact]
    public void AllowUnresolved_keeps_the_constructor_init_and_the_base_hyperparameters()
    {
        using var model = new HandMlp(256);
        var binding = new MupBinding(model, PartialFacts);
        var before = Snapshot(model);
        torch.manual_seed(1);
        binding.Initialize(Allow);
        var after = Snapshot(model);
        foreach (var name in new[] { "input.weight", "input.bias", "hidden.weight", "hidden.bias" })
            Assert.True(before[name].SequenceEqual(after[name]), name);
        Assert.False(before["readout.weight"].SequenceEqual(after["readout.weight"]));
        var groups = BindingTests.GroupSettings(model, binding.AdamW(0.01, 0.1, 0.9, 0.999, 1e-8, false, Allow));
        Assert.Equal((0.01, 0.1, 1e-8), groups["hidden.weight"]);   // base hyperparameters (µP would give lr / 4)
        Assert.Equal(6, groups.Count);
        Assert.Equal(MupRuleSource.Unresolved, binding.Describe(Allow).Single(r => r.Name == "hidden.weight").Source);
    }

    [Fact]
    public void The_standard_parametrization_needs_no_rule_and_refuses_nothing()
    {
        using var model = new HandMlp(256);
        var binding = new MupBinding(model, PartialFacts);
        var sp = new MupOptions { Parametrization = MupParametrization.Standard };
        binding.Initialize(sp);
        binding.SGD(0.1, 0, 0, 0, false, sp).Dispose();
        Assert.Throws<InvalidOperationException>(() => binding.Initialize(MupOptions.Default));
    }

    [Theory]
    [MemberData(nameof(Members))]
    public void A_layer_added_after_construction_is_refused_like_any_parameter_without_a_fact(string member)
    {
        using var model = new HandMlp(128);
        Assert.Equal(6, model.Mup.Describe(null).Count);              // the binding has read the model
        Call(model.Mup, member, null);                                 // and it is clean
        model.register_module("extra", nn.Linear(128, 128));
        var ex = Assert.Throws<InvalidOperationException>(() => Call(model.Mup, member, null));
        Assert.StartsWith($"HandMlp.{member} refuses: 2 parameters have no µP rule", ex.Message);
        Assert.Contains("  - extra.weight: no compiled fact: the generator did not see this parameter (a layer it could not follow, or one added after construction)", ex.Message);
        Assert.Contains("  - extra.bias: no compiled fact", ex.Message);
        Assert.Equal(8, model.Mup.Describe(null).Count);
        Call(model.Mup, member, Allow);
    }

    [Fact]
    public void A_layer_added_after_construction_is_filled_from_base_shapes_of_the_grown_model()
    {
        using var model = new HandMlp(128);
        model.Mup.Describe(null);
        model.register_module("extra", nn.Linear(128, 128));
        HandMlp Grown(int w)
        {
            var m = new HandMlp(w);
            m.register_module("extra", nn.Linear(w, w));
            return m;
        }
        var options = new MupOptions { BaseShapes = VerifyTests.Shapes(() => Grown(64), () => Grown(128)) };
        model.Mup.Initialize(options);
        var extra = model.Mup.Describe(options).Single(r => r.Name == "extra.weight");
        Assert.Equal((MupRole.Hidden, MupRuleSource.BaseShapes, 0.5), (extra.Role, extra.Source, extra.AdamLrScale));
    }

    /// <summary>HandMlp's facts with hidden.* replaced by what the generator emits for a member it could not read: one
    /// `hidden.**` fact without layer kind, tensor name or shape.</summary>
    private static MupModelFacts OpaqueFacts { get; } = new("HandMlp", HandMlp.Facts.Widths.ToArray(), null,
        HandMlp.Facts.Parameters
            .Where(p => !p.Name.StartsWith("hidden.", StringComparison.Ordinal))
            .Select(p => p.Name.StartsWith("input.", StringComparison.Ordinal) ? p with { Role = MupRole.Unresolved, Note = "could not read 'inputSize': a test says so" } : p)
            .Append(new MupParameterFact("hidden.**", MupLayerKind.Other, "*", MupRole.Unresolved, Array.Empty<MupDim>(), Note: "built by a helper"))
            .ToArray());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Base_shapes_fill_every_unresolved_parameter_with_the_rule_a_compiled_fact_gives(bool opaque)
    {
        using var compiled = new HandMlp(256);
        using var filled = new HandMlp(256);
        var binding = new MupBinding(filled, opaque ? OpaqueFacts : PartialFacts);
        if (opaque)
            Assert.Contains("hidden.weight: built by a helper", Assert.Throws<InvalidOperationException>(() => binding.Initialize(null)).Message);
        var options = new MupOptions { BaseShapes = HandShapes };
        var expected = compiled.Mup.Describe(null);
        var actual = binding.Describe(options);
        foreach (var (e, a) in expected.Zip(actual))
            AssertSameRule(e, a);
        Assert.Equal(new[] { MupRuleSource.BaseShapes, MupRuleSource.BaseShapes, MupRuleSource.BaseShapes, MupRuleSource.BaseShapes, MupRuleSource.Compiled, MupRuleSource.Compiled },
            actual.Select(r => r.Source));
        Assert.StartsWith("from the base shapes: hidden-like", actual[2].Note);

        // Same seed, same draws: bit-identical to the compiled model, and the same optimizer groups.
        torch.manual_seed(9);
        compiled.Mup.Initialize(null);
        torch.manual_seed(9);
        binding.Initialize(options);
        var c = Snapshot(compiled);
        var f = Snapshot(filled);
        Assert.All(c.Keys, k => Assert.True(c[k].SequenceEqual(f[k]), k));
        foreach (var kind in new[] { "AdamW", "SGD" })
        {
            var eg = BindingTests.GroupSettings(compiled, kind == "SGD" ? compiled.Mup.SGD(0.01, 0, 0.1, 0, false, null) : compiled.Mup.AdamW(0.01, 0.1, 0.9, 0.999, 1e-8, false, null));
            var ag = BindingTests.GroupSettings(filled, kind == "SGD" ? binding.SGD(0.01, 0, 0.1, 0, false, options) : binding.AdamW(0.01, 0.1, 0.9, 0.999, 1e-8, false, options));
            Assert.Equal(eg.OrderBy(x => x.Key), ag.OrderBy(x => x.Key));
        }
    }

    [Fact]
    public void Base_shapes_fill_a_generated_unresolved_layer()
    {
        var (model, shapes) = VerifyTests.Build("OpaqueSize");   // m = 4
        using var module = (nn.Module)model;
        Assert.Throws<InvalidOperationException>(() => model.MupInitialize());
        var options = new MupOptions { BaseShapes = shapes };
        model.MupInitialize(options);
        var rows = model.MupDescribe().ToDictionary(r => r.Name);   // MupInitialize(options) made them the model's options
        Assert.Equal((MupRole.Hidden, MupRuleSource.BaseShapes), (rows["odd.weight"].Role, rows["odd.weight"].Source));
        Assert.Equal(0.25, rows["odd.weight"].AdamLrScale);
        Assert.Equal(1 / Math.Sqrt(128) / Math.Sqrt(3), rows["odd.weight"].InitStd, 12);   // the default at the actual fan_in
        Assert.Equal(1 / Math.Sqrt(32) / Math.Sqrt(3), rows["odd.bias"].InitStd, 12);       // a vector: the default at base fan_in
        Assert.Equal((MupRole.Vector, 4.0), (rows["odd.bias"].Role, rows["odd.bias"].SgdLrScale));
        model.MupAdamW(0.01, 0.1).Dispose();
    }

    [Fact]
    public void A_readout_the_compiler_did_not_see_is_refused_even_with_base_shapes()
    {
        using var model = new HandMlp(256);
        var facts = new MupModelFacts("HandMlp", HandMlp.Facts.Widths.ToArray(), null,
            HandMlp.Facts.Parameters.Where(p => !p.Name.StartsWith("readout.", StringComparison.Ordinal)).ToArray());
        var binding = new MupBinding(model, facts);
        var ex = Assert.Throws<InvalidOperationException>(() => binding.Initialize(new MupOptions { BaseShapes = HandShapes }));
        Assert.StartsWith("HandMlp.MupInitialize refuses: 1 parameter has no µP rule", ex.Message);
        Assert.Contains("readout.weight: no compiled fact", ex.Message);
        Assert.Contains("the base shapes make it a readout (width-scaled fan_in, fixed fan_out)", ex.Message);
        Assert.Contains("[ReadoutLayer]", ex.Message);
        var bias = binding.Describe(new MupOptions { BaseShapes = HandShapes }).Single(r => r.Name == "readout.bias");
        Assert.Equal((MupRole.Fixed, MupRuleSource.BaseShapes), (bias.Role, bias.Source));
    }

    [Theory]
    [MemberData(nameof(Members))]
    public void Base_shapes_that_contradict_a_compiled_fact_are_refused_naming_the_parameter(string member)
    {
        var (model, shapes) = VerifyTests.Build("InvariantOnHidden");
        using var module = (nn.Module)model;
        var options = new MupOptions { BaseShapes = shapes };
        var binding = new MupBinding(module, model.MupFacts);
        var ex = Assert.Throws<InvalidOperationException>(() => Call(binding, member, options));
        Assert.StartsWith($"InvariantOnHidden.{member} refuses: MupOptions.BaseShapes disagrees with the compiled facts of 2 parameters", ex.Message);
        Assert.Contains("  - hidden.weight: compiled Fixed", ex.Message);
        Assert.Contains("  - hidden.bias: compiled Fixed", ex.Message);
        Assert.Contains("Fix the role attribute", ex.Message);
        var row = model.MupDescribe(options).Single(r => r.Name == "hidden.weight");   // describe lists, never refuses
        Assert.StartsWith("the base shapes disagree: role Fixed", row.Note);
    }

    [Fact]
    public void A_raw_parameter_filled_from_base_shapes_keeps_its_constructor_values_as_mup_does()
    {
        using var model = new RawShapes(("gain", new long[] { 256 }), ("mix", new long[] { 256, 256 }));
        var binding = new MupBinding(model, new MupModelFacts("Raw", new[] { new MupWidthSymbol("width", 64) }, null, Array.Empty<MupParameterFact>()));
        var shapes = VerifyTests.Shapes(() => new RawShapes(("gain", new long[] { 64 }), ("mix", new long[] { 64, 64 })),
                                        () => new RawShapes(("gain", new long[] { 128 }), ("mix", new long[] { 128, 128 })));
        using (torch.no_grad()) { model.named_parameters().First().parameter.fill_(1.0f); }
        var options = new MupOptions { BaseShapes = shapes };
        binding.Initialize(options);
        Assert.Equal(256.0, model.named_parameters().First().parameter.sum().ToDouble());
        var rows = binding.Describe(options);
        Assert.Equal(new[] { MupRole.Vector, MupRole.Hidden }, rows.Select(r => r.Role));
        Assert.Equal("constructor", rows[1].Init);
        Assert.Equal(0.25, rows[1].AdamLrScale);
        Assert.Equal(4.0, rows[0].SgdLrScale);
    }

    [Fact]
    public void Base_shapes_without_the_parameter_or_with_more_than_two_scaled_dimensions_say_why_they_cannot_fill_it()
    {
        using var model = new RawShapes(("cube", new long[] { 16, 16, 16 }), ("w", new long[] { 16, 4 }));
        var binding = new MupBinding(model, new MupModelFacts("Raw", new[] { new MupWidthSymbol("width", 4) }, null, Array.Empty<MupParameterFact>()));
        var shapes = VerifyTests.Shapes(() => new RawShapes(("cube", new long[] { 4, 4, 4 })), () => new RawShapes(("cube", new long[] { 8, 8, 8 })));
        var ex = Assert.Throws<InvalidOperationException>(() => binding.Initialize(new MupOptions { BaseShapes = shapes }));
        Assert.Contains("cube: no compiled fact", ex.Message);
        Assert.Contains("3 dimensions scale with width; mup has no rule for more than two", ex.Message);
        Assert.Contains("w: no compiled fact", ex.Message);
        Assert.Contains("the base shapes have no parameter of this name", ex.Message);
    }

    internal static void AssertSameRule(MupParameter e, MupParameter a)
    {
        Assert.Equal(e.Name, a.Name);
        Assert.Equal(e.Shape, a.Shape);
        Assert.True((e.Role, e.WidthMultiplierIn, e.WidthMultiplierOut, e.DepthMultiplier, e.InResidualBlock) ==
                    (a.Role, a.WidthMultiplierIn, a.WidthMultiplierOut, a.DepthMultiplier, a.InResidualBlock), $"{e.Name}: {e} vs {a}");
        Assert.True((e.InitStd, e.Init, e.AdamLrScale, e.SgdLrScale, e.AdamWeightDecayScale, e.SgdWeightDecayScale, e.AdamEpsScale) ==
                    (a.InitStd, a.Init, a.AdamLrScale, a.SgdLrScale, a.AdamWeightDecayScale, a.SgdWeightDecayScale, a.AdamEpsScale), $"{e.Name}: {e} vs {a}");
    }
}
