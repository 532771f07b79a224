using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Diagnostics;
using MupGen.Samples.Gpt;
using MupGen.Tests.Models;
using Xunit.Abstractions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Tests;

/// <summary>A module with one raw parameter of a given shape, for shape contradictions no real layer produces.</summary>
internal sealed class RawShapes : nn.Module
{
    public RawShapes(params (string Name, long[] Shape)[] parameters) : base(nameof(RawShapes))
    {
        foreach (var (name, shape) in parameters)
            register_parameter(name, nn.Parameter(torch.zeros(shape)));
    }
}

/// <summary>MupShapes: what it records from a base and a delta model, and every bad input it refuses.</summary>
[Collection(TorchCollection.Name)]
public class ShapesTests(ITestOutputHelper output)
{
    /// <summary>The cost of the shape method (docs/SHAPES.md quotes the printed figures): building the base and delta
    /// models and reading their shapes, beside building the model itself. Asserted: what it allocates (parameter
    /// elements of base + delta) is a small fraction of the model's; the times are printed, never asserted.</summary>
    [Theory]
    [InlineData("Mlp", 4096)]
    [InlineData("Gpt", 1024)]
    public void Building_base_and_delta_models_costs_little_beside_the_model(string name, int width)
    {
        nn.Module Make(int w) => name == "Mlp" ? new Mlp(w) : new Gpt(w, 2, 17, 8);
        long Elements(nn.Module m) => m.parameters().Sum(p => p.numel());
        Make(64).Dispose();                                   // warm up (native load, JIT)
        var sw = Stopwatch.StartNew();
        long shapeElements;
        MupShapes shapes;
        using (var b = Make(64))
        using (var d = Make(128))
        {
            shapes = MupShapes.Of(b, d);
            shapeElements = Elements(b) + Elements(d);
        }
        double shapesMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        using var model = Make(width);
        double modelMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var verdict = ((IMupModel)model).MupVerify(shapes);
        double verifyMs = sw.Elapsed.TotalMilliseconds;
        long modelElements = Elements(model);
        output.WriteLine($"{name}: base (64) + delta (128) built and read in {shapesMs:0.0} ms ({shapeElements:N0} parameter elements); " +
                         $"the model at width {width} built in {modelMs:0.0} ms ({modelElements:N0} elements); MupVerify {verifyMs:0.0} ms");
        Assert.Empty(verdict);
        Assert.True(shapeElements * 20 < modelElements, $"base + delta have {shapeElements} elements, the model {modelElements}");
    }

    [Fact]
    public void Dimensions_that_differ_scale_with_width_and_base_sizes_come_from_the_base()
    {
        using var small = new Mlp(64);
        using var delta = new Mlp(128);
        var shapes = MupShapes.Of(small, delta);
        Assert.Equal(small.named_parameters().Select(p => p.name), shapes.Parameters.Select(p => p.Name));
        var input = shapes["input.weight"]!;
        Assert.Equal(new long[] { 64, 16 }, input.BaseShape);
        Assert.Equal(new[] { true, false }, input.Infinite);
        Assert.Equal(1, input.InfiniteCount);
        Assert.Equal("[64, null]", input.ToString());                   // mup's base-shape notation
        Assert.Equal(2, shapes["hidden.weight"]!.InfiniteCount);
        Assert.Equal(new[] { false, true }, shapes["readout.weight"]!.Infinite);
        Assert.Equal(0, shapes["readout.bias"]!.InfiniteCount);
        Assert.Equal(4.0, shapes["hidden.weight"]!.Multiplier(0, 256));
        Assert.Equal(1.0, shapes["input.weight"]!.Multiplier(1, 16));
        Assert.Null(shapes["nope.weight"]);
        Assert.Contains("hidden.weight: [64, 64]", shapes.ToString());
    }

