using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MupGen.Catalog;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests;

/// <summary>
/// Every LayerCatalog entry against the real TorchSharp module: built at a base size and at 8x every width-like
/// argument, the catalog must predict the parameter names (in named_parameters order), the shapes at both sizes,
/// which dimensions scale (mup's shape method: a dimension that differs between base and delta), that the µP role
/// it implies agrees with the shape method's count of scaling dimensions, and the default init (std of a freshly
/// constructed module against the catalog's formula, within a statistical tolerance; constants exactly).
/// </summary>
[Collection(TorchCollection.Name)]
public class LayerCatalogTests
{
    private readonly ITestOutputHelper _output;

    public LayerCatalogTests(ITestOutputHelper output) => _output = output;

    /// <summary>A catalog case: the entry, base arguments, the width-like ones, and how to build the module.</summary>
    internal sealed record Case(string Label, CatalogKind Kind, Dictionary<string, object?> Args, string[] Wide, Func<Func<string, object?>, nn.Module> Build)
    {
        public override string ToString() => Label;
    }

    private static Dictionary<string, object?> Args(params (string, object?)[] items) => items.ToDictionary(i => i.Item1, i => i.Item2);

    private static long L(Func<string, object?> a, string name) => (long)a(name)!;
    private static bool B(Func<string, object?> a, string name, bool def) => a(name) is bool b ? b : def;

