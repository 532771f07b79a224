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

/// <summary>The GPT sample's model (blocks, attention and MLP as their own classes) under µP + CompleteP.</summary>
[Collection(TorchCollection.Name)]
public class GptTests
{
    private const int Vocab = 17, Context = 8, Heads = 4, BaseWidth = 64, BaseDepth = 2;
    private static readonly MupOptions SP = new() { Parametrization = MupParametrization.Standard };

    public static IEnumerable<object[]> Shapes() => new[]
    {
        new object[] { 64, 2, null! }, new object[] { 256, 2, null! }, new object[] { 1024, 2, null! },
        new object[] { 64, 16, null! }, new object[] { 256, 8, null! }, new object[] { 128, 4, 0.5 },
    };

    /// <summary>Every row of the table against the rules of docs/RULES.md, written out independently here.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Per_parameter_table_follows_the_rules(int width, int depth, double? alpha)
    {
        using var model = new Gpt(width, depth, Vocab, Context, Heads);
        var options = new MupOptions { DepthAlpha = alpha };
        double m = width / (double)BaseWidth, mL = depth / (double)BaseDepth, a = alpha ?? 1.0;
        var rows = model.MupDescribe(options);
        Assert.Equal(model.named_parameters().Select(p => p.name), rows.Select(r => r.Name));
        Assert.Equal(2 + 16 * depth + 2 + 1, rows.Count);   // wte, wpe; per block ln1, q, k, v, o, ln2, fc, proj (weight + bias); ln_f; head
        foreach (var r in rows)
        {
            bool inBlock = r.Name.StartsWith("blocks.", StringComparison.Ordinal);
            string layer = r.Name.Split('.')[^2];
            bool isWeight = r.Name.EndsWith(".weight", StringComparison.Ordinal);
            bool norm = layer is "ln1" or "ln2" or "ln_f";
            MupRole role = layer switch
            {
                "wte" or "wpe" => MupRole.Input,
                "head" => MupRole.Readout,
                _ when norm || !isWeight => MupRole.Vector,
                _ => MupRole.Hidden,
            };
            Assert.True(role == r.Role, $"{r.Name}: role {r.Role}, expected {role}");
            Assert.Equal(inBlock, r.InResidualBlock);
            Assert.Equal(inBlock ? mL : 1.0, r.DepthMultiplier, 12);
            double fanInBase = layer == "proj" ? 4 * BaseWidth : BaseWidth;
            double fanInActual = layer == "proj" ? 4 * width : width;
            (double lr, double wd, double eps, double std) expected = role switch
            {
                MupRole.Hidden => (1 / m * Math.Pow(mL, a - 1), m, 1 / (m * Math.Pow(mL, a)), 1 / Math.Sqrt(fanInActual) / Math.Sqrt(3)),
                MupRole.Vector when inBlock => (Math.Pow(mL, a - 1), 1, 1 / (m * Math.Pow(mL, a)), norm ? 0 : 1 / Math.Sqrt(fanInBase) / Math.Sqrt(3)),
                MupRole.Vector => (1, 1, 1, 0),
                MupRole.Input => (1, 1, 1, 1),
                _ => (1, 1, 1, 1 / Math.Sqrt(BaseWidth) / Math.Sqrt(3)),   // readout: base std
            };
            Assert.True(Math.Abs(expected.lr - r.AdamLrScale) < 1e-12, $"{r.Name}: Adam lr ×{r.AdamLrScale}, expected ×{expected.lr}");
            Assert.True(Math.Abs(expected.wd - r.AdamWeightDecayScale) < 1e-12, $"{r.Name}: wd ×{r.AdamWeightDecayScale}, expected ×{expected.wd}");
            Assert.True(Math.Abs(expected.eps - r.AdamEpsScale) < 1e-12, $"{r.Name}: eps ×{r.AdamEpsScale}, expected ×{expected.eps}");
            Assert.True(Math.Abs(expected.std - r.InitStd) < 1e-12, $"{r.Name}: init std {r.InitStd}, expected {expected.std}");
        }
        model.MupOptions = options;
        Assert.Equal(Math.Pow(mL, -a), model.MupResidualMultiplier, 12);
        Assert.Equal(1 / m, model.MupReadoutMultiplier, 12);
        long headDim = width / Heads;
        var attn = (CausalSelfAttention)model.named_modules().Single(x => x.name == "blocks.0.attn").module;
        Assert.Equal(Math.Sqrt(BaseWidth / Heads) / headDim, attn.MupAttentionScale(headDim), 12);
        // The root never calls MupAttentionScale itself, so the generator knows nothing about a head dimension passed to
        // it from outside: refused, not assumed to grow with the width.
        #pragma warning disable MUP021 // deliberately: the refusal (or BaseHeadDim, or SP) for a module whose class makes no call of its own
        var refused = Assert.Throws<InvalidOperationException>(() => model.MupAttentionScale(headDim));
        #pragma warning restore MUP021
        Assert.Contains("Gpt itself", refused.Message);
        Assert.Contains("saw no MupAttentionScale call", refused.Message);
        Assert.Contains("MupOptions.BaseHeadDim", refused.Message);
        // The user's decision: the head dimension at base width.
        model.MupOptions = options with { BaseHeadDim = BaseWidth / Heads };
        #pragma warning disable MUP021 // deliberately: the refusal (or BaseHeadDim, or SP) for a module whose class makes no call of its own
        Assert.Equal(Math.Sqrt(BaseWidth / Heads) / headDim, model.MupAttentionScale(headDim), 12);
        #pragma warning restore MUP021
    }

