using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using System.Text;
using MupGen.Scaling;

namespace MupGen.Cli;

/// <summary>What <c>mupgen shape</c> found.</summary>
/// <param name="Budget">The non-embedding parameter budget.</param>
/// <param name="Options">The search bounds.</param>
/// <param name="Candidates">The shapes, deepest first.</param>
/// <param name="Notes">Formula, sources and how to read the marks, in a fixed order.</param>
public sealed record ShapeResult(double Budget, ShapeSearchOptions Options, IReadOnlyList<ShapeCandidate> Candidates, IReadOnlyList<string> Notes)
{
    /// <summary>The text <c>mupgen shape</c> prints.</summary>
    public string Format()
    {
        var s = new StringBuilder();
        s.Append("mupgen shape: ").Append(PlanResult.Sci(Budget)).Append(" non-embedding parameters (12*L*d^2, within ")
            .Append(Pct(Options.Tolerance)).Append("), Kaplan-flat first, deepest first\n");
        if (Candidates.Count == 0)
            s.Append("no shape within ").Append(Pct(Options.Tolerance))
                .Append(" on this grid: widen --tolerance, add --head-dims or change --min-layers/--max-layers\n");
        else
        {
            s.Append("layers  d_model  heads  d_head  params      error    d/L     Kaplan flat\n");
            foreach (var c in Candidates)
            {
                s.Append(I(c.Shape.Layers).PadLeft(6)).Append("  ")
                    .Append(I(c.Shape.DModel).PadLeft(7)).Append("  ")
                    .Append(I(c.Shape.Heads).PadLeft(5)).Append("  ")
                    .Append(I(c.Shape.HeadDim).PadLeft(6)).Append("  ")
                    .Append(PlanResult.Sci(c.NonEmbeddingParameters)).Append("  ")
                    .Append(c.RelativeError.ToString("+0.00%;-0.00%;0.00%", CultureInfo.InvariantCulture).PadLeft(7)).Append("  ")
                    .Append(c.Shape.AspectRatio.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(6)).Append("  ")
                    .Append(c.InKaplanFlatRegion ? "yes" : "no").Append('\n');
            }
        }
        foreach (var n in Notes) s.Append("note: ").Append(n).Append('\n');
        return s.ToString();
    }

    /// <summary>The JSON <c>mupgen shape --json</c> prints (field names in docs/SCALING.md).</summary>
    public string ToJson() => CliJson.Document(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("params", Budget);
        w.WriteNumber("tolerance", Options.Tolerance);
        w.WriteNumber("min_aspect_ratio", Options.MinAspectRatio);
        w.WriteNumber("max_aspect_ratio", Options.MaxAspectRatio);
        w.WriteStartArray("candidates");
        foreach (var c in Candidates)
        {
            w.WriteStartObject();
            w.WriteNumber("n_layers", c.Shape.Layers);
            w.WriteNumber("d_model", c.Shape.DModel);
            w.WriteNumber("n_heads", c.Shape.Heads);
            w.WriteNumber("d_head", c.Shape.HeadDim);
            w.WriteNumber("non_embedding_params", c.NonEmbeddingParameters);
            w.WriteNumber("relative_error", c.RelativeError);
            w.WriteNumber("aspect_ratio", c.Shape.AspectRatio);
            w.WriteBoolean("kaplan_flat_region", c.InKaplanFlatRegion);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.Strings("notes", Notes);
        w.WriteEndObject();
    });

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Pct(double v) => "+/-" + (100 * v).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

/// <summary>The <c>mupgen shape</c> command: transformer shapes for a parameter budget.</summary>
public static class ShapeCommand
{
    /// <summary>The <c>shape</c> command, ready to add to the root command.</summary>
    public static Command Create() => new Symbols().Command;

    /// <summary>Parses the options after <c>shape</c>; returns the budget and the search options.</summary>
    /// <exception cref="CliUsageException">An option is unknown, missing or out of range; the message names it.</exception>
    public static (double Budget, ShapeSearchOptions Options) Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var symbols = new Symbols();
        var result = symbols.Command.Parse(args);
        CliOptions.ThrowIfErrors(result);
        return symbols.Bind(result);
    }