    private static readonly Dictionary<string, Case> Cases = new Case[]
    {
        new("Linear", CatalogKind.Linear, Args(("inputSize", 32L), ("outputSize", 64L)), new[] { "inputSize", "outputSize" },
            a => Linear(L(a, "inputSize"), L(a, "outputSize"))),
        new("Linear no bias", CatalogKind.Linear, Args(("inputSize", 32L), ("outputSize", 64L), ("hasBias", false)), new[] { "inputSize", "outputSize" },
            a => Linear(L(a, "inputSize"), L(a, "outputSize"), hasBias: false)),
        new("Linear readout", CatalogKind.Linear, Args(("inputSize", 64L), ("outputSize", 10L)), new[] { "inputSize" },
            a => Linear(L(a, "inputSize"), L(a, "outputSize"))),
        new("Bilinear", CatalogKind.Bilinear, Args(("in1_features", 16L), ("in2_features", 24L), ("out_features", 32L)), new[] { "in1_features", "in2_features", "out_features" },
            a => Bilinear(L(a, "in1_features"), L(a, "in2_features"), L(a, "out_features"))),
        new("Embedding", CatalogKind.Embedding, Args(("num_embeddings", 100L), ("embedding_dims", 32L)), new[] { "embedding_dims" },
            a => Embedding(L(a, "num_embeddings"), L(a, "embedding_dims"))),
        new("EmbeddingBag", CatalogKind.EmbeddingBag, Args(("num_embeddings", 100L), ("embedding_dims", 32L)), new[] { "embedding_dims" },
            a => EmbeddingBag(L(a, "num_embeddings"), L(a, "embedding_dims"))),
        new("Conv1d", CatalogKind.Conv1d, Args(("in_channels", 16L), ("out_channels", 32L), ("kernel_size", 3L)), new[] { "in_channels", "out_channels" },
            a => Conv1d(L(a, "in_channels"), L(a, "out_channels"), L(a, "kernel_size"))),
        new("Conv2d groups 4", CatalogKind.Conv2d, Args(("in_channels", 16L), ("out_channels", 32L), ("kernel_size", 3L), ("groups", 4L)), new[] { "in_channels", "out_channels" },
            a => Conv2d(L(a, "in_channels"), L(a, "out_channels"), L(a, "kernel_size"), groups: L(a, "groups"))),
        new("Conv2d depthwise", CatalogKind.Conv2d, Args(("in_channels", 32L), ("out_channels", 32L), ("kernel_size", 3L), ("groups", 32L), ("bias", false)), new[] { "in_channels", "out_channels", "groups" },
            a => Conv2d(L(a, "in_channels"), L(a, "out_channels"), L(a, "kernel_size"), groups: L(a, "groups"), bias: false)),
        new("Conv2d tuple kernel", CatalogKind.Conv2d, Args(("in_channels", 8L), ("out_channels", 16L), ("kernel_size", new long[] { 3, 5 })), new[] { "in_channels", "out_channels" },
            a => { var k = (long[])a("kernel_size")!; return Conv2d(L(a, "in_channels"), L(a, "out_channels"), (k[0], k[1])); }),
        new("Conv3d", CatalogKind.Conv3d, Args(("in_channels", 8L), ("out_channels", 16L), ("kernel_size", 3L)), new[] { "in_channels", "out_channels" },
            a => Conv3d(L(a, "in_channels"), L(a, "out_channels"), L(a, "kernel_size"))),
        new("ConvTranspose1d", CatalogKind.ConvTranspose1d, Args(("in_channels", 16L), ("out_channels", 32L), ("kernel_size", 3L)), new[] { "in_channels", "out_channels" },
            a => ConvTranspose1d(L(a, "in_channels"), L(a, "out_channels"), L(a, "kernel_size"))),
        new("ConvTranspose2d groups 4", CatalogKind.ConvTranspose2d, Args(("in_channels", 16L), ("out_channels", 32L), ("kernel_size", 3L), ("groups", 4L)), new[] { "in_channels", "out_channels" },
            a => ConvTranspose2d(L(a, "in_channels"), L(a, "out_channels"), L(a, "kernel_size"), groups: L(a, "groups"))),
        new("ConvTranspose3d", CatalogKind.ConvTranspose3d, Args(("in_channels", 8L), ("out_channels", 16L), ("kernel_size", 3L)), new[] { "in_channels", "out_channels" },
            a => ConvTranspose3d(L(a, "in_channels"), L(a, "out_channels"), L(a, "kernel_size"))),
        new("LayerNorm", CatalogKind.LayerNorm, Args(("normalized_shape", 32L)), new[] { "normalized_shape" },
            a => LayerNorm(L(a, "normalized_shape"))),
        new("LayerNorm shape array", CatalogKind.LayerNorm, Args(("normalized_shape", new long[] { 4, 32 })), new[] { "normalized_shape[1]" },
            a => LayerNorm((long[])a("normalized_shape")!)),
        new("LayerNorm no bias", CatalogKind.LayerNorm, Args(("normalized_shape", 32L), ("bias", false)), new[] { "normalized_shape" },
            a => LayerNorm(L(a, "normalized_shape"), bias: false)),
        new("LayerNorm not affine", CatalogKind.LayerNorm, Args(("normalized_shape", 32L), ("elementwise_affine", false)), new[] { "normalized_shape" },
            a => LayerNorm(L(a, "normalized_shape"), elementwise_affine: false)),
        new("GroupNorm", CatalogKind.GroupNorm, Args(("num_groups", 4L), ("num_channels", 32L)), new[] { "num_channels" },
            a => GroupNorm(L(a, "num_groups"), L(a, "num_channels"))),
        new("BatchNorm1d", CatalogKind.BatchNorm1d, Args(("num_features", 32L)), new[] { "num_features" }, a => BatchNorm1d(L(a, "num_features"))),
        new("BatchNorm2d", CatalogKind.BatchNorm2d, Args(("num_features", 32L)), new[] { "num_features" }, a => BatchNorm2d(L(a, "num_features"))),
        new("BatchNorm3d", CatalogKind.BatchNorm3d, Args(("num_features", 32L)), new[] { "num_features" }, a => BatchNorm3d(L(a, "num_features"))),
        new("BatchNorm2d not affine", CatalogKind.BatchNorm2d, Args(("num_features", 32L), ("affine", false)), new[] { "num_features" },
            a => BatchNorm2d(L(a, "num_features"), affine: false)),
        new("InstanceNorm1d affine", CatalogKind.InstanceNorm1d, Args(("num_features", 32L), ("affine", true)), new[] { "num_features" },
            a => InstanceNorm1d(L(a, "num_features"), affine: true)),
        new("InstanceNorm2d", CatalogKind.InstanceNorm2d, Args(("num_features", 32L)), new[] { "num_features" }, a => InstanceNorm2d(L(a, "num_features"))),
        new("InstanceNorm3d affine", CatalogKind.InstanceNorm3d, Args(("num_features", 32L), ("affine", true)), new[] { "num_features" },
            a => InstanceNorm3d(L(a, "num_features"), affine: true)),
        new("PReLU", CatalogKind.PReLU, Args(("num_parameters", 32L)), new[] { "num_parameters" }, a => PReLU(L(a, "num_parameters"))),
        new("MultiheadAttention", CatalogKind.MultiheadAttention, Args(("embedded_dim", 64L), ("num_heads", 4L)), new[] { "embedded_dim" },
            a => MultiheadAttention(L(a, "embedded_dim"), L(a, "num_heads"))),
        new("MultiheadAttention no bias", CatalogKind.MultiheadAttention, Args(("embedded_dim", 64L), ("num_heads", 4L), ("bias", false)), new[] { "embedded_dim" },
            a => MultiheadAttention(L(a, "embedded_dim"), L(a, "num_heads"), bias: false)),
        new("MultiheadAttention bias_kv", CatalogKind.MultiheadAttention, Args(("embedded_dim", 64L), ("num_heads", 4L), ("add_bias_kv", true)), new[] { "embedded_dim" },
            a => MultiheadAttention(L(a, "embedded_dim"), L(a, "num_heads"), add_bias_kv: true)),
        new("MultiheadAttention kdim vdim", CatalogKind.MultiheadAttention, Args(("embedded_dim", 64L), ("num_heads", 4L), ("kdim", 16L), ("vdim", 24L)), new[] { "embedded_dim", "kdim", "vdim" },
            a => MultiheadAttention(L(a, "embedded_dim"), L(a, "num_heads"), kdim: L(a, "kdim"), vdim: L(a, "vdim"))),
        new("TransformerEncoderLayer", CatalogKind.TransformerEncoderLayer, Args(("d_model", 64L), ("nhead", 4L), ("dim_feedforward", 128L)), new[] { "d_model", "dim_feedforward" },
            a => TransformerEncoderLayer(L(a, "d_model"), L(a, "nhead"), L(a, "dim_feedforward"))),
        new("TransformerDecoderLayer", CatalogKind.TransformerDecoderLayer, Args(("d_model", 64L), ("nhead", 4L), ("dim_feedforward", 128L)), new[] { "d_model", "dim_feedforward" },
            a => TransformerDecoderLayer(L(a, "d_model"), L(a, "nhead"), L(a, "dim_feedforward"))),
        new("TransformerEncoder", CatalogKind.TransformerEncoder, Args(("d_model", 64L), ("nhead", 4L), ("dim_feedforward", 128L), ("num_layers", 2L)), new[] { "d_model", "dim_feedforward" },
            a => TransformerEncoder(TransformerEncoderLayer(L(a, "d_model"), L(a, "nhead"), L(a, "dim_feedforward")), L(a, "num_layers"))),
        new("TransformerDecoder", CatalogKind.TransformerDecoder, Args(("d_model", 64L), ("nhead", 4L), ("dim_feedforward", 128L), ("num_layers", 2L)), new[] { "d_model", "dim_feedforward" },
            a => TransformerDecoder(TransformerDecoderLayer(L(a, "d_model"), L(a, "nhead"), L(a, "dim_feedforward")), L(a, "num_layers"))),
        new("Transformer", CatalogKind.Transformer, Args(("d_model", 64L), ("nhead", 4L), ("num_encoder_layers", 2L), ("num_decoder_layers", 1L), ("dim_feedforward", 128L)), new[] { "d_model", "dim_feedforward" },
            a => Transformer(L(a, "d_model"), L(a, "nhead"), L(a, "num_encoder_layers"), L(a, "num_decoder_layers"), L(a, "dim_feedforward"))),
        new("LSTM 2 layers bidirectional", CatalogKind.LSTM, Args(("inputSize", 16L), ("hiddenSize", 32L), ("numLayers", 2L), ("bidirectional", true)), new[] { "inputSize", "hiddenSize" },
            a => LSTM(L(a, "inputSize"), L(a, "hiddenSize"), L(a, "numLayers"), bidirectional: true)),
        new("GRU no bias", CatalogKind.GRU, Args(("inputSize", 16L), ("hiddenSize", 32L), ("bias", false)), new[] { "inputSize", "hiddenSize" },
            a => GRU(L(a, "inputSize"), L(a, "hiddenSize"), bias: false)),
        new("GRU fixed input", CatalogKind.GRU, Args(("inputSize", 16L), ("hiddenSize", 32L), ("numLayers", 2L)), new[] { "hiddenSize" },
            a => GRU(L(a, "inputSize"), L(a, "hiddenSize"), L(a, "numLayers"))),
        new("RNN 2 layers", CatalogKind.RNN, Args(("inputSize", 16L), ("hiddenSize", 32L), ("numLayers", 2L)), new[] { "inputSize", "hiddenSize" },
            a => RNN(L(a, "inputSize"), L(a, "hiddenSize"), L(a, "numLayers"))),
        new("LSTMCell", CatalogKind.LSTMCell, Args(("inputSize", 16L), ("hiddenSize", 32L)), new[] { "inputSize", "hiddenSize" },
            a => LSTMCell(L(a, "inputSize"), L(a, "hiddenSize"))),
        new("GRUCell", CatalogKind.GRUCell, Args(("inputSize", 16L), ("hiddenSize", 32L)), new[] { "inputSize", "hiddenSize" },
            a => GRUCell(L(a, "inputSize"), L(a, "hiddenSize"))),
        new("RNNCell", CatalogKind.RNNCell, Args(("inputSize", 16L), ("hiddenSize", 32L)), new[] { "inputSize", "hiddenSize" },
            a => RNNCell(L(a, "inputSize"), L(a, "hiddenSize"))),
    }.ToDictionary(c => c.Label);

