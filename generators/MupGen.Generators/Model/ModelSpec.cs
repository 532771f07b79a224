namespace MupGen.Generators.Model;

// The parser's output. Everything here is a string, a number, an enum, or an EquatableArray of such records: no
// ISymbol, SyntaxNode, Location or Compilation, which would root old compilations and make every step look changed.

/// <summary>Mirror of <c>MupGen.MupRole</c> (the generator cannot reference the net10 runtime assembly).</summary>
internal enum Role { Input, Hidden, Readout, Vector, Fixed, Unresolved }

/// <summary>Mirror of <c>MupGen.MupLayerKind</c> and <c>MupGen.Catalog.CatalogKind</c> (same names, same order; a
/// test checks it). The emitter writes the name.</summary>
internal enum LayerKind
{
    Linear, Embedding, LayerNorm, Conv1d, Conv2d, Other,
    Bilinear, EmbeddingBag, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
    GroupNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d,
    PReLU, MultiheadAttention,
    TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder, Transformer,
    LSTM, GRU, RNN, LSTMCell, GRUCell, RNNCell,
    Parameter,
}

/// <summary>Mirror of <c>MupGen.Facts.MupDimForm</c>.</summary>
internal enum DimForm { Fixed, Monomial, Affine }

/// <summary>One model class to emit.</summary>
/// <param name="HintName">The class's identity (Parser.HintNameOf: metadata names, '.' between namespaces, '+' before a
/// nested type); the generator replaces it by a valid file name unique ignoring case (HintNames.Assign) before emitting.</param>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Outer types, outermost first, as their declaration headers (<c>partial class Outer</c>).</param>
/// <param name="Declaration">The class's own declaration header without modifiers other than partial (<c>partial class Mlp</c>).</param>
/// <param name="Attention">Head-dimension facts of every module (the model itself: path "") that calls MupAttentionScale.</param>
/// <param name="Submodules">The partial nested module classes the model builds, which get IMupSubmodule members.</param>
/// <param name="AttachSubmodules">Emit a RegisterComponents override that attaches the binding to nested modules:
/// the model builds user module classes and does not declare RegisterComponents itself.</param>
/// <param name="Reached">Fully qualified names of every user module class the model builds, partial or not (the
/// analyzers read it for MUP010: a non-partial one gets no members).</param>
internal sealed record ModelSpec(
    string HintName,
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Declaration,
    string ModelName,
    EquatableArray<WidthSpec> Widths,
    DepthSpec? Depth,
    EquatableArray<ParameterSpec> Parameters,
    EquatableArray<AttentionSpec> Attention = default,
    EquatableArray<SubmoduleSpec> Submodules = default,
    bool AttachSubmodules = false,
    EquatableArray<string> Reached = default);

/// <summary>The head dimension a module passes to MupAttentionScale, read from its constructor environment.</summary>
/// <param name="Module">The module path in named_modules() (<c>blocks.*.attn</c>), "" for the model itself.</param>
internal sealed record AttentionSpec(string Module, DimSpec HeadDim);

/// <summary>A nested module class (block, attention, MLP) that gets the IMupSubmodule members: same class for every
/// model and call site, so models that share it give one file.</summary>
/// <param name="HintName">The class's identity (Parser.HintNameOf: metadata names, '.' between namespaces, '+' before a
/// nested type); the generator replaces it by a valid file name unique ignoring case (HintNames.Assign) before emitting.</param>
/// <param name="ClassName">The class name, for the "not attached" message.</param>
internal sealed record SubmoduleSpec(
    string HintName,
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Declaration,
    string ClassName);

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
