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
// 3. depth transfer: the best AdamW learning rate at depth 2 and at depth 8, CompleteP beside SP.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
    torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
bool quick = args.Contains("--quick");
bool tied = args.Contains("--tied");
const int Context = 32, Batch = 16;

var text = Corpus.Generate();
var vocab = Corpus.Vocabulary(text);
var index = vocab.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
var data = torch.tensor(text.Select(c => index[c]).ToArray());
Console.WriteLine($"corpus: {text.Length:N0} characters, vocabulary {vocab.Length}, context {Context}, batch {Batch}, {(tied ? "tied" : "untied")} readout");

(Tensor X, Tensor Y) GetBatch(long step, long salt)
{
    var g = new torch.Generator((ulong)(step * 7919 + salt));
    var starts = torch.randint(0, data.shape[0] - Context - 1, new long[] { Batch }, generator: g);
    var x = torch.stack(starts.data<long>().ToArray().Select(s => data.narrow(0, s, Context)).ToArray());
    var y = torch.stack(starts.data<long>().ToArray().Select(s => data.narrow(0, s + 1, Context)).ToArray());
    return (x, y);
}

Tensor Loss(Tensor logits, Tensor y) => functional.cross_entropy(logits.view(-1, vocab.Length), y.view(-1));

var completeP = new MupOptions();                                               // CompleteP: the default with [Depth]
var sp = new MupOptions { Parametrization = MupParametrization.Standard };

// ---------------------------------------------------------------- 1. the per-parameter table
Console.WriteLine();
Console.WriteLine("== 1. Width 256, depth 8 against base width 64, depth 2 (CompleteP, alpha = 1) ==");
using (var model = new Gpt(256, 8, vocab.Length, Context, tied: tied))
{
    model.MupInitialize(completeP);
    Console.WriteLine($"{"parameter",-26}{"role",-9}{"shape",-12}{"m_in",6}{"m_L",5}  {"init",-22}{"Adam lr",9}{"wd",7}{"eps",9}");
    foreach (var p in model.MupDescribe().Where(p => !p.Name.StartsWith("blocks.", StringComparison.Ordinal) || p.Name.StartsWith("blocks.0.", StringComparison.Ordinal)))
        Console.WriteLine($"{p.Name,-26}{p.Role,-9}{"[" + string.Join(",", p.Shape) + "]",-12}{p.WidthMultiplierIn,6:0.##}{p.DepthMultiplier,5:0.##}  {p.Init,-22}{"×" + p.AdamLrScale.ToString("0.####"),9}{"×" + p.AdamWeightDecayScale.ToString("0.##"),7}{"×" + p.AdamEpsScale.ToString("0.####"),9}");
    Console.WriteLine("(blocks.1 to blocks.7 repeat blocks.0)");
    Console.WriteLine($"MupResidualMultiplier {model.MupResidualMultiplier:0.###} (1/m_L), MupReadoutMultiplier {model.MupReadoutMultiplier:0.###} (1/m_N), "
        + $"MupAttentionScale(64) {model.MupAttentionScale(64):0.####} (sqrt(16)/64; SP 1/sqrt(64) = 0.125)");
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
        using var model = new Gpt(64, depth, vocab.Length, Context, tied: tied);
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

// ---------------------------------------------------------------- 3. depth transfer of the learning rate
Console.WriteLine();
int steps = quick ? 30 : 80;
int[] sweepDepths = quick ? new[] { 2, 4 } : new[] { 2, 8 };
var lrs = Enumerable.Range(0, quick ? 3 : 5).Select(i => Math.Pow(2, -9 + i)).ToArray();
Console.WriteLine($"== 3. Depth transfer: loss after {steps} AdamW steps at width 64, log2 lr {Math.Log2(lrs[0])}..{Math.Log2(lrs[^1])} ==");
var (evalX, evalY) = GetBatch(1_000_000, 99);
var sweeps = new List<MupSweepResult>();
foreach (var (label, options) in new[] { ("CompleteP", completeP), ("SP", sp) })
{
    var sweep = MupLearningRateSweep.Run(sweepDepths, lrs, (depth, lr) => Train(64, depth, lr, options), label, "L");
    Console.Write(sweep.Format());
    sweeps.Add(sweep);
}
foreach (var s in sweeps)
{
    // Transfer in one number: train the deepest model with the learning rate tuned on the shallowest.
    Console.WriteLine($"{s.Label}: depth {s.Sizes[^1]} trained with depth {s.Sizes[0]}'s best lr: loss {s.TransferredLoss:0.000}, {100 * s.TransferPenalty:0.0}% above its own optimum {s.BestLosses[^1]:0.000}");
    Console.WriteLine($"{s.Label}: best log2 lr {Math.Log2(s.BestLearningRates[0]):0} at depth {s.Sizes[0]}, {Math.Log2(s.BestLearningRates[^1]):0} at depth {s.Sizes[^1]} (shift {s.Shift:+0;-0;0}); best loss {s.BestLosses[0]:0.000} -> {s.BestLosses[^1]:0.000}");
}
string plot = MupPlot.Save(Path.Combine("artifacts", "gpt-depth-transfer.svg"),
    MupPlot.LearningRateTransfer(sweeps, $"GPT depth transfer: loss after {steps} AdamW steps at width 64, depths {sweepDepths[0]}..{sweepDepths[^1]}"));
Console.WriteLine("plot: " + Path.GetRelativePath(Environment.CurrentDirectory, plot));

double Train(int width, int depth, double lr, MupOptions options)
{
    torch.manual_seed(0);
    using var model = new Gpt(width, depth, vocab.Length, Context, tied: tied);
    model.MupInitialize(options);
    using var opt = model.MupAdamW(lr, 0.0, options: options);
    for (int s = 0; s < steps; s++)
    {
        using var scope = torch.NewDisposeScope();
        var (x, y) = GetBatch(s, 0);
        opt.zero_grad();
        Loss(model.forward(x), y).backward();
        opt.step();
    }
    using var noGrad = torch.no_grad();
    using var evalScope = torch.NewDisposeScope();
    double loss = Loss(model.forward(evalX), evalY).ToDouble();
    return double.IsFinite(loss) ? loss : double.PositiveInfinity;
}
