using System;
using System.Linq;
using MupGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Samples.Gpt;

/// <summary>
/// The GPT's task: next-character prediction on the corpus <see cref="Corpus"/> generates (no download), context 32,
/// batch 16, AdamW without weight decay under the usual schedule (linear warmup over the first 10% of the steps, then
/// linear decay to 0: <see cref="LearningRateFactor"/>), scored on a fixed held-out batch. Shared by samples/Gpt and
/// <c>mupgen sweep --model gpt</c>, so both give the same numbers.
/// </summary>
public sealed class CharTask : IDisposable
{
    /// <summary>Context length.</summary>
    public const int Context = 32;
    /// <summary>Sequences per step.</summary>
    public const int Batch = 16;

    private readonly Tensor data, evalX, evalY;

    /// <summary>The vocabulary size.</summary>
    public int Vocabulary { get; }

    /// <summary>Characters in the corpus.</summary>
    public int Characters { get; }

    /// <summary>Builds the task; the same on every machine.</summary>
    public CharTask()
    {
        var text = Corpus.Generate();
        var vocab = Corpus.Vocabulary(text);
        var index = vocab.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
        data = torch.tensor(text.Select(c => index[c]).ToArray());
        Vocabulary = vocab.Length;
        Characters = text.Length;
        (evalX, evalY) = GetBatch(1_000_000, 99);
    }

    /// <summary>A batch of (inputs, next-character targets), a pure function of (step, salt).</summary>
    public (Tensor X, Tensor Y) GetBatch(long step, long salt)
    {
        var g = new torch.Generator((ulong)(step * 7919 + salt));
        var starts = torch.randint(0, data.shape[0] - Context - 1, new long[] { Batch }, generator: g);
        var x = torch.stack(starts.data<long>().ToArray().Select(s => data.narrow(0, s, Context)).ToArray());
        var y = torch.stack(starts.data<long>().ToArray().Select(s => data.narrow(0, s + 1, Context)).ToArray());
        return (x, y);
    }

    /// <summary>Cross-entropy of logits [batch, context, vocab] against targets [batch, context].</summary>
    public Tensor Loss(Tensor logits, Tensor y) => functional.cross_entropy(logits.view(-1, Vocabulary), y.view(-1));

    /// <summary>The fraction of the steps over which the learning rate warms up.</summary>
    public const double Warmup = 0.1;

    /// <summary>The schedule: the factor on every parameter group's learning rate at step <paramref name="step"/>
    /// (0-based) of <paramref name="steps"/>: linear warmup to 1 over the first <see cref="Warmup"/> of the steps,
    /// then linear decay to 0 at the end (the same schedule as samples/Mlp's teacher task).</summary>
    public static double LearningRateFactor(int step, int steps)
    {
        int warm = Math.Max(1, (int)Math.Round(Warmup * steps));
        return step < warm ? (step + 1.0) / warm : 1.0 - (double)(step - warm) / (steps - warm);
    }

    /// <summary>One trial: a pure function of its arguments. <paramref name="seed"/> sets the init and the batch
    /// order; the result is the held-out loss after <paramref name="steps"/> AdamW steps under the warmup-then-linear-
    /// decay schedule with peak learning rate <paramref name="lr"/> (+∞ if it diverged).</summary>
    public double Train(int width, int depth, double lr, long seed, MupOptions options, int steps, bool tied = false)
    {
        torch.manual_seed(seed);
        using var model = new Gpt(width, depth, Vocabulary, Context, tied: tied);
        model.MupInitialize(options);
        using var opt = model.MupAdamW(lr, 0.0, options: options);
        var groups = opt.ParamGroups.ToArray();
        var peak = groups.Select(g => g.LearningRate).ToArray();   // the per-group learning rates; the schedule scales them all alike
        for (int s = 0; s < steps; s++)
        {
            double factor = LearningRateFactor(s, steps);
            for (int g = 0; g < groups.Length; g++)
                groups[g].LearningRate = peak[g] * factor;
            using var scope = torch.NewDisposeScope();
            var (x, y) = GetBatch(s, seed * 1_000_003);
            opt.zero_grad();
            Loss(model.forward(x), y).backward();
            opt.step();
        }
        using var noGrad = torch.no_grad();
        using var evalScope = torch.NewDisposeScope();
        double loss = Loss(model.forward(evalX), evalY).ToDouble();
        return double.IsFinite(loss) ? loss : double.PositiveInfinity;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        data.Dispose();
        evalX.Dispose();
        evalY.Dispose();
    }
}
