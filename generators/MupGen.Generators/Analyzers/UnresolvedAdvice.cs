using Microsoft.CodeAnalysis;
using MupGen.Generators.Model;

namespace MupGen.Analyzers;

/// <summary>Which diagnostic reports each reason the parser gives for a member without a µP rule, and what the
/// message tells the user to do. Chosen from the reason alone (never from the parser's English detail). No reason
/// here has a role-attribute fix: an attribute on a member whose sizes the generator could not read asserts that they
/// grow exactly in proportion to the width, which the generator cannot check; mup's shape method can.</summary>
internal static class UnresolvedAdvice
{
    /// <summary>mup's shape method, offered wherever the compiler cannot give the rule.</summary>
    public const string Fallback = "or set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel) to take its rule from the shapes of a base and a wider model, as mup does";

    public static DiagnosticDescriptor Descriptor(UnresolvedReason reason) => reason switch
    {
        UnresolvedReason.MissingReadout => DiagnosticDescriptors.MissingReadout,
        UnresolvedReason.UnknownLayerType => DiagnosticDescriptors.UnknownModuleType,
        UnresolvedReason.OpaqueSize => DiagnosticDescriptors.UntraceableSize,
        UnresolvedReason.ParameterField => DiagnosticDescriptors.UnreadParameter,
        UnresolvedReason.RegisteredName => DiagnosticDescriptors.UnfollowedRegistration,
        UnresolvedReason.CollectionItemsDiffer or UnresolvedReason.NonProportionalSize => DiagnosticDescriptors.NoRoleAttributeFits,
        _ => DiagnosticDescriptors.UnresolvedLayer,
    };

    /// <summary>The "what to do" part of the message.</summary>
    public static string For(UnresolvedReason reason) => reason switch
    {
        UnresolvedReason.UnknownLayerType =>
            "build it from layers MupGen knows (Linear, Embedding, LayerNorm, Conv1d/Conv2d, ...) or from a module class of this project, " + Fallback,
        UnresolvedReason.OpaqueSize =>
            "pass the size to the constructor as an int parameter (a [Width] one if it is the width) or compute it there from the width and constants (inline, or in a non-virtual method, local function or get-only property of this project that returns it), " + Fallback,
        UnresolvedReason.UnreadableSize =>
            "write the size as a product or quotient of widths and constants, or a width plus a constant, " + Fallback,
        UnresolvedReason.NonPositiveBaseSize =>
            "check the size at the base width (C# integer arithmetic truncates), " + Fallback,
        UnresolvedReason.UnmeasurableWidth =>
            "give one layer a size that is the width (or a whole multiple of it, 2 * width, not 8 * width / 3) so the run time can measure it, " + Fallback,
        UnresolvedReason.ParameterField =>
            "create it in the constructor from a torch tensor factory with a shape of widths and constants and values MupInitialize can redraw (Parameter(torch.zeros(1, 1, width)), Parameter(torch.randn(width, width) * 0.02): zeros, ones, full, randn or normal times constants, at most two width-scaled dimensions, as dims 0 and 1), " + Fallback,
        UnresolvedReason.RegisteredName =>
            "register it with a constant name and a value built in the constructor, or assign it to a field and call RegisterComponents(), " + Fallback,
        UnresolvedReason.HelperCall =>
            "build the layer in the constructor (or in a module class of this project), " + Fallback,
        UnresolvedReason.ArrayFilledInLoop =>
            "build the collection with ModuleList/Sequential from a list filled with Add in a loop, or from Enumerable.Range(...).Select(...), " + Fallback,
        UnresolvedReason.NotConstructed =>
            "assign it once in the constructor, outside loops and outside `if`s whose condition is not a constant (or build the same shapes in every branch, then assign once), " + Fallback,
        UnresolvedReason.NestingLimit =>
            "flatten the nesting, " + Fallback,
        UnresolvedReason.CollectionItemsDiffer =>
            "its items have different shapes and one attribute would give them all one rule; set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel), which gives each item mup's rule from its own shapes",
        UnresolvedReason.NonProportionalSize =>
            "a size does not grow in proportion to the width, so a role attribute would give it the wrong multiplier; set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel), which takes each multiplier from the actual shapes",
        _ => Fallback,
    };
}
