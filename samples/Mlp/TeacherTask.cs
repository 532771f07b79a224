using System;
using System.Linq;
using MupGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Samples.Mlp;

/// <summary>
/// The MLP's task, a teacher network: inputs x ~ N(0, I) in 32 dimensions, labelled by the argmax of a fixed random
/// tanh network 32 → 64 → 10. A pool of 16384 training inputs (each seed reads them in its own order, so a run of at
/// most 16384 / batch steps never sees an input twice) and 2048 held-out inputs on which every trained model is
/// scored. Training is Adam (MupAdam) with the usual schedule: the learning rate warms up linearly over the first
/// 10% of the steps and then decays linearly to 0 (<see cref="LearningRateFactor"/>). Shared by samples/Mlp and <c>mupgen sweep --model mlp</c>, so both give the same numbers.
/// </summary>
public sealed class TeacherTask : IDisposable
{
    /// <summary>Input dimension.</summary>
    public const int Features = 32;
    /// <summary>Number of classes.</summary>
    public const int Classes = 10;
    /// <summary>Training inputs in the pool.</summary>
    public const int Pool = 16384;
    /// <summary>Held-out inputs.</summary>
    public const int Held = 2048;

    private readonly Tensor teacher1, teacher2, poolX, poolY, heldX, heldY;

    /// <summary>Builds the task; the same on every machine (its own generator, seed 1234).</summary>
    public TeacherTask()
    {
        var gen = new torch.Generator(1234);
        teacher1 = torch.randn(new long[] { Features, 64 }, generator: gen) / Math.Sqrt(Features);
        teacher2 = torch.randn(new long[] { 64, Classes }, generator: gen);
        poolX = torch.randn(new long[] { Pool, Features }, generator: gen);
        poolY = Label(poolX);
        heldX = torch.randn(new long[] { Held, Features }, generator: gen);
        heldY = Label(heldX);
    }

    private Tensor Label(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return torch.matmul(torch.tanh(torch.matmul(x, teacher1) * 2), teacher2).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>The first <paramref name="n"/> training inputs and labels (a fixed batch, e.g. for a coordinate check).</summary>
    public (Tensor X, Tensor Y) FixedBatch(int n) => (poolX.narrow(0, 0, n), poolY.narrow(0, 0, n));

    /// <summary>The loss of a model on a batch.</summary>
    public static Tensor Loss(Tensor logits, Tensor labels) => functional.cross_entropy(logits, labels);

    /// <summary>The fraction of the steps over which the learning rate warms up.</summary>
    public const double Warmup = 0.1;

    /// <summary>The schedule: the factor on every parameter group's learning rate at step <paramref name="step"/>
    /// (0-based) of <paramref name="steps"/>: linear warmup to 1 over the first <see cref="Warmup"/> of the steps,
    /// then linear decay to 0 at the end. With a constant learning rate the final loss also measures the noise floor
    /// the learning rate leaves, which favours smaller learning rates the more steps there are; decaying to 0 compares
    /// learning rates by the progress they make (the schedule of µTransfer's own experiments).</summary>
    public static double LearningRateFactor(int step, int steps)
    {
        int warm = Math.Max(1, (int)Math.Round(Warmup * steps));
        return step < warm ? (step + 1.0) / warm : 1.0 - (double)(step - warm) / (steps - warm);
    }

    /// <summary>One trial: a pure function of its arguments. <paramref name="seed"/> sets the init (through
    /// <c>torch.manual_seed</c>) and the order in which the training inputs are read; the result is the cross-entropy
    /// on the held-out inputs after <paramref name="steps"/> Adam steps under the warmup-then-linear-decay schedule
    /// with peak learning rate <paramref name="lr"/> (+∞ if training diverged).</summary>
    public double Train(int width, double lr, long seed, MupOptions options, int steps, int batch)
    {
        if ((long)steps * batch > Pool)
            throw new ArgumentException($"steps x batch = {(long)steps * batch} exceeds the {Pool} training inputs of the task.");
        torch.manual_seed(seed);
        using var model = new Mlp(width, Features, Classes);
        model.MupInitialize(options);
        using var opt = model.MupAdam(lr, options: options);
        using var order = torch.randperm(Pool, generator: new torch.Generator((ulong)seed + 1));
        var groups = opt.ParamGroups.ToArray();
        var peak = groups.Select(g => g.LearningRate).ToArray();   // µP's per-group learning rates; the schedule scales them all alike
        for (int s = 0; s < steps; s++)
        {
            double factor = LearningRateFactor(s, steps);
            for (int g = 0; g < groups.Length; g++)
                groups[g].LearningRate = peak[g] * factor;
            using var scope = torch.NewDisposeScope();
            var idx = order.narrow(0, (long)s * batch, batch);
            opt.zero_grad();
            Loss(model.forward(poolX.index_select(0, idx)), poolY.index_select(0, idx)).backward();
            opt.step();
        }
        using var noGrad = torch.no_grad();
        using var evalScope = torch.NewDisposeScope();
        double loss = Loss(model.forward(heldX), heldY).ToDouble();
        return double.IsFinite(loss) ? loss : double.PositiveInfinity;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in new[] { teacher1, teacher2, poolX, poolY, heldX, heldY })
            t.Dispose();
    }
}
