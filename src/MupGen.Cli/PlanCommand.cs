using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Text;
using MupGen.Scaling;

namespace MupGen.Cli;

/// <summary>Which Chinchilla constants <c>mupgen plan</c> uses.</summary>
public enum PlanLaw
{
    /// <summary>Hoffmann et al. 2022, approach 3 (<see cref="ChinchillaLaw.Hoffmann2022"/>).</summary>
    Chinchilla,

    /// <summary>The Epoch AI refit, Besiroglu et al. 2024 (<see cref="ChinchillaLaw.Besiroglu2024"/>).</summary>
    Epoch,
}

/// <summary>The options of <c>mupgen plan</c>. Every batch size and noise scale is in tokens per optimizer step
/// (sequences per step × sequence length).</summary>
/// <param name="Flops">--flops: the training compute budget C in FLOPs, with C ≈ 6·N·D.</param>
/// <param name="TokensAvailable">--tokens: the unique tokens available; caps D (one epoch) and grows N to spend C.</param>
/// <param name="Batch">--batch: the batch size in use now, in tokens per optimizer step.</param>
/// <param name="NoiseScale">--noise-scale: a measured gradient noise scale B_noise in tokens (e.g. from
/// <see cref="GradientNoiseScaleHook"/> with micro-batch sizes counted in tokens).</param>
/// <param name="Law">--law: chinchilla (default) or epoch.</param>
public sealed record PlanOptions(double Flops, double? TokensAvailable = null, double? Batch = null, double? NoiseScale = null, PlanLaw Law = PlanLaw.Chinchilla);

