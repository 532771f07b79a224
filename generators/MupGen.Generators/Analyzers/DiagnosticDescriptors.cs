using Microsoft.CodeAnalysis;

namespace MupGen.Analyzers;

/// <summary>The stable IDs of MupGen's diagnostics (docs/API.md, docs/diagnostics). Never reused.</summary>
public static class DiagnosticIds
{
    public const string UnresolvedLayer = "MUP001";
    public const string ModelNotPartialModule = "MUP002";
    public const string MissingReadout = "MUP003";
    public const string InvalidScaleAttribute = "MUP004";
    public const string ReadoutWithoutMultiplier = "MUP005";
    public const string ResidualWithoutMultiplier = "MUP006";
    public const string AttentionSqrtScale = "MUP007";
    public const string PlainOptimizer = "MUP008";
    public const string SubmoduleProperty = "MUP009";
    public const string NestedModuleNotPartial = "MUP010";
    public const string UnknownModuleType = "MUP011";
    public const string UntraceableSize = "MUP012";
    public const string UnreadParameter = "MUP013";
    public const string UnfollowedRegistration = "MUP014";
    public const string NoRoleAttributeFits = "MUP015";
    public const string DeclaresGeneratedMember = "MUP016";
    public const string ModelCannotTakeGeneratedPart = "MUP017";
    public const string RuntimeNotReferenced = "MUP018";
    public const string ConfigWidthUnused = "MUP019";
    public const string UnreadHeadDim = "MUP020";
    public const string AttentionScaleOnOtherObject = "MUP021";
}

/// <summary>Keys of <see cref="Diagnostic.Properties"/>: what an analyzer hands its code fix.</summary>
public static class DiagnosticProperties
{
    /// <summary>The role attributes a code fix may add, comma separated, present only where the attribute gives the
    /// numbers mup would give (MUP003 at a layer: "ReadoutLayer"). MUP001 and MUP011–MUP015 never carry it: no role
    /// attribute is known to be right for what the generator could not read.</summary>
    public const string Roles = "Roles";

    /// <summary>MUP002: "NotPartial" (fixable) or "NotModule". MUP010: always "NotPartial". MUP001, MUP003 (at a
    /// layer) and MUP011–MUP015: the parser's reason, a name of its UnresolvedReason (<c>HelperCall</c>,
    /// <c>OpaqueSize</c>, <c>CollectionItemsDiffer</c>, <c>MissingReadout</c>, ...).</summary>
    public const string Reason = "Reason";

    /// <summary>MUP001, MUP003 (at a layer), MUP011–MUP015: the parameter names concerned, as the runtime matches them
    /// (<c>hidden.*.weight</c>, <c>head.**</c>): the ones MupInitialize refuses unless MupOptions.BaseShapes fills them.</summary>
    public const string Parameters = "Parameters";

    /// <summary>MUP003: "Layer" (at a field; add [ReadoutLayer]) or "Model" (at the class; no single fix).</summary>
    public const string Scope = "Scope";

    /// <summary>MUP007: "Divide"/"Multiply"/"DivideAssign" (a 1/sqrt(d) factor; fixable), "Sdpa" (a
    /// scaled_dot_product_attention call; fixable) or "Layer" (a TorchSharp attention layer whose head dimension grows
    /// with the width; no code fix).</summary>
    public const string Kind = "Kind";

    /// <summary>MUP007: the head-dimension expression to pass to MupAttentionScale, as source text: the one under the
    /// sqrt, or the class's head-dimension field where the code reads a tensor's shape (which the generator cannot
    /// read, MUP020). Absent when there is none to suggest (no code fix then).</summary>
    public const string HeadDim = "HeadDim";

    /// <summary>MUP008: the generated method to call instead (MupAdam, MupAdamW, MupSGD).</summary>
    public const string Method = "Method";
}

/// <summary>Every descriptor in one place: ID, category, title and message naming the member and the fix, severity
/// as docs/API.md lists it, and a help link to the page in docs/diagnostics.</summary>
public static class DiagnosticDescriptors
{
    public const string UsageCategory = "MupGen.Usage";
    public const string DesignCategory = "MupGen.Design";

    private const string HelpBase = "https://github.com/mupgen/mupgen/blob/main/docs/diagnostics/";

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");

    // MUP001 and MUP011–MUP015 share one message shape: {0} the member, {1} the µP model, {2} what the generator could
    // not read (its own words, naming the expression), {3} what to do (chosen by the reason, see UnresolvedAdvice).