    public static IEnumerable<object[]> CaseLabels => Cases.Keys.Select(k => new object[] { k });

    /// <summary>The delta arguments: every width-like argument × 8 (<c>name[i]</c>: item i of an array argument).</summary>
    private static Dictionary<string, object?> Widen(Case c, long factor = 8)
    {
        var args = c.Args.ToDictionary(kv => kv.Key, kv => kv.Value is long[] a ? (object?)a.ToArray() : kv.Value);
        foreach (var wide in c.Wide)
        {
            int bracket = wide.IndexOf('[');
            if (bracket > 0)
            {
                var items = (long[])args[wide[..bracket]]!;
                items[int.Parse(wide[(bracket + 1)..^1], CultureInfo.InvariantCulture)] *= factor;
            }
            else
                args[wide] = (long)args[wide]! * factor;
        }
        return args;
    }

    private static Func<string, object?> Lookup(Dictionary<string, object?> args) => name => args.TryGetValue(name, out var v) ? v : null;

    [Fact]
    public void Every_entry_with_tensors_is_tested()
    {
        var tested = Cases.Values.Select(c => c.Kind).ToHashSet();
        var untested = LayerCatalog.Entries.Where(e => e.Kind != CatalogKind.Parameter && !tested.Contains(e.Kind)).Select(e => e.Factory).ToList();
        Assert.Empty(untested);
    }

