using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using MupGen;
using MupGen.Samples.Mlp;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// µP end to end on the MLP of the README: the per-parameter table the generator's facts give, a coordinate check
// with a verdict per layer (µP beside SP), and learning-rate transfer from width 64 to 1024 measured the way the
// reference package's experiments measure it: several seeds, a grid that brackets every width's optimum, and the
// sub-grid optimum (parabola vertex of the seed-averaged losses) per width, each trial trained under the usual
// warmup-then-linear-decay schedule.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
    torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
var total = Stopwatch.StartNew();
bool quick = args.Contains("--quick"), verbose = args.Contains("--verbose");
int steps = IntArg("--steps", quick ? 60 : 150), batchSize = IntArg("--batch", 32), seedCount = IntArg("--seeds", quick ? 2 : 3);
int[] sweepWidths = IntsArg("--widths", quick ? new[] { 64, 256 } : new[] { 64, 256, 1024 });
int gridFrom = IntArg("--from", -8), gridTo = IntArg("--to", -6);

bool zeroReadout = !args.Contains("--no-zero-readout");
var mup = new MupOptions();                                               // µP (the default without [Depth])
var sp = new MupOptions { Parametrization = MupParametrization.Standard }; // the same model, standard parametrization
const int Features = TeacherTask.Features, Classes = TeacherTask.Classes;

