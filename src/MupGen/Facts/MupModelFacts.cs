using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;

namespace MupGen.Facts;

/// <summary>A <see cref="WidthAttribute"/> member: its name and base value.</summary>
public sealed record MupWidthSymbol(string Name, int BaseValue);

/// <summary>A <see cref="DepthAttribute"/> member, its base value, and the name of the block list whose length it sets.</summary>
public sealed record MupDepthSymbol(string Name, int BaseValue, string? BlockList);

/// <summary>What the generator knows about one parameter tensor.</summary>
/// <param name="Name">The name as <c>named_parameters()</c> gives it; <c>*</c> stands for a list index
/// (<c>hidden.*.weight</c>).</param>
/// <param name="Layer">The layer kind that owns the tensor.</param>
/// <param name="Tensor">The tensor's name inside its layer: <c>weight</c> or <c>bias</c>.</param>
/// <param name="Role">The scaling role.</param>
/// <param name="Shape">One entry per tensor dimension, in TorchSharp's order (Linear weight: out, in).</param>
/// <param name="InResidualBlock">True inside a block counted by the <see cref="DepthAttribute"/> symbol.</param>
/// <param name="Note">Why the role is <see cref="MupRole.Unresolved"/>, or null.</param>
/// <param name="Init">For a raw <see cref="MupLayerKind.Parameter"/>: how its tensor factory draws it at base width
/// (<c>Parameter(randn(1, n, width) * 0.02)</c> is <c>MupTensorInit.Normal(0.02)</c>), which MupInitialize repeats
/// at base shape times the role's init scale; null for layers (their default init is the layer catalog's) and for a
/// Parameter whose values the generator could not read (kept as constructed).</param>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed record MupParameterFact(
    string Name,
    MupLayerKind Layer,
    string Tensor,
    MupRole Role,
    IReadOnlyList<MupDim> Shape,
    bool InResidualBlock = false,
    string? Note = null,
    MupTensorInit? Init = null)
{
    /// <inheritdoc/>
    public bool Equals(MupParameterFact? other) =>
        other is not null && Name == other.Name && Layer == other.Layer && Tensor == other.Tensor && Role == other.Role
        && Shape.SequenceEqual(other.Shape) && InResidualBlock == other.InResidualBlock && Note == other.Note && Init == other.Init;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Layer, Tensor, Role, Shape.Count, InResidualBlock);
}

/// <summary>How a raw <c>Parameter</c>'s values are drawn (the generator reads it from the tensor factory call).</summary>
public enum MupInitKind
{
    /// <summary>All zeros (<c>torch.zeros</c>, <c>.zero_()</c>, anything times 0).</summary>
    Zeros,
    /// <summary>A constant (<c>torch.ones</c> times a factor, <c>torch.full</c>, <c>.fill_(c)</c>); never rescaled.</summary>
    Constant,
    /// <summary>N(0, std²) (<c>torch.randn</c> times a factor, <c>torch.normal(0, std, ...)</c>, <c>.normal_(0, std)</c>).</summary>
    Normal,
    /// <summary>U(−bound, bound) (<c>.uniform_(-bound, bound)</c>).</summary>
    Uniform,
}

/// <summary>A raw <c>Parameter</c>'s draw at base width, as its tensor factory call makes it: MupInitialize repeats it
/// at base shape times the role's init scale (µP: a Hidden Parameter's std times 1/sqrt(m_in); Vector and Fixed
/// unchanged); constants are never rescaled. mup itself leaves such tensors to the user; MupGen redraws them like any
/// layer's default init, so MupInitialize is the same call for every parameter.</summary>
/// <param name="Kind">The kind of draw.</param>
/// <param name="Value">Constant: the value; Normal: the std; Uniform: the bound; at base width.</param>
/// <param name="WidthDependent">The factor reads a width (<c>randn(width, width) / Math.Sqrt(width)</c>): at the
/// actual width the constructor draws a different value. Under the standard parametrization, and for Fixed
/// parameters (which stay exactly as in SP), such a tensor keeps the constructor's draw.</param>
public sealed record MupTensorInit(MupInitKind Kind, double Value, bool WidthDependent = false)
{
    /// <summary>All zeros.</summary>
    public static MupTensorInit Zeros { get; } = new(MupInitKind.Zeros, 0);

