using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using MupGen.Experiments;

namespace MupGen.Cli;

/// <summary>Option factories of the experiment commands (coord-check, sweep): model names, comma lists, the
/// <c>A:B</c> learning-rate range and <c>I/N</c> shards. Errors name the option, like <see cref="CliOptions"/>.</summary>
public static class CliLists
{
    /// <summary><c>--model mlp|gpt</c>, required.</summary>
    public static Option<string?> Model()
    {
        var option = new Option<string?>("--model")
        {
            Description = "The model: mlp (the samples' MLP on its teacher task) or gpt (the samples' GPT on its character corpus).",
            HelpName = "mlp|gpt",
            Required = true,
            CustomParser = result =>
            {
                string text = string.Join(" ", result.Tokens.Select(t => t.Value));
                if (CliModels.Names.Contains(text)) return text;
                result.AddError($"--model must be 'mlp' or 'gpt' (got '{text}').");
                return null;
            },
        };
        option.CompletionSources.Add(CliModels.Names.ToArray());
        return option;
    }

    /// <summary>A comma-separated list of distinct integers of at least <paramref name="minimum"/>.</summary>
    public static Option<IReadOnlyList<int>?> IntList(string name, string helpName, string description, int minimum, int minimumCount = 1) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                string text = string.Join(" ", result.Tokens.Select(t => t.Value));
                var parts = text.Split(',', StringSplitOptions.TrimEntries);
                var values = new List<int>();
                foreach (var p in parts)
                {
                    if (!int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < minimum)
                    {
                        result.AddError($"{name} must be a comma-separated list of integers >= {minimum.ToString(CultureInfo.InvariantCulture)}, e.g. 64,256,1024 (got '{text}').");
                        return null;
                    }
                    values.Add(v);
                }
                if (values.Distinct().Count() != values.Count || values.Count < minimumCount)
                {
                    result.AddError($"{name} needs at least {minimumCount.ToString(CultureInfo.InvariantCulture)} distinct values (got '{text}').");
                    return null;
                }
                return values;
            },
        };

    /// <summary>A comma-separated list of words from <paramref name="allowed"/>.</summary>
    public static Option<IReadOnlyList<string>?> WordList(string name, string helpName, string description, IReadOnlyList<string> allowed) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                string text = string.Join(" ", result.Tokens.Select(t => t.Value));
                var words = text.Split(',', StringSplitOptions.TrimEntries);
                if (words.Any(w => !allowed.Contains(w)) || words.Distinct().Count() != words.Length)
                {
                    result.AddError($"{name} must be distinct words from {string.Join(", ", allowed)}, comma-separated (got '{text}').");
                    return null;
                }
                return words;
            },
        };

    /// <summary><c>--log2-lr A:B</c>: integers A ≤ B, the grid A..B inclusive.</summary>
    public static Option<(int From, int To)?> Log2Range(string name) =>
        new(name)
        {
            Description = "The log2 learning-rate grid A:B, the integers A..B inclusive (e.g. -10:-4 is 2^-10 .. 2^-4); required.",
            HelpName = "A:B",
            Required = true,
            CustomParser = result =>
            {
                string text = string.Join(" ", result.Tokens.Select(t => t.Value));
                var parts = text.Split(':');
                if (parts.Length == 2
                    && int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int a)
                    && int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int b)
                    && a <= b && a >= -60 && b <= 20)
                    return (a, b);
                result.AddError($"{name} must be A:B with integers -60 <= A <= B <= 20, e.g. -10:-4 (got '{text}').");
                return null;
            },
        };

    /// <summary><c>--shard I/N</c> with 0 ≤ I &lt; N.</summary>
    public static Option<SweepShard?> Shard() =>
        new("--shard")
        {
            Description = "Run only shard I of N (0 <= I < N): trial k of the grid belongs to shard k mod N. Give each shard its own --out " +
                          "folder; `mupgen report` merges them into exactly the unsharded result.",
            HelpName = "I/N",
            CustomParser = result =>
            {
                string text = string.Join(" ", result.Tokens.Select(t => t.Value));
                try { return SweepShard.Parse(text); }
                catch (FormatException e) { result.AddError("--shard: " + e.Message); return null; }
            },
        };
}
