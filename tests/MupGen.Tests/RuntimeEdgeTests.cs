using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Samples.Gpt;
using MupGen.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests;

/// <summary>Runtime edges: initialisation is idempotent, the widest models train without NaN at the tuned base lr.</summary>
[Collection(TorchCollection.Name)]
public class RuntimeEdgeTests
{
    private const int Vocab = 17, Context = 8, Heads = 32;

    private static Dictionary<string, float[]> Snapshot(nn.Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    public static IEnumerable<object[]> Models() => new[] { new object[] { "Mlp" }, new object[] { "Gpt" }, new object[] { "GptTied" } };

    private static nn.Module Create(string name) => name switch
    {
        "Mlp" => new Mlp(512),
        _ => new Gpt(128, 4, Vocab, Context, 4, tied: name == "GptTied"),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void MupInitialize_twice_equals_once(string name)
    {
        using var once = Create(name);
        using var twice = Create(name);
        torch.manual_seed(5);
        ((IMupModel)once).MupInitialize();
        torch.manual_seed(1);
        ((IMupModel)twice).MupInitialize();
        using (torch.no_grad())
            foreach (var p in twice.parameters())
                p.mul_(3).add_(0.5);                 // whatever the tensors hold before, the result is the same
        torch.manual_seed(5);
        ((IMupModel)twice).MupInitialize();
        var a = Snapshot(once);
        var b = Snapshot(twice);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var k in a.Keys)
            Assert.True(a[k].SequenceEqual(b[k]), $"{k} differs after a second MupInitialize");
    }

    /// <summary>The MLP sample's width-64 optimum (README: best log2 lr -6 for µP at widths 64, 256, 1024) at
    /// width 4096, m = 64: 20 Adam steps stay finite and lower the loss.</summary>
    [Fact]
    public void A_mup_mlp_at_width_4096_trains_20_steps_at_the_base_optimum_without_nan()
    {
        torch.manual_seed(0);
        using var model = new Mlp(4096);
        model.MupInitialize();
        using var opt = model.MupAdam(Math.Pow(2, -6));
        var x = torch.randn(32, 16);
        var y = torch.randint(0, 10, new long[] { 32 });
        var losses = Train(() => functional.cross_entropy(model.forward(x), y), opt, 20);
        AssertTrained(model, losses);
    }

    /// <summary>A GPT at width 4096 (m = 64; head dim 128) built from the GPT sample's attention module: one
    /// attention block, no MLP, so the test stays small (67M parameters; the sample's block with its 4x MLP has 201M and
    /// 20 AdamW steps over it take minutes on two shared cores). 20 AdamW steps at the MLP sample's base optimum 2^-6
    /// on a tiny batch stay finite and lower the loss.</summary>
    [Fact]
    public void A_mup_gpt_at_width_4096_trains_20_steps_at_the_base_optimum_without_nan()
    {
        torch.manual_seed(0);
        using var model = new SlimGpt(4096, Vocab, Context, Heads);
        model.MupInitialize();
        using var opt = model.MupAdamW(Math.Pow(2, -6), 0.0);
        var g = new torch.Generator(7);
        var x = torch.randint(0, Vocab, new long[] { 2, Context }, generator: g);
        var y = torch.randint(0, Vocab, new long[] { 2, Context }, generator: g);
        var losses = Train(() => functional.cross_entropy(model.forward(x).view(-1, Vocab), y.view(-1)), opt, 20);
        AssertTrained(model, losses);
    }

    private static List<double> Train(Func<Tensor> loss, optim.Optimizer opt, int steps)
    {
        var losses = new List<double>();
        for (int s = 0; s < steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var l = loss();
            losses.Add(l.ToDouble());
            l.backward();
            opt.step();
        }
        using var noGrad = torch.no_grad();
        using var final = torch.NewDisposeScope();
        losses.Add(loss().ToDouble());
        return losses;
    }

    private static void AssertTrained(nn.Module model, List<double> losses)
    {
        Assert.All(losses, l => Assert.True(double.IsFinite(l), "losses: " + string.Join(", ", losses.Select(v => v.ToString("0.###")))));
        Assert.True(losses[^1] < losses[0], "losses: " + string.Join(", ", losses.Select(v => v.ToString("0.###"))));
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.isfinite().all().ToBoolean(), $"{name} has a NaN or infinity after training");
    }
}
