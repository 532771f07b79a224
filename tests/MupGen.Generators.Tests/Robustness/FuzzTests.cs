using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MupGen.Generators.Tests.Robustness;

/// <summary>A mutation fuzzer: valid models with tokens deleted, swapped, duplicated or replaced (seeded, so every
/// run tries the same inputs), each through the generator and every analyzer like the corpus. Bounded by count, not
/// time, so it is deterministic; MUPGEN_FUZZ_COUNT raises the count (and MUPGEN_FUZZ_SEED moves the seed) for long
/// local runs. An input that breaks a robustness guarantee is written to Corpus/fuzz-&lt;hash&gt;.cs, where the corpus
/// tests keep it as a regression case, and the test fails.</summary>
public class FuzzTests
{
    private const int DefaultCount = 80;

    internal static IReadOnlyList<string> Seeds { get; } = new[]
    {
        CorpusTemplates.Usings + "namespace Fuzz.A;\n" + CorpusTemplates.Model("A", CorpusTemplates.Bodies[0]),
        CorpusTemplates.Usings + "namespace Fuzz.B;\n" + CorpusTemplates.Model("B", CorpusTemplates.Bodies[8]) + CorpusTemplates.Bodies[8].Beside,
        CorpusTemplates.Usings + "namespace Fuzz.C;\n" + CorpusTemplates.Model("C", CorpusTemplates.Bodies[4], "field"),
        CorpusTemplates.Usings + "namespace Fuzz.D;\n" + CorpusTemplates.Model("D", CorpusTemplates.Bodies[1], "property") + CorpusTemplates.Model("E", CorpusTemplates.Bodies[16]),
    };

    /// <summary>One mutant: 1 to 3 token edits of a seed, decided by <paramref name="random"/> alone.</summary>
    internal static string Mutate(string source, Random random)
    {
        var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();
        // Work on (leading trivia + token text) pieces, so a mutant keeps the layout of what is left.
        var pieces = tokens.Select(t => t.ToFullString()).ToList();
        var edits = 1 + random.Next(3);
        for (var e = 0; e < edits && pieces.Count > 1; e++)
        {
            var i = random.Next(pieces.Count);
            var j = random.Next(pieces.Count);
            switch (random.Next(4))
            {
                case 0: pieces.RemoveAt(i); break;
                case 1: (pieces[i], pieces[j]) = (pieces[j], pieces[i]); break;
                case 2: pieces.Insert(i, " " + tokens[j].Text); break;
                default: pieces[i] = " " + tokens[j].Text + " "; break;
            }
        }
        return string.Concat(pieces);
    }

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    [Fact]
    public void MutantsOfValidModelsNeverBreakTheBuild()
    {
        var count = FromEnvironment("MUPGEN_FUZZ_COUNT", DefaultCount);
        var seed = FromEnvironment("MUPGEN_FUZZ_SEED", 20261201);
        var random = new Random(seed);
        var kept = new List<string>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var n = 0; n < count; n++)
        {
            var source = Mutate(Seeds[n % Seeds.Count], random);
            distinct.Add(source);
            var outcome = CorpusRunner.Run(new CorpusCase($"fuzz {n}", new[] { source }));
            var problems = outcome.Problems.ToList();
            if (!CorpusRunner.Generate(new CorpusCase($"fuzz {n}", new[] { source })).Generated.SequenceEqual(outcome.Generated))
                problems.Add("a second run generated different files");
            if (problems.Count > 0)
                kept.Add(Keep(source, seed, n, problems));
        }
        Assert.True(distinct.Count > count / 2, $"only {distinct.Count} distinct mutants of {count}");
        Assert.True(kept.Count == 0, $"{kept.Count} mutant(s) broke a guarantee; kept as corpus files:\n" + string.Join("\n", kept));
    }

    /// <summary>Writes the input as Corpus/fuzz-&lt;hash&gt;.cs with what went wrong as a comment; returns the path.</summary>
    private static string Keep(string source, int seed, int n, IEnumerable<string> problems)
    {
        var path = Path.Combine(CorpusTemplates.CorpusDirectory(), $"fuzz-{HintNames.Hash(source)}.cs");
        var header = new StringBuilder();
        header.Append("// Found by FuzzTests (seed ").Append(seed.ToString(CultureInfo.InvariantCulture)).Append(", mutant ")
            .Append(n.ToString(CultureInfo.InvariantCulture)).Append("):\n");
        foreach (var p in problems.Take(5))
            header.Append("//   ").Append(p.Replace('\n', ' ').Replace('\r', ' ')).Append('\n');
        File.WriteAllText(path, header + source);
        return path + ": " + problems.First();
    }

    [Fact]
    public void MutationIsDeterministicAndMutates()
    {
        var r1 = new Random(7);
        var r2 = new Random(7);
        var first = Enumerable.Range(0, 20).Select(i => Mutate(Seeds[i % Seeds.Count], r1)).ToList();
        var second = Enumerable.Range(0, 20).Select(i => Mutate(Seeds[i % Seeds.Count], r2)).ToList();
        Assert.Equal(first, second);
        Assert.All(first.Select((m, i) => (m, i)), x => Assert.NotEqual(Seeds[x.i % Seeds.Count], x.m));
    }
}
