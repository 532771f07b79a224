using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using MupGen.Cli;
using Xunit;

namespace MupGen.Experiments.Tests;

/// <summary>The mupgen coord-check / sweep / report commands on the samples' models at tiny widths and steps.</summary>
[Collection(TorchCollection.Name)]
public sealed class CliTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "mupgen-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = MupGenCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--model mlp --log2-lr -8:-6", "exactly one of --widths LIST and --depths LIST", "sweep")]
    [InlineData("--model mlp --widths 8,16 --depths 2 --log2-lr -8:-6", "exactly one of --widths LIST and --depths LIST", "sweep")]
    [InlineData("--model mlp --widths 8,16", "--log2-lr", "sweep")]
    [InlineData("--model mlp --widths 8,16 --log2-lr -6:-8", "--log2-lr must be A:B", "sweep")]
    [InlineData("--model mlp --widths 8,x --log2-lr -8:-6", "--widths must be a comma-separated list", "sweep")]
    [InlineData("--model tree --widths 8 --log2-lr -8:-6", "--model must be 'mlp' or 'gpt'", "sweep")]
    [InlineData("--model mlp --widths 8 --log2-lr -8:-6 --shard 2/2", "--shard: a shard is I/N", "sweep")]
    [InlineData("--model mlp --depths 2,4 --log2-lr -8:-6", "the mlp model has no depth", "sweep")]
    [InlineData("--model mlp --widths 8 --log2-lr -8:-6 --param mup,xp", "--param must be distinct words", "sweep")]
    [InlineData("--model mlp --widths 64", "--widths needs at least 2 distinct values", "coord-check")]
    [InlineData("--widths 64,128", "--model", "coord-check")]
    public void Usage_errors_exit_2_and_print_the_message_and_the_usage(string arguments, string message, string command)
    {
        var (code, _, err) = Run(new[] { command }.Concat(arguments.Split(' ')).ToArray());
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Contains("Usage:", err);
        Assert.Contains("mupgen " + command, err);
    }

    [Fact]
    public void Report_of_a_folder_without_trials_is_a_usage_error()
    {
        var (code, _, err) = Run("report", Path.Combine(root, "nothing-here"));
        Assert.Equal(2, code);
        Assert.Contains("has no trials.jsonl", err);
        Assert.Contains("Usage:", err);
        Assert.Equal(2, Run("report").Code);
    }

    [Fact]
    public void Sweep_resumes_and_shards_merge_to_the_unsharded_report()
    {
        string all = Path.Combine(root, "all"), s0 = Path.Combine(root, "s0"), s1 = Path.Combine(root, "s1");
        string[] common = { "sweep", "--model", "mlp", "--widths", "8,16", "--log2-lr", "-7:-5", "--seeds", "1", "--steps", "3" };
        var first = Run(common.Concat(new[] { "--out", all }).ToArray());
        Assert.True(first.Code == 0, first.Err + first.Out);
        var lines = File.ReadAllLines(Path.Combine(all, "trials.jsonl"));
        Assert.Equal(12, lines.Length);                          // mup, sp x 2 widths x 3 lrs x 1 seed
        Assert.Contains("sweep: ran 12, skipped 0 already finished", first.Out);

        var again = Run(common.Concat(new[] { "--out", all }).ToArray());
        Assert.Equal(0, again.Code);
        Assert.Contains("sweep: ran 0, skipped 12 already finished", again.Out);
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(all, "trials.jsonl")));

        Assert.Equal(0, Run(common.Concat(new[] { "--out", s0, "--shard", "0/2" }).ToArray()).Code);
        Assert.Equal(0, Run(common.Concat(new[] { "--out", s1, "--shard", "1/2" }).ToArray()).Code);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(s0, "trials.jsonl")).Length);

        var unsharded = Run("report", all, "--json");
        var sharded = Run("report", s0, s1, "--json", "--plot", Path.Combine(root, "sharded.svg"));
        Assert.Equal(0, unsharded.Code);
        Assert.Equal(unsharded.Out, sharded.Out);
        using var json = JsonDocument.Parse(unsharded.Out);
        foreach (var param in new[] { "mup", "sp" })
        {
            var p = json.RootElement.GetProperty(param);
            Assert.True(p.TryGetProperty("shift", out _));
            foreach (var size in new[] { "8", "16" })
            {
                int argmin = p.GetProperty(size).GetProperty("argmin_log2_lr").GetInt32();
                Assert.InRange(argmin, -7, -5);
                Assert.True(p.GetProperty(size).TryGetProperty("vertex_log2_lr", out _));
            }
        }
        Assert.True(File.Exists(Path.Combine(all, "transfer.svg")));
        Assert.True(File.Exists(Path.Combine(root, "sharded.svg")));

        var text = Run("report", s1, s0);
        Assert.Equal(0, text.Code);
        Assert.Contains("12 trials (0 diverged)", text.Out);
        Assert.Contains("mup width 16: argmin log2 lr ", text.Out);

        // The same folder with other settings is refused: its trials would not be comparable.
        var other = Run(common.Take(common.Length - 1).Concat(new[] { "4", "--out", all }).ToArray());
        Assert.Equal(2, other.Code);
        Assert.Contains("steps: 3 there, 4 now", other.Err);
    }

    [Fact]
    public void Coord_check_writes_json_csv_and_svg_and_finds_mup_flat_and_sp_growing()
    {
        string dir = Path.Combine(root, "cc");
        var (code, output, err) = Run("coord-check", "--model", "mlp", "--widths", "64,128,256,512", "--steps", "2", "--seeds", "1", "--out", dir);
        Assert.True(code == 0, output + err);
        Assert.Contains("verdict: every µP layer is flat", output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "coord-check.json")));
        var runs = json.RootElement.GetProperty("runs");
        Assert.Equal("mup", runs[0].GetProperty("run").GetString());
        Assert.All(runs[0].GetProperty("layers").EnumerateArray(), l => Assert.Equal("flat", l.GetProperty("verdict").GetString()));
        var spReadout = runs[1].GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("layer").GetString() == "readout");
        Assert.Equal("growing", spReadout.GetProperty("verdict").GetString());
        Assert.True(spReadout.GetProperty("slope").GetDouble() > 0.5);
        var csv = File.ReadAllLines(Path.Combine(dir, "coord-check.csv"));
        Assert.Equal("run,layer,step,width,mean_abs,slope,verdict", csv[0]);
        Assert.Equal(1 + 2 * 3 * 2 * 4, csv.Length);            // 2 runs x 3 layers x 2 steps x 4 widths
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(dir, "coord-check.svg")));
        Assert.Contains(output.Split('\n'), l => l.StartsWith("sp   readout", StringComparison.Ordinal) && l.Contains("growing", StringComparison.Ordinal));
    }
}
