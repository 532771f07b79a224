using System;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace MupGen.Corpus.Tests;

/// <summary>Every test in this assembly runs the parser in verify mode: each model is parsed by the syntax fast path
/// and by the binding walk, and a model the fast path took that differs throws out of the parser (an analyzer crash or
/// a generator exception, which the tests fail on). See MupGenerator.Parser.Syntax.cs. Set by reflection: the
/// generator's internals are not visible to this assembly (it shares the layer catalog's source with the runtime).</summary>
internal static class FastPathVerify
{
    [ModuleInitializer]
    internal static void Enable()
    {
        var parser = typeof(MupGen.Generators.MupGenerator).GetNestedType("Parser", BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("MupGenerator.Parser not found");
        var field = parser.GetField("FastPath", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("Parser.FastPath not found");
        field.SetValue(null, Enum.Parse(field.FieldType, "Verify"));
    }
}
