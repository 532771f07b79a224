using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Catalog;
using static TorchSharp.torch;

namespace MupGen;

public sealed partial class MupBinding
{
    /// <summary>The layer catalog's template of a tensor (<c>weight</c>, <c>out_proj.bias</c>, <c>weight_hh_l1</c>)
    /// of a layer kind, or null for <see cref="MupLayerKind.Other"/> and names the layer does not register.</summary>
    internal static CatalogTensor? TemplateOf(MupLayerKind layer, string tensor) =>
        layer == MupLayerKind.Other ? null : LayerCatalog.Tensor((CatalogKind)(int)layer, tensor);

    /// <summary>
    /// The fan a tensor's default init divides by, evaluated at <paramref name="source"/> (the tensor's own shape,
    /// or for a bias its weight's): the catalog's init fans (Linear/Conv fan_in = Π dims 1.., Bilinear in1,
    /// ConvTranspose out/groups × k, MultiheadAttention's xavier fan_in + fan_out, a recurrent layer's hidden size).
    /// Without a catalog template, the product of <paramref name="fallback"/>'s fan_in dimensions.
    /// </summary>
    internal static double InitFan(MupLayerKind layer, string tensor, double[] source, Layout fallback)
    {
        if (TemplateOf(layer, tensor) is not { } t)
            return BoundModel.Product(fallback.FanIn, source);
        var init = t.Init.Kind == CatalogInitKind.Uninitialized && t.Init.Intended is { } intended ? intended : t.Init;
        double Product(int[] dims) => dims.Aggregate(1.0, (acc, d) => acc * (d < source.Length ? source[d] : 1.0));
        return init.Fan switch
        {
            CatalogFan.FanIn => Product(init.FanInDims) / init.Divisor,
            CatalogFan.FanInPlusFanOut => (Product(init.FanInDims) + Product(init.FanOutDims)) / init.Divisor,
            _ => 1.0,
        };
    }

    /// <summary>For a parameter the generator did not see: the outermost TorchSharp layer of the catalog that
    /// registers it (a TransformerEncoderLayer's <c>self_attn.out_proj.bias</c> belongs to the encoder layer, whose
    /// catalog entry knows it is zero-initialized), and the tensor's name relative to that layer.</summary>
    internal static (MupLayerKind Layer, string Tensor) RuntimeOwner(string name, IReadOnlyDictionary<string, nn.Module> modules)
    {
        var parts = name.Split('.');
        for (int k = 0; k < parts.Length; k++)
        {
            var prefix = string.Join(".", parts.Take(k));
            if (!modules.TryGetValue(prefix, out var module))
                continue;
            var kind = LayerKindOf(module);
            var rest = string.Join(".", parts.Skip(k));
            if (kind != MupLayerKind.Other && TemplateOf(kind, rest) is not null)
                return (kind, rest);
        }
        return (MupLayerKind.Other, LastSegment(name));
    }
}
