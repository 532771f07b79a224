using System;
using Xunit;

namespace MupGen.Tests;

public class OptionsTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.02)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_init_std_names_the_option(double std)
    {
        var ex = Assert.Throws<ArgumentException>(() => new MupOptions { InitStd = std }.Validate());
        Assert.Equal("InitStd", ex.ParamName);
        Assert.Contains("InitStd", ex.Message);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Depth_alpha_outside_0_1_names_the_option(double alpha)
    {
        var ex = Assert.Throws<ArgumentException>(() => new MupOptions { DepthAlpha = alpha }.Validate());
        Assert.Equal("DepthAlpha", ex.ParamName);
        Assert.Contains("[0, 1]", ex.Message);
    }

    [Theory]
    [InlineData("OutputMultiplier")]
    [InlineData("InputMultiplier")]
    [InlineData("AttentionMultiplier")]
    public void Non_positive_multipliers_name_the_option(string name)
    {
        var options = name switch
        {
            "OutputMultiplier" => new MupOptions { OutputMultiplier = 0 },
            "InputMultiplier" => new MupOptions { InputMultiplier = -1 },
            _ => new MupOptions { AttentionMultiplier = double.NaN },
        };
        var ex = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void Valid_options_pass()
    {
        new MupOptions { InitStd = 0.02, DepthAlpha = 0.5, OutputMultiplier = 2, Parametrization = MupParametrization.DepthMup }.Validate();
        MupOptions.Default.Validate();
    }

    [Fact]
    public void Non_positive_base_values_are_rejected_by_the_facts()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Facts.MupModelFacts("M", new[] { new Facts.MupWidthSymbol("width", 0) }, null, Array.Empty<Facts.MupParameterFact>()));
        Assert.Contains("width", ex.Message);
        Assert.Contains("at least 1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Facts.MupModelFacts("M", new[] { new Facts.MupWidthSymbol("width", 8) }, new Facts.MupDepthSymbol("layers", -2, null), Array.Empty<Facts.MupParameterFact>()));
        Assert.Contains("layers", ex.Message);
    }
}
