using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MupGen.Experiments;
using MupGen.Samples.Gpt;
using MupGen.Samples.Mlp;
using TorchSharp;
using static TorchSharp.torch;

namespace MupGen.Cli;

/// <summary>The models <c>mupgen coord-check</c> and <c>mupgen sweep</c> train: the samples' MLP on its teacher task and
/// the samples' GPT on its character corpus (the same source files, compiled here with the MupGen generator).</summary>
public static class CliModels
{
    /// <summary>The model names the commands accept.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "mlp", "gpt" };

    /// <summary>Parametrization names: <c>mup</c>, <c>sp</c>, <c>completep</c>, <c>depthmup</c>.</summary>
    public static readonly IReadOnlyList<string> Parametrizations = new[] { "mup", "sp", "completep", "depthmup" };

    /// <summary>The GPT's depth in width sweeps and coordinate checks (its base depth).</summary>
    public const int GptDepthForWidthSweeps = 2;

    /// <summary>The GPT's width in depth sweeps (its base width).</summary>
    public const int GptWidthForDepthSweeps = 64;

    /// <summary>The MLP's batch size in sweeps.</summary>
    public const int MlpBatch = 32;

    /// <summary>The options of a parametrization name.</summary>
    /// <exception cref="CliUsageException">An unknown name.</exception>
    public static MupOptions Options(string param) => param switch
    {
        "mup" => new MupOptions { Parametrization = MupParametrization.Mup },
        "sp" => new MupOptions { Parametrization = MupParametrization.Standard },
        "completep" => new MupOptions { Parametrization = MupParametrization.CompleteP },
        "depthmup" => new MupOptions { Parametrization = MupParametrization.DepthMup },
        _ => throw new CliUsageException("--param", $"unknown parametrization '{param}' (mup, sp, completep, depthmup)."),
    };

    /// <summary>Default steps of a sweep trial: 150 Adam steps of batch 32 for the MLP (the sample's protocol), 60
    /// AdamW steps for the GPT; a fifth of that with --quick.</summary>
    public static int DefaultSteps(string model, bool quick) => (model == "mlp" ? 150 : 60) / (quick ? 5 : 1);

    /// <summary>The settings a sweep's trials depend on besides their keys (kept in <c>DIR/sweep.json</c>).</summary>
    public static IReadOnlyDictionary<string, string> Settings(string model, SweepAxis axis, int steps)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = model,
            ["axis"] = axis == SweepAxis.Width ? "width" : "depth",
            ["steps"] = steps.ToString(inv),
        };
        if (model == "mlp")
        {
            s["batch"] = MlpBatch.ToString(inv);
            s["task"] = "teacher 32->64->10 tanh, Adam, warmup 10% then linear decay to 0, readout zero-init, held-out cross-entropy";
        }
        else
        {
            s["batch"] = CharTask.Batch.ToString(inv) + "x" + CharTask.Context.ToString(inv);
            s["task"] = "character corpus, AdamW wd 0, warmup 10% then linear decay to 0, held-out cross-entropy";
            if (axis == SweepAxis.Width) s["depth"] = GptDepthForWidthSweeps.ToString(inv);
            else s["width"] = GptWidthForDepthSweeps.ToString(inv);
        }
        return s;
    }

    /// <summary>A trial function for a model: trial → held-out loss; the caller disposes the returned task.</summary>
    public static (Func<SweepTrial, double> Train, IDisposable Task) Trainer(string model, int steps)
    {
        if (model == "mlp")
        {
            var task = new TeacherTask();
            // Readout zero-init, as samples/Mlp sweeps (TP5's recommendation for transfer).
            return (t => task.Train(t.Size, t.LearningRate, t.TorchSeed, Options(t.Param) with { ZeroInitReadout = true }, steps, MlpBatch), task);
        }
        var chars = new CharTask();
        return (t => t.Axis == SweepAxis.Width
            ? chars.Train(t.Size, GptDepthForWidthSweeps, t.LearningRate, t.TorchSeed, Options(t.Param), steps)
            : chars.Train(GptWidthForDepthSweeps, t.Size, t.LearningRate, t.TorchSeed, Options(t.Param), steps), chars);
    }

    /// <summary>The relative cost of a trial for the ETA: width² for width sweeps (the hidden matrices dominate),
    /// depth for depth sweeps.</summary>
    public static double Cost(SweepTrial trial) => trial.Axis == SweepAxis.Width ? (double)trial.Size * trial.Size + 4096 : trial.Size;

    /// <summary>Runs the coordinate check of a model under one parametrization (readout zero-initialised, as the
    /// samples do, so that t = 1 shows the updates and not the readout's initial output).</summary>
    public static IReadOnlyList<MupCoordinate> CoordinateCheck(string model, string param, IReadOnlyList<int> widths, int steps, int seeds, double lr)
    {
        var options = Options(param) with { ZeroInitReadout = true };
        if (model == "mlp")
        {
            using var task = new TeacherTask();
            var (x, y) = task.FixedBatch(64);
            return MupCoordinateCheck.Run(widths,
                w => { var m = new Mlp(w, TeacherTask.Features, TeacherTask.Classes); m.MupInitialize(options); return m; },
                m => ((IMupModel)m).MupAdam(lr, options: options),
                x, y, TeacherTask.Loss, steps, seed: 0, seeds: seeds).Where(c => c.Layer != "output").ToList();
        }
        using var chars = new CharTask();
        var (bx, by) = chars.GetBatch(0, 1);
        return MupCoordinateCheck.Run(widths,
            w => { var m = new Gpt(w, GptDepthForWidthSweeps, chars.Vocabulary, CharTask.Context); m.MupInitialize(options); return m; },
            m => ((IMupModel)m).MupAdamW(lr, 0.0, options: options),
            bx, by, chars.Loss, steps, seed: 0, seeds: seeds).Where(c => c.Layer != "output").ToList();
    }
}