    [Fact]
    public void The_delta_may_be_any_other_width_and_the_base_stays_the_base()
    {
        using var small = new Mlp(64);
        var a = MupShapes.Of(small, new Mlp(65));
        var b = MupShapes.Of(small, new Mlp(1024));
        foreach (var p in a.Parameters)
        {
            Assert.Equal(p.BaseShape, b[p.Name]!.BaseShape);
            Assert.Equal(p.Infinite, b[p.Name]!.Infinite);
        }
    }

    [Fact]
    public void Shapes_keep_no_reference_to_the_models_or_their_tensors()
    {
        var allowed = new[] { typeof(string), typeof(long[]), typeof(bool[]), typeof(MupBaseShape[]), typeof(Dictionary<string, MupBaseShape>),
            typeof(IReadOnlyList<long>), typeof(IReadOnlyList<bool>) };
        foreach (var type in new[] { typeof(MupShapes), typeof(MupBaseShape) })
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
                Assert.True(allowed.Contains(field.FieldType), $"{type.Name}.{field.Name} is a {field.FieldType}");
        MupShapes shapes;
        long[] baseShape;
        using (var small = new Mlp(64))
        using (var delta = new Mlp(128))
        {
            shapes = MupShapes.Of(small, delta);
            baseShape = small.named_parameters().First().parameter.shape;
        }
        baseShape[0] = 999;   // a copy: the models' shape arrays are not shared either
        Assert.Equal(64, shapes["input.weight"]!.BaseShape[0]);
    }

    [Fact]
    public void Different_parameter_names_are_refused_naming_them()
    {
        using var mlp = new Mlp(64);
        using var other = new ResidualMlp(64);
        var ex = Assert.Throws<ArgumentException>(() => MupShapes.Of(mlp, other));
        Assert.Equal("deltaModel", ex.ParamName);
        Assert.Contains("only the base model has 'input.weight'", ex.Message);
        Assert.Contains("only the delta model has 'embed.weight'", ex.Message);
        Assert.Contains("same constructor", ex.Message);
    }

    [Fact]
    public void A_rank_change_is_refused_naming_the_parameter()
    {
        using var a = new RawShapes(("w", new long[] { 4, 4 }));
        using var b = new RawShapes(("w", new long[] { 8, 4, 1 }));
        var ex = Assert.Throws<ArgumentException>(() => MupShapes.Of(a, b));
        Assert.Contains("'w'", ex.Message);
        Assert.Contains("rank 2", ex.Message);
        Assert.Contains("rank 3", ex.Message);
    }

    [Fact]
    public void A_delta_equal_to_the_base_is_refused()
    {
        using var a = new Mlp(64);
        using var b = new Mlp(64);
        var ex = Assert.Throws<ArgumentException>(() => MupShapes.Of(a, b));
        Assert.Contains("exactly the base model's shapes", ex.Message);
        Assert.Contains("another width", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => MupShapes.Of(a, a));
        Assert.Contains("same object", ex.Message);
    }

    [Fact]
    public void A_dimension_that_shrinks_is_refused_naming_the_parameter_and_the_fix()
    {
        using var big = new Mlp(128);
        using var small = new Mlp(64);
        var ex = Assert.Throws<ArgumentException>(() => MupShapes.Of(big, small));
        Assert.Contains("'input.weight'", ex.Message);
        Assert.Contains("shrinks from 128", ex.Message);
        Assert.Contains("swap the two arguments", ex.Message);
    }

    [Fact]
    public void Null_models_and_empty_models_are_refused()
    {
        using var m = new Mlp(64);
        Assert.Throws<ArgumentNullException>(() => MupShapes.Of(null!, m));
        Assert.Throws<ArgumentNullException>(() => MupShapes.Of(m, null!));
        using var e1 = new RawShapes();
        using var e2 = new RawShapes();
        var ex = Assert.Throws<ArgumentException>(() => MupShapes.Of(e1, e2));
        Assert.Contains("no parameters", ex.Message);
    }
}
