using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;

namespace MupGen.Cli;

/// <summary>Option factories shared by the commands, so every command parses numbers the same way (invariant
/// culture, finite, in range) and names the option in every error. Each command file builds its options with these
/// and reads them back with <see cref="ParseResult.GetValue{T}(Option{T})"/>.</summary>
public static class CliOptions
{
    /// <summary>An option taking one positive finite number (invariant culture: <c>1e21</c>, <c>4.5e6</c>); absent
    /// gives null.</summary>
    /// <param name="name">The option, with its dashes (e.g. <c>--flops</c>).</param>
    /// <param name="helpName">The value's name in the usage line (e.g. <c>C</c>).</param>
    /// <param name="description">The help text.</param>
    /// <param name="required">True when the command cannot run without it.</param>
    /// <param name="aliases">Other spellings of the option.</param>
    public static Option<double?> PositiveNumber(string name, string helpName, string description, bool required = false, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            HelpName = helpName,
            Required = required,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                    || !double.IsFinite(value) || value <= 0)
                {
                    result.AddError($"{name} must be a positive finite number (got '{text}').");
                    return null;
                }
                return value;
            },
        };

    /// <summary>An option taking one finite number of any sign (invariant culture); absent gives null.</summary>
    /// <param name="name">The option, with its dashes.</param>
    /// <param name="helpName">The value's name in the usage line.</param>
    /// <param name="description">The help text.</param>
    public static Option<double?> FiniteNumber(string name, string helpName, string description) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                {
                    result.AddError($"{name} must be a finite number (got '{text}').");
                    return null;
                }
                return value;
            },
        };

    /// <summary>An option taking one integer of at least <paramref name="minimum"/>; absent gives null.</summary>
    /// <param name="name">The option, with its dashes.</param>
    /// <param name="helpName">The value's name in the usage line.</param>
    /// <param name="description">The help text.</param>
    /// <param name="minimum">The smallest accepted value.</param>
    public static Option<int?> Integer(string name, string helpName, string description, int minimum = 1) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < minimum)
                {
                    result.AddError($"{name} must be an integer >= {minimum.ToString(CultureInfo.InvariantCulture)} (got '{text}').");
                    return null;
                }
                return value;
            },
        };

    /// <summary>An option taking a comma-separated list of integers, each at least <paramref name="minimum"/>
    /// (e.g. <c>64,128</c>); absent gives null.</summary>
    /// <param name="name">The option, with its dashes.</param>
    /// <param name="helpName">The value's name in the usage line.</param>
    /// <param name="description">The help text.</param>
    /// <param name="minimum">The smallest accepted item.</param>
    public static Option<int[]?> IntegerList(string name, string helpName, string description, int minimum = 1) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
                var items = text.Split(',');
                var values = new int[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    if (!int.TryParse(items[i].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < minimum)
                    {
                        result.AddError($"{name} must be a comma-separated list of integers >= {minimum.ToString(CultureInfo.InvariantCulture)} (got '{text}').");
                        return null;
                    }
                }
                return values;
            },
        };

    /// <summary>An option taking one of a fixed set of lower-case words, mapped to values; absent gives null (the
    /// command applies its default and says which in the description).</summary>
    /// <param name="name">The option, with its dashes.</param>
    /// <param name="description">The help text.</param>
    /// <param name="choices">The accepted words and their values.</param>
    public static Option<T?> Choice<T>(string name, string description, IReadOnlyList<(string Word, T Value)> choices)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(choices);
        string quoted = string.Join(" or ", choices.Select(c => "'" + c.Word + "'"));
        var option = new Option<T?>(name)
        {
            Description = description,
            HelpName = string.Join("|", choices.Select(c => c.Word)),
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
                foreach (var (word, value) in choices)
                    if (string.Equals(word, text, StringComparison.Ordinal)) return value;
                result.AddError($"{name} must be {quoted} (got '{text}').");
                return null;
            },
        };
        option.CompletionSources.Add(choices.Select(c => c.Word).ToArray());
        return option;
    }

    /// <summary>A flag (no value): true when present.</summary>
    /// <param name="name">The option, with its dashes.</param>
    /// <param name="description">The help text.</param>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>Throws <see cref="CliUsageException"/> when the parse has errors: the message lists them all, the
    /// option is the first one at fault (an option whose value was wrong or missing, or an unknown token).</summary>
    public static void ThrowIfErrors(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Errors.Count == 0) return;
        throw new CliUsageException(OptionAtFault(result), string.Join(Environment.NewLine, result.Errors.Select(e => e.Message)));
    }

    /// <summary>The option a parse error is about: the option of the first error attached to one, else the first
    /// unmatched token that looks like an option, else null.</summary>
    public static string? OptionAtFault(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var error in result.Errors)
            if (error.SymbolResult is OptionResult o) return o.Option.Name;
        foreach (var token in result.UnmatchedTokens)
            if (token.StartsWith('-')) return token;
        return null;
    }
}
