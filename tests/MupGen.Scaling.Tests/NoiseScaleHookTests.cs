using System;
using System.Linq;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MupGen.Scaling.Tests;

/// <summary>The TorchSharp hook on the linear-regression problem of <see cref="NoiseScaleEstimatorTests"/>: a bias-free
/// Linear(8, 1) in float64 at w = w* + δ, trained with gradient accumulation over k micro-batches.</summary>
[Collection(TorchCollection.Name)]
public class NoiseScaleHookTests
{
    private const int Dim = 8;
    private const double Sigma = 0.5;
    private static readonly double[] Delta = { 1.0, 0.5, 0, 0, 0, 0, 0, -0.5 }; // |δ|² = 1.5, tr Σ = 15.5
    private readonly ITestOutputHelper _output;

    public NoiseScaleHookTests(ITestOutputHelper output) => _output = output;

    private static (nn.Module<Tensor, Tensor> Model, Tensor WStar) Problem()
    {
        var model = nn.Linear(Dim, 1, hasBias: false, dtype: ScalarType.Float64);
        var wStar = torch.randn(1, Dim, dtype: ScalarType.Float64);
        using (torch.no_grad())
        {
            var p = model.parameters().Single();
            p.copy_(wStar + torch.tensor(Delta, dtype: ScalarType.Float64).reshape(1, Dim));
        }
        return (model, wStar);
    }

    private static (Tensor X, Tensor Y) Batch(Tensor wStar, int b)
    {
        var x = torch.randn(b, Dim, dtype: ScalarType.Float64);
        var y = x.matmul(wStar.t()) + Sigma * torch.randn(b, 1, dtype: ScalarType.Float64);
        return (x, y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Hook_feeds_the_estimator_the_micro_batch_and_accumulated_norms(bool averaged)
    {
        torch.manual_seed(3);
        const int b = 4, k = 4;
        var (model, wStar) = Problem();
        var w = model.parameters().Single();
        using var hook = new GradientNoiseScaleHook(model.parameters(), lossAveragedOverMicroBatches: averaged, smoothing: 0.9);
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            model.zero_grad();
            double smallSum = 0;
            var total = torch.zeros(1, Dim, dtype: ScalarType.Float64);
            for (int m = 0; m < k; m++)
            {
                var (x, y) = Batch(wStar, b);
                Tensor g;
                using (torch.no_grad()) g = (x.matmul(w.t()) - y).t().matmul(x) / b; // closed-form micro-batch gradient
                smallSum += g.square().sum().item<double>();
                total += g;
                var loss = 0.5 * (model.call(x) - y).square().mean();
                (averaged ? loss / k : loss).backward();
                hook.AfterMicroBatchBackward();
            }
            Assert.Equal(k, hook.MicroBatches);
            var reading = hook.EndStep(b);
            double big = (total / k).square().sum().item<double>();
            var (gExpected, sExpected) = GradientNoiseScaleEstimator.Estimate(b, smallSum / k, k * b, big);
            Assert.Equal(gExpected, reading.StepGradientSquaredNorm, 1e-9);
            Assert.Equal(sExpected, reading.StepTraceCovariance, 1e-9);
            Assert.Equal(step + 1, reading.Step);
            Assert.Equal(0, hook.MicroBatches);
        }
    }

    [Fact]
    public void Hook_noise_scale_converges_to_B_simple()
    {
        torch.manual_seed(5);
        const int b = 4, k = 8;
        var (model, wStar) = Problem();
        using var hook = new GradientNoiseScaleHook(model.parameters(), smoothing: 0.998);
        GradientNoiseEstimate? last = null;
        for (int step = 0; step < 1500; step++)
        {
            using var scope = torch.NewDisposeScope();
            model.zero_grad();
            // One draw per step, split into k micro-batches (faster than k draws).
            var (x, y) = Batch(wStar, b * k);
            for (int m = 0; m < k; m++)
            {
                var loss = 0.5 * (model.call(x[TensorIndex.Slice(m * b, (m + 1) * b)]) - y[TensorIndex.Slice(m * b, (m + 1) * b)]).square().mean() / k;
                loss.backward();
                hook.AfterMicroBatchBackward();
            }
            last = hook.EndStep(b);
        }
        // B_simple = tr Σ / |G|² = 15.5 / 1.5 = 10.33 examples.
        Assert.NotNull(last);
        Assert.InRange(last!.NoiseScale / (15.5 / 1.5), 0.85, 1.15);
        Assert.InRange(last.GradientSquaredNorm / 1.5, 0.85, 1.15);
    }

    [Fact]
    public void Squared_gradient_norm_sums_every_parameter()
    {
        torch.manual_seed(1);
        var model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));
        Assert.Equal(0.0, GradientNoiseScaleHook.SquaredGradientNorm(model.parameters()));
        model.call(torch.randn(5, 3)).sum().backward();
        double expected = model.parameters().Sum(p => p.grad!.square().sum().item<float>());
        Assert.Equal(expected, GradientNoiseScaleHook.SquaredGradientNorm(model.parameters()), 1e-5);
    }

    [Fact]
    public void One_micro_batch_is_not_enough()
    {
        torch.manual_seed(2);
        var (model, wStar) = Problem();
        using var hook = new GradientNoiseScaleHook(model.parameters());
        var (x, y) = Batch(wStar, 4);
        (0.5 * (model.call(x) - y).square().mean()).backward();
        hook.AfterMicroBatchBackward();
        var e = Assert.Throws<InvalidOperationException>(() => hook.EndStep(4));
        Assert.Contains("at least 2 micro-batches", e.Message);
        Assert.Equal("microBatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => hook.EndStep(0)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => new GradientNoiseScaleHook(Array.Empty<TorchSharp.Modules.Parameter>())).ParamName);
    }

    // Not a timed test: it runs the overhead benchmark on a small MLP and prints the ratio (dotnet test
    // --logger "console;verbosity=detailed" shows it). MUPGEN_BENCH_NOISE=1 runs the default, larger configuration.
    [Fact]
    public void Overhead_benchmark_runs_and_reports()
    {
        bool full = Environment.GetEnvironmentVariable("MUPGEN_BENCH_NOISE") == "1";
        var result = full
            ? GradientNoiseScaleBenchmark.Run()
            : GradientNoiseScaleBenchmark.Run(width: 128, depth: 2, microBatchSize: 16, microBatches: 4, steps: 5, repeats: 1);
        _output.WriteLine(FormattableString.Invariant(
            $"{result.Description}: {result.BaselineMillisecondsPerStep:0.00} ms/step without the hook, {result.HookMillisecondsPerStep:0.00} ms/step with it, ratio {result.Ratio:0.000}"));
        Assert.True(double.IsFinite(result.Ratio) && result.Ratio > 0);
    }
}
