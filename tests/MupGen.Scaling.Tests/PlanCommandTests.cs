using System;
using System.IO;
using System.Linq;
using MupGen.Cli;
using Xunit;

namespace MupGen.Scaling.Tests;

// Expected numbers were computed with python3 (expressions in the comments); text fields are checked line by line.
public class PlanCommandTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = MupGenCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void Close(double expected, double actual, double relative = 1e-12)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Plan_for_1e21_flops_field_by_field()
    {
        var r = PlanCommand.Run(PlanCommand.Parse(new[] { "--flops", "1e21" }));
        Close(1824217696.8955524, r.Allocation.Parameters);   // Chinchilla closed form (ClosedFormTests)
        Close(91363364663.27426, r.Allocation.Tokens);
        Close(2.328882940154319, r.Allocation.Loss);
        Close(3570325.464000188, r.BatchSize, 1e-11);          // 2e8 / L**(1/0.21)
        Assert.False(r.BatchFromNoiseScale);
        Close(r.BatchSize, r.NoiseScale);
        Close(25589.645981716993, r.Steps, 1e-11);             // D / B_crit
        Close(0.9428090415820632, r.AdamFactorForDoubling);    // doubling at the peak: 1/h(2)
        Close(4.0 / 3, r.SgdFactorForDoubling, 1e-15);         // (1+1)/(1+1/2)
        Assert.Null(r.AdamFactorToSuggested);

        var lines = r.Format().Split('\n');
        Assert.Equal("mupgen plan: Chinchilla approach 3 (Hoffmann et al. 2022, arXiv 2203.15556)", lines[0]);
        Assert.Equal("compute             1.000e+21 FLOPs (C = 6*N*D)", lines[1]);
        Assert.Equal("parameters          1.824e+09", lines[2]);
        Assert.Equal("tokens              9.136e+10", lines[3]);
        Assert.Equal("tokens/parameter    50.1", lines[4]);
        Assert.Equal("expected loss       2.329 nats/token", lines[5]);
        Assert.Equal("min tokens          3.566e+10 (no overfitting: D >= 5e3*N^0.74, Kaplan et al. 2020 eq. 4.4)", lines[6]);
        Assert.Equal("batch size          3.570e+06 tokens (Kaplan B_crit at the expected loss)", lines[7]);
        Assert.Equal("B_crit, Kaplan      3.570e+06 tokens (B_*/L^(1/alpha_B), Kaplan et al. 2020 sec. 5.1)", lines[8]);
        Assert.Equal("B_opt, DeepSeek     2.160e+06 tokens (0.2920*C^0.3271, Bi et al. 2024 formula 1)", lines[9]);
        Assert.Equal("lr_opt, DeepSeek    7.394e-04 (0.3118*C^-0.1250, peak AdamW lr of their SP recipe)", lines[10]);
        Assert.Equal("steps               2.559e+04", lines[11]);
        Assert.Equal("B_noise for lr      3.570e+06 tokens (B_crit as stand-in)", lines[12]);
        Assert.Equal("lr x2 batch, Adam   x0.943 (surge law, 3.570e+06 -> 7.141e+06 tokens)", lines[13]);
        Assert.Equal("lr x2 batch, SGD    x1.333 (McCandlish, 3.570e+06 -> 7.141e+06 tokens)", lines[14]);
        Assert.StartsWith("warning: batch size from Kaplan et al. 2020's B_crit(L)", lines[15]);
        Assert.StartsWith("warning: doubling the batch to 7.141e+06 passes the Adam peak", lines[16]);
        Assert.StartsWith("warning: DeepSeek's B_opt and lr_opt were fitted on 1e17..2e19 FLOPs; 1.000e+21 is 1.7 decades outside", lines[17]);
        Assert.StartsWith("note: what muTransfer carries from a tuned base model (Tensor Programs V, arXiv 2203.03466, Table 1): learning rate, Adam betas, lr schedule", lines[18]);
        Assert.Contains("not regularisation (dropout, weight decay)", lines[18]);
        Assert.StartsWith("note: across which dimensions: width (theory and experiment); depth, batch size, training time and sequence length only empirically", lines[19]);
        Assert.StartsWith("note: DeepSeek's lr_opt is the peak lr of their standard-parametrization AdamW models", lines[20]);
        Assert.StartsWith("note: Kaplan's N in eq. 4.4 excludes embeddings", lines[21]);
        Assert.Equal("", lines[22]);
        Assert.Equal(23, lines.Length);
        Close(35658800986.18092, r.MinTokensNoOverfit, 1e-11);   // 5e3 * N**0.74
        Assert.False(r.OverfittingRisk);
        Close(0.0007393943214253042, r.DeepSeekLearningRate);
        Close(2160144.7376172673, r.DeepSeekBatchTokens, 1e-11);
        Close(r.BatchSize, r.KaplanCriticalBatch);
    }

    [Fact]
    public void Plan_with_epoch_law_batch_and_noise_scale()
    {
        var (code, text, err) = Cli("plan", "--flops", "1e21", "--law", "epoch", "--batch", "4e6", "--noise-scale", "2e6");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var r = PlanCommand.Run(new PlanOptions(1e21, Batch: 4e6, NoiseScale: 2e6, Law: PlanLaw.Epoch));
        Assert.Equal(r.Format(), text);
        Close(2778459463.0676327, r.Allocation.Parameters);
        Close(2.305528571261457, r.Allocation.Loss);
        Assert.True(r.BatchFromNoiseScale);
        Assert.Equal(2e6, r.BatchSize);
        Assert.Equal(4e6, r.ReferenceBatch);
        Close(0.8485281374238571, r.AdamFactorForDoubling);    // h(2)/h(4) with h(x) = (sqrt(1/x)+sqrt(x))/2
        Close(1.2, r.SgdFactorForDoubling, 1e-15);              // (1+1/2)/(1+1/4)
        Close(1.0606601717798214, r.AdamFactorToSuggested!.Value); // h(2)/h(1): back to the peak raises the Adam lr
        Close(0.75, r.SgdFactorToSuggested!.Value, 1e-15);     // (1+1/2)/(1+1)
        Assert.Contains("tokens/parameter    21.6\n", text);
        Assert.Contains("expected loss       2.306 nats/token\n", text);
        Assert.Contains("batch size          2.000e+06 tokens (measured noise scale)\n", text);
        Assert.Contains("lr to batch, Adam   x1.061 (4.000e+06 -> 2.000e+06 tokens)\n", text);
        Assert.Contains("warning: --batch 4.000e+06 is past the Adam peak B_noise = 2.000e+06", text);
        Assert.DoesNotContain("warning: batch size from Kaplan", text);
        Assert.DoesNotContain("(Kaplan B_crit at the expected loss)", text);
    }

    [Fact]
    public void Plan_with_a_token_cap()
    {
        var r = PlanCommand.Run(PlanCommand.Parse(new[] { "--flops", "1e21", "--tokens", "1e10" }));
        Assert.True(r.Allocation.TokensLimited);
        Close(16666666666.666666, r.Allocation.Parameters);  // 1e21 / (6 * 1e10)
        Close(2.4769113177423, r.Allocation.Loss);
        var text = r.Format();
        Assert.Contains("tokens              1.000e+10 (capped by --tokens)\n", text);
        Assert.Contains("warning: --tokens caps D below the compute-optimal 9.136e+10", text);
        // N = 1.667e10 needs 5e3 * N**0.74 = 1.833e11 tokens (Kaplan eq. 4.4); 1e10 are available.
        Assert.True(r.OverfittingRisk);
        Close(183289707877.917, r.MinTokensNoOverfit, 1e-11);
        Assert.Contains("warning: --tokens = 1.000e+10 is below Kaplan et al. 2020's D >= 5e3*N^0.74 = 1.833e+11 for N = 1.667e+10 (eq. 4.4): expect overfitting", text);
        // The alias reads the same option.
        Assert.Equal(r.Options, PlanCommand.Parse(new[] { "--flops", "1e21", "--tokens-available", "1e10" }));
    }

    [Fact]
    public void Output_does_not_depend_on_the_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var (_, german, _) = Cli("plan", "--flops", "1e21");
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            var (_, invariant, _) = Cli("plan", "--flops", "1e21");
            Assert.Equal(invariant, german);
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }

    [Theory]
    [InlineData("--flops", new[] { "plan", "--flops", "0" }, "--flops must be a positive finite number (got '0')")]
    [InlineData("--flops", new[] { "plan", "--flops", "-1e21" }, "--flops must be a positive finite number")]
    [InlineData("--flops", new[] { "plan", "--flops", "NaN" }, "--flops must be a positive finite number (got 'NaN')")]
    [InlineData("--flops", new[] { "plan", "--flops", "lots" }, "--flops must be a positive finite number (got 'lots')")]
    [InlineData("--flops", new[] { "plan", "--flops", "1,5" }, "--flops must be a positive finite number (got '1,5')")]
    [InlineData("--flops", new[] { "plan" }, "Option '--flops' is required")]
    [InlineData("--flops", new[] { "plan", "--flops" }, "Required argument missing for option: '--flops'")]
    [InlineData("--batch", new[] { "plan", "--flops", "1e21", "--batch", "-4" }, "--batch must be a positive finite number")]
    [InlineData("--tokens", new[] { "plan", "--flops", "1e21", "--tokens", "Infinity" }, "--tokens must be a positive finite number")]
    [InlineData("--noise-scale", new[] { "plan", "--flops", "1e21", "--noise-scale", "0" }, "--noise-scale must be a positive finite number")]
    [InlineData("--law", new[] { "plan", "--flops", "1e21", "--law", "kaplan" }, "--law must be 'chinchilla' or 'epoch' (got 'kaplan')")]
    [InlineData("--batchsize", new[] { "plan", "--flops", "1e21", "--batchsize", "4" }, "Unrecognized command or argument '--batchsize'")]
    [InlineData("--flops", new[] { "plan", "--flops", "1e21", "--flops", "1e22" }, "Option '--flops' expects a single argument but 2 were provided")]
    public void Invalid_options_exit_2_naming_the_option_and_print_the_usage(string option, string[] args, string message)
    {
        var (code, text, err) = Cli(args);
        Assert.Equal(MupGenCli.UsageError, code);
        Assert.Equal("", text);
        Assert.StartsWith("mupgen: ", err);
        Assert.Contains(message, err);
        Assert.Contains(option, err);
        // The usage of the command follows the message, on stderr, so stdout stays clean for --json readers.
        Assert.Contains("Usage:\n  mupgen plan [options]", err.Replace("\r\n", "\n"));
        Assert.Contains("--noise-scale <tokens>", err);
        var e = Assert.Throws<CliUsageException>(() => PlanCommand.Run(PlanCommand.Parse(args.Skip(1).ToArray())));
        Assert.Equal(option, e.Option);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Options_built_in_code_are_checked_too()
    {
        var e = Assert.Throws<CliUsageException>(() => PlanCommand.Run(new PlanOptions(double.NaN)));
        Assert.Equal("--flops", e.Option);
        Assert.Equal("--batch", Assert.Throws<CliUsageException>(() => PlanCommand.Run(new PlanOptions(1e21, Batch: 0))).Option);
    }

    [Fact]
    public void Help_and_unknown_commands()
    {
        var (code, text, err) = Cli("plan", "--help");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("mupgen plan [options]", text);
        foreach (var option in new[] { "--flops <C>", "--tokens, --tokens-available <D>", "--batch <tokens>", "--noise-scale <tokens>", "--law <chinchilla|epoch>", "--json" })
            Assert.Contains(option, text);
        var (rootCode, rootText, _) = Cli("--help");
        Assert.Equal(0, rootCode);
        Assert.Contains("plan", rootText);

        var (none, noneOut, noneErr) = Cli();
        Assert.Equal(MupGenCli.UsageError, none);
        Assert.Equal("", noneOut);
        Assert.Contains("mupgen: Required command was not provided.", noneErr);
        Assert.Contains("mupgen [command] [options]", noneErr);

        var (bad, _, badErr) = Cli("train");
        Assert.Equal(MupGenCli.UsageError, bad);
        Assert.Contains("mupgen: Unrecognized command or argument 'train'.", badErr);
        Assert.Contains("Commands:", badErr);
    }

    [Fact]
    public void Every_command_and_option_has_help_text()
    {
        var root = MupGenCli.CreateRootCommand();
        Assert.NotEmpty(root.Subcommands);
        foreach (var command in root.Subcommands)
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description), command.Name);
            Assert.NotEmpty(command.Options);
            foreach (var option in command.Options)
                Assert.False(string.IsNullOrWhiteSpace(option.Description), command.Name + " " + option.Name);
        }
    }
}
