using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using MupGen.Facts;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Tests;

[Collection(TorchCollection.Name)]
public class BindingTests
{
    private static readonly MupOptions SP = new() { Parametrization = MupParametrization.Standard };

    private static Dictionary<string, float[]> Snapshot(nn.Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    private static Dictionary<string, float[]> InitWith(HandMlp model, MupOptions options, long seed = 7)
    {
        torch.manual_seed(seed);
        model.Mup.Initialize(options);
        return Snapshot(model);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.02)]
    public void At_base_width_mup_equals_its_sp_twin_bit_for_bit(double? initStd)
    {
        using var model = new HandMlp(HandMlp.BaseWidth);
        var mup = InitWith(model, new MupOptions { InitStd = initStd });
        var sp = InitWith(model, SP with { InitStd = initStd });
        Assert.Equal(sp.Keys, mup.Keys);
        foreach (var name in sp.Keys)
            Assert.True(sp[name].SequenceEqual(mup[name]), $"{name} differs at base width");
    }

    [Fact]
    public void Off_base_exactly_the_roles_that_should_differ_do_with_default_init()
    {
        using var model = new HandMlp(256);   // m = 4
        var mup = InitWith(model, MupOptions.Default);
        var sp = InitWith(model, SP);
        // Same seed, same sequence of uniform draws: a µP tensor is its SP twin times (µP bound / SP bound).
        var expectedRatio = new Dictionary<string, double>
        {
            ["input.weight"] = 1,                 // fan_in 8 is finite: the default does not move
            ["input.bias"] = 1,
            ["hidden.weight"] = 1,                // the default 1/sqrt(fan_in) at the actual shape already scales right
            ["hidden.bias"] = 2,                  // Vector: default at base shape, 1/sqrt(64) over 1/sqrt(256)
            ["readout.weight"] = 2,               // Readout: brought back to its base std (mup's × sqrt(m))
            ["readout.bias"] = 2,
        };
        foreach (var (name, ratio) in expectedRatio)
            AssertRatio(mup[name], sp[name], ratio, name);
    }

    [Fact]
    public void Off_base_exactly_the_roles_that_should_differ_do_with_init_std()
    {
        using var model = new HandMlp(256);
        var mup = InitWith(model, new MupOptions { InitStd = 0.05 });
        var sp = InitWith(model, SP with { InitStd = 0.05 });
        AssertRatio(mup["input.weight"], sp["input.weight"], 1, "input.weight");
        AssertRatio(mup["hidden.weight"], sp["hidden.weight"], 0.5, "hidden.weight");   // std / sqrt(m_in)
        AssertRatio(mup["readout.weight"], sp["readout.weight"], 1, "readout.weight");
        AssertRatio(mup["hidden.bias"], sp["hidden.bias"], 2, "hidden.bias");           // vectors keep the default at base
    }

