using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MupGen;
using MupGen.Samples.Mlp;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// µP end to end on the MLP of docs/API.md: the per-parameter table the generator's facts give, a coordinate check
// (µP beside SP) and an LR-transfer sweep showing the best learning rate stay put under µP as the width grows.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
    torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
bool quick = args.Contains("--quick");

var mup = new MupOptions();                                               // µP (the default without [Depth])
var sp = new MupOptions { Parametrization = MupParametrization.Standard }; // the same model, standard parametrization
const int Features = 32, Classes = 10;

// ---------------------------------------------------------------- 1. the per-parameter table
Console.WriteLine("== 1. What the generator inferred, evaluated at width 1024 (base 64) ==");
using (var model = new Mlp(1024))
{
    Console.WriteLine($"{"parameter",-16}{"role",-9}{"shape",-14}{"m_in",6}{"m_out",7}{"init",-20}{"Adam lr",10}{"SGD lr",9}{"Adam wd",9}");
    foreach (var p in model.MupDescribe(mup))
        Console.WriteLine($"{p.Name,-16}{p.Role,-9}{"[" + string.Join(", ", p.Shape) + "]",-14}{p.WidthMultiplierIn,6:0.##}{p.WidthMultiplierOut,7:0.##}  {p.Init,-18}{"×" + p.AdamLrScale.ToString("0.####"),10}{"×" + p.SgdLrScale.ToString("0.##"),9}{"×" + p.AdamWeightDecayScale.ToString("0.##"),9}");
    Console.WriteLine($"MupReadoutMultiplier = {model.MupReadoutMultiplier} (1/m_in of the readout)");
}

// A fixed task: 32 features, 10 classes, labels from a random teacher network, 20% of them replaced by noise so
// the loss cannot collapse to zero and the learning rate matters.
const int Samples = 4096;
torch.manual_seed(1234);
var x = torch.randn(Samples, Features);
var teacher = torch.randn(Features, 64);
var y = torch.matmul(torch.tanh(torch.matmul(x, teacher)), torch.randn(64, Classes)).argmax(1);
var noisy = torch.rand(Samples) < 0.2;
y = torch.where(noisy, torch.randint(0, Classes, Samples), y);

// ---------------------------------------------------------------- 2. coordinate check
Console.WriteLine();
Console.WriteLine("== 2. Coordinate check: mean |activation| per layer after t Adam steps (lr 0.01, readout zero-init), widths 64..1024 ==");
int[] widths = { 64, 128, 256, 512, 1024 };
var batch = x.narrow(0, 0, 64);
var batchY = y.narrow(0, 0, 64);
var coordRuns = new List<(string Label, IReadOnlyList<MupCoordinate> Coordinates)>();
foreach (var (label, options) in new[] { ("µP", mup with { ZeroInitReadout = true }), ("SP", sp with { ZeroInitReadout = true }) })
{
    var coords = MupCoordinateCheck.Run(widths,
        w => { var m = new Mlp(w, Features, Classes); m.MupInitialize(options); return m; },
        m => ((IMupModel)m).MupAdam(0.01, options: options),
        batch, batchY, (out_, t) => functional.cross_entropy(out_, t), steps: 3);
    Console.WriteLine($"-- {label}");
    var layers = coords.Where(c => c.Layer != "output").ToList();   // "output" repeats the readout's output
    Console.Write(MupCoordinateCheck.Format(layers));
    Console.WriteLine($"   readout growth 256 -> 1024 after 3 steps: {MupCoordinateCheck.Growth(coords, "readout", 3, 256, 1024):0.00}x");
    coordRuns.Add((label, layers));
}
Console.WriteLine("plot: " + Plot("mlp-coord-check.svg", MupPlot.CoordinateCheck(coordRuns, "MLP coordinate check: mean |activation| after t Adam steps (lr 0.01)")));

// ---------------------------------------------------------------- 3. learning-rate transfer
Console.WriteLine();
int steps = quick ? 30 : 100;
int[] sweepWidths = quick ? new[] { 64, 256 } : new[] { 64, 256, 1024 };
var lrs = Enumerable.Range(0, quick ? 5 : 9).Select(i => Math.Pow(2, -12 + i)).ToArray();
Console.WriteLine($"== 3. LR transfer: training loss after {steps} Adam steps (batch 128), log2 lr {Math.Log2(lrs[0])}..{Math.Log2(lrs[^1])} ==");
var sweeps = new List<MupSweepResult>();
foreach (var (label, options) in new[] { ("µP", mup), ("SP", sp) })
{
    var sweep = MupLearningRateSweep.Run(sweepWidths, lrs, (w, lr) => Train(w, lr, options), label, "w");
    Console.Write(sweep.Format());
    sweeps.Add(sweep);
}
Console.WriteLine();
foreach (var s in sweeps)
    Console.WriteLine($"{s.Label}: best log2 lr " + string.Join(" -> ", s.BestLearningRates.Select(lr => Math.Log2(lr).ToString("0")))
        + $" (shift {s.Shift:+0;-0;0} from width {s.Sizes[0]} to {s.Sizes[^1]}); best loss " + string.Join(" -> ", s.BestLosses.Select(l => l.ToString("0.000"))));
// Transfer in one number: train the widest model with the learning rate tuned on the narrowest.
foreach (var s in sweeps)
    Console.WriteLine($"{s.Label}: width {s.Sizes[^1]} trained with width {s.Sizes[0]}'s best lr: loss {s.TransferredLoss:0.000}, {100 * s.TransferPenalty:0.0}% above its own optimum {s.BestLosses[^1]:0.000}");
Console.WriteLine($"The best learning rate moved {Math.Abs(sweeps[0].Shift):0} grid step(s) under µP and {Math.Abs(sweeps[1].Shift):0} under SP "
    + $"(one step = 2x); under µP wider is {(sweeps[0].WiderIsBetter ? "better" : "NOT better")} at every width.");
Console.WriteLine("plot: " + Plot("mlp-lr-transfer.svg", MupPlot.LearningRateTransfer(sweeps, $"MLP learning-rate transfer: loss after {steps} Adam steps, widths {sweepWidths[0]}..{sweepWidths[^1]}")));

// Writes a plot under ./artifacts and returns its path relative to the current directory.
static string Plot(string name, string svg) => Path.GetRelativePath(Environment.CurrentDirectory, MupPlot.Save(Path.Combine("artifacts", name), svg));

double Train(int width, double lr, MupOptions options)
{
    torch.manual_seed(0);
    using var model = new Mlp(width, Features, Classes);
    model.MupInitialize(options);
    using var opt = model.MupAdam(lr, options: options);
    double last = 0;
    for (int s = 0; s < steps; s++)
    {
        using var scope = torch.NewDisposeScope();
        int start = (s * 128) % Samples;
        var xb = x.narrow(0, start, 128);
        var yb = y.narrow(0, start, 128);
        opt.zero_grad();
        var loss = functional.cross_entropy(model.forward(xb), yb);
        loss.backward();
        opt.step();
        last = loss.ToDouble();
    }
    // Final loss on the whole training set.
    using (torch.no_grad())
    using (var scope = torch.NewDisposeScope())
        last = functional.cross_entropy(model.forward(x), y).ToDouble();
    return double.IsFinite(last) ? last : double.PositiveInfinity;
}
