using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// Training-step time of the µP model (generated members, per-parameter AdamW groups, readout multiplier in the
// forward pass) over its SP twin (the same layers written by hand, one AdamW over parameters(), no multiplier),
// measured side by side in one run: rounds alternate A-B / B-A so drift and machine load hit both sides alike.
// Report: the median of the per-round ratios. Target: at most 1.01.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "memory")
    return MemoryBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200);
if (args.Length > 0 && args[0] == "memory-child")
    return MemoryBenchmark.Child(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
torch.set_num_threads(1);
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
const int StepsPerRound = 5, Width = 1024, Features = 256, Classes = 10, Batch = 64;

torch.manual_seed(0);
var x = torch.randn(Batch, Features);
var y = torch.randint(0, Classes, Batch);

var mupModel = new BenchMlp(Width, Features, Classes);
mupModel.MupInitialize();
var mupOpt = mupModel.MupAdamW(1e-3, 0.01);
var spModel = new PlainMlp(Width, Features, Classes);
var spOpt = torch.optim.AdamW(spModel.parameters(), 1e-3, weight_decay: 0.01);

double Time(Module<Tensor, Tensor> model, optim.Optimizer opt)
{
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < StepsPerRound; i++)
    {
        using var scope = torch.NewDisposeScope();
        opt.zero_grad();
        functional.cross_entropy(model.forward(x), y).backward();
        opt.step();
    }
    return sw.Elapsed.TotalMilliseconds / StepsPerRound;
}

for (int i = 0; i < 3; i++) { Time(mupModel, mupOpt); Time(spModel, spOpt); }   // warm-up
var ratios = new List<double>();
var mupTimes = new List<double>();
var spTimes = new List<double>();
for (int r = 0; r < rounds; r++)
{
    double a, b;
    if (r % 2 == 0) { a = Time(mupModel, mupOpt); b = Time(spModel, spOpt); }
    else { b = Time(spModel, spOpt); a = Time(mupModel, mupOpt); }
    mupTimes.Add(a); spTimes.Add(b); ratios.Add(a / b);
}
static double Median(List<double> v) { var s = v.OrderBy(t => t).ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
long parameters = spModel.parameters().Sum(p => p.numel());
Console.WriteLine($"MLP {Features} -> {Width} -> {Width} -> {Classes}, {parameters:N0} parameters, batch {Batch}, AdamW, 1 thread, {rounds} rounds x {StepsPerRound} steps");
Console.WriteLine($"step time  µP {Median(mupTimes):0.00} ms   SP {Median(spTimes):0.00} ms   (medians)");
Console.WriteLine($"µP / SP step-time ratio: median {Median(ratios):0.000}, quartiles {Quartile(ratios, 0.25):0.000}..{Quartile(ratios, 0.75):0.000}");
if (!(Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains("jemalloc"))
    Console.WriteLine("note: glibc malloc; for steadier timings run with LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 (apt-get install libjemalloc2)");
return 0;

static double Quartile(List<double> v, double q) { var s = v.OrderBy(t => t).ToList(); return s[(int)Math.Round(q * (s.Count - 1))]; }

/// <summary>The µP model: generated members, readout multiplier in the forward pass.</summary>
public partial class BenchMlp : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Linear hidden;
    [ReadoutLayer] private readonly Linear readout;

    public BenchMlp([Width(64)] int width, int features, int classes) : base(nameof(BenchMlp))
    {
        input = Linear(features, width);
        hidden = Linear(width, width);
        readout = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
        => readout.forward(functional.relu(hidden.forward(functional.relu(input.forward(x)))) * MupReadoutMultiplier);
}

/// <summary>The SP twin, as a TorchSharp user writes it without MupGen.</summary>
public sealed class PlainMlp : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Linear hidden;
    private readonly Linear readout;

    public PlainMlp(int width, int features, int classes) : base(nameof(PlainMlp))
    {
        input = Linear(features, width);
        hidden = Linear(width, width);
        readout = Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
        => readout.forward(functional.relu(hidden.forward(functional.relu(input.forward(x)))));
}