    public static readonly DiagnosticDescriptor UnresolvedLayer = Create(
        DiagnosticIds.UnresolvedLayer,
        "Layer has no µP scaling rule: the generator cannot read how it is built",
        "'{0}' of µP model '{1}' gets no µP rule: {2}; {3}",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnknownModuleType = Create(
        DiagnosticIds.UnknownModuleType,
        "Module of a type MupGen has no µP rule for",
        "'{0}' of µP model '{1}' is a module MupGen has no µP rule for: {2}; {3}",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UntraceableSize = Create(
        DiagnosticIds.UntraceableSize,
        "Layer size comes from a value the generator cannot follow",
        "A size of '{0}' in µP model '{1}' comes from a value the generator cannot follow, so it is not assumed width-invariant: {2}; {3}",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnreadParameter = Create(
        DiagnosticIds.UnreadParameter,
        "Parameter the generator cannot give mup's rule",
        "Parameter '{0}' of µP model '{1}' gets no µP rule: {2}; {3}",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnfollowedRegistration = Create(
        DiagnosticIds.UnfollowedRegistration,
        "register_module / register_parameter the generator does not follow",
        "'{0}' of µP model '{1}' is registered in a way the generator does not follow: {2}; {3}",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor NoRoleAttributeFits = Create(
        DiagnosticIds.NoRoleAttributeFits,
        "No role attribute gives this layer mup's numbers: use the shape fallback",
        "No role attribute gives '{0}' of µP model '{1}' the numbers mup would give: {2}; {3}",
        DesignCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ModelNotPartialModule = Create(
        DiagnosticIds.ModelNotPartialModule,
        "µP model must be a partial class deriving from torch.nn.Module",
        "µP model '{0}' {1}; {2} so MupGen can generate its members",
        UsageCategory, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ConfigWidthUnused = Create(
        DiagnosticIds.ConfigWidthUnused,
        "A configuration's [Width] must reach exactly one width of a µP model",
        "'{0}' {1}; {2}",
        UsageCategory, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingReadout = Create(
        DiagnosticIds.MissingReadout,
        "µP model needs a [ReadoutLayer]",
        "'{0}' {1}: mark {2} [ReadoutLayer]",
        DesignCategory, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidScaleAttribute = Create(
        DiagnosticIds.InvalidScaleAttribute,
        "[Width]/[Depth] must be on an integer member with a base value of at least 1",
        "[{0}] on '{1}' {2}: put [{0}] on an int or long member with a base value of at least 1",
        UsageCategory, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ReadoutWithoutMultiplier = Create(
        DiagnosticIds.ReadoutWithoutMultiplier,
        "Readout input is not multiplied by MupReadoutMultiplier",
        "The input of readout layer '{0}' is not multiplied by MupReadoutMultiplier: call {0}.{1}(input * MupReadoutMultiplier)",
        DesignCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ResidualWithoutMultiplier = Create(
        DiagnosticIds.ResidualWithoutMultiplier,
        "Residual branch is not multiplied by MupResidualMultiplier",
        "The residual branch added to '{0}' in block '{1}' is not multiplied by MupResidualMultiplier: write {0} + MupResidualMultiplier * branch",
        DesignCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor AttentionSqrtScale = Create(
        DiagnosticIds.AttentionSqrtScale,
        "Attention logits are scaled by 1/sqrt(head dim): use MupAttentionScale",
        "{0} in '{1}' scales attention logits by 1/sqrt(head dim), which does not transfer across widths: {2}",
        DesignCategory, DiagnosticSeverity.Warning);

    // {0} the argument as written, {1} the class with the call, {2} the µP model, {3} what the generator could not
    // read, {4} what to pass instead (a head dimension the constructor computes, named when the class has one).
    public static readonly DiagnosticDescriptor UnreadHeadDim = Create(
        DiagnosticIds.UnreadHeadDim,
        "MupAttentionScale's head dimension is a value the generator cannot read",
        "The head dimension '{0}' passed to MupAttentionScale in '{1}' of µP model '{2}' cannot be read at compile time ({3}), so MupGen cannot tell a head dimension that grows with the width (µP scales by sqrt(base head dim) / head dim) from a fixed one with more heads (the scale stays); MupAttentionScale throws at run time until it can: {4}",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor AttentionScaleOnOtherObject = Create(
        DiagnosticIds.AttentionScaleOnOtherObject,
        "MupAttentionScale is called on a module whose class makes no call the generator reads",
        "'{0}' in '{1}' calls MupAttentionScale on another object ('{2}'), and '{3}' makes no MupAttentionScale call of its own: the generator reads only the calls a module makes on itself, so no compiled fact says how this head dimension scales with the width, and under µP the call throws at run time. Call MupAttentionScale(headDim) inside '{3}' with a head dimension its constructor sets, or set MupOptions.BaseHeadDim to the head dimension at base width.",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor PlainOptimizer = Create(
        DiagnosticIds.PlainOptimizer,
        "Optimizer built from a µP model's plain parameters bypasses µP",
        "{0} is built from '{1}.{2}()', which bypasses the per-parameter µP learning rates: use {1}.{3}(...)",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor SubmoduleProperty = Create(
        DiagnosticIds.SubmoduleProperty,
        "Submodule declared as a property is not registered",
        "Submodule '{0}' of '{1}' is a property, which RegisterComponents does not register: make it a private readonly field",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor NestedModuleNotPartial = Create(
        DiagnosticIds.NestedModuleNotPartial,
        "Nested module that uses MupGen multipliers is not partial",
        "Nested module '{0}' is not partial, so it gets no MupGen multipliers",
        UsageCategory, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor DeclaresGeneratedMember = Create(
        DiagnosticIds.DeclaresGeneratedMember,
        "µP model declares a member that MupGen generates",
        "µP model '{0}' declares '{1}' itself, a member MupGen generates for every model, so the generator emits nothing for the class: rename or remove '{1}'",
        UsageCategory, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ModelCannotTakeGeneratedPart = Create(
        DiagnosticIds.ModelCannotTakeGeneratedPart,
        "µP model cannot take a generated partial part (file-local or generic)",
        "µP model '{0}' {1}, so MupGen cannot add its members in a generated file and emits nothing for it: {2}",
        UsageCategory, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RuntimeNotReferenced = Create(
        DiagnosticIds.RuntimeNotReferenced,
        "The MupGen runtime is not referenced",
        "[{0}] needs the MupGen runtime assembly, which this project does not reference, so the generator emits nothing: reference the MupGen package ('dotnet add package MupGen'), not only its generator",
        UsageCategory, DiagnosticSeverity.Error);
}