    [Fact]
    public void Initialize_is_reproducible_under_a_seed_and_safe_to_call_twice()
    {
        using var model = new HandMlp(128);
        var first = InitWith(model, MupOptions.Default, seed: 3);
        var again = InitWith(model, MupOptions.Default, seed: 3);
        foreach (var name in first.Keys)
            Assert.True(first[name].SequenceEqual(again[name]), name);
        var other = InitWith(model, MupOptions.Default, seed: 4);
        Assert.False(first["hidden.weight"].SequenceEqual(other["hidden.weight"]));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Init_statistics_follow_the_rules()
    {
        using var model = new HandMlp(1024);   // m = 16
        torch.manual_seed(1);
        model.Mup.Initialize(new MupOptions { InitStd = 0.1 });
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(0.1, p["input.weight"].std().ToDouble(), 2);
        Assert.Equal(0.1 / 4, p["hidden.weight"].std().ToDouble(), 3);
        Assert.Equal(0.1, p["readout.weight"].std().ToDouble(), 2);
        var rows = model.Mup.Describe(null).ToDictionary(r => r.Name);
        Assert.Equal(0.025, rows["hidden.weight"].InitStd, 12);
        Assert.Equal(1 / Math.Sqrt(64) / Math.Sqrt(3), rows["hidden.bias"].InitStd, 12);
        Assert.Equal("normal(0, 0.025)", rows["hidden.weight"].Init);
    }

    [Fact]
    public void Zero_init_readout_zeroes_weight_and_bias()
    {
        using var model = new HandMlp(128);
        model.Mup.Initialize(new MupOptions { ZeroInitReadout = true });
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(0.0, p["readout.weight"].abs().sum().ToDouble());
        Assert.Equal(0.0, p["readout.bias"].abs().sum().ToDouble());
        Assert.NotEqual(0.0, p["hidden.weight"].abs().sum().ToDouble());
    }

    [Fact]
    public void Zero_init_query_zeroes_the_query_projection_and_the_query_rows_of_a_fused_one()
    {
        using var model = new HandQuery(16);
        model.Mup.Initialize(new MupOptions { ZeroInitQuery = true });
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(0.0, p["q.weight"].abs().sum().ToDouble());
        Assert.Equal(0.0, p["q.bias"].abs().sum().ToDouble());
        Assert.NotEqual(0.0, p["k.weight"].abs().sum().ToDouble());
        Assert.Equal(0.0, p["qkv.weight"].narrow(0, 0, 16).abs().sum().ToDouble());
        Assert.True(p["qkv.weight"].narrow(0, 16, 32).abs().min().ToDouble() > 0);
        Assert.Equal(0.0, p["qkv.bias"].narrow(0, 0, 16).abs().sum().ToDouble());
        Assert.Equal("zeros", model.Mup.Describe(new MupOptions { ZeroInitQuery = true }).Single(r => r.Name == "q.weight").Init);
    }

    [Fact]
    public void Describe_gives_one_row_per_parameter_in_named_parameters_order()
    {
        using var model = new HandMlp(1024);
        var rows = model.Mup.Describe(null);
        Assert.Equal(model.named_parameters().Select(p => p.name), rows.Select(r => r.Name));
        var hidden = rows.Single(r => r.Name == "hidden.weight");
        Assert.Equal(MupRole.Hidden, hidden.Role);
        Assert.Equal(new long[] { 1024, 1024 }, hidden.Shape);
        Assert.Equal(16, hidden.WidthMultiplierIn);
        Assert.Equal(16, hidden.WidthMultiplierOut);
        Assert.Equal(1.0 / 16, hidden.AdamLrScale);
        Assert.Equal(1.0, hidden.SgdLrScale);
        Assert.Equal(16, hidden.AdamWeightDecayScale);
        var readout = rows.Single(r => r.Name == "readout.weight");
        Assert.Equal(16, readout.WidthMultiplierIn);
        Assert.Equal(1, readout.WidthMultiplierOut);
        Assert.Equal(16, readout.SgdLrScale);
        Assert.Equal(1.0 / 16, model.Mup.ReadoutMultiplier);
    }

    public static IEnumerable<object[]> OptimizerCases() => new[]
    {
        new object[] { "Adam" }, new object[] { "AdamW" }, new object[] { "SGD" },
    };

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void Optimizer_groups_carry_the_table_values_at_width_multiplier_16(string kind)
    {
        using var model = new HandMlp(1024);
        const double lr = 0.01, wd = 0.1, eps = 1e-8;
        const double m = 16;
        var expected = kind == "SGD"
            ? new Dictionary<string, (double Lr, double Wd)>
            {
                ["input.weight"] = (lr * m, wd / m), ["input.bias"] = (lr * m, wd / m),
                ["hidden.weight"] = (lr * m / m, wd * m / m), ["hidden.bias"] = (lr * m, wd / m),
                ["readout.weight"] = (lr * m, wd / m), ["readout.bias"] = (lr, wd),
            }
            : new Dictionary<string, (double Lr, double Wd)>
            {
                ["input.weight"] = (lr, wd), ["input.bias"] = (lr, wd),
                ["hidden.weight"] = (lr / m, wd * m), ["hidden.bias"] = (lr, wd),
                ["readout.weight"] = (lr, wd), ["readout.bias"] = (lr, wd),
            };
        var actual = GroupSettings(model, kind switch
        {
            "Adam" => model.Mup.Adam(lr, 0.9, 0.999, eps, wd, false, null),
            "AdamW" => model.Mup.AdamW(lr, wd, 0.9, 0.999, eps, false, null),
            _ => model.Mup.SGD(lr, 0.9, wd, 0, false, null),
        });
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var (name, (eLr, eWd)) in expected)
        {
            Assert.Equal(eLr, actual[name].Lr, 15);
            Assert.Equal(eWd, actual[name].Wd, 15);
            if (kind != "SGD")
                Assert.Equal(eps, actual[name].Eps, 15);
        }
    }

    [Fact]
    public void Parameters_with_equal_settings_share_a_group()
    {
        using var model = new HandMlp(1024);
        var opt = model.Mup.AdamW(0.01, 0.1, 0.9, 0.999, 1e-8, false, null);
        // hidden.weight is the only parameter with lr/16: two groups in all.
        Assert.Equal(2, opt.ParamGroups.Count());
    }

    [Fact]
    public void Standard_parametrization_gives_one_group_with_the_base_values()
    {
        using var model = new HandMlp(1024);
        var settings = GroupSettings(model, model.Mup.AdamW(0.01, 0.1, 0.9, 0.999, 1e-8, false, SP));
        Assert.All(settings.Values, s => { Assert.Equal(0.01, s.Lr); Assert.Equal(0.1, s.Wd); });
        Assert.Equal(1.0, model.Mup.Describe(SP).Select(r => r.AdamLrScale).Distinct().Single());
    }

