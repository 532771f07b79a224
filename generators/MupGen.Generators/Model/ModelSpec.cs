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
internal enum DimForm { Fixed, Monomial, Affine, Computed }

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
    EquatableArray<string> Reached = default,
    EquatableArray<UnresolvedSpec> Unresolved = default,
    EquatableArray<AttentionLayerSpec> AttentionLayers = default);

/// <summary>Why the generator could not give a member, or a parameter, its µP rule. The analyzers choose the
/// diagnostic and its wording from this, never from <see cref="UnresolvedSpec.Detail"/>'s English.</summary>
internal enum UnresolvedReason
{
    /// <summary>A module of a type that is neither a layer the generator knows nor a module class of this compilation
    /// it can read (a class from a referenced assembly, a TorchSharp layer with parameters not in the catalog).</summary>
    UnknownLayerType,
    /// <summary>An array or list whose items are set in a way the generator does not follow (<c>a[i] = ...</c>,
    /// items from an unreadable source).</summary>
    ArrayFilledInLoop,
    /// <summary>A size read from something the generator cannot trace to a [Width]/[Depth] value, a constant or a
    /// plain integer parameter: another object's member (<c>config.Hidden</c>), a method's result, a tensor's shape.
    /// It is not assumed width-invariant.</summary>
    OpaqueSize,
    /// <summary>A size expression that is neither a product of widths and constants nor a width plus a constant
    /// (<c>width * width + 1</c>, a ternary whose branches differ, a non-integer).</summary>
    UnreadableSize,
    /// <summary>A size with integer arithmetic that does not grow in proportion to the width and whose base size
    /// cannot be computed at compile time.</summary>
    NonProportionalSize,
    /// <summary>A size that is 0 or negative at base width (C# integer arithmetic).</summary>
    NonPositiveBaseSize,
    /// <summary>A width symbol that appears in no dimension that grows exactly with it at a base size known at compile
    /// time (a truncating <c>8 * w / 3</c>, a sum <c>w + 1</c> or <c>w / heads</c> with heads an argument do not), so the
    /// runtime cannot measure it.</summary>
    UnmeasurableWidth,
    /// <summary>A weight with width-scaled fan_in and fixed fan_out that is not marked [ReadoutLayer].</summary>
    MissingReadout,
    /// <summary>A <c>register_module</c>/<c>register_parameter</c> call whose name or value the generator does not follow.</summary>
    RegisteredName,
    /// <summary>A <c>Parameter</c> field (or registered parameter) whose shape the generator cannot read (its value is
    /// not a torch tensor factory call), whose values MupInitialize cannot redraw (<c>empty</c>, <c>rand</c>, a factor
    /// it cannot read at base width), or for which mup's shape method has no single rule (more than two width-scaled
    /// dimensions, or two that are not dims 0 and 1).</summary>
    ParameterField,
    /// <summary>A layer or module returned by a method the generator does not follow.</summary>
    HelperCall,
    /// <summary>The items of one collection differ in shape and some are added at indices that are not constants.</summary>
    CollectionItemsDiffer,
    /// <summary>A module member the constructor does not assign, assigns only inside a loop, or assigns in a way the
    /// generator does not follow.</summary>
    NotConstructed,
    /// <summary>Nesting the generator stops following: a class that builds itself, too deep, too many modules.</summary>
    NestingLimit,
}

/// <summary>A place in source, as plain values (no <c>Location</c>, which would root the syntax tree). Lines and
/// columns are 0-based, as in <c>LinePosition</c>.</summary>
/// <param name="FilePath">The syntax tree's file path.</param>
/// <param name="Start">The span's start, in characters from the start of the file.</param>
/// <param name="Length">The span's length.</param>
internal sealed record SourceSpot(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn);

