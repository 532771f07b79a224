using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MupGen.Scaling;

/// <summary>
/// Measures the gradient noise scale inside a TorchSharp training loop that accumulates gradients over micro-batches
/// (the practical route of McCandlish et al. 2018, arXiv 1812.06162, Appendix A): with k micro-batches of size b
/// accumulated into a step of B = k·b, |G_small|² is the mean of the k micro-batch gradients' squared norms at
/// B_small = b and |G_big|² is the accumulated gradient's at B_big = B.
/// </summary>
/// <remarks>
/// <para>Per step: zero the gradients, then for each micro-batch run backward and call
/// <see cref="AfterMicroBatchBackward"/>; after the last one call <see cref="EndStep"/> (before or after the optimizer
/// step, but before the gradients are zeroed again). Each micro-batch's own gradient is the difference between the
/// accumulated gradient after and before its backward, so the hook keeps one copy of the gradients (memory of one
/// extra gradient) and adds one subtraction and one squared-norm reduction per parameter per micro-batch. Norms are
/// summed on the device; the only host synchronisation is one scalar read per step in <see cref="EndStep"/>.</para>
/// <para>The noise scale comes out in the unit of <c>microBatchSize</c>: pass sequences to get B_noise in sequences,
/// or tokens (sequences × length) to get it in tokens, the unit of <c>mupgen plan --noise-scale</c>.</para>
/// <para>Without gradient accumulation, measure two batch sizes yourself, take
/// <see cref="SquaredGradientNorm(IEnumerable{Parameter})"/> of each, and call <see cref="Observe"/>.</para>
/// </remarks>
public sealed class GradientNoiseScaleHook : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly bool _lossAveraged;
    private readonly Tensor?[] _previous;
    private Tensor? _microSum;
    private bool _stepStart = true;
    private int _microBatches;
    private bool _disposed;

    /// <summary>Creates a hook over a model's parameters.</summary>
    /// <param name="parameters">The parameters whose gradients are measured (usually <c>model.parameters()</c>);
    /// parameters that get no gradient are skipped.</param>
    /// <param name="lossAveragedOverMicroBatches">True (the usual practice) when each micro-batch's loss is divided by
    /// the number of micro-batches before backward, so the accumulated gradient is the mean; false when the micro-batch
    /// losses are summed unscaled.</param>
    /// <param name="smoothing">The moving-average factor of the <see cref="Estimator"/>, in [0, 1).</param>
    public GradientNoiseScaleHook(IEnumerable<Parameter> parameters, bool lossAveragedOverMicroBatches = true, double smoothing = 0.99)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0)
            throw new ArgumentException("parameters must contain at least one parameter.", nameof(parameters));
        _lossAveraged = lossAveragedOverMicroBatches;
        _previous = new Tensor?[_parameters.Length];
        Estimator = new GradientNoiseScaleEstimator(smoothing);
    }

    /// <summary>The pure-arithmetic estimator the hook feeds; its <see cref="GradientNoiseScaleEstimator.Current"/> is
    /// the latest reading.</summary>
    public GradientNoiseScaleEstimator Estimator { get; }

    /// <summary>How many micro-batches have been observed in the current step.</summary>
    public int MicroBatches => _microBatches;

    /// <summary>The squared L2 norm of the parameters' gradients taken together (parameters without a gradient count
    /// as zero); one host synchronisation.</summary>
    public static double SquaredGradientNorm(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor? total = null;
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            var s = SquaredNorm(g);
            total = total is null ? s : total + s;
        }
        return total is null ? 0.0 : total.to(CPU).item<double>();
    }

    /// <summary>Records the gradient of the micro-batch whose backward just ran. Call once per micro-batch, after its
    /// backward; the gradients must have been zeroed (or set to none) at the start of the step.</summary>
    public void AfterMicroBatchBackward()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var g = _parameters[i].grad;
            if (g is null) continue;
            var prev = _previous[i];
            Tensor squared;
            if (prev is null || !SameShape(prev, g))
            {
                if (!_stepStart)
                    throw new InvalidOperationException(
                        $"Parameter {i} received its first gradient (or changed shape) after the first micro-batch of the step; zero all gradients at the start of each step and keep the parameter set fixed.");
                prev?.Dispose();
                prev = g.detach().clone();
                prev.DetachFromDisposeScope();
                _previous[i] = prev;
                squared = SquaredNorm(g);
            }
            else if (_stepStart)
            {
                squared = SquaredNorm(g);
                prev.copy_(g);
            }
            else
            {
                prev.sub_(g);               // prev − g = −(this micro-batch's contribution)
                squared = SquaredNorm(prev);
                prev.copy_(g);
            }
            if (_microSum is null)
            {
                _microSum = torch.zeros(Array.Empty<long>(), ScalarType.Float64, device: g.device);
                _microSum.DetachFromDisposeScope();
            }
            _microSum.add_(squared);
        }
        _stepStart = false;
        _microBatches++;
    }

    /// <summary>Closes the step: feeds |G_small|² (the micro-batch mean) and |G_big|² (the accumulated gradient) to the
    /// <see cref="Estimator"/> and returns its new reading. Needs at least two micro-batches in the step.</summary>
    /// <param name="microBatchSize">b, the size of one micro-batch (examples, sequences or tokens: the noise scale
    /// comes out in this unit).</param>
    public GradientNoiseEstimate EndStep(double microBatchSize)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ScalingGuard.Positive(microBatchSize, nameof(microBatchSize));
        int k = _microBatches;
        if (k < 2)
            throw new InvalidOperationException(
                $"EndStep needs at least 2 micro-batches in the step (got {k}): the noise scale compares the micro-batch gradients with their accumulation.");
        double microSum = _microSum is null ? 0.0 : _microSum.to(CPU).item<double>();
        _microSum?.zero_();
        double bigRaw = SquaredGradientNorm(_parameters);
        _microBatches = 0;
        _stepStart = true;
        // With loss scale s per micro-batch, the recorded difference is s·g_i and the accumulation is s·Σ g_i.
        double s = _lossAveraged ? 1.0 / k : 1.0;
        double small = microSum / (k * s * s);
        double big = bigRaw / ((s * k) * (s * k));
        return Estimator.Update(microBatchSize, small, k * microBatchSize, big);
    }

    /// <summary>Adds a measurement taken by hand at two batch sizes (see <see cref="GradientNoiseScaleEstimator.Update"/>).</summary>
    public GradientNoiseEstimate Observe(double smallBatch, double smallSquaredNorm, double bigBatch, double bigSquaredNorm)
        => Estimator.Update(smallBatch, smallSquaredNorm, bigBatch, bigSquaredNorm);

    /// <summary>Frees the gradient copy.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int i = 0; i < _previous.Length; i++) { _previous[i]?.Dispose(); _previous[i] = null; }
        _microSum?.Dispose();
    }

    // Σ x² as a 0-dim float64 tensor: a dot product of the flattened tensor with itself (one read pass, no temporary
    // of the tensor's size), accumulated by the BLAS in the gradient's own precision.
    private static Tensor SquaredNorm(Tensor t)
    {
        var flat = t.flatten();
        return flat.dot(flat).to_type(ScalarType.Float64);
    }

    private static bool SameShape(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.device_type == b.device_type;
}
