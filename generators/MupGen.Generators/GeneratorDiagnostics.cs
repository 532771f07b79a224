using Microsoft.CodeAnalysis;

namespace MupGen.Generators;

/// <summary>The one diagnostic the generator reports itself; every other MUP diagnostic belongs to the analyzers.</summary>
internal static class GeneratorDiagnostics
{
    public const string InternalErrorId = "MUP900";

    /// <summary>MUP900: the generator failed on one class (a bug in MupGen). A warning, so the build goes on with every
    /// other model's code instead of failing with CS8785 and losing all of it; tests assert it never appears.</summary>
    public static readonly DiagnosticDescriptor InternalError = new(
        InternalErrorId,
        "MupGen internal error",
        "MupGen failed on '{0}' and generated no µP members for it; this is a bug in MupGen, please report it with this class's code: {1}",
        "MupGen.Internal",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The generator caught an exception while reading or writing one model. Other models are unaffected.",
        helpLinkUri: "https://github.com/mupgen/mupgen/blob/main/docs/diagnostics/MUP900.md");

    public static Diagnostic Create(Model.InternalError error) =>
        Diagnostic.Create(InternalError, error.Location?.ToLocation() ?? Location.None, error.Class, error.Exception);
}
