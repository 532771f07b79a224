using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MupGen;
using MupGen.Samples.Gpt;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// A small GPT under µP (width) and CompleteP (depth), on a character-level corpus generated in-process:
// 1. the per-parameter table at width 256, depth 8 against the width-64, depth-2 base;
// 2. a depth coordinate check: the residual stream's size after a few AdamW steps, depth 2 to 16;
// 3. width transfer (TP5 Figure 1 is a Transformer): µP beside SP over 16x width (16 to 256) at depth 2;
// 4. depth transfer: CompleteP beside SP over 4x depth (4 to 16 blocks) at width 32.
// Both sweeps: several seeds, a log2 lr grid widened until every size's optimum is bracketed, the sub-grid optimum
// (parabola vertex of the seed-averaged losses) per size, its shift in octaves, and the transfer penalty measured by training the largest size
// at the smallest size's vertex learning rate.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
    torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
bool quick = args.Contains("--quick");
bool tied = args.Contains("--tied");
var total = System.Diagnostics.Stopwatch.StartNew();
const int Context = CharTask.Context, Batch = CharTask.Batch;
int steps = IntArg("--steps", quick ? 20 : 60), seedCount = IntArg("--seeds", quick ? 1 : 3);
int[] sweepWidths = IntsArg("--widths", quick ? new[] { 16, 64 } : new[] { 16, 64, 256 });
int[] sweepDepths = IntsArg("--depths", quick ? new[] { 4, 8 } : new[] { 4, 8, 16 });
int depthPanelWidth = IntArg("--depth-width", 32);

using var task = new CharTask();
Console.WriteLine($"corpus: {task.Characters:N0} characters, vocabulary {task.Vocabulary}, context {Context}, batch {Batch}, {(tied ? "tied" : "untied")} readout");
(Tensor X, Tensor Y) GetBatch(long step, long salt) => task.GetBatch(step, salt);
Tensor Loss(Tensor logits, Tensor y) => task.Loss(logits, y);

var completeP = new MupOptions();                                               // CompleteP: the default with [Depth]
var sp = new MupOptions { Parametrization = MupParametrization.Standard };

