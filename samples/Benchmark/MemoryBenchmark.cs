using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using MupGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

/// <summary>
/// Resident-memory growth of a training loop: the µP MLP at width 2048 with <c>MupAdamW</c> against the same layers
/// with TorchSharp's own AdamW over <c>parameters()</c>. Each side runs in a child process of its own (allocator state
/// would otherwise leak from one side into the other), one after the other in the same run, under the allocator the
/// process was started with. Each step runs in a dispose scope, as TorchSharp recommends. The growth is the
/// least-squares slope of VmRSS against the step over the steps after the warm-up.
/// </summary>
internal static class MemoryBenchmark
{
    private const int Width = 2048, Features = 256, Classes = 10, Batch = 64, WarmUp = 20;

    /// <summary>Runs both sides as child processes and prints their growth side by side.</summary>
    public static int Run(int steps)
    {
        Console.WriteLine($"RSS growth per step: MLP {Features} -> {Width} -> {Width} -> {Classes}, batch {Batch}, AdamW, {steps} steps after {WarmUp} warm-up steps, 1 thread");
        Console.WriteLine($"allocator: {Allocator()}");
        var results = new List<(string Side, double Slope, double Start, double End)>();
        foreach (var side in new[] { "mup", "torchsharp" })
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in ChildPrefix())
                psi.ArgumentList.Add(a);
            psi.ArgumentList.Add("memory-child");
            psi.ArgumentList.Add(side);
            psi.ArgumentList.Add(steps.ToString(CultureInfo.InvariantCulture));
            using var child = Process.Start(psi)!;
            var line = child.StandardOutput.ReadToEnd().Trim().Split('\n').Last();
            child.WaitForExit();
            if (child.ExitCode != 0)
                throw new InvalidOperationException($"the {side} side exited with {child.ExitCode}: {line}");
            var f = line.Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            results.Add((side, f[0], f[1], f[2]));
        }
        foreach (var (side, slope, start, end) in results)
            Console.WriteLine($"  {(side == "mup" ? "MupAdamW (µP groups)" : "TorchSharp AdamW(parameters())"),-32} {slope,8:0.000} MB/step   RSS {start,7:0.0} MB -> {end,7:0.0} MB");
        Console.WriteLine($"µP - TorchSharp: {results[0].Slope - results[1].Slope:0.000} MB/step (target: µP at most 1 MB/step)");
        return 0;
    }

    /// <summary>One side: trains and prints "slope startMB endMB".</summary>
    public static int Child(string side, int steps)
    {
        torch.set_num_threads(1);
        torch.manual_seed(0);
        var x = torch.randn(Batch, Features);
        var y = torch.randint(0, Classes, Batch);
        Module<Tensor, Tensor> model;
        optim.Optimizer opt;
        if (side == "mup")
        {
            var mup = new BenchMlp(Width, Features, Classes);
            mup.MupInitialize();
            (model, opt) = (mup, mup.MupAdamW(1e-3, 0.01));
        }
        else
        {
            var plain = new PlainMlp(Width, Features, Classes);   // the same layers, written without MupGen
            (model, opt) = (plain, torch.optim.AdamW(plain.parameters(), 1e-3, weight_decay: 0.01));
        }
        var rss = new List<double>();
        for (int step = 0; step < WarmUp + steps; step++)
        {
            using (var scope = torch.NewDisposeScope())
            {
                opt.zero_grad();
                functional.cross_entropy(model.forward(x), y).backward();
                opt.step();
            }
            if (step >= WarmUp)
                rss.Add(ResidentMegabytes());
        }
        double n = rss.Count, mx = (n - 1) / 2, my = rss.Average();
        double sxy = 0, sxx = 0;
        for (int i = 0; i < rss.Count; i++) { sxy += (i - mx) * (rss[i] - my); sxx += (i - mx) * (i - mx); }
        Console.WriteLine(string.Join(' ', new[] { sxy / sxx, rss[0], rss[^1] }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }

    private static double ResidentMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return Environment.WorkingSet / (1024.0 * 1024.0);
    }

    private static string Allocator()
    {
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        var arenas = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX");
        return (preload.Contains("jemalloc", StringComparison.Ordinal) ? "jemalloc (LD_PRELOAD)" : "glibc malloc (default)")
               + (arenas is null ? "" : $", MALLOC_ARENA_MAX={arenas}");
    }

    /// <summary>How to start this program again: the apphost directly, or `dotnet Benchmark.dll`.</summary>
    private static IEnumerable<string> ChildPrefix()
    {
        var path = Environment.ProcessPath ?? "";
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
            yield return typeof(MemoryBenchmark).Assembly.Location;
    }
}
