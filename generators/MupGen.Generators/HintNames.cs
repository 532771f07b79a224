using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;

namespace MupGen.Generators;

/// <summary>Output file names. Roslyn rejects a hint name with a character outside identifier characters and
/// <c>.,-+`_ ()[]{}</c>, and a second hint name equal to an earlier one ignoring case; either throws into the
/// compiler (CS8785), which drops every generated file of the generator. So the name of each output is its class's
/// identity made valid (<see cref="Sanitize"/>), and where two classes would still collide ignoring case (<c>Mlp</c> and
/// <c>MLP</c>), each of them gets a hash of its exact identity (<see cref="Assign{T}"/>). Both depend only on the
/// identities, never on the order the classes are seen in, so the names are deterministic.</summary>
internal static class HintNames
{
    /// <summary>Roslyn compares hint names ignoring case (ordinal), as file systems on Windows and macOS do.</summary>
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>The identity with every character Roslyn refuses in a hint name replaced by <c>_</c>; when anything was
    /// replaced, a hash of the identity is appended so that two identities cannot meet in one name.</summary>
    public static string Sanitize(string identity)
    {
        var builder = new StringBuilder(identity.Length);
        var changed = identity.Length == 0;
        foreach (var c in identity)
        {
            if (IsValid(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('_');
                changed = true;
            }
        }
        if (changed)
            builder.Append('.').Append(Hash(identity));
        return builder.ToString();
    }

    /// <summary>Gives each item a hint name unique ignoring case: <paramref name="name"/> of the item (already valid)
    /// where no other identity shares it ignoring case, else the name plus a hash of the exact identity, and where even
    /// that collides, plus the identity's rank among the colliding identities in ordinal order.</summary>
    public static ImmutableArray<T> Assign<T>(ImmutableArray<T> items, Func<T, string> identity, Func<T, string> name, Func<T, string, T> withName)
    {
        var groups = items
            .Select(item => (Item: item, Identity: identity(item), Name: name(item)))
            .GroupBy(x => x.Name, Comparer)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Identity).Distinct(StringComparer.Ordinal).Count(), Comparer);
        var first = items.Select(item =>
        {
            var n = name(item);
            return groups[n] > 1 ? n + "." + Hash(identity(item)) : n;
        }).ToArray();

        // A 32-bit hash collision between identities equal ignoring case: rank them.
        var result = new string[items.Length];
        foreach (var group in Enumerable.Range(0, items.Length).GroupBy(i => first[i], Comparer))
        {
            var identities = group.Select(i => identity(items[i])).Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToList();
            foreach (var i in group)
                result[i] = identities.Count > 1 ? first[i] + "." + identities.IndexOf(identity(items[i])).ToString(System.Globalization.CultureInfo.InvariantCulture) : first[i];
        }
        var builder = ImmutableArray.CreateBuilder<T>(items.Length);
        for (var i = 0; i < items.Length; i++)
            builder.Add(result[i] == identity(items[i]) ? items[i] : withName(items[i], result[i]));
        return builder.MoveToImmutable();
    }

    /// <summary>FNV-1a over the UTF-16 code units, 8 hex digits: stable across runs, processes and platforms
    /// (string.GetHashCode is randomised per process).</summary>
    public static string Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What Roslyn's hint-name check accepts: identifier characters and <c>.,-+`_ ()[]{}</c>. Kept to ASCII
    /// letters and digits here, so names also survive file systems and tools that mangle other characters.</summary>
    private static bool IsValid(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' or '+' or '-';
}
