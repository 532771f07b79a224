// Code fixes arrive with the analyzers issue.
namespace MupGen.CodeFixes;

internal static class CodeFixIds
{
}
