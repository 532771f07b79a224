using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using System.Text;
using MupGen.Scaling;

namespace MupGen.Cli;

/// <summary>Which published transfer fit <c>mupgen transfer</c> uses.</summary>
public enum TransferFitName
{
    /// <summary>Text → Python, Hernandez et al. 2021 Eq. 1.1 / Table 1 (<see cref="TransferLaw.TextToPython"/>).</summary>
    TextPython,

    /// <summary>Text + non-Python code → Python, Hernandez et al. 2021 Table 1 (<see cref="TransferLaw.TextAndCodeToPython"/>).</summary>
    TextCodePython,
}

/// <summary>The options of <c>mupgen transfer</c>.</summary>
/// <param name="Parameters">--params: N, non-embedding parameters of the pre-trained model.</param>
/// <param name="FinetuneTokens">--finetune-tokens: D_F, the fine-tuning data in tokens.</param>
/// <param name="Fit">--fit: a published fit; ignored when <paramref name="Custom"/> is set.</param>
/// <param name="Custom">--k/--alpha/--beta: user constants (in the unit of the fine-tuning data as passed to the law).</param>
/// <param name="CharsPerToken">--chars-per-token: converts tokens to the characters the published fits were made in.</param>
/// <param name="Points">--points: measured (D_F, N, D_T) triples to fit k, α, β from (then the fitted law is used).</param>
public sealed record TransferOptions(
    double Parameters,
    double FinetuneTokens,
    TransferFitName Fit = TransferFitName.TextPython,
    TransferLaw? Custom = null,
    double? CharsPerToken = null,
    IReadOnlyList<TransferObservation>? Points = null);

