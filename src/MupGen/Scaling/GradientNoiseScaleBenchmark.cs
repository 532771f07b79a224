using System;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace MupGen.Scaling;

/// <summary>The cost of <see cref="GradientNoiseScaleHook"/> in a gradient-accumulation loop.</summary>
/// <param name="BaselineMillisecondsPerStep">Time per optimizer step without the hook (best of the repeats).</param>
/// <param name="HookMillisecondsPerStep">Time per optimizer step with the hook (best of the repeats).</param>
/// <param name="Parameters">Parameters of the benchmarked model.</param>
/// <param name="Description">The configuration, for printing.</param>
public sealed record GradientNoiseScaleOverhead(double BaselineMillisecondsPerStep, double HookMillisecondsPerStep, long Parameters, string Description)
{
    /// <summary>Hook time over baseline time (1.05 means 5% overhead).</summary>
    public double Ratio => HookMillisecondsPerStep / BaselineMillisecondsPerStep;
}

/// <summary>Measures the overhead of <see cref="GradientNoiseScaleHook"/> on an MLP trained with gradient accumulation
/// and SGD. Needs a libtorch native bundle (TorchSharp-cpu or -cuda) in the calling application.</summary>
public static class GradientNoiseScaleBenchmark
{
    /// <summary>Runs the benchmark on the CPU: alternates runs without and with the hook and keeps the best time of each.</summary>
    /// <param name="width">Hidden width of the MLP.</param>
    /// <param name="depth">Number of hidden width×width layers.</param>
    /// <param name="microBatchSize">Examples per micro-batch.</param>
    /// <param name="microBatches">Micro-batches per optimizer step (at least 2).</param>
    /// <param name="steps">Timed optimizer steps per run.</param>
    /// <param name="repeats">Runs of each variant.</param>
    public static GradientNoiseScaleOverhead Run(int width = 512, int depth = 4, int microBatchSize = 32, int microBatches = 4, int steps = 10, int repeats = 9)
    {
        ScalingGuard.Positive(width, nameof(width));
        ScalingGuard.Positive(depth, nameof(depth));
        ScalingGuard.Positive(microBatchSize, nameof(microBatchSize));
        if (microBatches < 2) throw new ArgumentOutOfRangeException(nameof(microBatches), microBatches, "microBatches must be at least 2.");
        ScalingGuard.Positive(steps, nameof(steps));
        ScalingGuard.Positive(repeats, nameof(repeats));

        torch.manual_seed(0);
        var layers = new System.Collections.Generic.List<nn.Module<Tensor, Tensor>> { nn.Linear(64, width), nn.ReLU() };
        for (int i = 0; i < depth; i++) { layers.Add(nn.Linear(width, width)); layers.Add(nn.ReLU()); }
        layers.Add(nn.Linear(width, 10));
        using var model = nn.Sequential(layers.ToArray());
        using var optimizer = optim.SGD(model.parameters(), 1e-3);
        using var x = torch.randn(microBatches, microBatchSize, 64);
        using var y = torch.randn(microBatches, microBatchSize, 10);
        long parameterCount = 0;
        foreach (var p in model.parameters()) parameterCount += p.numel();

        double Time(GradientNoiseScaleHook? hook)
        {
            void Step()
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                for (int m = 0; m < microBatches; m++)
                {
                    var loss = nn.functional.mse_loss(model.call(x[m]), y[m]) / microBatches;
                    loss.backward();
                    hook?.AfterMicroBatchBackward();
                }
                hook?.EndStep(microBatchSize);
                optimizer.step();
            }
            Step(); Step(); // warm-up (allocations, the hook's gradient copy)
            var watch = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) Step();
            return watch.Elapsed.TotalMilliseconds / steps;
        }

        double baseline = double.PositiveInfinity, withHook = double.PositiveInfinity;
        using (var hook = new GradientNoiseScaleHook(model.parameters()))
        {
            for (int r = 0; r < repeats; r++)
            {
                baseline = Math.Min(baseline, Time(null));
                withHook = Math.Min(withHook, Time(hook));
            }
        }
        string description = FormattableString.Invariant(
            $"MLP 64-{width}x{depth}-10 ({parameterCount} parameters), {microBatches} micro-batches of {microBatchSize}, SGD, CPU, {torch.get_num_threads()} thread(s)");
        return new GradientNoiseScaleOverhead(baseline, withHook, parameterCount, description);
    }
}
