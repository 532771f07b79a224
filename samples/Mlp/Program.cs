using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MupGen;
using MupGen.Samples.Mlp;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// µP end to end on the MLP of API.md: the per-parameter table the generator's facts give, a coordinate check
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
foreach (var (label, options) in new[] { ("µP", mup with { ZeroInitReadout = true }), ("SP", sp with { ZeroInitReadout = true }) })
{
    var coords = MupCoordinateCheck.Run(widths,
        w => { var m = new Mlp(w, Features, Classes); m.MupInitialize(options); return m; },
        m => ((IMupModel)m).MupAdam(0.01, options: options),
        batch, batchY, (out_, t) => functional.cross_entropy(out_, t), steps: 3);
    Console.WriteLine($"-- {label}");
    Console.Write(MupCoordinateCheck.Format(coords.Where(c => c.Layer != "output").ToList()));
    Console.WriteLine($"   readout growth 256 -> 1024 after 3 steps: {MupCoordinateCheck.Growth(coords, "readout", 3, 256, 1024):0.00}x");
}

// ---------------------------------------------------------------- 3. learning-rate transfer
Console.WriteLine();
int steps = quick ? 30 : 100;
int[] sweepWidths = quick ? new[] { 64, 256 } : new[] { 64, 256, 1024 };
var lrs = Enumerable.Range(0, quick ? 5 : 9).Select(i => Math.Pow(2, -12 + i)).ToArray();
Console.WriteLine($"== 3. LR transfer: training loss after {steps} Adam steps (batch 128), log2 lr {Math.Log2(lrs[0])}..{Math.Log2(lrs[^1])} ==");
var best = new Dictionary<(string, int), (double Lr, double Loss)>();
var table = new Dictionary<(string, int), double[]>();
foreach (var (label, options) in new[] { ("µP", mup), ("SP", sp) })
{
    Console.WriteLine($"-- {label}      " + string.Join("", lrs.Select(lr => $"{Math.Log2(lr),7:0} ")));
    foreach (int w in sweepWidths)
    {
        var losses = lrs.Select(lr => Train(w, lr, options)).ToArray();
        int argmin = Array.IndexOf(losses, losses.Min());
        best[(label, w)] = (lrs[argmin], losses[argmin]);
        table[(label, w)] = losses;
        Console.WriteLine($"   w={w,-5}" + string.Join("", losses.Select((l, i) => l.ToString("0.000").PadLeft(7) + (i == argmin ? "*" : " "))));
    }
}
Console.WriteLine();
var shifts = new Dictionary<string, double>();
foreach (var label in new[] { "µP", "SP" })
{
    shifts[label] = Math.Log2(best[(label, sweepWidths[^1])].Lr) - Math.Log2(best[(label, sweepWidths[0])].Lr);
    Console.WriteLine($"{label}: best log2 lr " + string.Join(" -> ", sweepWidths.Select(w => Math.Log2(best[(label, w)].Lr).ToString("0")))
        + $" (shift {shifts[label]:+0;-0;0} from width {sweepWidths[0]} to {sweepWidths[^1]}); best loss "
        + string.Join(" -> ", sweepWidths.Select(w => best[(label, w)].Loss.ToString("0.000"))));
}
foreach (var label in new[] { "µP", "SP" })
{
    // Transfer in one number: train the widest model with the learning rate tuned on the narrowest.
    int proxy = Array.IndexOf(lrs, best[(label, sweepWidths[0])].Lr);
    double transferred = table[(label, sweepWidths[^1])][proxy], optimum = best[(label, sweepWidths[^1])].Loss;
    Console.WriteLine($"{label}: width {sweepWidths[^1]} trained with width {sweepWidths[0]}'s best lr: loss {transferred:0.000}, {100 * (transferred / optimum - 1):0.0}% above its own optimum {optimum:0.000}");
}
bool widerIsBetter = sweepWidths.Zip(sweepWidths.Skip(1)).All(p => best[("µP", p.Second)].Loss < best[("µP", p.First)].Loss);
Console.WriteLine($"The best learning rate moved {Math.Abs(shifts["µP"]):0} grid step(s) under µP and {Math.Abs(shifts["SP"]):0} under SP "
    + $"(one step = 2x); under µP wider is {(widerIsBetter ? "better" : "NOT better")} at every width.");

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
