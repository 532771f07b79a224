using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MupGen;

/// <summary>One measurement of a coordinate check: the mean |activation| of one layer's output at one width after
/// <see cref="Step"/> optimizer steps.</summary>
public sealed record MupCoordinate(int Width, int Step, string Layer, double MeanAbs);

/// <summary>
/// The coordinate check of mup (mup/coord_check.py): train each width for a few steps on fixed data and record
/// the mean absolute value of every layer's output. Under µP the curves are flat across width; under SP the readout
/// (and everything after the first step) grows with width.
/// </summary>
/// <remarks>Layer outputs are recorded with forward hooks, which TorchSharp runs only when a layer is invoked as
/// <c>layer.call(x)</c>; a layer invoked as <c>layer.forward(x)</c> is not seen. The model's own output (layer name
/// <c>output</c>) is always recorded.</remarks>
public static class MupCoordinateCheck
{
    /// <summary>Runs the check.</summary>
    /// <param name="widths">The widths to build, e.g. 64, 128, ..., 1024.</param>
    /// <param name="createModel">Builds a freshly initialised model at a width.</param>
    /// <param name="createOptimizer">Builds the optimizer of a model (e.g. <c>m => ((IMupModel)m).MupAdam(1e-2)</c>).</param>
    /// <param name="input">A fixed batch of inputs.</param>
    /// <param name="target">The batch's targets.</param>
    /// <param name="loss">The loss of (model output, target).</param>
    /// <param name="steps">How many optimizer steps; activations are recorded after each, t = 1..steps.</param>
    /// <param name="seed">Seed set before each width's model is built.</param>
    public static IReadOnlyList<MupCoordinate> Run(
        IEnumerable<int> widths,
        Func<int, nn.Module<Tensor, Tensor>> createModel,
        Func<nn.Module<Tensor, Tensor>, optim.Optimizer> createOptimizer,
        Tensor input, Tensor target,
        Func<Tensor, Tensor, Tensor> loss,
        int steps = 3, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(widths);
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentNullException.ThrowIfNull(createOptimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "A coordinate check needs at least one step.");
        var result = new List<MupCoordinate>();
        foreach (int width in widths)
        {
            torch.manual_seed(seed);
            using var model = createModel(width);
            using var optimizer = createOptimizer(model);
            int step = 0;
            var hooks = new List<Action>();
            foreach (var (name, module) in model.named_modules())
            {
                if (module is not nn.Module<Tensor, Tensor> leaf || module.children().Any())
                    continue;
                string layer = name;
                var remover = leaf.register_forward_hook((m, x, y) =>
                {
                    if (step > 0)
                        result.Add(new MupCoordinate(width, step, layer, y.abs().mean().ToDouble()));
                    return y;
                });
                hooks.Add(remover.remove);
            }
            for (step = 0; step <= steps; step++)
            {
                using var scope = torch.NewDisposeScope();
                var output = model.forward(input);
                if (step > 0)
                    result.Add(new MupCoordinate(width, step, "output", output.abs().mean().ToDouble()));
                if (step == steps)
                    break;
                optimizer.zero_grad();
                loss(output, target).backward();
                optimizer.step();
            }
            foreach (var remove in hooks)
                remove();
        }
        return result;
    }

    /// <summary>The ratio of a layer's mean |activation| at <paramref name="toWidth"/> over <paramref name="fromWidth"/>
    /// at <paramref name="step"/>.</summary>
    public static double Growth(IReadOnlyList<MupCoordinate> coordinates, string layer, int step, int fromWidth, int toWidth)
    {
        double At(int w) => coordinates.Single(c => c.Layer == layer && c.Step == step && c.Width == w).MeanAbs;
        return At(toWidth) / At(fromWidth);
    }

    /// <summary>A plain-text table: one row per (layer, step), one column per width.</summary>
    public static string Format(IReadOnlyList<MupCoordinate> coordinates)
    {
        var widths = coordinates.Select(c => c.Width).Distinct().OrderBy(w => w).ToList();
        var sb = new StringBuilder();
        if (coordinates.Count > 0 && coordinates.All(c => c.Layer == "output"))
            sb.AppendLine("(only the model output was recorded: invoke layers with call(x), not forward(x), so TorchSharp runs the hooks)");
        sb.Append("layer".PadRight(14)).Append("step");
        foreach (var w in widths)
            sb.Append(("w=" + w.ToString(CultureInfo.InvariantCulture)).PadLeft(10));
        sb.Append("   max/min").AppendLine();
        foreach (var g in coordinates.GroupBy(c => (c.Layer, c.Step)).OrderBy(g => g.Key.Step))
        {
            sb.Append(g.Key.Layer.PadRight(14)).Append(g.Key.Step.ToString(CultureInfo.InvariantCulture).PadLeft(4));
            foreach (var w in widths)
                sb.Append(g.Where(c => c.Width == w).Select(c => c.MeanAbs.ToString("0.0000", CultureInfo.InvariantCulture)).FirstOrDefault("-").PadLeft(10));
            var values = g.Select(c => c.MeanAbs).ToList();
            sb.Append((values.Max() / values.Min()).ToString("0.00", CultureInfo.InvariantCulture).PadLeft(10)).AppendLine();
        }
        return sb.ToString();
    }
}
