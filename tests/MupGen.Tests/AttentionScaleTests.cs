using System;
using System.Linq;
using MupGen.Facts;
using MupGen.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Tests;

/// <summary>MupAttentionScale where the generator could not read the head dimension (q.shape[^1]; MUP020 at build):
/// the facts record it and the run time refuses, naming the module and the fix, until MupOptions.BaseHeadDim decides.
/// Never the old silent fallback to the width multiplier, which is wrong when the head count grows instead.</summary>
[Collection(TorchCollection.Name)]
public class AttentionScaleTests
{
    [Fact]
    public void The_facts_record_the_unread_call()
    {
        var facts = ((IMupModel)new ShapeHeadDimModel(64, 4)).MupFacts;
        var fact = Assert.Single(facts.Attention);
        Assert.Equal("attn", fact.Module);
        Assert.Null(fact.HeadDim);
        Assert.True(fact.IsUnresolved);
        Assert.Equal("MupAttentionScale(q.shape[^1]): q.shape[^1] reads a tensor's shape, which is known only at run time", fact.Note);
    }

    [Theory]
    [InlineData(128, 4)]   // head dimension grows: 32 (the old fallback happened to be right)
    [InlineData(128, 8)]   // head count grows: head dimension fixed at 16 (the old fallback gave sqrt(8) / 16, not sqrt(16) / 16)
    [InlineData(64, 4)]    // even at base width: the rule is not known
    public void An_unread_head_dimension_is_refused_by_name(int width, int heads)
    {
        using var model = new ShapeHeadDimModel(width, heads);
        using var x = torch.randn(2, 8);
        var refused = Assert.Throws<InvalidOperationException>(() => model.forward(x));
        Assert.Contains("MupAttentionScale of module 'attn' of ShapeHeadDimModel", refused.Message);
        Assert.Contains("q.shape[^1]", refused.Message);
        Assert.Contains("headDim = width / heads", refused.Message);
        Assert.Contains("MupOptions.BaseHeadDim", refused.Message);
        Assert.Contains("MUP020", refused.Message);
    }

    [Theory]
    [InlineData(128, 4, 16)]  // head dimension 32, base 16: sqrt(16) / 32
    [InlineData(128, 8, 16)]  // head dimension 16 fixed: sqrt(16) / 16, unchanged from base
    [InlineData(256, 16, 16)]
    public void BaseHeadDim_is_the_users_decision(int width, int heads, int baseHeadDim)
    {
        using var model = new ShapeHeadDimModel(width, heads);
        ((IMupModel)model).MupOptions = new MupOptions { BaseHeadDim = baseHeadDim };
        var attn = (ShapeHeadDimAttention)model.named_modules().Single(m => m.name == "attn").module;
        long headDim = width / heads;
        Assert.Equal(Math.Sqrt(baseHeadDim) / headDim, attn.MupAttentionScale(headDim), 15);
        using var x = torch.randn(2, 8);
        using var y = model.forward(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    [Fact]
    public void The_standard_parametrization_needs_no_decision()
    {
        using var model = new ShapeHeadDimModel(128, 4);
        ((IMupModel)model).MupOptions = new MupOptions { Parametrization = MupParametrization.Standard };
        var attn = (ShapeHeadDimAttention)model.named_modules().Single(m => m.name == "attn").module;
        Assert.Equal(1 / Math.Sqrt(32), attn.MupAttentionScale(32), 15);
    }

    [Fact]
    public void BaseHeadDim_must_agree_with_a_compiled_fact_and_be_at_least_one()
    {
        // The GPT sample's attention reads headDim = nEmbd / nHead: base 64 / 4 = 16.
        using var model = new MupGen.Samples.Gpt.Gpt(128, 2, 17, 8, 4);
        var attn = (MupGen.Samples.Gpt.CausalSelfAttention)model.named_modules().Single(m => m.name == "blocks.0.attn").module;
        model.MupOptions = new MupOptions { BaseHeadDim = 16 };
        Assert.Equal(Math.Sqrt(16) / 32, attn.MupAttentionScale(32), 15);
        model.MupOptions = new MupOptions { BaseHeadDim = 32 };
        var disagree = Assert.Throws<InvalidOperationException>(() => attn.MupAttentionScale(32));
        Assert.Contains("MupOptions.BaseHeadDim is 32", disagree.Message);
        Assert.Contains("base head dimension of 16", disagree.Message);
        Assert.Equal("BaseHeadDim", Assert.Throws<ArgumentException>(() => model.MupOptions = new MupOptions { BaseHeadDim = 0 }).ParamName);
    }

    /// <summary>A call the generator does not see (through another object: the parent asks the child) leaves the child
    /// with no fact: refused by name, not assumed to grow with the width.</summary>
    [Fact]
    public void A_module_without_a_fact_is_refused_by_name()
    {
        using var model = new AsksChildForScale(128);
        Assert.Empty(((IMupModel)model).MupFacts.Attention);
        using var x = torch.randn(2, 128);
        var refused = Assert.Throws<InvalidOperationException>(() => model.forward(x));
        Assert.Contains("MupAttentionScale of module 'attn' of AsksChildForScale", refused.Message);
        Assert.Contains("saw no MupAttentionScale call", refused.Message);
        ((IMupModel)model).MupOptions = new MupOptions { BaseHeadDim = 16 };
        var attn = (ScaleAskedByParent)model.named_modules().Single(m => m.name == "attn").module;
        #pragma warning disable MUP021 // deliberately: the refusal (or BaseHeadDim, or SP) for a module whose class makes no call of its own
        Assert.Equal(Math.Sqrt(16) / 32, attn.MupAttentionScale(32), 15);
        #pragma warning restore MUP021
    }

    /// <summary>A head dimension width / heads whose width no layer measures is refused, not given multiplier 1.</summary>
    [Fact]
    public void A_head_dimension_of_an_unmeasured_width_is_refused()
    {
        using var module = new RawShapes(("w", new long[] { 8, 8 }));
        var facts = new MupModelFacts("Raw", new[] { new MupWidthSymbol("width", 4), new MupWidthSymbol("inner", 8) }, null,
            new[] { new MupParameterFact("w", MupLayerKind.Linear, "weight", MupRole.Hidden, new[] { MupDim.Scaled(4, "width"), MupDim.Scaled(4, "width") }) },
            new[] { new MupAttentionFact("", MupDim.Scaled(null, "inner")) });
        var binding = new MupBinding(module, facts);
        var refused = Assert.Throws<InvalidOperationException>(() => binding.AttentionScale(16));
        Assert.Contains("Raw itself", refused.Message);
        Assert.Contains("width 'inner'", refused.Message);
        binding.Options = new MupOptions { BaseHeadDim = 8 };
        Assert.Equal(Math.Sqrt(8) / 16, binding.AttentionScale(16), 15);
    }
}
