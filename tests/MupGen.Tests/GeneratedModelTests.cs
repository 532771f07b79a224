using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests;

/// <summary>End to end: models compiled through the generator, trained with TorchSharp.</summary>
[Collection(TorchCollection.Name)]
public class GeneratedModelTests
{
    private static readonly MupOptions SP = new() { Parametrization = MupParametrization.Standard };

    [Fact]
    public void The_generated_model_implements_the_contract()
    {
        using var model = new Mlp(256);
        IMupModel m = model;
        Assert.Equal("Mlp", m.MupFacts.ModelName);
        Assert.Equal(64, m.MupFacts.Widths.Single().BaseValue);
        var rows = m.MupDescribe();
        Assert.Equal(new[] { "input.weight", "input.bias", "hidden.weight", "hidden.bias", "readout.weight", "readout.bias" }, rows.Select(r => r.Name));
        Assert.Equal(new[] { MupRole.Input, MupRole.Vector, MupRole.Hidden, MupRole.Vector, MupRole.Readout, MupRole.Fixed }, rows.Select(r => r.Role));
        Assert.Equal(0.25, m.MupReadoutMultiplier);
        Assert.Equal(1.0, m.MupResidualMultiplier);
        Assert.Equal(1.0, m.MupInputMultiplier);
    }