    [Fact]
    public void A_shape_that_contradicts_the_facts_throws_naming_parameter_expected_and_actual()
    {
        using var model = new HandMlp(256, readoutFanIn: 300);
        var ex = Assert.Throws<InvalidOperationException>(() => model.Mup.Describe(null));
        Assert.Contains("'readout.weight'", ex.Message);
        Assert.Contains("[4, 300]", ex.Message);
        Assert.Contains("[4, 256]", ex.Message);
    }

    [Fact]
    public void A_tied_tensor_keeps_one_init_and_appears_in_exactly_one_group()
    {
        using var model = new HandTied(128);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("head.weight", names);   // TorchSharp lists both names
        torch.manual_seed(5);
        model.Mup.Initialize(null);
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(1.0, p["wte.weight"].std().ToDouble(), 1);   // the embedding's N(0, 1), not the readout's init
        Assert.True(p["head.weight"].allclose(p["wte.weight"], rtol: 0, atol: 0));
        var opt = model.Mup.AdamW(0.01, 0.0, 0.9, 0.999, 1e-8, false, null);
        int total = opt.ParamGroups.Sum(g => ((AdamW.ParamGroup)g).Parameters.Count());
        Assert.Equal(names.Count - 1, total);
        Assert.Equal(0.25, model.Mup.ReadoutMultiplier);
    }

    [Fact]
    public void Layer_norm_and_embedding_get_their_defaults()
    {
        using var model = new HandTied(64);
        model.Mup.Initialize(null);
        var rows = model.Mup.Describe(null).ToDictionary(r => r.Name);
        Assert.Equal("ones", rows["ln.weight"].Init);
        Assert.Equal("zeros", rows["ln.bias"].Init);
        Assert.Equal("normal(0, 1)", rows["wte.weight"].Init);
        Assert.Equal(MupRole.Input, rows["wte.weight"].Role);
        Assert.Equal(2, rows["wte.weight"].WidthMultiplierOut);
        Assert.Equal(1, rows["wte.weight"].WidthMultiplierIn);
    }

    [Fact]
    public void Forward_multipliers_follow_the_options()
    {
        using var model = new HandMlp(512);
        Assert.Equal(1.0 / 8, model.Mup.ReadoutMultiplier);
        model.Mup.Options = new MupOptions { OutputMultiplier = 2 };
        Assert.Equal(2.0 / 8, model.Mup.ReadoutMultiplier);
        model.Mup.Initialize(SP);
        Assert.Equal(1.0, model.Mup.ReadoutMultiplier);
        Assert.Equal(1.0, model.Mup.ResidualMultiplier);
        Assert.Throws<ArgumentException>(() => model.Mup.Options = new MupOptions { InitStd = -1 });
    }

    [Fact]
    public void A_width_seen_only_in_a_product_is_solved_from_the_others()
    {
        using var model = new HandProduct(a: 16, b: 12);   // a ×2, b ×3
        var rows = model.Mup.Describe(null).ToDictionary(r => r.Name);
        Assert.Equal(6.0, rows["prod.weight"].WidthMultiplierIn, 12);
        Assert.Equal(3.0, rows["opaque.weight"].WidthMultiplierOut, 12);
        Assert.Equal(2.0, rows["opaque.weight"].WidthMultiplierIn, 12);
    }

    [Fact]
    public void Parameters_added_after_the_first_read_are_refused_by_init_and_optimizers_alike()
    {
        using var model = new HandMlp(128);
        model.Mup.Describe(null);                                   // the binding reads the shapes once
        model.register_module("extra", nn.Linear(2, 2));
        var init = Assert.Throws<InvalidOperationException>(() => model.Mup.Initialize(null));
        var adam = Assert.Throws<InvalidOperationException>(() => model.Mup.AdamW(0.01, 0.0, 0.9, 0.999, 1e-8, false, null));
        Assert.Contains("extra.weight: no compiled fact", init.Message);
        Assert.Equal(init.Message.Replace("MupInitialize", "MupAdamW"), adam.Message);
    }

    [Fact]
    public void Name_patterns_match_list_indices_only()
    {
        Assert.True(MupBinding.BoundModel.NameMatches("hidden.*.weight", "hidden.12.weight"));
        Assert.False(MupBinding.BoundModel.NameMatches("hidden.*.weight", "hidden.x.weight"));
        Assert.False(MupBinding.BoundModel.NameMatches("hidden.*.weight", "hidden.1.2.weight"));
        Assert.True(MupBinding.BoundModel.NameMatches("a.weight", "a.weight"));
    }

