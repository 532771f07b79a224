// The analyzers (MUP001–MUP009) arrive with the analyzers issue; this assembly is wired into the build already.
namespace MupGen.Analyzers;

internal static class DiagnosticIds
{
}
