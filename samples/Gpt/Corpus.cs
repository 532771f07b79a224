using System;
using System.Linq;
using System.Text;

namespace MupGen.Samples.Gpt;

/// <summary>A character-level corpus generated deterministically from a small grammar: English-like sentences with
/// enough structure (agreement, recurring phrases, punctuation) that a small GPT's loss keeps falling. No download.</summary>
public static class Corpus
{
    private static readonly string[] Subjects = { "the cat", "a small dog", "the old sailor", "my sister", "the king", "a farmer", "the young poet", "her friend", "the baker", "a tired child" };
    private static readonly string[] Verbs = { "saw", "found", "carried", "painted", "followed", "forgot", "built", "heard", "wanted", "opened" };
    private static readonly string[] Objects = { "the red door", "a quiet garden", "the long road", "an empty boat", "the silver key", "a warm loaf", "the broken clock", "a letter", "the green hill", "the river" };
    private static readonly string[] Adverbs = { "slowly", "at dawn", "in the rain", "without a word", "again", "before supper", "by the sea", "with great care" };
    private static readonly string[] Joins = { "and then", "but", "because", "so", "while" };

    /// <summary>Generates about <paramref name="characters"/> characters, the same on every machine.</summary>
    public static string Generate(int characters = 60_000, uint seed = 12345)
    {
        var sb = new StringBuilder(characters + 200);
        uint state = seed;
        int Next(int n)
        {
            state = state * 1664525u + 1013904223u;   // LCG (Numerical Recipes): deterministic everywhere
            return (int)((state >> 8) % (uint)n);
        }
        string Clause() => $"{Subjects[Next(Subjects.Length)]} {Verbs[Next(Verbs.Length)]} {Objects[Next(Objects.Length)]}"
                           + (Next(3) == 0 ? " " + Adverbs[Next(Adverbs.Length)] : "");
        while (sb.Length < characters)
        {
            var sentence = Clause();
            if (Next(2) == 0)
                sentence += " " + Joins[Next(Joins.Length)] + " " + Clause();
            sb.Append(char.ToUpperInvariant(sentence[0])).Append(sentence, 1, sentence.Length - 1)
              .Append(Next(5) == 0 ? "! " : ". ");
            if (Next(6) == 0)
                sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The sorted distinct characters of <paramref name="text"/>.</summary>
    public static char[] Vocabulary(string text) => text.Distinct().OrderBy(c => c).ToArray();
}