// ---------------------------------------------------------------- 1. the per-parameter table
Console.WriteLine("== 1. What the generator inferred, evaluated at width 1024 (base 64) ==");
using (var model = new Mlp(1024))
{
    Console.WriteLine($"{"parameter",-16}{"role",-9}{"shape",-14}{"m_in",6}{"m_out",7}  {"init",-18}{"Adam lr",10}{"SGD lr",9}{"Adam wd",9}");
    foreach (var p in model.MupDescribe(mup))
        Console.WriteLine($"{p.Name,-16}{p.Role,-9}{"[" + string.Join(", ", p.Shape) + "]",-14}{p.WidthMultiplierIn,6:0.##}{p.WidthMultiplierOut,7:0.##}  {p.Init,-18}{"×" + p.AdamLrScale.ToString("0.####"),10}{"×" + p.SgdLrScale.ToString("0.##"),9}{"×" + p.AdamWeightDecayScale.ToString("0.##"),9}");
    Console.WriteLine($"MupReadoutMultiplier = {model.MupReadoutMultiplier} (1/m_in of the readout)");
    // The compiled facts checked against mup's shape method (base width 64, delta width 128), as set_base_shapes reads them.
    MupShapes shapes;
    using (var baseModel = new Mlp(64)) using (var delta = new Mlp(128)) shapes = MupShapes.Of(baseModel, delta);
    var disagreements = model.MupVerify(shapes);
    Console.WriteLine(disagreements.Count == 0
        ? $"MupVerify (mup's shape method, base 64 / delta 128): all {shapes.Parameters.Count} parameters agree with the compiled facts"
        : "MupVerify: " + disagreements.Count + " parameter(s) disagree:\n  " + string.Join("\n  ", disagreements));
}

// The task: a teacher network (TeacherTask.cs): 32 features, 10 classes, labels from a fixed random tanh network,
// a pool of fresh training inputs and a held-out set on which every trained model is scored.
using var task = new TeacherTask();
// ---------------------------------------------------------------- 2. coordinate check
Console.WriteLine();
var coordWatch = Stopwatch.StartNew();
int[] widths = { 64, 128, 256, 512, 1024 };
Console.WriteLine($"== 2. Coordinate check: mean |activation| per layer after t Adam steps (lr 0.01, readout zero-init, 3 seeds), widths {widths[0]}..{widths[^1]} ==");
Console.WriteLine($"   verdict per layer from the least-squares slope of ln mean|activation| against ln width: flat when |slope| <= {MupCoordinateCheck.DefaultFlatThreshold} (16^0.1 = 1.32x over 16x width)");
var (batch, batchY) = task.FixedBatch(64);
var coordRuns = new List<(string Label, IReadOnlyList<MupCoordinate> Coordinates)>();
var coordVerdicts = new Dictionary<string, IReadOnlyList<MupCoordinateSlope>>();
foreach (var (label, options) in new[] { ("µP", mup with { ZeroInitReadout = true }), ("SP", sp with { ZeroInitReadout = true }) })
{
    var coords = MupCoordinateCheck.Run(widths,
        w => { var m = new Mlp(w, Features, Classes); m.MupInitialize(options); return m; },
        m => ((IMupModel)m).MupAdam(0.01, options: options),
        batch, batchY, (out_, t) => functional.cross_entropy(out_, t), steps: 3, seeds: 3);
    var layers = coords.Where(c => c.Layer != "output").ToList();   // "output" repeats the readout's output
    Console.WriteLine($"-- {label}");
    Console.Write(MupCoordinateCheck.Format(layers));
    var verdicts = MupCoordinateCheck.LayerVerdicts(MupCoordinateCheck.Analyze(layers));
    foreach (var v in verdicts)
        Console.WriteLine($"   {label} {v.Layer,-8} {v.Verdict.ToString().ToLowerInvariant(),-9} (steepest step t={v.Step}: slope {v.Slope:+0.000;-0.000}, max/min {v.Ratio:0.00})");
    coordRuns.Add((label, layers));
    coordVerdicts[label] = verdicts;
}
Console.WriteLine("plot: " + Plot("mlp-coord-check.svg", MupPlot.CoordinateCheck(coordRuns, "MLP coordinate check: mean |activation| after t Adam steps (lr 0.01)")));
File.WriteAllText(Path.Combine("artifacts", "mlp-coord-check.json"), MupCoordinateCheck.ToJson(coordRuns));
File.WriteAllText(Path.Combine("artifacts", "mlp-coord-check.csv"), MupCoordinateCheck.ToCsv(coordRuns));
Console.WriteLine($"data: artifacts/mlp-coord-check.json, artifacts/mlp-coord-check.csv ({coordWatch.Elapsed.TotalSeconds:0} s)");

// ---------------------------------------------------------------- 3. learning-rate transfer
Console.WriteLine();
var sweepWatch = Stopwatch.StartNew();
long[] seeds = Enumerable.Range(0, seedCount).Select(i => (long)i).ToArray();
Console.WriteLine($"== 3. LR transfer: held-out loss after {steps} Adam steps of batch {batchSize} (lr warmup over the first {TeacherTask.Warmup:0%}, then linear decay to 0), mean of {seeds.Length} seeds, widths {string.Join(", ", sweepWidths)}, readout zero-init{(zeroReadout ? "" : " off")} ==");
Console.WriteLine($"   grid: log2 lr {gridFrom}..{gridTo} in octaves, widened automatically until every width's best point has a grid point on each side");
var perSeed = new Dictionary<(string Param, int Width, int Log2Lr, long Seed), double>();
var sweeps = new List<MupSweepResult>();
var optionsOf = new Dictionary<string, MupOptions>();
foreach (var (label, options) in new[] { ("µP", mup with { ZeroInitReadout = zeroReadout }), ("SP", sp with { ZeroInitReadout = zeroReadout }) }.Where(p => !args.Contains("--mup-only") || p.Item1 == "µP"))
{
    optionsOf[label] = options;
    var sweep = MupLearningRateSweep.RunBracketed(sweepWidths, gridFrom, gridTo, seeds,
        (w, lr, seed) => perSeed[(label, w, (int)Math.Round(Math.Log2(lr)), seed)] = task.Train(w, lr, seed, options, steps, batchSize), label, "w",
        progress: (w, lr, seed, loss) => { if (verbose) Console.Error.WriteLine($"{label} w={w} log2 lr={Math.Log2(lr):0} seed={seed}: {loss:0.0000} ({sweepWatch.Elapsed.TotalSeconds:0} s)"); });
    Console.Write(sweep.Format());
    sweeps.Add(sweep);
}

Console.WriteLine();
var summary = new List<(string Label, double Shift, double Penalty)>();
foreach (var s in sweeps)
{
    var log2 = s.LearningRates.Select(lr => (int)Math.Round(Math.Log2(lr))).ToArray();
    string grid = $"2^{log2[0]}..2^{log2[^1]}";
    Console.WriteLine($"{s.Label}: grid {grid} brackets every width's optimum (best point has a grid point on each side): {(s.Bracketed ? "yes" : "NO")}");
    Console.WriteLine($"{s.Label}: vertex log2 lr " + string.Join(", ", s.Sizes.Select((w, i) => $"{s.Vertices[i].Log2LearningRate:0.00} (w={w})"))
        + $"; argmin " + string.Join(", ", s.BestLearningRates.Select(lr => Math.Log2(lr).ToString("0"))));
    // The same estimate per seed: how much of the shift is noise.
    var seedShifts = seeds.Select(seed => new MupSweepResult(s.Label, "w", s.Sizes, s.LearningRates,
        s.Sizes.Select(w => log2.Select(k => perSeed[(s.Label, w, k, seed)]))).VertexShift).ToArray();
    Console.WriteLine($"{s.Label}: vertex shift {s.VertexShift:+0.00;-0.00} octave from width {s.Sizes[0]} to {s.Sizes[^1]} ({s.Sizes[^1] / s.Sizes[0]}x); "
        + $"per seed " + string.Join(", ", seedShifts.Select(v => v.ToString("+0.00;-0.00"))));
    // Transfer in one number: train the widest model at the narrowest one's vertex lr, against its own best.
    double baseLr = Math.Pow(2, s.Vertices[0].Log2LearningRate), ownLr = Math.Pow(2, s.Vertices[^1].Log2LearningRate);
    int wide = s.Sizes[^1];
    string param = s.Label;
    var options = optionsOf[param];
    double transferred = seeds.Average(seed => task.Train(wide, baseLr, seed, options, steps, batchSize));
    double own = Math.Min(s.BestLosses[^1], seeds.Average(seed => task.Train(wide, ownLr, seed, options, steps, batchSize)));
    double penalty = transferred / own - 1;
    Console.WriteLine($"{s.Label}: width {wide} trained at width {s.Sizes[0]}'s optimum 2^{s.Vertices[0].Log2LearningRate:0.00}: loss {transferred:0.0000}, "
        + $"{100 * penalty:0.0}% above its own optimum {own:0.0000} (transfer penalty)");
    summary.Add((s.Label, s.VertexShift, penalty));
}
Console.WriteLine();
var m = summary[0];
var spSummary = summary[^1];
Console.WriteLine($"Over {sweepWidths[^1] / sweepWidths[0]}x width the optimal learning rate moved {m.Shift:+0.00;-0.00} octave under µP and {spSummary.Shift:+0.00;-0.00} under SP; "
    + $"tuning at width {sweepWidths[0]} costs {100 * m.Penalty:0.0}% at width {sweepWidths[^1]} under µP and {100 * spSummary.Penalty:0.0}% under SP.");
Console.WriteLine($"µP: wider is {(sweeps[0].WiderIsBetter ? "better" : "NOT better")} at every width (best loss " + string.Join(" -> ", sweeps[0].BestLosses.Select(l => l.ToString("0.0000"))) + ").");
bool coordOk = coordVerdicts["µP"].All(v => v.Verdict == MupCoordinateVerdict.Flat);
bool bracketed = sweeps.All(s => s.Bracketed);
bool withinTarget = Math.Abs(m.Shift) <= 0.25;
bool spClearlyLarger = summary.Count < 2 || Math.Abs(spSummary.Shift) >= Math.Max(1, 4 * Math.Abs(m.Shift));
// Exit 1 unless transfer is shown: every µP layer flat, every optimum bracketed, the µP vertex within ±0.25 octave
// (the target over 16x width) and SP's at least an octave and four times as far off (when SP is swept).
bool transferOk = bracketed && withinTarget && spClearlyLarger;
Console.WriteLine($"verdict: coordinate check {(coordOk ? "flat" : "NOT flat")} under µP; optima {(bracketed ? "bracketed" : "NOT bracketed")}; "
    + $"µP vertex shift {m.Shift:+0.00;-0.00} octave: {(withinTarget ? "within" : "outside")} the ±0.25 target"
    + (summary.Count > 1 ? $", {Math.Abs(spSummary.Shift) / Math.Max(Math.Abs(m.Shift), 1e-9):0}x smaller than SP's (SP {(spClearlyLarger ? "clearly" : "NOT clearly")} worse: at least 1 octave and 4x µP's required)" : ""));
Console.WriteLine("plot: " + Plot("mlp-lr-transfer.svg", MupPlot.LearningRateTransfer(sweeps, $"MLP learning-rate transfer: held-out loss after {steps} Adam steps, {seeds.Length} seeds, widths {sweepWidths[0]}..{sweepWidths[^1]}")));
Console.WriteLine($"time: coordinate check {coordWatch.Elapsed.TotalSeconds - sweepWatch.Elapsed.TotalSeconds:0} s, sweep {sweepWatch.Elapsed.TotalSeconds:0} s, total {total.Elapsed.TotalSeconds:0} s on {torch.get_num_threads()} thread(s)");
return coordOk && transferOk ? 0 : 1;

// Writes a plot under ./artifacts and returns its path relative to the current directory.
static string Plot(string name, string svg) => Path.GetRelativePath(Environment.CurrentDirectory, MupPlot.Save(Path.Combine("artifacts", name), svg));

int IntArg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

int[] IntsArg(string name, int[] fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() : fallback;
}
