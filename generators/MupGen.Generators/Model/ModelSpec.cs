namespace MupGen.Generators.Model;

// The parser's output. Everything here is a string, a number, an enum, or an EquatableArray of such records: no
// ISymbol, SyntaxNode, Location or Compilation, which would root old compilations and make every step look changed.

/// <summary>Mirror of <c>MupGen.MupRole</c> (the generator cannot reference the net10 runtime assembly).</summary>
internal enum Role { Input, Hidden, Readout, Vector, Fixed, Unresolved }

/// <summary>Mirror of <c>MupGen.MupLayerKind</c>.</summary>
internal enum LayerKind { Linear, Embedding, LayerNorm, Conv1d, Conv2d, Other }

/// <summary>Mirror of <c>MupGen.Facts.MupDimForm</c>.</summary>
internal enum DimForm { Fixed, Monomial, Affine }

/// <summary>One model class to emit.</summary>
/// <param name="HintName">Fully qualified class name used for the output file name.</param>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Outer types, outermost first, as their declaration headers (<c>partial class Outer</c>).</param>
/// <param name="Declaration">The class's own declaration header without modifiers other than partial (<c>partial class Mlp</c>).</param>
internal sealed record ModelSpec(
    string HintName,
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Declaration,
    string ModelName,
    EquatableArray<WidthSpec> Widths,
    DepthSpec? Depth,
    EquatableArray<ParameterSpec> Parameters);

internal sealed record WidthSpec(string Name, int BaseValue);

internal sealed record DepthSpec(string Name, int BaseValue, string? BlockList);

internal sealed record ParameterSpec(
    string Name,
    LayerKind Layer,
    string Tensor,
    Role Role,
    EquatableArray<DimSpec> Shape,
    bool InResidualBlock,
    string? Note);

internal sealed record DimSpec(DimForm Form, long? BaseSize, EquatableArray<PowerSpec> Powers)
{
    public static DimSpec Fixed { get; } = new(DimForm.Fixed, null, EquatableArray<PowerSpec>.Empty);

    public bool IsInfinite => Form != DimForm.Fixed;
}

internal sealed record PowerSpec(string Symbol, int Exponent);