    [Fact]
    public void Catalog_kinds_are_the_runtime_layer_kinds_by_name_and_value()
    {
        Assert.Equal(Enum.GetNames<MupLayerKind>(), Enum.GetNames<CatalogKind>());
        foreach (var kind in Enum.GetValues<CatalogKind>())
            Assert.Equal(kind.ToString(), ((MupLayerKind)(int)kind).ToString());
        // The historical values keep their numbers.
        Assert.Equal(5, (int)MupLayerKind.Other);
        Assert.Equal(4, (int)MupLayerKind.Conv2d);
    }

    [Fact]
    public void Entries_are_found_by_factory_type_and_kind()
    {
        foreach (var e in LayerCatalog.Entries)
        {
            Assert.Same(e, LayerCatalog.ByKind(e.Kind));
            Assert.Same(e, LayerCatalog.ByType(e.TypeName));
            if (e.Kind != CatalogKind.Parameter)
            {
                Assert.Same(e, LayerCatalog.ByFactory(e.Factory));
                // The factory and the type exist in TorchSharp under these names.
                Assert.NotNull(typeof(torch.nn).GetMethods().FirstOrDefault(m => m.Name == e.Factory));
                Assert.NotNull(typeof(torch).Assembly.GetType(e.TypeName));
            }
        }
        Assert.Null(LayerCatalog.ByFactory("ReLU"));
        Assert.Null(LayerCatalog.ByKind(CatalogKind.Other));
    }