/// <summary>What <c>mupgen plan</c> computed; <see cref="Format"/> is the printed text.</summary>
/// <param name="Options">The options it ran with.</param>
/// <param name="LawName">A short description of the constants used, with the source.</param>
/// <param name="Allocation">N, D and the expected loss.</param>
/// <param name="BatchSize">The suggested batch size in tokens: the measured noise scale, or else Kaplan's B_crit at the
/// expected loss.</param>
/// <param name="BatchFromNoiseScale">True when <see cref="BatchSize"/> is the measured noise scale.</param>
/// <param name="NoiseScale">The B_noise used for the learning-rate moves (measured, or B_crit as a stand-in).</param>
/// <param name="Steps">Optimizer steps at the suggested batch size, D / batch.</param>
/// <param name="ReferenceBatch">The batch size the doubling factors start from: --batch if given, else the suggested one.</param>
/// <param name="AdamFactorForDoubling">ε_opt(2B)/ε_opt(B) at the reference batch under the surge law (Adam).</param>
/// <param name="SgdFactorForDoubling">ε_opt(2B)/ε_opt(B) at the reference batch under McCandlish's law (SGD).</param>
/// <param name="AdamFactorToSuggested">With --batch: ε_opt(suggested)/ε_opt(current) under the surge law; else null.</param>
/// <param name="SgdFactorToSuggested">With --batch: ε_opt(suggested)/ε_opt(current) under McCandlish's law; else null.</param>
/// <param name="Warnings">Caveats and past-the-peak warnings, in a fixed order.</param>
/// <param name="KaplanCriticalBatch">Kaplan et al. 2020's B_crit at the expected loss, in tokens (always computed).</param>
/// <param name="MinTokensNoOverfit">Kaplan et al. 2020's D ≳ 5·10³·N^0.74 (Eq. 4.4) at the planned N.</param>
/// <param name="DeepSeekLearningRate">DeepSeek LLM's η_opt = 0.3118·C^(−0.1250) (Bi et al. 2024, Formula 1).</param>
/// <param name="DeepSeekBatchTokens">DeepSeek LLM's B_opt = 0.2920·C^0.3271 tokens (Bi et al. 2024, Formula 1).</param>
/// <param name="DeepSeekDecadesOutsideFit">How many decades C lies outside DeepSeek's fitted 1e17..2e19 FLOPs (0 inside).</param>
/// <param name="Notes">What transfers under µP and how to read the DeepSeek numbers, in a fixed order.</param>
public sealed record PlanResult(
    PlanOptions Options,
    string LawName,
    ComputeAllocation Allocation,
    double BatchSize,
    bool BatchFromNoiseScale,
    double NoiseScale,
    double Steps,
    double ReferenceBatch,
    double AdamFactorForDoubling,
    double SgdFactorForDoubling,
    double? AdamFactorToSuggested,
    double? SgdFactorToSuggested,
    IReadOnlyList<string> Warnings,
    double KaplanCriticalBatch,
    double MinTokensNoOverfit,
    double DeepSeekLearningRate,
    double DeepSeekBatchTokens,
    double DeepSeekDecadesOutsideFit,
    IReadOnlyList<string> Notes)
{
    /// <summary>True when the planned tokens are fewer than <see cref="MinTokensNoOverfit"/>.</summary>
    public bool OverfittingRisk => Allocation.Tokens < MinTokensNoOverfit;

    /// <summary>The text <c>mupgen plan</c> prints: one field per line, invariant culture, deterministic.</summary>
    public string Format()
    {
        var s = new StringBuilder();
        void Line(string label, string value) => s.Append(label.PadRight(20)).Append(value).Append('\n');
        s.Append("mupgen plan: ").Append(LawName).Append('\n');
        Line("compute", Sci(Options.Flops) + " FLOPs (C = 6*N*D)");
        Line("parameters", Sci(Allocation.Parameters));
        Line("tokens", Sci(Allocation.Tokens) + (Allocation.TokensLimited ? " (capped by --tokens)" : ""));
        Line("tokens/parameter", Fixed(Allocation.TokensPerParameter, "0.0"));
        Line("expected loss", Fixed(Allocation.Loss, "0.000") + " nats/token");
        Line("min tokens", Sci(MinTokensNoOverfit) + " (no overfitting: D >= 5e3*N^0.74, Kaplan et al. 2020 eq. 4.4)");
        Line("batch size", Sci(BatchSize) + " tokens" + (BatchFromNoiseScale
            ? " (measured noise scale)"
            : " (Kaplan B_crit at the expected loss)"));
        Line("B_crit, Kaplan", Sci(KaplanCriticalBatch) + " tokens (B_*/L^(1/alpha_B), Kaplan et al. 2020 sec. 5.1)");
        Line("B_opt, DeepSeek", Sci(DeepSeekBatchTokens) + " tokens (0.2920*C^0.3271, Bi et al. 2024 formula 1)");
        Line("lr_opt, DeepSeek", Sci(DeepSeekLearningRate) + " (0.3118*C^-0.1250, peak AdamW lr of their SP recipe)");
        Line("steps", Sci(Steps));
        Line("B_noise for lr", Sci(NoiseScale) + " tokens" + (BatchFromNoiseScale ? " (measured)" : " (B_crit as stand-in)"));
        string from = Sci(ReferenceBatch) + " -> " + Sci(2 * ReferenceBatch) + " tokens";
        Line("lr x2 batch, Adam", "x" + Fixed(AdamFactorForDoubling, "0.000") + " (surge law, " + from + ")");
        Line("lr x2 batch, SGD", "x" + Fixed(SgdFactorForDoubling, "0.000") + " (McCandlish, " + from + ")");
        if (AdamFactorToSuggested is { } adam && SgdFactorToSuggested is { } sgd)
        {
            string move = Sci(Options.Batch!.Value) + " -> " + Sci(BatchSize) + " tokens";
            Line("lr to batch, Adam", "x" + Fixed(adam, "0.000") + " (" + move + ")");
            Line("lr to batch, SGD", "x" + Fixed(sgd, "0.000") + " (" + move + ")");
        }
        foreach (var w in Warnings) s.Append("warning: ").Append(w).Append('\n');
        foreach (var n in Notes) s.Append("note: ").Append(n).Append('\n');
        return s.ToString();
    }

    /// <summary>The JSON <c>mupgen plan --json</c> prints (field names in docs/SCALING.md).</summary>
    public string ToJson() => CliJson.Document(w =>
    {
        w.WriteStartObject();
        w.WriteString("law", Options.Law == PlanLaw.Epoch ? "epoch" : "chinchilla");
        w.WriteString("law_source", LawName);
        w.WriteNumber("flops", Options.Flops);
        w.WriteNumber("n_params", Allocation.Parameters);
        w.WriteNumber("tokens", Allocation.Tokens);
        w.WriteNumber("tokens_per_param", Allocation.TokensPerParameter);
        w.WriteNumber("loss", Allocation.Loss);
        w.NumberOrNull("tokens_available", Options.TokensAvailable);
        w.WriteBoolean("tokens_limited", Allocation.TokensLimited);
        w.WriteNumber("min_tokens_no_overfit", MinTokensNoOverfit);
        w.WriteBoolean("overfitting_risk", OverfittingRisk);
        w.WriteNumber("batch_tokens", BatchSize);
        w.WriteString("batch_source", BatchFromNoiseScale ? "noise_scale" : "kaplan_b_crit");
        w.WriteNumber("steps", Steps);
        w.WriteNumber("kaplan_critical_batch_tokens", KaplanCriticalBatch);
        w.WriteNumber("deepseek_batch_tokens", DeepSeekBatchTokens);
        w.WriteNumber("deepseek_lr", DeepSeekLearningRate);
        w.WriteNumber("deepseek_fit_decades_outside", DeepSeekDecadesOutsideFit);
        w.WriteNumber("noise_scale_tokens", NoiseScale);
        w.NumberOrNull("current_batch_tokens", Options.Batch);
        w.WriteNumber("reference_batch_tokens", ReferenceBatch);
        w.WriteNumber("lr_factor_batch_x2_adam", AdamFactorForDoubling);
        w.WriteNumber("lr_factor_batch_x2_sgd", SgdFactorForDoubling);
        w.NumberOrNull("lr_factor_to_batch_adam", AdamFactorToSuggested);
        w.NumberOrNull("lr_factor_to_batch_sgd", SgdFactorToSuggested);
        w.Strings("warnings", Warnings);
        w.Strings("notes", Notes);
        w.WriteEndObject();
    });

    /// <summary>Scientific notation with 4 significant digits, invariant culture (e.g. <c>4.583e+10</c>).</summary>
    public static string Sci(double value) => value.ToString("0.000e+00", CultureInfo.InvariantCulture);

    private static string Fixed(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>The <c>mupgen plan</c> command: its options, its parser and the computation of a <see cref="PlanResult"/>.</summary>
public static class PlanCommand
{
    /// <summary>The <c>plan</c> command, ready to add to the root command.</summary>
    public static Command Create() => new Symbols().Command;

    /// <summary>Parses the options after <c>plan</c> (for callers and tests that want the options, not the text).</summary>
    /// <exception cref="CliUsageException">An option is unknown, repeated, missing its value or out of range; the
    /// message names it.</exception>
    public static PlanOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var symbols = new Symbols();
        var result = symbols.Command.Parse(args);
        CliOptions.ThrowIfErrors(result);
        return symbols.Bind(result);
    }

    /// <summary>The options of one <c>plan</c> command instance (System.CommandLine reads values by option instance).</summary>
    private sealed class Symbols
    {
        public readonly Option<double?> Flops = CliOptions.PositiveNumber("--flops", "C",
            "Training compute in FLOPs (required), e.g. 1e21; C = 6*N*D.", required: true);
        public readonly Option<double?> Tokens = CliOptions.PositiveNumber("--tokens", "D",
            "Unique tokens available (alias --tokens-available): caps D at one epoch and grows N to spend the budget; " +
            "warns when D is below Kaplan's overfitting bound 5e3*N^0.74.", false, "--tokens-available");
        public readonly Option<double?> Batch = CliOptions.PositiveNumber("--batch", "tokens",
            "The batch size in use now, in tokens per optimizer step; adds the lr factor to move to the suggested " +
            "batch and warns when it is past the Adam peak.");
        public readonly Option<double?> NoiseScale = CliOptions.PositiveNumber("--noise-scale", "tokens",
            "A measured gradient noise scale B_noise in tokens (GradientNoiseScaleHook); used as the batch size and " +
            "the surge peak instead of Kaplan's B_crit.");
        public readonly Option<PlanLaw?> Law = CliOptions.Choice("--law",
            "Chinchilla constants: chinchilla = Hoffmann et al. 2022 approach 3 (the default), epoch = the Epoch AI " +
            "refit (Besiroglu et al. 2024).",
            new[] { ("chinchilla", PlanLaw.Chinchilla), ("epoch", PlanLaw.Epoch) });
        public readonly Option<bool> Json = CliOptions.Flag("--json",
            "Print the plan as one JSON object (field names in docs/SCALING.md) instead of text.");
        public readonly Command Command;

        public Symbols()
        {
            Command = new Command("plan",
                "Compute-optimal model size and tokens for a FLOP budget (Chinchilla, C = 6*N*D), the expected loss, " +
                "Kaplan's minimum tokens without overfitting, a batch size (Kaplan's B_crit beside DeepSeek's B_opt " +
                "and lr_opt), how to move the learning rate when the batch changes, and what muTransfers. Batch " +
                "sizes are tokens per optimizer step.")
            {
                Flops, Tokens, Batch, NoiseScale, Law, Json,
            };
            Command.SetAction(result =>
            {
                var plan = Run(Bind(result));
                result.InvocationConfiguration.Output.Write(result.GetValue(Json) ? plan.ToJson() : plan.Format());
                return MupGenCli.Success;
            });
        }

        public PlanOptions Bind(ParseResult result) => new(
            result.GetValue(Flops)!.Value,
            result.GetValue(Tokens),
            result.GetValue(Batch),
            result.GetValue(NoiseScale),
            result.GetValue(Law) ?? PlanLaw.Chinchilla);
    }

    /// <summary>Computes the plan.</summary>
    /// <exception cref="CliUsageException">An option is out of range (options built in code are checked too).</exception>
    public static PlanResult Run(PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check("--flops", options.Flops);
        if (options.TokensAvailable is { } t) Check("--tokens", t);
        if (options.Batch is { } b0) Check("--batch", b0);
        if (options.NoiseScale is { } n0) Check("--noise-scale", n0);

        var (law, lawName) = options.Law switch
        {
            PlanLaw.Epoch => (ChinchillaLaw.Besiroglu2024, "Epoch AI refit of Chinchilla (Besiroglu et al. 2024, arXiv 2404.10102)"),
            PlanLaw.Chinchilla => (ChinchillaLaw.Hoffmann2022, "Chinchilla approach 3 (Hoffmann et al. 2022, arXiv 2203.15556)"),
            _ => throw new CliUsageException("--law", $"--law has an unknown value {(int)options.Law}."),
        };
        var allocation = options.TokensAvailable is { } available
            ? law.ComputeOptimal(options.Flops, available)
            : law.ComputeOptimal(options.Flops);

        var warnings = new List<string>();
        if (allocation.TokensLimited)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"--tokens caps D below the compute-optimal {PlanResult.Sci(law.ComputeOptimal(options.Flops).Tokens)}: the model is larger than compute-optimal and the loss higher (repeating data is not modelled)."));

        bool measured = options.NoiseScale is not null;
        double noise = options.NoiseScale ?? KaplanLaw.Kaplan2020.CriticalBatchSize(allocation.Loss);
        if (!measured)
            warnings.Add("batch size from Kaplan et al. 2020's B_crit(L), fitted to WebText2 losses; Chinchilla losses are on other data, so treat it as an order of magnitude. Measure B_noise (GradientNoiseScaleHook) and pass --noise-scale.");
        double suggested = noise;
        double reference = options.Batch ?? suggested;

        var adam = new LearningRateBatchScaling(LearningRateBatchLaw.Surge, 1.0, noise);
        var sgd = new LearningRateBatchScaling(LearningRateBatchLaw.McCandlish, 1.0, noise);
        double? adamTo = options.Batch is { } current ? adam.Factor(current, suggested) : null;
        double? sgdTo = options.Batch is { } current2 ? sgd.Factor(current2, suggested) : null;

        if (options.Batch is { } cur && adam.Predict(cur).PastPeak)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"--batch {PlanResult.Sci(cur)} is past the Adam peak B_noise = {PlanResult.Sci(noise)}: with Adam a larger batch now needs a smaller learning rate (surge law, Li et al. 2024)."));
        else if (adam.Predict(2 * reference).PastPeak)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"doubling the batch to {PlanResult.Sci(2 * reference)} passes the Adam peak B_noise = {PlanResult.Sci(noise)}: beyond it the Adam learning rate falls as the batch grows."));

        double bCrit = KaplanLaw.Kaplan2020.CriticalBatchSize(allocation.Loss);
        double minTokens = KaplanLaw.MinimumTokensWithoutOverfitting(allocation.Parameters);
        if (allocation.Tokens < minTokens)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{(options.TokensAvailable is null ? "D" : "--tokens")} = {PlanResult.Sci(allocation.Tokens)} is below Kaplan et al. 2020's D >= 5e3*N^0.74 = {PlanResult.Sci(minTokens)} for N = {PlanResult.Sci(allocation.Parameters)} (eq. 4.4): expect overfitting (early-stopped loss more than ~0.02 nats above the infinite-data loss); get more unique data or plan a smaller model."));
        var deepSeek = ComputeHyperparameterLaw.DeepSeek2024;
        double outside = deepSeek.DecadesOutsideFit(options.Flops);
        if (outside > 0)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"DeepSeek's B_opt and lr_opt were fitted on 1e17..2e19 FLOPs; {PlanResult.Sci(options.Flops)} is {outside:0.0} decades outside, so they are extrapolated (Bi et al. 2024 used them at 7B and 67B scale)."));
        var notes = new[]
        {
            "what muTransfer carries from a tuned base model (Tensor Programs V, arXiv 2203.03466, Table 1): learning rate, Adam betas, lr schedule, init variances, parameter multipliers; not regularisation (dropout, weight decay): retune those at the target size.",
            "across which dimensions: width (theory and experiment); depth, batch size, training time and sequence length only empirically, for (pre-LN) Transformers. See docs/WHAT-TRANSFERS.md.",
            "DeepSeek's lr_opt is the peak lr of their standard-parametrization AdamW models on their data, and C there is non-embedding FLOPs (M*D); under muP keep the base model's tuned lr instead.",
            "Kaplan's N in eq. 4.4 excludes embeddings; the planned N here is the Chinchilla count, so min tokens errs high (conservative).",
        };
        return new PlanResult(options, lawName, allocation, suggested, measured, noise, allocation.Tokens / suggested,
            reference, adam.Factor(reference, 2 * reference), sgd.Factor(reference, 2 * reference), adamTo, sgdTo, warnings,
            bCrit, minTokens, deepSeek.OptimalLearningRate(options.Flops), deepSeek.OptimalBatchTokens(options.Flops), outside, notes);
    }

    private static void Check(string option, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new CliUsageException(option, $"{option} must be a positive finite number (got '{value.ToString("R", CultureInfo.InvariantCulture)}').");
    }
}
