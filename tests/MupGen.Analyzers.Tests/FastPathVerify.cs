using System.Runtime.CompilerServices;

namespace MupGen.Analyzers.Tests;

/// <summary>Every test in this assembly runs the parser in verify mode: each model is parsed by the syntax fast path
/// and by the binding walk, and a model the fast path took that differs throws out of the parser (an analyzer crash or
/// a generator exception, which the tests fail on). See MupGenerator.Parser.Syntax.cs.</summary>
internal static class FastPathVerify
{
    [ModuleInitializer]
    internal static void Enable() => MupGen.Generators.MupGenerator.Parser.FastPath = MupGen.Generators.MupGenerator.Parser.FastPathMode.Verify;
}
