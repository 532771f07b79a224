using System;
using static TorchSharp.torch;

namespace MupGen;

/// <summary>Attention with a custom logit scale. TorchSharp's <c>scaled_dot_product_attention</c> has no scale
/// argument and always divides by sqrt(head dim); µP needs <c>MupAttentionScale(headDim)</c> instead.</summary>
public static class MupAttention
{
    /// <summary>
    /// softmax(scale · q kᵀ + mask) v, through TorchSharp's fused kernel: q is pre-multiplied by
    /// scale · sqrt(head dim), which the kernel's own 1/sqrt(head dim) turns into exactly <paramref name="scale"/>.
    /// </summary>
    /// <param name="query">(..., L, E): the last dimension is the head dimension.</param>
    /// <param name="key">(..., S, E).</param>
    /// <param name="value">(..., S, Ev).</param>
    /// <param name="scale">The logit scale, e.g. <c>MupAttentionScale(headDim)</c>.</param>
    /// <param name="isCausal">Apply a causal mask.</param>
    /// <param name="attentionMask">An optional additive or boolean mask.</param>
    /// <param name="dropout">Attention dropout probability.</param>
    public static Tensor ScaledDotProduct(Tensor query, Tensor key, Tensor value, double scale, bool isCausal = false,
        Tensor? attentionMask = null, double dropout = 0.0)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!double.IsFinite(scale) || scale <= 0)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The attention scale must be positive and finite.");
        long headDim = query.shape[^1];
        double factor = scale * Math.Sqrt(headDim);
        var q = factor == 1.0 ? query : query * factor;
        return nn.functional.scaled_dot_product_attention(q, key, value, attentionMask, dropout, isCausal);
    }
}
