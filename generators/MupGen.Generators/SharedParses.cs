using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using MupGen.Generators.Model;

namespace MupGen.Generators;

/// <summary>The generator's parses, handed to the analyzers of the same assembly so that a build parses each model
/// once. The generator runs on the compilation the user wrote (C); the analyzers run on C plus the generated files.
/// A parse is reused only when the analyzers' compilation is exactly that: the same syntax trees (the same objects,
/// in order), the same references and options, and extra trees that MupGen generated; otherwise (an IDE snapshot the
/// generator did not run on, another generator's output, an edit) the analyzers parse the model themselves. Held
/// weakly (keyed by the syntax tree), so nothing here keeps a compilation alive.</summary>
internal static class SharedParses
{
    private sealed class Entry
    {
        public Entry(Compilation compilation, ModelSpec? spec)
        {
            Compilation = new WeakReference<Compilation>(compilation);
            Spec = spec;
        }

        public WeakReference<Compilation> Compilation { get; }
        public ModelSpec? Spec { get; }
    }

    private static readonly ConditionalWeakTable<SyntaxTree, ConcurrentDictionary<int, Entry>> Table = new();

    private static int _reused, _missed;

    /// <summary>Process-wide counts of analyzer parses served from the generator's (<c>Reused</c>) and made again
    /// (<c>Missed</c>), for the build-cost benchmark's hit rate.</summary>
    internal static (int Reused, int Missed) Counts => (Volatile.Read(ref _reused), Volatile.Read(ref _missed));

    internal static void CountMiss() => Interlocked.Increment(ref _missed);

    /// <summary>Records the generator's parse of the [Width] member at <paramref name="target"/>.</summary>
    public static void Remember(SyntaxNode target, Compilation compilation, ModelSpec? spec) =>
        Table.GetOrCreateValue(target.SyntaxTree)[target.SpanStart] = new Entry(compilation, spec);

    /// <summary>The generator's parse of the [Width] member <paramref name="target"/>, when it was made on the
    /// compilation <paramref name="analyzed"/> was generated from (<paramref name="fromGenerator"/> decides that,
    /// once per compilation pair).</summary>
    public static bool TryGet(ISymbol target, Func<Compilation, bool> fromGenerator, out ModelSpec? spec)
    {
        spec = null;
        if (target.DeclaringSyntaxReferences.Length == 0)
            return false;
        var reference = target.DeclaringSyntaxReferences[0];
        if (!Table.TryGetValue(reference.SyntaxTree, out var entries)
            || !entries.TryGetValue(reference.Span.Start, out var entry)
            || !entry.Compilation.TryGetTarget(out var generated)
            || !fromGenerator(generated))
            return false;
        spec = entry.Spec;
        Interlocked.Increment(ref _reused);
        return true;
    }

    /// <summary>True when <paramref name="analyzed"/> is <paramref name="generated"/> plus trees MupGen generated.</summary>
    public static bool IsGeneratedFrom(Compilation analyzed, Compilation generated)
    {
        if (ReferenceEquals(analyzed, generated))
            return true;
        if (!ReferenceEquals(analyzed.Options, generated.Options) || analyzed.Language != generated.Language)
            return false;
        using (var a = analyzed.References.GetEnumerator())
        using (var g = generated.References.GetEnumerator())
        {
            while (true)
            {
                var more = a.MoveNext();
                if (more != g.MoveNext())
                    return false;
                if (!more)
                    break;
                if (!ReferenceEquals(a.Current, g.Current))
                    return false;
            }
        }
        var original = new System.Collections.Generic.List<SyntaxTree>(generated.SyntaxTrees);
        var i = 0;
        foreach (var tree in analyzed.SyntaxTrees)
        {
            if (i < original.Count)
            {
                if (!ReferenceEquals(tree, original[i]))
                    return false;
            }
            else if (tree.FilePath.IndexOf("MupGen.Generators", StringComparison.Ordinal) < 0)
            {
                return false; // another generator's output (or a tree added after generation)
            }
            i++;
        }
        return i >= original.Count;
    }
}