    [Fact]
    public void Nested_modules_get_the_multipliers_of_their_root()
    {
        using var model = new Gpt(256, 8, Vocab, Context, Heads);
        var block = model.named_modules().Single(m => m.name == "blocks.3").module;
        var attn = model.named_modules().Single(m => m.name == "blocks.3.attn").module;
        Assert.Equal(0.25, ((Block)block).MupResidualMultiplier, 12);
        Assert.Equal(Math.Sqrt(16) / 64, ((CausalSelfAttention)attn).MupAttentionScale(64), 12);
        model.MupOptions = SP;
        Assert.Equal(1.0, ((Block)block).MupResidualMultiplier);
        Assert.Equal(1 / Math.Sqrt(64), ((CausalSelfAttention)attn).MupAttentionScale(64), 12);
    }

    [Fact]
    public void A_nested_module_outside_a_model_says_how_to_fix_it()
    {
        using var block = new Block(64, 4);
        var ex = Assert.Throws<InvalidOperationException>(() => block.MupResidualMultiplier);
        Assert.Contains("Block", ex.Message);
        Assert.Contains("[Width]", ex.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.02)]
    public void At_base_width_and_depth_the_gpt_equals_its_sp_twin(double? initStd)
    {
        using var model = new Gpt(BaseWidth, BaseDepth, Vocab, Context, Heads);
        torch.manual_seed(3);
        model.MupInitialize(new MupOptions { InitStd = initStd });
        var mup = model.parameters().Select(p => p.detach().clone()).ToList();
        torch.manual_seed(3);
        model.MupInitialize(SP with { InitStd = initStd });
        var sp = model.parameters().ToList();
        for (int i = 0; i < sp.Count; i++)
            Assert.True(mup[i].allclose(sp[i], rtol: 0, atol: 0), $"parameter {i} differs");
        Assert.All(model.MupDescribe(), r =>
        {
            Assert.Equal(1.0, r.AdamLrScale);
            Assert.Equal(1.0, r.AdamEpsScale);
            Assert.Equal(1.0, r.AdamWeightDecayScale);
        });
        Assert.Equal(1.0, model.MupResidualMultiplier);
        #pragma warning disable MUP021 // deliberately: the refusal (or BaseHeadDim, or SP) for a module whose class makes no call of its own
        Assert.Equal(1 / Math.Sqrt(16), model.MupAttentionScale(16), 15);
        #pragma warning restore MUP021
    }