    [Fact]
    public void Argument_names_and_positions_are_the_factorys()
    {
        foreach (var e in LayerCatalog.Entries.Where(e => e.Kind != CatalogKind.Parameter))
        {
            var overloads = typeof(torch.nn).GetMethods().Where(m => m.Name == e.Factory).ToList();
            foreach (var a in e.Arguments)
            {
                var found = overloads.Any(m => m.GetParameters().Any(p => p.Name == a.Name && p.Position == a.Position));
                Assert.True(found, $"{e.Factory}: no overload has parameter '{a.Name}' at position {a.Position}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseLabels))]
    public void Entry_matches_the_TorchSharp_module(string label)
    {
        var c = Cases[label];
        var entry = LayerCatalog.ByKind(c.Kind)!;
        var baseArgs = c.Args;
        var deltaArgs = Widen(c);

        torch.manual_seed(1234);
        using var baseModule = c.Build(Lookup(baseArgs));
        using var deltaModule = c.Build(Lookup(deltaArgs));
        var actualBase = baseModule.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        var actualDelta = deltaModule.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        var predictedBase = entry.Instantiate(Lookup(baseArgs));
        var predictedDelta = entry.Instantiate(Lookup(deltaArgs));

        // Names, in named_parameters order.
        Assert.Equal(actualBase.Select(p => p.name), predictedBase.Select(p => p.Name));
        Assert.Equal(actualDelta.Select(p => p.name), predictedDelta.Select(p => p.Name));

        for (int i = 0; i < actualBase.Count; i++)
        {
            var name = actualBase[i].name;
            var template = predictedBase[i].Template;
            Assert.Same(template, entry.Tensor(name));
            // Shapes at both sizes, hence the same scaling dimensions as the shape method reads.
            Assert.Equal(actualBase[i].shape, predictedBase[i].Shape);
            Assert.Equal(actualDelta[i].shape, predictedDelta[i].Shape);
            var scales = Enumerable.Range(0, actualBase[i].shape.Length).Where(d => actualBase[i].shape[d] != actualDelta[i].shape[d]).ToArray();

            // The role the catalog's fans imply agrees with mup's count of infinite dimensions: 2 (hidden-like)
            // exactly when a matrix's fan_in and fan_out both scale; anything else is vector-like, fixed or readout.
            bool fanOutScales = template.FanOut.Any(d => scales.Contains(d));
            bool fanInScales = template.FanIn.Any(d => scales.Contains(d));
            bool hiddenByCatalog = template.IsMatrix && fanOutScales && fanInScales;
            bool hiddenByShapes = actualBase[i].shape.Length >= 2 && scales.Length >= 2;
            Assert.True(hiddenByCatalog == hiddenByShapes, $"{label} {name}: catalog hidden-like {hiddenByCatalog}, shape method {hiddenByShapes} (scaling dims {string.Join(",", scales)})");
            // A matrix dimension that scales is one of its fans (kernel dims never scale).
            if (template.IsMatrix)
                Assert.All(scales, d => Assert.True(template.FanIn.Contains(d) || template.FanOut.Contains(d), $"{label} {name}: dim {d} scales but is no fan"));
        }

        AssertInit(label, entry, baseModule, predictedBase, baseArgs);
        AssertInit(label, entry, deltaModule, predictedDelta, deltaArgs);
    }

    private void AssertInit(string label, CatalogEntry entry, nn.Module module, IReadOnlyList<CatalogInstance> predicted, Dictionary<string, object?> args)
    {
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var shapes = predicted.ToDictionary(p => p.Name, p => p.Shape);
        foreach (var p in predicted)
        {
            var init = p.Template.Init;
            var tensor = parameters[p.Name].detach().to_type(ScalarType.Float64);
            var values = tensor.data<double>().ToArray();
            var source = init.FromTensor is { } from ? shapes[CatalogEntry.SiblingName(p.Name, p.Template.Name, from)] : p.Shape;
            var sourceShape = source.Select(x => (double)x).ToArray();
            switch (init.Kind)
            {
                case CatalogInitKind.Ones:
                    Assert.All(values, v => Assert.Equal(1.0, v));
                    break;
                case CatalogInitKind.Zeros:
                    Assert.All(values, v => Assert.Equal(0.0, v));
                    break;
                case CatalogInitKind.Constant:
                    var constant = Convert.ToDouble(args.TryGetValue(init.ConstantArgument!, out var given) && given is not null ? given : entry.Argument(init.ConstantArgument!)!.Default, CultureInfo.InvariantCulture);
                    Assert.All(values, v => Assert.Equal(constant, v, 6));
                    break;
                case CatalogInitKind.Uniform:
                case CatalogInitKind.Normal:
                {
                    double expected = init.Std(sourceShape);
                    double mean = values.Average();
                    double measured = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
                    // Relative standard error of a sample std: sqrt(excess kurtosis + 2) / (2 sqrt(n)); uniform 0.8, normal 2.
                    double kurtosis = init.Kind == CatalogInitKind.Uniform ? 0.8 : 2.0;
                    double tolerance = 5 * Math.Sqrt(kurtosis) / (2 * Math.Sqrt(values.Length));
                    _output.WriteLine($"{label} {p.Name} {string.Join("x", p.Shape)}: std {measured:G4} vs {expected:G4} ({init})");
                    Assert.True(Math.Abs(measured / expected - 1) < tolerance,
                        $"{label} {p.Name}: measured std {measured:G4}, catalog {expected:G4} ({init}), tolerance {tolerance:P1}");
                    if (init.Kind == CatalogInitKind.Uniform)
                        Assert.True(values.Max(Math.Abs) <= init.Scale(sourceShape) * (1 + 1e-6), $"{label} {p.Name}: a value beyond the uniform bound");
                    break;
                }
                case CatalogInitKind.Uninitialized:
                    // Not in closed form (torch.empty): the catalog must say why, and MupInitialize redraws it.
                    Assert.False(init.IsClosedForm);
                    Assert.False(string.IsNullOrEmpty(init.Note));
                    break;
                default:
                    Assert.Fail($"{label} {p.Name}: unexpected init {init.Kind}");
                    break;
            }
        }
    }

    [Fact]
    public void Recurrent_names_match_their_layer_templates()
    {
        var lstm = LayerCatalog.ByKind(CatalogKind.LSTM)!;
        Assert.Equal(CatalogLayers.First, lstm.Tensor("weight_ih_l0")!.Layers);
        Assert.Equal(CatalogLayers.Later, lstm.Tensor("weight_ih_l3_reverse")!.Layers);
        Assert.Equal(CatalogLayers.All, lstm.Tensor("bias_hh_l2")!.Layers);
        Assert.Null(lstm.Tensor("weight_ih_l0_forward"));
        var mha = LayerCatalog.ByKind(CatalogKind.TransformerEncoder)!;
        Assert.NotNull(mha.Tensor("layers.*.self_attn.out_proj.weight"));
        Assert.NotNull(mha.Tensor("layers.11.linear1.bias"));
        Assert.Null(mha.Tensor("layers.x.linear1.bias"));
    }

    [Fact]
    public void Attention_layers_name_their_head_dimension()
    {
        foreach (var kind in new[] { CatalogKind.MultiheadAttention, CatalogKind.TransformerEncoderLayer, CatalogKind.TransformerDecoderLayer, CatalogKind.Transformer })
            Assert.NotNull(LayerCatalog.ByKind(kind)!.HeadDim);
        var head = LayerCatalog.ByKind(CatalogKind.MultiheadAttention)!.HeadDim!;
        Assert.Equal(16, head.Evaluate(n => n == "embedded_dim" ? 64 : 4, _ => false));
        Assert.Null(LayerCatalog.ByKind(CatalogKind.Linear)!.HeadDim);
    }
}
