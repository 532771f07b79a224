using System;
using System.Linq;
using Xunit;

namespace MupGen.Scaling.Tests;

public class ShapeTests
{
    [Theory]
    [InlineData(1e8)]
    [InlineData(1e9)]
    [InlineData(7e9)]
    [InlineData(6.5e10)]
    public void Candidates_match_the_budget_within_1_percent_and_respect_the_bounds(double budget)
    {
        var options = new ShapeSearchOptions();
        var candidates = TransformerShapes.Candidates(budget, options);
        Assert.NotEmpty(candidates);
        Assert.Contains(candidates, c => c.InKaplanFlatRegion);
        foreach (var c in candidates)
        {
            var s = c.Shape;
            Assert.Equal(12.0 * s.Layers * s.DModel * (double)s.DModel, c.NonEmbeddingParameters);   // Kaplan eq. 2.1
            Assert.InRange(Math.Abs(c.NonEmbeddingParameters / budget - 1), 0, 0.01);
            Assert.Equal(c.NonEmbeddingParameters / budget - 1, c.RelativeError, 12);
            Assert.InRange(s.Layers, options.MinLayers, options.MaxLayers);
            Assert.Equal(s.DModel, s.Heads * s.HeadDim);
            Assert.Contains(s.HeadDim, options.HeadDims);
            Assert.Equal(s.HeadDim, options.HeadDims.First(h => s.DModel % h == 0));   // preferred head dim
            double ratio = (double)s.DModel / s.Layers;
            Assert.Equal(ratio >= 1600.0 / 48 && ratio <= 4288.0 / 6, c.InKaplanFlatRegion);
        }
        Assert.Equal(candidates.Count, candidates.Select(c => (c.Shape.Layers, c.Shape.DModel)).Distinct().Count());
        // Order: flat region first, deepest first within each group.
        int firstOutside = candidates.ToList().FindIndex(c => !c.InKaplanFlatRegion);
        if (firstOutside >= 0) Assert.All(candidates.Skip(firstOutside), c => Assert.False(c.InKaplanFlatRegion));
        foreach (var group in new[] { candidates.Where(c => c.InKaplanFlatRegion), candidates.Where(c => !c.InKaplanFlatRegion) })
        {
            var layers = group.Select(c => c.Shape.Layers).ToArray();
            for (int i = 1; i < layers.Length; i++) Assert.True(layers[i - 1] >= layers[i]);
        }
    }

    [Fact]
    public void A_1e9_budget_has_the_hand_checked_shapes()
    {
        var candidates = TransformerShapes.Candidates(1e9);
        var first = candidates[0];
        // 12 * 42 * 1408**2 = 999161856: the deepest shape in Kaplan's flat region (1408/42 = 33.5 >= 33.3).
        Assert.Equal(new TransformerShape(1408, 42, 11, 128), first.Shape);
        Assert.Equal(999161856.0, first.NonEmbeddingParameters);
        Assert.True(first.InKaplanFlatRegion);
        // (6, 4288) itself is 1.3239e9, off budget; (6, 3712) is in, and (5, 4096) is past 714.7.
        Assert.Contains(candidates, c => c.Shape == new TransformerShape(3712, 6, 29, 128) && c.InKaplanFlatRegion);
        Assert.Contains(candidates, c => c.Shape == new TransformerShape(4096, 5, 32, 128) && !c.InKaplanFlatRegion);
    }

    [Fact]
    public void Shape_counts_follow_Kaplan_eq_2_1()
    {
        var gpt2xl = new TransformerShape(1600, 48, 25, 64);
        Assert.Equal(12.0 * 48 * 1600 * 1600, gpt2xl.NonEmbeddingParameters);   // 1.4746e9, GPT-2 XL without embeddings
        Assert.Equal(1600.0 / 48, gpt2xl.AspectRatio);
    }

    [Fact]
    public void Invalid_budgets_and_options()
    {
        // One 2-layer block of width 64 is 12*2*64^2 = 98304 parameters: below that, no layer fits.
        var small = Assert.Throws<ArgumentOutOfRangeException>(() => TransformerShapes.Candidates(5e4));
        Assert.Equal("nonEmbeddingParameters", small.ParamName);
        Assert.Contains("too small for 2 layer(s) of width 64", small.Message);
        Assert.Equal("nonEmbeddingParameters", Assert.Throws<ArgumentOutOfRangeException>(() => TransformerShapes.Candidates(0)).ParamName);
        Assert.Equal("nonEmbeddingParameters", Assert.Throws<ArgumentOutOfRangeException>(() => TransformerShapes.Candidates(double.NaN)).ParamName);
        Assert.Equal("Tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => TransformerShapes.Candidates(1e9, new ShapeSearchOptions { Tolerance = 0 })).ParamName);
        Assert.Equal("HeadDims", Assert.Throws<ArgumentOutOfRangeException>(() => TransformerShapes.Candidates(1e9, new ShapeSearchOptions { HeadDims = Array.Empty<int>() })).ParamName);
        Assert.Equal("MaxLayers", Assert.Throws<ArgumentOutOfRangeException>(() => TransformerShapes.Candidates(1e9, new ShapeSearchOptions { MinLayers = 10, MaxLayers = 4 })).ParamName);
        // Nothing on a coarse grid within a tight tolerance: empty, not an exception.
        Assert.Empty(TransformerShapes.Candidates(1e9, new ShapeSearchOptions { Tolerance = 1e-6, HeadDims = new[] { 512 }, MaxLayers = 8 }));
    }
}
