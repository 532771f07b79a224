using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MupGen.Cli;

/// <summary><c>mupgen coord-check</c>: the coordinate check of the MLP or GPT sample under µP beside SP, with a
/// verdict per layer from the log-log slope of mean |activation| against width; writes DIR/coord-check.json, .csv and
/// .svg; exits 1 when a µP layer is not flat.</summary>
public static class CoordCheckCommand
{
    /// <summary>Exit code when a µP layer is not flat.</summary>
    public const int NotFlat = 1;

    /// <summary>The <c>coord-check</c> command, ready to add to the root command.</summary>
    public static Command Create() => new Symbols().Command;

    private sealed class Symbols
    {
        public readonly Option<string?> Model = CliLists.Model();
        public readonly Option<IReadOnlyList<int>?> Widths = CliLists.IntList("--widths", "LIST",
            "Comma-separated widths, e.g. 64,128,256,512,1024 (the default; --quick: 64,128,256).", minimum: 1, minimumCount: 2);
        public readonly Option<int?> Steps = CliOptions.Integer("--steps", "N", "Optimizer steps t = 1..N (default 3; --quick: 2).");
        public readonly Option<int?> Seeds = CliOptions.Integer("--seeds", "N", "Seeds averaged per coordinate (default 3; --quick: 1).");
        public readonly Option<double?> Lr = CliOptions.PositiveNumber("--lr", "LR", "Adam (MLP) / AdamW (GPT) learning rate (default 0.01).");
        public readonly Option<string?> Out = new("--out") { Description = "Output folder (default coord-check).", HelpName = "DIR" };
        public readonly Option<bool> Quick = CliOptions.Flag("--quick", "Small widths, fewer steps and seeds: a check in seconds.");
        public readonly Command Command;

        public Symbols()
        {
            Command = new Command("coord-check",
                "Coordinate check (mup's coord_check): train each width a few steps and record every layer's mean |activation|; " +
                "per layer and step the least-squares slope of ln mean|activation| against ln width, and a verdict: flat when " +
                "|slope| <= 0.1, growing above, shrinking below -0.1. Runs µP and SP; exits 1 when a µP layer is not flat.")
            {
                Model, Widths, Steps, Seeds, Lr, Out, Quick,
            };
            Command.SetAction(result => Run(result.GetValue(Model)!, result.GetValue(Widths), result.GetValue(Steps), result.GetValue(Seeds),
                result.GetValue(Lr), result.GetValue(Out), result.GetValue(Quick), result.InvocationConfiguration.Output));
        }
    }

    private static int Run(string model, IReadOnlyList<int>? widths, int? steps, int? seeds, double? lr, string? outDir, bool quick, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var w = widths ?? (quick ? new[] { 64, 128, 256 } : new[] { 64, 128, 256, 512, 1024 });
        int t = steps ?? (quick ? 2 : 3), n = seeds ?? (quick ? 1 : 3);
        double rate = lr ?? 0.01;
        string dir = outDir ?? "coord-check";
        output.WriteLine(string.Create(inv, $"coord-check: {model}, widths {string.Join(",", w)}, {t} steps, {n} seed(s), lr {rate}, readout zero-init"));
        var runs = new List<(string Label, IReadOnlyList<MupCoordinate> Coordinates)>();
        foreach (var param in new[] { "mup", "sp" })
            runs.Add((param, CliModels.CoordinateCheck(model, param, w, t, n, rate)));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "coord-check.json"), MupCoordinateCheck.ToJson(runs));
        File.WriteAllText(Path.Combine(dir, "coord-check.csv"), MupCoordinateCheck.ToCsv(runs));
        MupPlot.Save(Path.Combine(dir, "coord-check.svg"), MupPlot.CoordinateCheck(runs, $"{model} coordinate check: mean |activation| after t steps (lr {rate.ToString(inv)})"));
        bool flat = true;
        foreach (var (label, coords) in runs)
            foreach (var v in MupCoordinateCheck.LayerVerdicts(MupCoordinateCheck.Analyze(coords)))
            {
                output.WriteLine(string.Create(inv, $"{label,-4} {v.Layer,-24} {v.Verdict.ToString().ToLowerInvariant(),-9} slope {v.Slope,7:+0.000;-0.000} at t={v.Step} (max/min {v.Ratio:0.00})"));
                if (label == "mup" && v.Verdict != MupCoordinateVerdict.Flat)
                    flat = false;
            }
        output.WriteLine($"wrote {Path.Combine(dir, "coord-check.json")}, coord-check.csv, coord-check.svg");
        output.WriteLine(flat ? "verdict: every µP layer is flat" : "verdict: a µP layer is NOT flat (see above): check its role (MupDescribe) and the optimizer");
        return flat ? MupGenCli.Success : NotFlat;
    }
}
