using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using MupGen.Cli;
using Xunit;

namespace MupGen.Scaling.Tests;

// `mupgen plan --json`, `mupgen transfer` and `mupgen shape`: the printed JSON is parsed and checked field by field
// against the library's numbers and hand-computed values (python3).
public class CliCommandTests
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

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void Plan_json_field_by_field()
    {
        var (code, text, err) = Cli("plan", "--flops", "1e21", "--tokens", "1e10", "--batch", "4e6", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var r = PlanCommand.Run(new PlanOptions(1e21, TokensAvailable: 1e10, Batch: 4e6));
        var j = Json(text);
        Assert.Equal("chinchilla", j.GetProperty("law").GetString());
        Assert.Equal(1e21, j.GetProperty("flops").GetDouble());
        Close(16666666666.666666, j.GetProperty("n_params").GetDouble());            // 1e21 / (6 * 1e10)
        Assert.Equal(1e10, j.GetProperty("tokens").GetDouble());
        Close(0.6, j.GetProperty("tokens_per_param").GetDouble());
        Close(2.4769113177423, j.GetProperty("loss").GetDouble());
        Assert.Equal(1e10, j.GetProperty("tokens_available").GetDouble());
        Assert.True(j.GetProperty("tokens_limited").GetBoolean());
        Close(183289707877.917, j.GetProperty("min_tokens_no_overfit").GetDouble(), 1e-11);  // 5e3 * N**0.74
        Assert.True(j.GetProperty("overfitting_risk").GetBoolean());
        Assert.Equal(r.BatchSize, j.GetProperty("batch_tokens").GetDouble());
        Assert.Equal("kaplan_b_crit", j.GetProperty("batch_source").GetString());
        Assert.Equal(r.Steps, j.GetProperty("steps").GetDouble());
        Assert.Equal(r.KaplanCriticalBatch, j.GetProperty("kaplan_critical_batch_tokens").GetDouble());
        Close(2160144.7376172673, j.GetProperty("deepseek_batch_tokens").GetDouble(), 1e-11);   // 0.2920 * 1e21**0.3271
        Close(0.0007393943214253042, j.GetProperty("deepseek_lr").GetDouble());                  // 0.3118 * 1e21**-0.125
        Close(1.6989700043360187, j.GetProperty("deepseek_fit_decades_outside").GetDouble());
        Assert.Equal(r.NoiseScale, j.GetProperty("noise_scale_tokens").GetDouble());
        Assert.Equal(4e6, j.GetProperty("current_batch_tokens").GetDouble());
        Assert.Equal(4e6, j.GetProperty("reference_batch_tokens").GetDouble());
        Assert.Equal(r.AdamFactorForDoubling, j.GetProperty("lr_factor_batch_x2_adam").GetDouble());
        Assert.Equal(r.SgdFactorForDoubling, j.GetProperty("lr_factor_batch_x2_sgd").GetDouble());
        Assert.Equal(r.AdamFactorToSuggested!.Value, j.GetProperty("lr_factor_to_batch_adam").GetDouble());
        Assert.Equal(r.SgdFactorToSuggested!.Value, j.GetProperty("lr_factor_to_batch_sgd").GetDouble());
        Assert.Equal(r.Warnings, j.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToArray());
        Assert.Equal(r.Notes, j.GetProperty("notes").EnumerateArray().Select(w => w.GetString()!).ToArray());
        Assert.Equal(27, j.EnumerateObject().Count());

        var plain = Json(Cli("plan", "--flops", "1e21", "--json").Out);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("tokens_available").ValueKind);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("lr_factor_to_batch_adam").ValueKind);
        Assert.False(plain.GetProperty("overfitting_risk").GetBoolean());
    }

    [Fact]
    public void Transfer_text_python_field_by_field()
    {
        var (code, text, err) = Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var j = Json(text);
        Assert.Equal("text-python", j.GetProperty("law").GetString());
        Assert.Equal(1.9e4, j.GetProperty("k").GetDouble());
        Assert.Equal(0.18, j.GetProperty("alpha").GetDouble());
        Assert.Equal(0.38, j.GetProperty("beta").GetDouble());
        Assert.Equal(1e9, j.GetProperty("params").GetDouble());
        Assert.Equal(1e7, j.GetProperty("finetune_tokens").GetDouble());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("chars_per_token").ValueKind);
        Close(909397175.413013, j.GetProperty("effective_tokens_transferred").GetDouble());   // 1.9e4 * 1e7**0.18 * 1e9**0.38
        Close(919397175.413013, j.GetProperty("effective_tokens").GetDouble());
        Close(91.93971754130129, j.GetProperty("effective_data_multiplier").GetDouble());
        Close(0.9891233078941016, j.GetProperty("fraction_from_transfer").GetDouble());
        Assert.Contains("characters", j.GetProperty("warnings")[0].GetString());
        Assert.Contains("low-data regime", j.GetProperty("notes")[0].GetString());
    }

    [Fact]
    public void Transfer_with_characters_per_token_and_user_constants()
    {
        // D_F = 4e7 characters: D_T = 1.9e4 * 4e7**0.18 * 1e9**0.38 characters, / 4 tokens.
        var j = Json(Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--chars-per-token", "4", "--json").Out);
        Assert.Equal(4, j.GetProperty("chars_per_token").GetDouble());
        Close(291785971.52390397, j.GetProperty("effective_tokens_transferred").GetDouble());
        Close(30.178597152390395, j.GetProperty("effective_data_multiplier").GetDouble());
        Close(0.9668639335701927, j.GetProperty("fraction_from_transfer").GetDouble());
        Assert.Equal(0, j.GetProperty("warnings").GetArrayLength());

        var code = Json(Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--fit", "text-code-python", "--json").Out);
        Assert.Equal("text-code-python", code.GetProperty("law").GetString());
        Close(2595489610.2334723, code.GetProperty("effective_tokens_transferred").GetDouble());

        // User constants k = 100, alpha = 0.5, beta = 0.25 at D_F = 1e6, N = 1e8: 100 * 1e3 * 1e2 = 1e7.
        var (c, text, err) = Cli("transfer", "--params", "1e8", "--finetune-tokens", "1e6", "--k", "100", "--alpha", "0.5", "--beta", "0.25", "--json");
        Assert.Equal(0, c);
        Assert.Equal("", err);
        var u = Json(text);
        Assert.Equal("custom", u.GetProperty("law").GetString());
        Close(1e7, u.GetProperty("effective_tokens_transferred").GetDouble());
        Close(11, u.GetProperty("effective_data_multiplier").GetDouble());
        Close(1e7 / 1.1e7, u.GetProperty("fraction_from_transfer").GetDouble());
        Assert.Equal(0, u.GetProperty("warnings").GetArrayLength());

        var lines = Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7").Out.Split('\n');
        Assert.Equal("mupgen transfer: Hernandez et al. 2021 text -> Python (arXiv 2102.01293, eq. 1.1 and table 1)", lines[0]);
        Assert.Equal("law                 D_T = k*D_F^alpha*N^beta, k = 1.900e+04, alpha = 0.18, beta = 0.38", lines[1]);
        Assert.Equal("transferred D_T     9.094e+08 tokens", lines[4]);
        Assert.Equal("data multiplier     x91.94", lines[6]);
        Assert.Equal("from pre-training   98.9% of the effective data", lines[7]);
    }

    [Fact]
    public void Transfer_fits_constants_from_a_points_file()
    {
        var truth = new TransferLaw(2.5e4, 0.2, 0.4);
        var rng = new Gaussian(7);
        var lines = new System.Collections.Generic.List<string> { "# measured", "finetune_tokens,params,effective_tokens_transferred" };
        foreach (double df in new[] { 1e5, 1e6, 1e7 })
            foreach (double n in new[] { 1e7, 1e8, 1e9 })
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{df:R},{n:R},{truth.EffectiveDataTransferred(df, n) * Math.Exp(0.03 * rng.Next()):R}"));
        string path = Path.Combine(Path.GetTempPath(), "mupgen-points-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            File.WriteAllLines(path, lines);
            var (code, text, err) = Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--points", path, "--json");
            Assert.Equal(0, code);
            Assert.Equal("", err);
            var j = Json(text);
            Assert.Equal("fitted", j.GetProperty("law").GetString());
            var points = TransferCommand.ReadPoints(path);
            Assert.Equal(9, points.Count);
            var fit = TransferLaw.Fit(points);
            Assert.Equal(fit.Law.K, j.GetProperty("k").GetDouble());
            Assert.Equal(fit.Law.Alpha, j.GetProperty("alpha").GetDouble());
            Assert.Equal(fit.Law.Beta, j.GetProperty("beta").GetDouble());
            Assert.InRange(fit.Law.Alpha, 0.17, 0.23);
            Assert.InRange(fit.Law.Beta, 0.37, 0.43);
            Assert.Equal(9, j.GetProperty("fit").GetProperty("points").GetInt32());
            Assert.Equal(fit.RSquared, j.GetProperty("fit").GetProperty("r_squared").GetDouble());
            Assert.Equal(fit.RmseLog, j.GetProperty("fit").GetProperty("rmse_log").GetDouble());
            Close(fit.Law.EffectiveDataTransferred(1e7, 1e9), j.GetProperty("effective_tokens_transferred").GetDouble());
            Assert.Contains("fit                 9 points, R^2 = ", Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--points", path).Out);

            File.WriteAllLines(path, lines.Take(4));   // comment, header, 2 points
            var (few, _, fewErr) = Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--points", path);
            Assert.Equal(MupGenCli.UsageError, few);
            Assert.Contains("mupgen: --points: Fitting k, alpha and beta needs at least 3 points (one per parameter); got 2.", fewErr);

            File.WriteAllLines(path, new[] { "1e5,1e7,3e8", "1e6,lots,4e8" });
            var (bad, _, badErr) = Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--points", path);
            Assert.Equal(MupGenCli.UsageError, bad);
            Assert.Contains("--points: line 2 of", badErr);
            Assert.Contains("is not 'D_F,N,D_T' (three numbers): '1e6,lots,4e8'", badErr);

            var (both, _, bothErr) = Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--points", path, "--fit", "text-python");
            Assert.Equal(MupGenCli.UsageError, both);
            Assert.Contains("--points cannot be combined with --fit", bothErr);
        }
        finally { File.Delete(path); }
        var (missing, _, missingErr) = Cli("transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--points", path);
        Assert.Equal(MupGenCli.UsageError, missing);
        Assert.Contains("mupgen: --points: cannot read", missingErr);
    }

    [Fact]
    public void Shape_json_and_text()
    {
        var (code, text, err) = Cli("shape", "--params", "1e9", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var j = Json(text);
        Assert.Equal(1e9, j.GetProperty("params").GetDouble());
        Assert.Equal(0.01, j.GetProperty("tolerance").GetDouble());
        Assert.Equal(1600.0 / 48, j.GetProperty("min_aspect_ratio").GetDouble());
        Assert.Equal(4288.0 / 6, j.GetProperty("max_aspect_ratio").GetDouble());
        var expected = TransformerShapes.Candidates(1e9);
        var got = j.GetProperty("candidates").EnumerateArray().ToArray();
        Assert.Equal(expected.Count, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            var c = expected[i];
            Assert.Equal(c.Shape.Layers, got[i].GetProperty("n_layers").GetInt32());
            Assert.Equal(c.Shape.DModel, got[i].GetProperty("d_model").GetInt32());
            Assert.Equal(c.Shape.Heads, got[i].GetProperty("n_heads").GetInt32());
            Assert.Equal(c.Shape.HeadDim, got[i].GetProperty("d_head").GetInt32());
            Assert.Equal(c.NonEmbeddingParameters, got[i].GetProperty("non_embedding_params").GetDouble());
            Assert.Equal(c.RelativeError, got[i].GetProperty("relative_error").GetDouble());
            Assert.Equal(c.Shape.AspectRatio, got[i].GetProperty("aspect_ratio").GetDouble());
            Assert.Equal(c.InKaplanFlatRegion, got[i].GetProperty("kaplan_flat_region").GetBoolean());
        }
        Assert.Equal(999161856, got[0].GetProperty("non_embedding_params").GetDouble());   // 12 * 42 * 1408**2

        var lines = Cli("shape", "--params", "1e9").Out.Split('\n');
        Assert.Equal("layers  d_model  heads  d_head  params      error    d/L     Kaplan flat", lines[1]);
        Assert.Equal("    42     1408     11     128  9.992e+08   -0.08%    33.5  yes", lines[2]);
        Assert.Contains(lines, l => l.StartsWith("note: N = 12*n_layer*d_model^2 (Kaplan et al. 2020, eq. 2.1)"));
        Assert.Contains(lines, l => l.Contains("CompleteP across depth (Dey et al. 2025, arXiv 2505.01618)"));

        var (none, noneText, _) = Cli("shape", "--params", "1e9", "--tolerance", "1e-7", "--head-dims", "512", "--max-layers", "8");
        Assert.Equal(1, none);
        Assert.Contains("no shape within", noneText);
        var custom = Json(Cli("shape", "--params", "1e9", "--head-dims", "64", "--min-layers", "10", "--max-layers", "20", "--json").Out);
        Assert.All(custom.GetProperty("candidates").EnumerateArray(), c =>
        {
            Assert.Equal(64, c.GetProperty("d_head").GetInt32());
            Assert.InRange(c.GetProperty("n_layers").GetInt32(), 10, 20);
        });
    }

    [Fact]
    public void Json_does_not_depend_on_the_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            string[][] commands =
            {
                new[] { "plan", "--flops", "3.5e20", "--json" },
                new[] { "transfer", "--params", "1.5e9", "--finetune-tokens", "2.5e6", "--json" },
                new[] { "shape", "--params", "2.5e8", "--json" },
                new[] { "shape", "--params", "2.5e8" },
            };
            foreach (var args in commands)
            {
                CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
                var invariant = Cli(args).Out;
                foreach (var name in new[] { "de-DE", "tr-TR", "ar-SA" })
                {
                    CultureInfo.CurrentCulture = new CultureInfo(name);
                    Assert.Equal(invariant, Cli(args).Out);
                }
            }
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Theory]
    [InlineData("--params", new[] { "transfer", "--finetune-tokens", "1e7" }, "Option '--params' is required")]
    [InlineData("--finetune-tokens", new[] { "transfer", "--params", "1e9" }, "Option '--finetune-tokens' is required")]
    [InlineData("--params", new[] { "transfer", "--params", "0", "--finetune-tokens", "1e7" }, "--params must be a positive finite number (got '0')")]
    [InlineData("--finetune-tokens", new[] { "transfer", "--params", "1e9", "--finetune-tokens", "-5" }, "--finetune-tokens must be a positive finite number")]
    [InlineData("--fit", new[] { "transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--fit", "image-text" }, "--fit must be 'text-python' or 'text-code-python' (got 'image-text')")]
    [InlineData("--beta", new[] { "transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--k", "1e4", "--alpha", "0.2" }, "--beta is missing: user constants need all of --k, --alpha and --beta")]
    [InlineData("--fit", new[] { "transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--fit", "text-python", "--k", "1e4", "--alpha", "0.2", "--beta", "0.3" }, "--fit cannot be combined with --k/--alpha/--beta")]
    [InlineData("--alpha", new[] { "transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--k", "1e4", "--alpha", "1.5", "--beta", "0.3" }, "--alpha: Alpha must be a finite number below 1 (got 1.5)")]
    [InlineData("--chars-per-token", new[] { "transfer", "--params", "1e9", "--finetune-tokens", "1e7", "--chars-per-token", "0" }, "--chars-per-token must be a positive finite number")]
    [InlineData("--params", new[] { "shape", "--params", "1e3" }, "--params: A budget of 1000 non-embedding parameters is too small for 2 layer(s) of width 64")]
    [InlineData("--params", new[] { "shape", "--params", "-1" }, "--params must be a positive finite number")]
    [InlineData("--head-dims", new[] { "shape", "--params", "1e9", "--head-dims", "64,x" }, "--head-dims must be a comma-separated list of integers >= 1 (got '64,x')")]
    [InlineData("--min-layers", new[] { "shape", "--params", "1e9", "--min-layers", "0" }, "--min-layers must be an integer >= 1 (got '0')")]
    [InlineData("--max-layers", new[] { "shape", "--params", "1e9", "--min-layers", "10", "--max-layers", "5" }, "--max-layers: MaxLayers must be at least MinLayers (10)")]
    [InlineData("--tolerance", new[] { "shape", "--params", "1e9", "--tolerance", "2" }, "--tolerance: Tolerance must be in (0, 1) (got 2)")]
    public void Invalid_inputs_exit_2_naming_the_option_with_usage(string option, string[] args, string message)
    {
        var (code, text, err) = Cli(args);
        Assert.Equal(MupGenCli.UsageError, code);
        Assert.Equal("", text);
        Assert.StartsWith("mupgen: ", err);
        Assert.Contains(message, err);
        Assert.Contains(option, err);
        Assert.Contains("Usage:\n  mupgen " + args[0] + " [options]", err);
    }

    [Fact]
    public void Parse_helpers_name_the_option()
    {
        Assert.Equal("--beta", Assert.Throws<CliUsageException>(() => TransferCommand.Parse(new[] { "--params", "1e9", "--finetune-tokens", "1e7", "--k", "1", "--alpha", "0.1" })).Option);
        var o = TransferCommand.Parse(new[] { "--params", "1e9", "--finetune-tokens", "1e7", "--fit", "text-code-python" });
        Assert.Equal(new TransferOptions(1e9, 1e7, TransferFitName.TextCodePython), o);
        var (budget, shape) = ShapeCommand.Parse(new[] { "--params", "2e9", "--head-dims", "96,64", "--tolerance", "0.02" });
        Assert.Equal(2e9, budget);
        Assert.Equal(new[] { 96, 64 }, shape.HeadDims);
        Assert.Equal(0.02, shape.Tolerance);
        Assert.Equal("--params", Assert.Throws<CliUsageException>(() => TransferCommand.Run(new TransferOptions(double.NaN, 1e7))).Option);
    }
}