    /// <summary>Finds the candidates.</summary>
    /// <exception cref="CliUsageException">The budget is too small for one block, or an option is out of range.</exception>
    public static ShapeResult Run(double budget, ShapeSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<ShapeCandidate> candidates;
        try { candidates = TransformerShapes.Candidates(budget, options); }
        catch (ArgumentOutOfRangeException e)
        {
            string option = e.ParamName switch
            {
                "Tolerance" => "--tolerance",
                "HeadDims" => "--head-dims",
                "MinLayers" => "--min-layers",
                "MaxLayers" => "--max-layers",
                _ => "--params",
            };
            throw new CliUsageException(option, option + ": " + e.Message.Split(" (Parameter")[0].Split("\nActual value")[0].TrimEnd());
        }
        var notes = new[]
        {
            "N = 12*n_layer*d_model^2 (Kaplan et al. 2020, eq. 2.1): attention d_attn = d_model, MLP d_ff = 4*d_model; biases, norms and embeddings are not counted, and the head split does not change N.",
            string.Create(CultureInfo.InvariantCulture,
                $"Kaplan flat = d_model/n_layer in [{options.MinAspectRatio:0.0}, {options.MaxAspectRatio:0.0}]: Kaplan et al. 2020 fig. 5 finds the loss at fixed N within a few percent over a wide range of shapes, with (6, 4288) within 3% of (48, 1600); it says the aspect ratio 'can vary by a factor of 40' but gives no endpoints, so the marks use that stated pair."),
            "order: the Kaplan-flat shapes first, then the others; each group deepest first, as Tay et al. 2021 (arXiv 2109.10686, DeepNarrow) scale depth before width for downstream quality at a fixed budget; that paper gives no best aspect ratio, so only the order follows it.",
            "with muP across width and CompleteP across depth (Dey et al. 2025, arXiv 2505.01618), the hyperparameters tuned on a small base model stay near-optimal across these shapes; give the model [Width] and [Depth] and tune at base size once.",
        };
        return new ShapeResult(budget, options, candidates, notes);
    }

    private sealed class Symbols
    {
        public readonly Option<double?> Parameters = CliOptions.PositiveNumber("--params", "N",
            "Non-embedding parameter budget (required), e.g. 1e9.", required: true);
        public readonly Option<double?> Tolerance = CliOptions.PositiveNumber("--tolerance", "fraction",
            "Largest |12*L*d^2/N - 1| accepted; default 0.01 (1%).");
        public readonly Option<int[]?> HeadDims = CliOptions.IntegerList("--head-dims", "list",
            "Head dimensions to try, comma-separated, in order of preference; d_model is a multiple of one of them. Default 128,64.");
        public readonly Option<int?> MinLayers = CliOptions.Integer("--min-layers", "L",
            "Fewest layers; default 2 (Kaplan et al. 2020 fig. 6: fewer than 2 layers deviate from L(N)).");
        public readonly Option<int?> MaxLayers = CliOptions.Integer("--max-layers", "L",
            "Most layers; default 207, the deepest shape Kaplan et al. 2020 trained.");
        public readonly Option<bool> Json = CliOptions.Flag("--json",
            "Print the candidates as one JSON object (field names in docs/SCALING.md) instead of a table.");
        public readonly Command Command;

        public Symbols()
        {
            Command = new Command("shape",
                "Transformer shapes (n_layer, d_model, n_heads, d_head) whose non-embedding parameters 12*L*d^2 match a " +
                "budget, marked where Kaplan et al. 2020 find the loss insensitive to the aspect ratio (those first), " +
                "deepest first within each group (Tay et al. 2021). Exit 1 when no shape is within the tolerance.")
            {
                Parameters, Tolerance, HeadDims, MinLayers, MaxLayers, Json,
            };
            Command.SetAction(result =>
            {
                var (budget, options) = Bind(result);
                var shapes = Run(budget, options);
                result.InvocationConfiguration.Output.Write(result.GetValue(Json) ? shapes.ToJson() : shapes.Format());
                return shapes.Candidates.Count > 0 ? MupGenCli.Success : 1;
            });
        }

        public (double, ShapeSearchOptions) Bind(ParseResult result)
        {
            var defaults = new ShapeSearchOptions();
            var options = defaults with
            {
                Tolerance = result.GetValue(Tolerance) ?? defaults.Tolerance,
                HeadDims = result.GetValue(HeadDims) is { Length: > 0 } heads ? heads : defaults.HeadDims,
                MinLayers = result.GetValue(MinLayers) ?? defaults.MinLayers,
                MaxLayers = result.GetValue(MaxLayers) ?? defaults.MaxLayers,
            };
            return (result.GetValue(Parameters)!.Value, options);
        }
    }
}
