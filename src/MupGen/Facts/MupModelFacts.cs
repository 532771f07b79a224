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
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed record MupParameterFact(
    string Name,
    MupLayerKind Layer,
    string Tensor,
    MupRole Role,
    IReadOnlyList<MupDim> Shape,
    bool InResidualBlock = false,
    string? Note = null)
{
    /// <inheritdoc/>
    public bool Equals(MupParameterFact? other) =>
        other is not null && Name == other.Name && Layer == other.Layer && Tensor == other.Tensor && Role == other.Role
        && Shape.SequenceEqual(other.Shape) && InResidualBlock == other.InResidualBlock && Note == other.Note;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Layer, Tensor, Role, Shape.Count, InResidualBlock);
}

/// <summary>The head dimension an attention module passes to <c>MupAttentionScale(headDim)</c>, as the generator read it
/// from the module's constructor: how it scales with width decides the base head dimension.</summary>
/// <param name="Module">The module path as <c>named_modules()</c> gives it, <c>*</c> for a list index
/// (<c>blocks.*.attn</c>); empty for the model itself.</param>
/// <param name="HeadDim">The head dimension's form: <see cref="MupDim.Fixed"/> when only the head count grows.</param>
public sealed record MupAttentionFact(string Module, MupDim HeadDim);

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