/// <summary>A member of the model, or of a nested module it builds, whose parameters (some or all) have no µP rule.
/// Every such member is listed, whether it produced Unresolved facts or none at all, so the analyzers can put a
/// diagnostic on it; the facts the runtime refuses are the ones whose name <see cref="Pattern"/> matches.</summary>
/// <param name="Path">The member's path in <c>named_parameters()</c> terms: <c>hidden</c>, <c>blocks.*.attn.q</c>.</param>
/// <param name="Pattern">The parameter names concerned: <c>hidden.*.weight</c>, or <c>hidden.**</c> for anything under it.</param>
/// <param name="DeclaringType">Fully qualified name of the class that declares the member (the model or a nested module).</param>
/// <param name="Member">The member's name in that class (a field, or the name given to register_module/register_parameter).</param>
/// <param name="Reason">What was not understood.</param>
/// <param name="Detail">A short English description naming the expression, for messages.</param>
/// <param name="Location">The expression that was not understood (a size argument, a helper call, a construction), when known.</param>
/// <param name="MemberLocation">The member's declaration (the field's declarator), when it has one in source.</param>
internal sealed record UnresolvedSpec(
    string Path,
    string Pattern,
    string DeclaringType,
    string Member,
    UnresolvedReason Reason,
    string Detail,
    SourceSpot? Location,
    SourceSpot? MemberLocation);

/// <summary>An attention layer of the catalog (MultiheadAttention, TransformerEncoderLayer, ...) that applies its own
/// 1/sqrt(head dim) scale: right under µP only when the head dimension stays fixed as the width grows.</summary>
/// <param name="Path">The layer's path (<c>blocks.*.attn</c>).</param>
/// <param name="HeadDim">embed_dim / num_heads as a dimension form, or null when it could not be read.</param>
/// <param name="HeadDimGrows">True when the head dimension scales with a width (the analyzers report MUP007).</param>
/// <param name="Location">The layer's construction.</param>
internal sealed record AttentionLayerSpec(
    string Path,
    string DeclaringType,
    string Member,
    DimSpec? HeadDim,
    bool HeadDimGrows,
    SourceSpot? Location,
    SourceSpot? MemberLocation);

/// <summary>The head dimension a module passes to MupAttentionScale, read from its constructor environment, or a call
/// whose argument the generator could not read (<see cref="HeadDim"/> null): the emitted fact then makes the run time
/// refuse the module's MupAttentionScale until the user decides, and the analyzers report MUP020 at the argument.</summary>
/// <param name="Module">The module path in named_modules() (<c>blocks.*.attn</c>), "" for the model itself.</param>
/// <param name="HeadDim">The head dimension's form, or null when the argument could not be read.</param>
/// <param name="Detail">For an unread argument: what was not understood, in English, naming the expression.</param>
/// <param name="DeclaringType">For an unread argument: fully qualified name of the class with the call.</param>
/// <param name="Location">For an unread argument: the argument.</param>
internal sealed record AttentionSpec(string Module, DimSpec? HeadDim, string? Detail = null, string? DeclaringType = null, SourceSpot? Location = null);

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
    string? Note,
    UnresolvedReason? Reason = null,
    ParameterInit? Init = null);

/// <summary>Mirror of <c>MupGen.Facts.MupInitKind</c>.</summary>
internal enum InitForm { Zeros, Constant, Normal, Uniform }

/// <summary>How a raw <c>Parameter</c>'s tensor factory draws it at base width (<c>MupGen.Facts.MupTensorInit</c>).</summary>
/// <param name="Value">Constant: the value; Normal: the std; Uniform: the bound; at base width.</param>
/// <param name="WidthDependent">The factor reads a width (<c>/ Math.Sqrt(width)</c>), so the draw at the actual width
/// differs from <paramref name="Value"/>.</param>
internal sealed record ParameterInit(InitForm Form, double Value, bool WidthDependent);

/// <param name="SizeAt">For <see cref="DimForm.Computed"/>: the constructor's integer arithmetic as a C# expression of
/// <c>w</c> (the one width symbol), constants and defaults inlined, which the run time evaluates at the measured width
/// to check the actual size.</param>
internal sealed record DimSpec(DimForm Form, long? BaseSize, EquatableArray<PowerSpec> Powers, string? SizeAt = null)
{
    public static DimSpec Fixed { get; } = new(DimForm.Fixed, null, EquatableArray<PowerSpec>.Empty);

    public bool IsInfinite => Form != DimForm.Fixed;
}

internal sealed record PowerSpec(string Symbol, int Exponent);
