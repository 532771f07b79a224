using System;
using System.Linq;
using MupGen.Corpus.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Corpus.Tests;

/// <summary>Raw Parameters at run time: MupInitialize redraws each from its tensor factory's draw at base width times
/// the role's init scale (it does not keep what the constructor drew), and MupDescribe says so.</summary>
[Collection(TorchCollection.Name)]
public class ParameterTests
{
    private static readonly MupOptions Mup = new() { Parametrization = MupParametrization.Mup };

    private static double Std(Tensor t)
    {
        var v = t.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    [Fact]
    public void MupInitialize_RedrawsRawParameters_AndMupDescribeTellsHow()
    {
        using var model = new ParameterMatrix(256);   // 8x the base width 32
        var mup = (IMupModel)model;
        using (no_grad())
            foreach (var (_, p) in model.named_parameters())
                p.fill_(5.0);
        torch.manual_seed(7);
        mup.MupInitialize(Mup);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // mix: randn(w, w) / sqrt(w): N(0, 1/sqrt(32)) at base, Hidden: times 1/sqrt(m_in = 8).
        Assert.InRange(Std(parameters["mix"]), 0.0625 * 0.97, 0.0625 * 1.03);
        Assert.True(parameters["gain"].eq(1.0).all().item<bool>());
        Assert.True(parameters["shift"].eq(0.0).all().item<bool>());
        Assert.True(parameters["temperature"].eq(0.5).all().item<bool>());

        var described = mup.MupDescribe(Mup).ToDictionary(p => p.Name);
        Assert.Equal(MupRole.Hidden, described["mix"].Role);
        Assert.Equal(MupRole.Vector, described["gain"].Role);
        Assert.Equal(MupRole.Vector, described["shift"].Role);
        Assert.Equal(MupRole.Fixed, described["temperature"].Role);
        Assert.Equal(0.0625, described["mix"].InitStd, 12);
        Assert.Equal("normal(0, 0.0625)", described["mix"].Init);
        Assert.Equal("constant(1)", described["gain"].Init);
        Assert.Equal("zeros", described["shift"].Init);
        Assert.Equal("constant(0.5)", described["temperature"].Init);
    }

    [Fact]
    public void StandardParametrization_KeepsAWidthDependentDraw_AndRedrawsTheRest()
    {
        using var model = new ParameterMatrix(256);
        var mup = (IMupModel)model;
        using (no_grad())
            foreach (var (_, p) in model.named_parameters())
                p.fill_(5.0);
        mup.MupInitialize(new MupOptions { Parametrization = MupParametrization.Standard });
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // randn(w, w) / sqrt(w) depends on the width: SP keeps what the constructor (here: the fill) left.
        Assert.True(parameters["mix"].eq(5.0).all().item<bool>());
        Assert.True(parameters["gain"].eq(1.0).all().item<bool>());
    }
}