    [Fact]
    public void Name_patterns_match_digits_inside_names_and_anything_under_a_member()
    {
        Assert.True(MupBinding.BoundModel.NameMatches("features.conv*.weight", "features.conv12.weight"));
        Assert.True(MupBinding.BoundModel.NameMatches("features.conv*_bn.weight", "features.conv3_bn.weight"));
        Assert.False(MupBinding.BoundModel.NameMatches("features.conv*.weight", "features.conv.weight"));
        Assert.False(MupBinding.BoundModel.NameMatches("features.conv*.weight", "features.convx.weight"));
        Assert.True(MupBinding.BoundModel.NameMatches("block.**", "block.fc.weight"));
        Assert.True(MupBinding.BoundModel.NameMatches("block.**", "block.weight"));
        Assert.False(MupBinding.BoundModel.NameMatches("block.**", "block"));
        Assert.False(MupBinding.BoundModel.NameMatches("block.**", "blocks.fc.weight"));
        Assert.True(MupBinding.BoundModel.NameMatches("h.*.**", "h.3.attn.q.weight"));
        Assert.True(MupBinding.BoundModel.NameMatches("**", "anything.at.all"));
    }

    [Fact]
    public void The_most_specific_fact_wins_an_index_over_a_list_pattern_over_anything_under()
    {
        var fixedDim = new[] { MupDim.Fixed, MupDim.Fixed };
        var facts = new MupModelFacts("M", new[] { new MupWidthSymbol("w", 8) }, null, new[]
        {
            new MupParameterFact("hidden.**", MupLayerKind.Other, "*", MupRole.Unresolved, Array.Empty<MupDim>(), Note: "could not read"),
            new MupParameterFact("hidden.*.weight", MupLayerKind.Linear, "weight", MupRole.Hidden, fixedDim),
            new MupParameterFact("hidden.0.weight", MupLayerKind.Linear, "weight", MupRole.Input, fixedDim),
        });
        Assert.Equal(MupRole.Input, MupBinding.BoundModel.Match(facts, "hidden.0.weight")!.Role);
        Assert.Equal(MupRole.Hidden, MupBinding.BoundModel.Match(facts, "hidden.1.weight")!.Role);
        Assert.Equal(MupRole.Unresolved, MupBinding.BoundModel.Match(facts, "hidden.1.bias")!.Role);
        Assert.Null(MupBinding.BoundModel.Match(facts, "other.weight"));
    }

    [Fact]
    public void A_fact_without_a_shape_binds_any_rank_as_unresolved_with_its_note()
    {
        using var model = nn.Sequential(("fc", nn.Linear(2, 3)));
        var facts = new MupModelFacts("M", new[] { new MupWidthSymbol("w", 8) }, null, new[]
        {
            new MupParameterFact("fc.**", MupLayerKind.Other, "*", MupRole.Unresolved, Array.Empty<MupDim>(), Note: "built by a helper"),
        });
        var read = model.named_parameters().Select(np => new MupBinding.ParameterRead(np.name, np.parameter.shape, null)).ToList();
        var bound = MupBinding.BoundModel.Bind(model, facts, read);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, bound.Parameters.Select(p => p.Name));
        Assert.All(bound.Parameters, p => Assert.Equal(MupRole.Unresolved, p.Role));
        Assert.All(bound.Parameters, p => Assert.Equal("built by a helper", p.Note));
    }

    internal static Dictionary<string, (double Lr, double Wd, double Eps)> GroupSettings(nn.Module model, optim.Optimizer optimizer)
    {
        var names = model.named_parameters().GroupBy(p => p.parameter.Handle).ToDictionary(g => g.Key, g => g.First().name);
        var result = new Dictionary<string, (double, double, double)>();
        foreach (var g in optimizer.ParamGroups)
        {
            (IEnumerable<Parameter> ps, double lr, double wd, double eps) = g switch
            {
                AdamW.ParamGroup a => (a.Parameters, a.Options.LearningRate!.Value, a.Options.weight_decay!.Value, a.Options.eps!.Value),
                Adam.ParamGroup a => (a.Parameters, a.Options.LearningRate!.Value, a.Options.weight_decay!.Value, a.Options.eps!.Value),
                SGD.ParamGroup s => (s.Parameters, s.Options.LearningRate!.Value, s.Options.weight_decay!.Value, 0.0),
                _ => throw new InvalidOperationException(g.GetType().Name),
            };
            foreach (var p in ps)
                result.Add(names[p.Handle], (lr, wd, eps));
        }
        return result;
    }

    private static void AssertRatio(float[] mup, float[] sp, double ratio, string name)
    {
        Assert.Equal(sp.Length, mup.Length);
        for (int i = 0; i < sp.Length; i++)
            Assert.True(Math.Abs(mup[i] - ratio * sp[i]) <= 1e-6 * Math.Max(1, Math.Abs(mup[i])), $"{name}[{i}]: µP {mup[i]} vs SP {sp[i]} × {ratio}");
    }
}