    [Fact]
    public void Loops_products_locals_and_named_arguments_are_read_from_the_constructor()
    {
        using var model = new ResidualMlp(128, layers: 3);   // m = 4
        var rows = model.MupDescribe().ToDictionary(r => r.Name);
        Assert.Equal(model.named_parameters().Select(p => p.name), model.MupDescribe().Select(r => r.Name));
        Assert.Equal(MupRole.Input, rows["embed.weight"].Role);
        foreach (var i in new[] { 0, 1, 2 })
        {
            Assert.Equal(MupRole.Hidden, rows[$"blocks.{i}.weight"].Role);
            Assert.Equal(0.25, rows[$"blocks.{i}.weight"].AdamLrScale);
        }
        Assert.DoesNotContain("blocks.0.bias", rows.Keys);
        Assert.Equal(MupRole.Hidden, rows["up.weight"].Role);
        Assert.Equal(new long[] { 512, 128 }, rows["up.weight"].Shape);
        Assert.Equal(4, rows["up.weight"].WidthMultiplierOut);
        Assert.Equal(4, rows["down.weight"].WidthMultiplierIn);
        Assert.Equal(MupRole.Vector, rows["up.bias"].Role);
        Assert.Equal(MupRole.Vector, rows["norm.weight"].Role);
        Assert.Equal(MupRole.Vector, rows["norm.bias"].Role);
        Assert.Equal(MupRole.Readout, rows["head.weight"].Role);
        Assert.Equal(MupRole.Fixed, rows["head.bias"].Role);
        Assert.DoesNotContain(rows.Values, r => r.Role == MupRole.Unresolved);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.02)]
    public void At_base_width_the_generated_model_equals_its_sp_twin(double? initStd)
    {
        using var model = new ResidualMlp(32);
        torch.manual_seed(11);
        model.MupInitialize(new MupOptions { InitStd = initStd });
        var mup = model.parameters().Select(p => p.detach().clone()).ToList();
        torch.manual_seed(11);
        model.MupInitialize(SP with { InitStd = initStd });
        var sp = model.parameters().ToList();
        for (int i = 0; i < sp.Count; i++)
            Assert.True(mup[i].allclose(sp[i], rtol: 0, atol: 0), $"parameter {i} differs");
        var groups = BindingTests.GroupSettings(model, model.MupAdamW(0.003, 0.1));
        Assert.All(groups.Values, g => { Assert.Equal(0.003, g.Lr); Assert.Equal(0.1, g.Wd); });
    }

    [Fact]
    public void Independent_widths_are_measured_each_against_its_own_base()
    {
        using var model = new TwoWidths(dModel: 128, dFf: 128);   // d_model ×4, d_ff ×2
        var rows = model.MupDescribe().ToDictionary(r => r.Name);
        Assert.Equal((4.0, 2.0), (rows["fc.weight"].WidthMultiplierIn, rows["fc.weight"].WidthMultiplierOut));
        Assert.Equal((2.0, 4.0), (rows["proj.weight"].WidthMultiplierIn, rows["proj.weight"].WidthMultiplierOut));
        Assert.Equal(0.25, rows["fc.weight"].AdamLrScale);
        Assert.Equal(0.5, rows["proj.weight"].AdamLrScale);
        Assert.Equal(2.0, rows["fc.bias"].WidthMultiplierOut);
        Assert.Equal(4.0, rows["embed.weight"].WidthMultiplierOut);
        Assert.Equal(0.25, model.MupReadoutMultiplier);
    }

    [Fact]
    public void A_width_invariant_layer_keeps_its_sp_init_and_hyperparameters_off_base()
    {
        using var model = new WithInvariantLayer(64);   // m = 4
        var rows = model.MupDescribe().ToDictionary(r => r.Name);
        Assert.Equal(MupRole.Fixed, rows["side.weight"].Role);
        Assert.Equal(1.0, rows["side.weight"].AdamLrScale);
        Assert.Equal(1.0, rows["side.weight"].SgdLrScale);
        Assert.Equal(1 / Math.Sqrt(64) / Math.Sqrt(3), rows["side.weight"].InitStd, 12);   // actual fan_in, as SP
        Assert.Equal(1 / Math.Sqrt(16) / Math.Sqrt(3), rows["readout.bias"].InitStd, 12);  // readout bias: base fan_in
        var sp = model.MupDescribe(SP).ToDictionary(r => r.Name);
        Assert.Equal(sp["side.weight"].InitStd, rows["side.weight"].InitStd);
    }

    private static (Tensor X, Tensor Y) Data(int n = 64, int features = 16, int classes = 10)
    {
        torch.manual_seed(99);
        var x = torch.randn(n, features);
        var y = torch.matmul(torch.tanh(torch.matmul(x, torch.randn(features, 32))), torch.randn(32, classes)).argmax(1);
        return (x, y);
    }

    private static IReadOnlyList<MupCoordinate> CoordCheck(MupOptions options)
    {
        var (x, y) = Data();
        return MupCoordinateCheck.Run(new[] { 64, 256, 1024 },
            w => { var m = new Mlp(w); m.MupInitialize(options); return m; },
            m => ((IMupModel)m).MupAdam(0.01, options: options),
            x, y, (o, t) => functional.cross_entropy(o, t), steps: 3);
    }

    [Fact]
    public void Coordinate_check_is_flat_under_mup_and_the_readout_blows_up_under_sp()
    {
        // Readout zero-init (docs/RULES.md: removes the 1/sqrt(width) shrink of the output at t = 1, which is
        // the initial readout's contribution vanishing, not a failure of µP).
        var mup = CoordCheck(new MupOptions { ZeroInitReadout = true });
        foreach (var layer in new[] { "input", "hidden", "readout" })
            foreach (var step in new[] { 1, 2, 3 })
            {
                double growth = MupCoordinateCheck.Growth(mup, layer, step, 256, 1024);
                Assert.True(growth < 1.3 && growth > 1 / 1.3, $"µP {layer} at step {step}: mean |activation| changed {growth:0.00}x from width 256 to 1024");
            }
        var sp = CoordCheck(SP with { ZeroInitReadout = true });
        double spGrowth = MupCoordinateCheck.Growth(sp, "readout", 3, 256, 1024);
        Assert.True(spGrowth > 2, $"SP readout grew only {spGrowth:0.00}x from width 256 to 1024");
    }

    [Fact]
    public void Wider_is_better_under_mup_at_one_learning_rate()
    {
        var (x, y) = Data(n: 512);
        double Loss(int width)
        {
            torch.manual_seed(0);
            using var model = new Mlp(width);
            model.MupInitialize();
            using var opt = model.MupAdam(0.01);
            for (int s = 0; s < 10; s++)
            {
                using var scope = torch.NewDisposeScope();
                opt.zero_grad();
                functional.cross_entropy(model.forward(x), y).backward();
                opt.step();
            }
            using var noGrad = torch.no_grad();
            return functional.cross_entropy(model.forward(x), y).ToDouble();
        }
        var losses = new[] { 64, 256, 1024 }.Select(Loss).ToArray();
        Assert.True(losses[0] > losses[1] && losses[1] > losses[2], $"losses by width 64/256/1024: {string.Join(", ", losses.Select(l => l.ToString("0.0000")))}");
    }
}