// ---------------------------------------------------------------- 1. the per-parameter table
Console.WriteLine();
Console.WriteLine("== 1. Width 256, depth 8 against base width 64, depth 2 (CompleteP, alpha = 1) ==");
using (var model = new Gpt(256, 8, task.Vocabulary, Context, tied: tied))
{
    model.MupInitialize(completeP);
    Console.WriteLine($"{"parameter",-26}{"role",-9}{"shape",-12}{"m_in",6}{"m_L",5}  {"init",-22}{"Adam lr",9}{"wd",7}{"eps",9}");
    foreach (var p in model.MupDescribe().Where(p => !p.Name.StartsWith("blocks.", StringComparison.Ordinal) || p.Name.StartsWith("blocks.0.", StringComparison.Ordinal)))
        Console.WriteLine($"{p.Name,-26}{p.Role,-9}{"[" + string.Join(",", p.Shape) + "]",-12}{p.WidthMultiplierIn,6:0.##}{p.DepthMultiplier,5:0.##}  {p.Init,-22}{"×" + p.AdamLrScale.ToString("0.####"),9}{"×" + p.AdamWeightDecayScale.ToString("0.##"),7}{"×" + p.AdamEpsScale.ToString("0.####"),9}");
    Console.WriteLine("(blocks.1 to blocks.7 repeat blocks.0)");
    Console.WriteLine($"MupResidualMultiplier {model.MupResidualMultiplier:0.###} (1/m_L), MupReadoutMultiplier {model.MupReadoutMultiplier:0.###} (1/m_N), "
        + $"MupAttentionScale(64) {model.MupAttentionScale(64):0.####} (sqrt(16)/64; SP 1/sqrt(64) = 0.125)");
    // The compiled facts checked against mup's shape method (width 64 against 128, both at the model's depth).
    MupShapes shapes;
    using (var baseModel = new Gpt(64, 8, task.Vocabulary, Context, tied: tied)) using (var delta = new Gpt(128, 8, task.Vocabulary, Context, tied: tied))
        shapes = MupShapes.Of(baseModel, delta);
    var disagreements = model.MupVerify(shapes);
    Console.WriteLine(disagreements.Count == 0
        ? $"MupVerify (mup's shape method, base width 64 / delta 128): all {shapes.Parameters.Count} parameters agree with the compiled facts"
        : "MupVerify: " + disagreements.Count + " parameter(s) disagree:\n  " + string.Join("\n  ", disagreements));
}

// ---------------------------------------------------------------- 2. depth coordinate check
Console.WriteLine();
int[] depths = quick ? new[] { 2, 8 } : new[] { 2, 4, 8, 16 };
const int CoordSteps = 4;
Console.WriteLine($"== 2. Residual stream mean |x| (input of the final norm) after t AdamW steps (lr 0.01), width 64, depth {depths[0]}..{depths[^1]} ==");
foreach (var (label, options) in new[] { ("CompleteP", completeP), ("SP", sp) })
{
    var rows = new Dictionary<int, double[]>();
    foreach (int depth in depths)
    {
        torch.manual_seed(0);
        using var model = new Gpt(64, depth, task.Vocabulary, Context, tied: tied);
        model.MupInitialize(options);
        using var opt = model.MupAdamW(0.01, 0.0, options: options);
        double last = 0;
        var remove = model.FinalNorm.register_forward_hook((m, input, output) => { last = input.abs().mean().ToDouble(); return output; });
        var values = new double[CoordSteps];
        var (x, y) = GetBatch(0, 1);
        for (int t = 0; t <= CoordSteps; t++)
        {
            using var scope = torch.NewDisposeScope();
            var logits = model.forward(x);
            if (t > 0) values[t - 1] = last;
            if (t == CoordSteps) break;
            opt.zero_grad();
            Loss(logits, y).backward();
            opt.step();
        }
        remove.remove();
        rows[depth] = values;
    }
    Console.WriteLine($"-- {label,-10}" + string.Join("", depths.Select(d => $"{"L=" + d,9}")) + "   max/min");
    for (int t = 0; t < CoordSteps; t++)
    {
        var v = depths.Select(d => rows[d][t]).ToArray();
        Console.WriteLine($"   step {t + 1,-6}" + string.Join("", v.Select(a => a.ToString("0.000").PadLeft(9))) + $"{v.Max() / v.Min(),9:0.00}");
    }
}

// ---------------------------------------------------------------- 3. width and 4. depth transfer of the learning rate
long[] seeds = Enumerable.Range(0, seedCount).Select(i => (long)i).ToArray();
var mupW = new MupOptions { Parametrization = MupParametrization.Mup };
Console.WriteLine();
Console.WriteLine($"== 3. Width transfer: held-out loss after {steps} AdamW steps (lr warmup over the first {CharTask.Warmup:0%}, then linear decay to 0) at depth 2, 4 heads, mean of {seeds.Length} seeds, widths {string.Join(", ", sweepWidths)} ==");
var widthSweeps = Panel(new[] { ("µP", mupW), ("SP", sp) }, sweepWidths, "w", "width", (w, lr, seed, o) => task.Train(w, 2, lr, seed, o, steps, tied));
string widthPlot = Plot("gpt-width-transfer.svg", MupPlot.LearningRateTransfer(widthSweeps.Select(p => p.Sweep).ToList(),
    $"GPT width transfer: loss after {steps} AdamW steps at depth 2, {seeds.Length} seeds, widths {sweepWidths[0]}..{sweepWidths[^1]}"));
Console.WriteLine("plot: " + widthPlot);

Console.WriteLine();
Console.WriteLine($"== 4. Depth transfer: held-out loss after {steps} AdamW steps (the same schedule) at width {depthPanelWidth}, mean of {seeds.Length} seeds, depths {string.Join(", ", sweepDepths)} ==");
var depthSweeps = Panel(new[] { ("CompleteP", completeP), ("SP", sp) }, sweepDepths, "L", "depth", (d, lr, seed, o) => task.Train(depthPanelWidth, d, lr, seed, o, steps, tied));
string depthPlot = Plot("gpt-depth-transfer.svg", MupPlot.LearningRateTransfer(depthSweeps.Select(p => p.Sweep).ToList(),
    $"GPT depth transfer: loss after {steps} AdamW steps at width {depthPanelWidth}, {seeds.Length} seeds, depths {sweepDepths[0]}..{sweepDepths[^1]}"));
Console.WriteLine("plot: " + depthPlot);

Console.WriteLine();
foreach (var (name, panel) in new[] { ("width", widthSweeps), ("depth", depthSweeps) })
    Console.WriteLine($"Over {panel[0].Sweep.Sizes[^1] / panel[0].Sweep.Sizes[0]}x {name} the optimal learning rate moved "
        + string.Join(" and ", panel.Select(p => $"{p.Sweep.VertexShift:+0.00;-0.00} octave under {p.Sweep.Label}"))
        + "; tuning at the smallest size costs " + string.Join(" and ", panel.Select(p => $"{100 * p.Penalty:0.0}% under {p.Sweep.Label}")) + " at the largest.");
Console.WriteLine($"time: total {total.Elapsed.TotalSeconds:0} s on {torch.get_num_threads()} thread(s)");

// A transfer panel: per parametrization a bracketed, seed-averaged sweep, its vertices, vertex shift and the transfer
// penalty (the largest size trained at the smallest size's vertex lr, against its own best).
List<(MupSweepResult Sweep, double Penalty)> Panel((string Label, MupOptions Options)[] parametrizations, int[] sizes, string sizeName, string sizeWord,
    Func<int, double, long, MupOptions, double> train)
{
    var result = new List<(MupSweepResult, double)>();
    foreach (var (label, options) in parametrizations)
    {
        var s = MupLearningRateSweep.RunBracketed(sizes, -8, -5, seeds, (size, lr, seed) => train(size, lr, seed, options), label, sizeName);
        Console.Write(s.Format());
        Console.WriteLine($"{label}: grid 2^{Math.Log2(s.LearningRates[0]):0}..2^{Math.Log2(s.LearningRates[^1]):0} brackets every {sizeWord}'s optimum: {(s.Bracketed ? "yes" : "NO")}; vertex log2 lr "
            + string.Join(", ", s.Sizes.Select((n, i) => $"{s.Vertices[i].Log2LearningRate:0.00} ({sizeName}={n})")));
        double transferred = seeds.Average(seed => train(s.Sizes[^1], Math.Pow(2, s.Vertices[0].Log2LearningRate), seed, options));
        double own = Math.Min(s.BestLosses[^1], seeds.Average(seed => train(s.Sizes[^1], Math.Pow(2, s.Vertices[^1].Log2LearningRate), seed, options)));
        double penalty = transferred / own - 1;
        Console.WriteLine($"{label}: vertex shift {s.VertexShift:+0.00;-0.00} octave from {sizeWord} {s.Sizes[0]} to {s.Sizes[^1]}; {sizeWord} {s.Sizes[^1]} at {sizeWord} {s.Sizes[0]}'s optimum: "
            + $"loss {transferred:0.0000}, {100 * penalty:0.0}% above its own optimum {own:0.0000}");
        result.Add((s, penalty));
    }
    return result;
}

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
