using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Samples.Gpt;
using MupGen.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Tests;

/// <summary>MupDescribe tells the truth about MupInitialize: every row's Init and InitStd are what the tensor has
/// afterwards, measured.</summary>
[Collection(TorchCollection.Name)]
public class DescribeTruthTests
{
    private const int Vocab = 17, Context = 8, Heads = 4;

    public static IEnumerable<object[]> Models() => new[]
    {
        new object[] { "Mlp" }, new object[] { "MlpZeroReadout" }, new object[] { "MlpInitStd" },
        new object[] { "Gpt" }, new object[] { "GptTied" }, new object[] { "GptZeroReadout" }, new object[] { "HandTied" },
    };

    private static (nn.Module Model, Func<MupOptions, IReadOnlyList<MupParameter>> Describe, Action<MupOptions> Init, MupOptions Options) Build(string name)
    {
        switch (name)
        {
            case "HandTied":
            {
                var m = new HandTied(256);
                return (m, o => m.Mup.Describe(o), o => m.Mup.Initialize(o), MupOptions.Default);
            }
            case "Mlp" or "MlpZeroReadout" or "MlpInitStd":
            {
                var m = new Mlp(1024);
                var o = name == "MlpZeroReadout" ? new MupOptions { ZeroInitReadout = true }
                    : name == "MlpInitStd" ? new MupOptions { InitStd = 0.05 } : MupOptions.Default;
                return (m, m.MupDescribe, m.MupInitialize, o);
            }
            default:
            {
                var m = new Gpt(256, 4, Vocab, Context, Heads, tied: name == "GptTied");
                var o = name == "GptZeroReadout" ? new MupOptions { ZeroInitReadout = true } : MupOptions.Default;
                return (m, m.MupDescribe, m.MupInitialize, o);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_row_states_the_std_its_tensor_has_after_MupInitialize(string name)
    {
        var (model, describe, init, options) = Build(name);
        using var _ = model;
        torch.manual_seed(123);
        init(options);
        var tensors = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var row in describe(options))
        {
            var t = tensors[row.Name].detach();
            long n = t.numel();
            if (row.InitStd == 0)
            {
                // Constants exactly: ones for norm gains, zeros for norm biases and zero-init.
                double value = row.Init.EndsWith("ones", StringComparison.Ordinal) ? 1.0 : 0.0;
                Assert.True(row.Init.EndsWith("ones", StringComparison.Ordinal) || row.Init.EndsWith("zeros", StringComparison.Ordinal), $"{row.Name}: {row.Init}");
                Assert.True(t.eq(value).all().ToBoolean(), $"{row.Name}: stated {row.Init}, tensor is not all {value}");
                continue;
            }
            Assert.False(double.IsNaN(row.InitStd), $"{row.Name}: every parameter of this model is drawn by MupInitialize");
            double measured = t.std().ToDouble();
            // The sample std of n draws has relative standard error <= 0.71/sqrt(n) (normal; uniform 0.45/sqrt(n)): 6 of them.
            double tolerance = 6 * 0.71 / Math.Sqrt(n);
            Assert.True(Math.Abs(measured / row.InitStd - 1) < tolerance,
                $"{row.Name} ({n} values): stated {row.Init} = std {row.InitStd:G4}, measured {measured:G4} (tolerance {100 * tolerance:0.#}%)");
        }
    }

    [Theory]
    [InlineData("GptTied", "head.weight", "wte.weight", "tied to wte.weight: normal(0, 1)")]
    [InlineData("HandTied", "head.weight", "wte.weight", "tied to wte.weight: normal(0, 1)")]
    public void A_tied_readout_row_states_its_first_owner_init(string name, string row, string owner, string init)
    {
        var (model, describe, _, options) = Build(name);
        using var _m = model;
        var rows = describe(options).ToDictionary(r => r.Name);
        Assert.Equal(init, rows[row].Init);
        Assert.Equal(1.0, rows[row].InitStd);
        Assert.Equal(owner, rows[row].TiedTo);
        Assert.Null(rows[owner].TiedTo);
        Assert.Equal(MupRole.Readout, rows[row].Role);   // still the readout: its m_in sets MupReadoutMultiplier
        Assert.Equal(rows[owner].AdamLrScale, rows[row].AdamLrScale);
        Assert.Equal(rows[owner].SgdLrScale, rows[row].SgdLrScale);
    }

    [Fact]
    public void A_tied_readout_with_zero_init_states_what_happens_to_the_shared_tensor()
    {
        // Zero-init of the readout does not zero the embedding it shares: the tensor is drawn once, as wte.weight.
        var (model, describe, init, _) = Build("GptTied");
        using var _m = model;
        var options = new MupOptions { ZeroInitReadout = true };
        init(options);
        var head = describe(options).Single(r => r.Name == "head.weight");
        Assert.Equal("tied to wte.weight: normal(0, 1)", head.Init);
        Assert.True(model.named_parameters().Single(p => p.name == "head.weight").parameter.abs().sum().ToDouble() > 0);
    }
}
