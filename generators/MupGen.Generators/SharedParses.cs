using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using MupGen.Generators.Model;

namespace MupGen.Generators;

/// <summary>The generator's parses, handed to the analyzers of the same assembly so that a build parses each model
/// once. The generator runs on the compilation the user wrote (C); the analyzers run on C plus the generated files.
/// A parse is reused only when the analyzers' compilation is exactly that: the same syntax trees (the same objects,
/// in order), the same references and options, and extra trees that MupGen generated; otherwise (an IDE snapshot the
/// generator did not run on, another generator's output, an edit) the analyzers parse the model themselves. Nothing
/// here keeps a compilation alive: a parse is keyed by its syntax tree, and the generator's compilation is remembered
/// by a <see cref="Fingerprint"/> (weak references to its trees, references and options), not by the compilation
/// itself. The command-line compiler drops that compilation once generation is done and a collection may run before
/// the analyzers do; a weak reference to it came back empty there, and every model was parsed twice.</summary>
internal static class SharedParses
{
    /// <summary>What <see cref="Matches"/> compares of the compilation the generator ran on, held weakly: the
    /// analyzers' compilation shares these very objects when it is that compilation plus generated trees, so they are
    /// alive exactly as long as a compilation that can reuse the parse.</summary>
    internal sealed class Fingerprint
    {
        private readonly WeakReference<CompilationOptions> _options;
        private readonly string _language;
        private readonly WeakReference<MetadataReference>[] _references;
        private readonly WeakReference<SyntaxTree>[] _trees;

        public Fingerprint(Compilation compilation)
        {
            _options = new WeakReference<CompilationOptions>(compilation.Options);
            _language = compilation.Language;
            _references = compilation.References.Select(r => new WeakReference<MetadataReference>(r)).ToArray();
            _trees = compilation.SyntaxTrees.Select(t => new WeakReference<SyntaxTree>(t)).ToArray();
        }

        /// <summary>True when <paramref name="analyzed"/> is the fingerprinted compilation plus trees MupGen generated.</summary>
        public bool Matches(Compilation analyzed)
        {
            if (!_options.TryGetTarget(out var options) || !ReferenceEquals(analyzed.Options, options) || analyzed.Language != _language)
                return false;
            var i = 0;
            foreach (var reference in analyzed.References)
            {
                if (i >= _references.Length || !_references[i].TryGetTarget(out var expected) || !ReferenceEquals(reference, expected))
                    return false;
                i++;
            }
            if (i != _references.Length)
                return false;
            i = 0;
            foreach (var tree in analyzed.SyntaxTrees)
            {
                if (i < _trees.Length)
                {
                    if (!_trees[i].TryGetTarget(out var expected) || !ReferenceEquals(tree, expected))
                        return false;
                }
                else if (tree.FilePath.IndexOf("MupGen.Generators", StringComparison.Ordinal) < 0)
                {
                    return false; // another generator's output (or a tree added after generation)
                }
                i++;
            }
            return i >= _trees.Length;
        }
    }

    private sealed class Entry
    {
        public Entry(Fingerprint generated, ModelSpec? spec)
        {
            Generated = generated;
            Spec = spec;
        }

        public Fingerprint Generated { get; }
        public ModelSpec? Spec { get; }
    }

    private static readonly ConditionalWeakTable<SyntaxTree, ConcurrentDictionary<int, Entry>> Table = new();

    /// <summary>One fingerprint per compilation the generator runs on, shared by all its parses.</summary>
    private static readonly ConditionalWeakTable<Compilation, Fingerprint> Fingerprints = new();

    private static int _reused, _missed;

    /// <summary>Process-wide counts of analyzer parses served from the generator's (<c>Reused</c>) and made again
    /// (<c>Missed</c>), for the build-cost benchmark's hit rate.</summary>
    internal static (int Reused, int Missed) Counts => (Volatile.Read(ref _reused), Volatile.Read(ref _missed));

    internal static void CountMiss() => Interlocked.Increment(ref _missed);

    /// <summary>Records the generator's parse of the [Width] member at <paramref name="target"/>.</summary>
    public static void Remember(SyntaxNode target, Compilation compilation, ModelSpec? spec) =>
        Table.GetOrCreateValue(target.SyntaxTree)[target.SpanStart] =
            new Entry(Fingerprints.GetValue(compilation, static c => new Fingerprint(c)), spec);

    /// <summary>The generator's parse of the [Width] member <paramref name="target"/>, when it was made on the
    /// compilation the analyzed one was generated from (<paramref name="fromGenerator"/> decides that, once per
    /// fingerprint, with <see cref="Fingerprint.Matches"/>).</summary>
    public static bool TryGet(ISymbol target, Func<Fingerprint, bool> fromGenerator, out ModelSpec? spec)
    {
        spec = null;
        if (target.DeclaringSyntaxReferences.Length == 0)
            return false;
        var reference = target.DeclaringSyntaxReferences[0];
        if (!Table.TryGetValue(reference.SyntaxTree, out var entries)
            || !entries.TryGetValue(reference.Span.Start, out var entry)
            || !fromGenerator(entry.Generated))
            return false;
        spec = entry.Spec;
        Interlocked.Increment(ref _reused);
        return true;
    }
}