/// <summary>What <c>mupgen transfer</c> computed (all data in tokens).</summary>
/// <param name="Options">The options it ran with.</param>
/// <param name="Law">The constants used.</param>
/// <param name="LawName">Where they come from.</param>
/// <param name="EffectiveTokensTransferred">D_T in tokens.</param>
/// <param name="EffectiveDataMultiplier">(D_F + D_T)/D_F.</param>
/// <param name="FractionFromTransfer">D_T/(D_F + D_T).</param>
/// <param name="Warnings">Caveats, in a fixed order.</param>
/// <param name="Notes">How to read the numbers, in a fixed order.</param>
/// <param name="FitResult">With --points: the fit (R², RMSE of ln D_T, number of points); else null.</param>
public sealed record TransferResult(
    TransferOptions Options,
    TransferLaw Law,
    string LawName,
    double EffectiveTokensTransferred,
    double EffectiveDataMultiplier,
    double FractionFromTransfer,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Notes,
    TransferFit? FitResult = null)
{
    /// <summary>D_E = D_F + D_T in tokens: what a from-scratch model of the same size would need.</summary>
    public double EffectiveTokens => Options.FinetuneTokens + EffectiveTokensTransferred;

    /// <summary>The text <c>mupgen transfer</c> prints.</summary>
    public string Format()
    {
        var s = new StringBuilder();
        void Line(string label, string value) => s.Append(label.PadRight(20)).Append(value).Append('\n');
        s.Append("mupgen transfer: ").Append(LawName).Append('\n');
        Line("law", "D_T = k*D_F^alpha*N^beta, k = " + PlanResult.Sci(Law.K) + ", alpha = " + Num(Law.Alpha) + ", beta = " + Num(Law.Beta));
        if (FitResult is { } fit)
            Line("fit", string.Create(CultureInfo.InvariantCulture,
                $"{fit.Count} points, R^2 = {fit.RSquared:0.0000}, RMSE of ln D_T = {fit.RmseLog:0.000}"));
        Line("parameters", PlanResult.Sci(Options.Parameters) + " (non-embedding)");
        Line("fine-tuning data", PlanResult.Sci(Options.FinetuneTokens) + " tokens" + (Options.CharsPerToken is { } c
            ? " (" + PlanResult.Sci(Options.FinetuneTokens * c) + " characters at " + Num(c) + " chars/token)"
            : ""));
        Line("transferred D_T", PlanResult.Sci(EffectiveTokensTransferred) + " tokens");
        Line("effective D_F+D_T", PlanResult.Sci(EffectiveTokens) + " tokens");
        Line("data multiplier", "x" + EffectiveDataMultiplier.ToString("0.###", CultureInfo.InvariantCulture));
        Line("from pre-training", (100 * FractionFromTransfer).ToString("0.0", CultureInfo.InvariantCulture) + "% of the effective data");
        foreach (var w in Warnings) s.Append("warning: ").Append(w).Append('\n');
        foreach (var n in Notes) s.Append("note: ").Append(n).Append('\n');
        return s.ToString();
    }

    /// <summary>The JSON <c>mupgen transfer --json</c> prints (field names in docs/SCALING.md).</summary>
    public string ToJson() => CliJson.Document(w =>
    {
        w.WriteStartObject();
        w.WriteString("law", FitResult is not null ? "fitted" : Options.Custom is not null ? "custom" : Options.Fit == TransferFitName.TextCodePython ? "text-code-python" : "text-python");
        w.WriteString("law_source", LawName);
        w.WriteNumber("k", Law.K);
        w.WriteNumber("alpha", Law.Alpha);
        w.WriteNumber("beta", Law.Beta);
        w.WriteNumber("params", Options.Parameters);
        w.WriteNumber("finetune_tokens", Options.FinetuneTokens);
        w.NumberOrNull("chars_per_token", Options.CharsPerToken);
        w.WriteNumber("effective_tokens_transferred", EffectiveTokensTransferred);
        w.WriteNumber("effective_tokens", EffectiveTokens);
        w.WriteNumber("effective_data_multiplier", EffectiveDataMultiplier);
        w.WriteNumber("fraction_from_transfer", FractionFromTransfer);
        if (FitResult is { } fit)
        {
            w.WriteStartObject("fit");
            w.WriteNumber("points", fit.Count);
            w.WriteNumber("r_squared", fit.RSquared);
            w.WriteNumber("rmse_log", fit.RmseLog);
            w.WriteEndObject();
        }
        else w.WriteNull("fit");
        w.Strings("warnings", Warnings);
        w.Strings("notes", Notes);
        w.WriteEndObject();
    });

    private static string Num(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary>The <c>mupgen transfer</c> command: effective data transferred from pre-training (Hernandez et al. 2021).</summary>
public static class TransferCommand
{
    /// <summary>The <c>transfer</c> command, ready to add to the root command.</summary>
    public static Command Create() => new Symbols().Command;

    /// <summary>Parses the options after <c>transfer</c>.</summary>
    /// <exception cref="CliUsageException">An option is unknown, missing, out of range or contradicts another; the
    /// message names it.</exception>
    public static TransferOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var symbols = new Symbols();
        var result = symbols.Command.Parse(args);
        CliOptions.ThrowIfErrors(result);
        return symbols.Bind(result);
    }

    /// <summary>Computes the estimate.</summary>
    /// <exception cref="CliUsageException">An option is out of range (options built in code are checked too).</exception>
    public static TransferResult Run(TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Positive("--params", options.Parameters);
        Positive("--finetune-tokens", options.FinetuneTokens);
        if (options.CharsPerToken is { } cpt) Positive("--chars-per-token", cpt);

        TransferLaw law;
        string name;
        TransferFit? fit = null;
        if (options.Points is { } points)
        {
            try { fit = TransferLaw.Fit(points); }
            catch (ArgumentException e)
            {
                throw new CliUsageException("--points", "--points: " + e.Message.Split(" (Parameter")[0]);
            }
            law = fit.Law;
            name = "fitted to your points (least squares on ln D_T, Hernandez et al. 2021 eq. 1.1 form)";
            if (fit.Law.Alpha >= 1)
                throw new CliUsageException("--points", string.Create(CultureInfo.InvariantCulture,
                    $"--points: the fitted alpha is {fit.Law.Alpha:0.###} (>= 1): D_T would grow faster than D_F, outside the law's form; check the points."));
        }
        else if (options.Custom is { } custom)
        {
            try { law = custom.Validate(); }
            catch (ArgumentOutOfRangeException e)
            {
                string option = e.ParamName switch { "Alpha" => "--alpha", "Beta" => "--beta", _ => "--k" };
                throw new CliUsageException(option, option + ": " + e.Message.Split(" (Parameter")[0]);
            }
            name = "user constants (Hernandez et al. 2021, arXiv 2102.01293, eq. 1.1 form)";
        }
        else if (options.Fit == TransferFitName.TextCodePython)
        {
            law = TransferLaw.TextAndCodeToPython;
            name = "Hernandez et al. 2021 text+code -> Python (arXiv 2102.01293, table 1)";
        }
        else
        {
            law = TransferLaw.TextToPython;
            name = "Hernandez et al. 2021 text -> Python (arXiv 2102.01293, eq. 1.1 and table 1)";
        }

        // The law runs in the unit of its constants: characters for the published fits when --chars-per-token is
        // given (D_T comes back in characters and is converted to tokens), the unit as passed otherwise.
        double scale = options.CharsPerToken ?? 1;
        double transferred = law.EffectiveDataTransferred(options.FinetuneTokens * scale, options.Parameters) / scale;
        double multiplier = 1 + transferred / options.FinetuneTokens;
        double fraction = transferred / (options.FinetuneTokens + transferred);

        var warnings = new List<string>();
        if (options.Custom is null && options.Points is null && options.CharsPerToken is null)
            warnings.Add("the published constants were fitted with data counted in characters (of Python), and k depends on the unit (k' = k*c^(1-alpha) for c characters per token); --finetune-tokens is read as characters here. Pass --chars-per-token to convert.");
        var notes = new[]
        {
            "valid in the low-data regime only: D_F well below the data a from-scratch model of this size needs (the paper fits D_F up to ~10% of it); past it the law breaks down and small pre-trained models can end worse than from-scratch ones (ossification, sec. 3.1).",
            "N counts non-embedding parameters; the published fits are for transformers fine-tuned (unsupervised) on Python only.",
        };
        return new TransferResult(options, law, name, transferred, multiplier, fraction, warnings, notes, fit);
    }

    private static void Positive(string option, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new CliUsageException(option, $"{option} must be a positive finite number (got '{value.ToString("R", CultureInfo.InvariantCulture)}').");
    }

    private sealed class Symbols
    {
        public readonly Option<double?> Parameters = CliOptions.PositiveNumber("--params", "N",
            "Non-embedding parameters of the pre-trained model (required), e.g. 1e9.", required: true);
        public readonly Option<double?> FinetuneTokens = CliOptions.PositiveNumber("--finetune-tokens", "D_F",
            "Fine-tuning data in tokens (required), e.g. 1e7.", required: true);
        public readonly Option<TransferFitName?> Fit = CliOptions.Choice("--fit",
            "Published constants: text-python (the default; k = 1.9e4, alpha = 0.18, beta = 0.38) or text-code-python " +
            "(k = 2.1e5, alpha = 0.096, beta = 0.38), Hernandez et al. 2021 table 1.",
            new[] { ("text-python", TransferFitName.TextPython), ("text-code-python", TransferFitName.TextCodePython) });
        public readonly Option<double?> K = CliOptions.PositiveNumber("--k", "k",
            "User constant k (with --alpha and --beta, instead of --fit), for data in tokens (in characters with --chars-per-token).");
        public readonly Option<double?> Alpha = CliOptions.FiniteNumber("--alpha", "alpha",
            "User exponent of the fine-tuning data (with --k and --beta), below 1.");
        public readonly Option<double?> Beta = CliOptions.FiniteNumber("--beta", "beta",
            "User exponent of the parameters (with --k and --alpha).");
        public readonly Option<double?> CharsPerToken = CliOptions.PositiveNumber("--chars-per-token", "c",
            "Characters per token of your tokenizer (e.g. 4): the law is applied to characters, the unit of the published fits, and D_T converted back to tokens.");
        public readonly Option<string?> Points = new("--points")
        {
            Description = "A CSV file of measured points, one 'D_F,N,D_T' per line (a header line and # comments allowed): " +
                "fits k, alpha, beta by least squares on ln D_T and uses them; prints R^2.",
            HelpName = "file",
        };
        public readonly Option<bool> Json = CliOptions.Flag("--json",
            "Print the estimate as one JSON object (field names in docs/SCALING.md) instead of text.");
        public readonly Command Command;

        public Symbols()
        {
            Command = new Command("transfer",
                "Effective data transferred from pre-training to a fine-tuning run, D_T = k*D_F^alpha*N^beta " +
                "(Hernandez et al. 2021, arXiv 2102.01293), the effective data multiplier (D_F + D_T)/D_F and the " +
                "fraction of the effective data that comes from pre-training.")
            {
                Parameters, FinetuneTokens, Fit, K, Alpha, Beta, CharsPerToken, Points, Json,
            };
            Command.SetAction(result =>
            {
                var estimate = Run(Bind(result));
                result.InvocationConfiguration.Output.Write(result.GetValue(Json) ? estimate.ToJson() : estimate.Format());
                return MupGenCli.Success;
            });
        }

        public TransferOptions Bind(ParseResult result)
        {
            double? k = result.GetValue(K), alpha = result.GetValue(Alpha), beta = result.GetValue(Beta);
            TransferLaw? custom = null;
            if (k is not null || alpha is not null || beta is not null)
            {
                string? missing = k is null ? "--k" : alpha is null ? "--alpha" : beta is null ? "--beta" : null;
                if (missing is not null)
                    throw new CliUsageException(missing, $"{missing} is missing: user constants need all of --k, --alpha and --beta.");
                if (result.GetValue(Fit) is not null)
                    throw new CliUsageException("--fit", "--fit cannot be combined with --k/--alpha/--beta: choose published constants or your own.");
                custom = new TransferLaw(k!.Value, alpha!.Value, beta!.Value);
            }
            IReadOnlyList<TransferObservation>? points = null;
            if (result.GetValue(Points) is { } path)
            {
                if (custom is not null || result.GetValue(Fit) is not null)
                    throw new CliUsageException("--points", "--points cannot be combined with --fit or --k/--alpha/--beta: the fit supplies the constants.");
                points = ReadPoints(path);
            }
            return new TransferOptions(result.GetValue(Parameters)!.Value, result.GetValue(FinetuneTokens)!.Value,
                result.GetValue(Fit) ?? TransferFitName.TextPython, custom, result.GetValue(CharsPerToken), points);
        }
    }

    /// <summary>Reads 'D_F,N,D_T' lines (invariant culture). A first line that does not start with a number is a
    /// header; blank lines and lines starting with # are skipped.</summary>
    /// <exception cref="CliUsageException">The file cannot be read or a line is not three numbers; names --points
    /// and the line.</exception>
    public static IReadOnlyList<TransferObservation> ReadPoints(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] lines;
        try { lines = System.IO.File.ReadAllLines(path); }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException("--points", $"--points: cannot read '{path}': {e.Message}");
        }
        var points = new List<TransferObservation>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var cells = line.Split(',');
            var values = new double[3];
            bool numeric = cells.Length == 3;
            for (int c = 0; numeric && c < 3; c++)
                numeric = double.TryParse(cells[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]);
            if (!numeric)
            {
                bool header = points.Count == 0 && cells.Length > 0
                    && !double.TryParse(cells[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    && !lines.Take(i).Any(l => l.Trim().Length > 0 && !l.Trim().StartsWith('#'));
                if (header) continue;
                throw new CliUsageException("--points", string.Create(CultureInfo.InvariantCulture,
                    $"--points: line {i + 1} of '{path}' is not 'D_F,N,D_T' (three numbers): '{line}'."));
            }
            points.Add(new TransferObservation(values[0], values[1], values[2]));
        }
        return points;
    }
}