    [Fact]
    public void Tied_and_untied_readouts_give_the_same_groups_and_the_tied_tensor_is_in_one()
    {
        using var untied = new Gpt(128, 4, Vocab, Context, Heads);
        using var tied = new Gpt(128, 4, Vocab, Context, Heads, tied: true);
        var u = BindingTests.GroupSettings(untied, untied.MupAdamW(0.01, 0.1));
        var t = BindingTests.GroupSettings(tied, tied.MupAdamW(0.01, 0.1));
        Assert.Equal(u.Keys.Where(k => k != "head.weight").OrderBy(k => k), t.Keys.OrderBy(k => k));
        foreach (var name in t.Keys)
            Assert.Equal(u[name], t[name]);
        Assert.Equal(tied.named_parameters().Count() - 1, t.Count);   // head.weight is wte.weight: counted once
        torch.manual_seed(1);
        tied.MupInitialize();
        var p = tied.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(1.0, p["wte.weight"].std().ToDouble(), 1);         // the embedding's N(0, 1) init is kept
        Assert.Equal(0.5, tied.MupReadoutMultiplier);                   // and the readout multiplier still applies
    }

    [Fact]
    public void Residual_stream_stays_flat_across_depth_under_completep_and_grows_under_sp()
    {
        double Stream(int depth, MupOptions options)
        {
            torch.manual_seed(0);
            using var model = new Gpt(64, depth, Vocab, 16, Heads);
            model.MupInitialize(options);
            using var opt = model.MupAdamW(0.01, 0.0, options: options);
            double last = 0;
            model.FinalNorm.register_forward_hook((m, input, output) => { last = input.abs().mean().ToDouble(); return output; });
            var g = new torch.Generator(5);
            var x = torch.randint(0, Vocab, new long[] { 8, 16 }, generator: g);
            var y = torch.randint(0, Vocab, new long[] { 8, 16 }, generator: g);
            for (int t = 0; t <= 3; t++)
            {
                using var scope = torch.NewDisposeScope();
                var logits = model.forward(x);
                if (t == 3) break;
                opt.zero_grad();
                functional.cross_entropy(logits.view(-1, Vocab), y.view(-1)).backward();
                opt.step();
            }
            return last;
        }
        double completeP = Stream(16, MupOptions.Default) / Stream(4, MupOptions.Default);
        Assert.True(completeP < 1.3 && completeP > 1 / 1.3, $"CompleteP residual stream changed {completeP:0.00}x from depth 4 to 16");
        double sp = Stream(16, SP) / Stream(4, SP);
        Assert.True(sp > 1.3, $"SP residual stream grew only {sp:0.00}x from depth 4 to 16");
    }

    [Fact]
    public void A_block_list_inside_a_nested_module_sets_the_depth_multiplier()
    {
        using var model = new NestedDepth(32, 6);   // m = 2, m_L = 3
        var rows = model.MupDescribe().ToDictionary(r => r.Name);
        Assert.Equal(3.0, rows["transformer.h.5.weight"].DepthMultiplier);
        Assert.True(rows["transformer.h.0.weight"].InResidualBlock);
        Assert.False(rows["input.weight"].InResidualBlock);
        Assert.Equal(1 / 3.0, model.MupResidualMultiplier, 15);
        Assert.Equal(1 / (2 * 3.0), rows["transformer.h.0.weight"].AdamEpsScale, 15);
        var trunk = (Trunk)model.named_modules().Single(m => m.name == "transformer").module;
        Assert.Equal(1 / 3.0, trunk.MupResidualMultiplier, 15);
    }

    [Fact]
    public void Attention_scale_is_unchanged_when_only_the_head_count_grows()
    {
        using var narrow = new FixedHeadDimAttention(64);
        using var wide = new FixedHeadDimAttention(512);
        Assert.Equal(0.25, narrow.MupAttentionScale(16), 15);
        Assert.Equal(0.25, wide.MupAttentionScale(16), 15);
    }

    [Fact]
    public void A_depth_without_a_block_list_throws_naming_the_member_and_the_fix()
    {
        using var model = new UnmatchedDepth(64, 3);
        var ex = Assert.Throws<InvalidOperationException>(() => model.MupDescribe());
        Assert.Contains("'layers'", ex.Message);
        Assert.Contains("ModuleList", ex.Message);
        Assert.NotEmpty(model.MupDescribe(new MupOptions { Parametrization = MupParametrization.Mup }));   // width rules still work
        Assert.Throws<ArgumentException>(() => model.MupDescribe(new MupOptions { DepthAlpha = 1.5 }));
    }
}
