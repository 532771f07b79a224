using System;
using MupGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Samples.Mlp;

/// <summary>
/// The MLP's task, a teacher network: inputs x ~ N(0, I) in 32 dimensions, labelled by the argmax of a fixed random
/// tanh network 32 → 64 → 10. A pool of 16384 training inputs (each seed reads them in its own order, so a run of at
/// most 16384 / batch steps never sees an input twice) and 2048 held-out inputs on which every trained model is
/// scored. Shared by samples/Mlp and <c>mupgen sweep --model mlp</c>, so both give the same numbers.
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

    /// <summary>One trial: a pure function of its arguments. <paramref name="seed"/> sets the init (through
    /// <c>torch.manual_seed</c>) and the order in which the training inputs are read; the result is the cross-entropy
    /// on the held-out inputs after <paramref name="steps"/> Adam steps (+∞ if training diverged).</summary>
    public double Train(int width, double lr, long seed, MupOptions options, int steps, int batch)
    {
        if ((long)steps * batch > Pool)
            throw new ArgumentException($"steps x batch = {(long)steps * batch} exceeds the {Pool} training inputs of the task.");
        torch.manual_seed(seed);
        using var model = new Mlp(width, Features, Classes);
        model.MupInitialize(options);
        using var opt = model.MupAdam(lr, options: options);
        using var order = torch.randperm(Pool, generator: new torch.Generator((ulong)seed + 1));
        for (int s = 0; s < steps; s++)
        {
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