    /// <summary>A constant value.</summary>
    public static MupTensorInit Constant(double value, bool widthDependent = false) => new(MupInitKind.Constant, value, widthDependent);

    /// <summary>N(0, std²) at base width.</summary>
    public static MupTensorInit Normal(double std, bool widthDependent = false) => new(MupInitKind.Normal, std, widthDependent);

    /// <summary>U(−bound, bound) at base width.</summary>
    public static MupTensorInit Uniform(double bound, bool widthDependent = false) => new(MupInitKind.Uniform, bound, widthDependent);
}

/// <summary>The head dimension an attention module passes to <c>MupAttentionScale(headDim)</c>, as the generator read it
/// from the module's constructor: how it scales with width decides the base head dimension. A fact with no
/// <see cref="HeadDim"/> records a call whose argument the generator could not read (a tensor's shape, a field the
/// constructor does not set, a method's result): the module's <c>MupAttentionScale</c> then throws until
/// <see cref="MupOptions.BaseHeadDim"/> says what the head dimension is at base width (the build reports MUP020).</summary>
/// <param name="Module">The module path as <c>named_modules()</c> gives it, <c>*</c> for a list index
/// (<c>blocks.*.attn</c>); empty for the model itself.</param>
/// <param name="HeadDim">The head dimension's form: <see cref="MupDim.Fixed"/> when only the head count grows; null when
/// the generator could not read the argument.</param>
/// <param name="Note">Why <paramref name="HeadDim"/> is null (the call and what was not understood), or null.</param>
public sealed record MupAttentionFact(string Module, MupDim? HeadDim, string? Note = null)
{
    /// <summary>True when the generator could not read the head dimension this module passes.</summary>
    public bool IsUnresolved => HeadDim is null;
}

/// <summary>Everything the generator learnt about one model class. Generated code creates one instance per class;
/// the runtime evaluates it against the actual tensor shapes, so one compiled model serves every width.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed class MupModelFacts
{
    /// <summary>Creates the facts.</summary>
    public MupModelFacts(string modelName, MupWidthSymbol[] widths, MupDepthSymbol? depth, MupParameterFact[] parameters,
        MupAttentionFact[]? attention = null)
    {
        Attention = attention ?? Array.Empty<MupAttentionFact>();
        ModelName = modelName ?? throw new ArgumentNullException(nameof(modelName));
        Widths = widths ?? throw new ArgumentNullException(nameof(widths));
        Depth = depth;
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        foreach (var w in widths)
            if (w.BaseValue < 1)
                throw new ArgumentException($"[Width] '{w.Name}' of {modelName} has base value {w.BaseValue}; a base value must be at least 1.", nameof(widths));
        if (depth is { BaseValue: < 1 })
            throw new ArgumentException($"[Depth] '{depth.Name}' of {modelName} has base value {depth.BaseValue}; a base value must be at least 1.", nameof(depth));
    }

    /// <summary>The model class name.</summary>
    public string ModelName { get; }

    /// <summary>The width symbols; the first is the model width (m_N).</summary>
    public IReadOnlyList<MupWidthSymbol> Widths { get; }

    /// <summary>The depth symbol, or null when the model has no <see cref="DepthAttribute"/>.</summary>
    public MupDepthSymbol? Depth { get; }

    /// <summary>One fact per parameter tensor the generator could see, in declaration order.</summary>
    public IReadOnlyList<MupParameterFact> Parameters { get; }

    /// <summary>The head dimension of every attention module that calls <c>MupAttentionScale</c>.</summary>
    public IReadOnlyList<MupAttentionFact> Attention { get; }
}
