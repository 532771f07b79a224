using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// Analyzer cost on a generated project of 200 µP model classes (MLPs, conv nets, residual MLPs with blocks, GPTs with
// block/attention/MLP classes) plus a trainer that builds their optimizers. Each round builds a fresh compilation from
// the same syntax trees and runs the generator, then either only the compiler's diagnostics (A) or the compiler's and
// the MupGen analyzers' (B), the way a build does. Rounds alternate A-B / B-A; report: the median B/A - 1.
// Usage: [rounds] [--baseline path/to/MupGen.Analyzers.dll]. With a baseline (an older build of the analyzers, e.g.
// from an earlier commit built into a temp folder), its analyzers run in the same rounds (D), so old and new are
// compared side by side on the same machine state.
// Other modes (BuildCost.cs): `build-cost [rounds]` (generator, analyzers and both against the compile without MupGen)
// and `before-after DIR [rounds]` (an older build of MupGen's assemblies in DIR against this one); RealBuild.cs:
// `real-build [rounds] [--server]` (the same project built with dotnet build, the Csc task's time).
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "build-cost")
    return BuildCost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15);
if (args.Length > 0 && args[0] == "real-build")
    return RealBuild.Run(args.Skip(1).Where(a => a != "--server").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).DefaultIfEmpty(5).First(), args.Contains("--server"));
if (args.Length > 0 && args[0] == "analyzer-loop")
    return BuildCost.AnalyzerLoop(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
if (args.Length > 0 && args[0] == "generator-loop")
    return BuildCost.GeneratorLoop(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40);
if (args.Length > 1 && args[0] == "before-after")
    return BeforeAfter.Run(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15);
var positional = new List<string>();
string? baselinePath = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--baseline" && i + 1 < args.Length)
        baselinePath = args[++i];
    else
        positional.Add(args[i]);
}
var rounds = positional.Count > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 15;
const int Models = 200;

var parse = new CSharpParseOptions(LanguageVersion.Latest);
var trees = Corpus.Files(Models).Select((text, i) => CSharpSyntaxTree.ParseText(text, parse, path: $"Models{i}.cs")).ToArray();
var references = Basic.Reference.Assemblies.Net100.References.All
    .Concat(new[]
    {
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(MupGen.IMupModel).Assembly.Location),
    })
    .ToArray();
var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
    .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress });
// Every analyzer of the generator's assembly (generator and analyzers ship as one).
var analyzers = AnalyzersOf(typeof(MupGen.Generators.MupGenerator).Assembly);
var baseline = baselinePath is null ? ImmutableArray<DiagnosticAnalyzer>.Empty
    : AnalyzersOf(System.Reflection.Assembly.LoadFrom(System.IO.Path.GetFullPath(baselinePath)));
if (baselinePath is not null && baseline.IsEmpty)
{
    Console.WriteLine($"no analyzers in {baselinePath}");
    return 2;
}

static ImmutableArray<DiagnosticAnalyzer> AnalyzersOf(System.Reflection.Assembly assembly) =>
    assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)
            && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

Compilation Generate()
{
    var compilation = CSharpCompilation.Create("Bench", trees, references, options);
    CSharpGeneratorDriver.Create(new[] { new MupGen.Generators.MupGenerator().AsSourceGenerator() }, parseOptions: parse)
        .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
    return output;
}

(double Ms, int Errors, int Mup) WithoutAnalyzers()
{
    var sw = Stopwatch.StartNew();
    var diagnostics = Generate().GetDiagnostics();
    return (sw.Elapsed.TotalMilliseconds, diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), 0);
}

(double Ms, int Errors, int Mup) WithAnalyzers() => Run(analyzers);

(double Ms, int Errors, int Mup) Run(ImmutableArray<DiagnosticAnalyzer> analyzers)
{
    var sw = Stopwatch.StartNew();
    var withAnalyzers = Generate().WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
        new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));
    var diagnostics = withAnalyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult();
    return (sw.Elapsed.TotalMilliseconds, diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), diagnostics.Count(d => d.Id.StartsWith("MUP", StringComparison.Ordinal)));
}

// Warm-up (JIT, reference metadata) and a correctness check: the project compiles and every model is clean.
for (var i = 0; i < 2; i++) { WithoutAnalyzers(); WithAnalyzers(); }
var check = WithAnalyzers();
if (check.Errors > 0 || check.Mup > 0)
{
    Console.WriteLine($"the generated project is not clean: {check.Errors} errors, {check.Mup} MUP diagnostics");
    return 1;
}
if (!baseline.IsEmpty)
{
    for (var i = 0; i < 2; i++) Run(baseline);
    var old = Run(baseline);
    if (old.Errors > 0 || old.Mup > 0)
    {
        Console.WriteLine($"the baseline analyzers are not clean on the project: {old.Errors} errors, {old.Mup} MUP diagnostics");
        return 1;
    }
}

// C: the analyzer driver with one analyzer that registers nothing, which every build with any analyzer (the SDK
// enables several by default) pays; B/C - 1 is MupGen's own cost on top of that.
var noop = ImmutableArray.Create<DiagnosticAnalyzer>(new NoopAnalyzer());
var a = new List<double>();
var b = new List<double>();
var c = new List<double>();
var d = new List<double>();
var ratios = new List<double>();
var ownRatios = new List<double>();
var newOverOld = new List<double>();
for (var r = 0; r < rounds; r++)
{
    double ta, tb, tc, td = double.NaN;
    if (r % 2 == 0)
    {
        ta = WithoutAnalyzers().Ms; tc = Run(noop).Ms;
        if (!baseline.IsEmpty) td = Run(baseline).Ms;
        tb = WithAnalyzers().Ms;
    }
    else
    {
        tb = WithAnalyzers().Ms;
        if (!baseline.IsEmpty) td = Run(baseline).Ms;
        tc = Run(noop).Ms; ta = WithoutAnalyzers().Ms;
    }
    a.Add(ta); b.Add(tb); c.Add(tc); ratios.Add(tb / ta); ownRatios.Add(tb / tc);
    if (!baseline.IsEmpty) { d.Add(td); newOverOld.Add(tb / td); }
}

static double Median(List<double> v) { var s = v.OrderBy(t => t).ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
static double Quantile(List<double> v, double q) { var s = v.OrderBy(t => t).ToList(); return s[(int)Math.Round(q * (s.Count - 1))]; }

var lines = trees.Sum(t => t.GetText().Lines.Count);
Console.WriteLine($"{Models} µP model classes (+ their block/attention/MLP classes and a trainer), {trees.Length} files, {lines:N0} lines; {rounds} alternating rounds");
Console.WriteLine($"generator + compiler diagnostics:             median {Median(a),8:0.0} ms");
Console.WriteLine($"generator + compiler + analyzer driver (no-op): median {Median(c),8:0.0} ms");
Console.WriteLine($"generator + compiler + MupGen analyzers:      median {Median(b),8:0.0} ms");
Console.WriteLine($"MupGen analyzers over the build without any analyzer: median {100 * (Median(ratios) - 1):0.0}% (quartiles {100 * (Quantile(ratios, 0.25) - 1):0.0}%..{100 * (Quantile(ratios, 0.75) - 1):0.0}%)");
Console.WriteLine($"MupGen analyzers over the analyzer driver alone:      median {100 * (Median(ownRatios) - 1):0.0}% (quartiles {100 * (Quantile(ownRatios, 0.25) - 1):0.0}%..{100 * (Quantile(ownRatios, 0.75) - 1):0.0}%)");
if (!baseline.IsEmpty)
{
    Console.WriteLine($"generator + compiler + baseline analyzers:    median {Median(d),8:0.0} ms ({baselinePath})");
    Console.WriteLine($"baseline analyzers over the analyzer driver alone:    median {100 * (Median(d.Zip(c, (x, y) => x / y).ToList()) - 1):0.0}%");
    Console.WriteLine($"build with MupGen analyzers / build with baseline analyzers: median {Median(newOverOld):0.000} (quartiles {Quantile(newOverOld, 0.25):0.000}..{Quantile(newOverOld, 0.75):0.000})");
    Console.WriteLine($"analyzers' own time (median minus the no-op driver's): MupGen {Median(b) - Median(c):0.0} ms, baseline {Median(d) - Median(c):0.0} ms");
}
return 0;

/// <summary>Registers nothing: measures the analyzer driver itself.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class NoopAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Descriptor = new("NOOP001", "No-op", "No-op", "Benchmark", DiagnosticSeverity.Hidden, true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
    }
}

/// <summary>The generated project: four model shapes, cycled, each class suffixed with its index.</summary>
internal static class Corpus
{
    private const string Usings = """
        using System;
        using System.Linq;
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        namespace Bench;

        """;

    public static IEnumerable<string> Files(int models)
    {
        const int PerFile = 10;
        var trainer = new StringBuilder(Usings).AppendLine("public static class Trainer").AppendLine("{").AppendLine("    public static void Run()").AppendLine("    {");
        for (var start = 0; start < models; start += PerFile)
        {
            var file = new StringBuilder(Usings);
            for (var i = start; i < Math.Min(models, start + PerFile); i++)
            {
                var (template, root) = Templates[i % Templates.Length];
                file.AppendLine(template.Replace("_N", "_" + i.ToString(CultureInfo.InvariantCulture)));
                trainer.AppendLine($"        using (var m{i} = new {root}_{i}(128)) using (var o{i} = m{i}.MupAdamW(1e-3, 0.1)) {{ }}");
            }
            yield return file.ToString();
        }
        yield return trainer.AppendLine("    }").AppendLine("}").ToString();
    }

    private static readonly (string Template, string Root)[] Templates =
    {
        ("""
        public partial class Mlp_N : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Linear hidden;
            [ReadoutLayer] private readonly Linear readout;

            public Mlp_N([Width(64)] int width, int features = 32, int classes = 10) : base(nameof(Mlp_N))
            {
                input = Linear(features, width);
                hidden = Linear(width, width);
                readout = Linear(width, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
                => readout.forward(functional.relu(hidden.forward(functional.relu(input.forward(x)))) * MupReadoutMultiplier);
        }
        """, "Mlp"),
        ("""
        public partial class ConvNet_N : Module<Tensor, Tensor>
        {
            private readonly Conv2d stem;
            private readonly Conv2d conv;
            [ReadoutLayer] private readonly Linear classifier;

            public ConvNet_N([Width(16)] int channels, int classes = 10) : base(nameof(ConvNet_N))
            {
                stem = Conv2d(3, channels, 3);
                conv = Conv2d(in_channels: channels, out_channels: 2 * channels, kernel_size: 3, bias: false);
                classifier = Linear(2 * channels, classes);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = functional.relu(conv.forward(functional.relu(stem.forward(x))));
                return classifier.forward(h.mean(new long[] { 2, 3 }) * MupReadoutMultiplier);
            }
        }
        """, "ConvNet"),
        ("""
        public partial class ResBlock_N : Module<Tensor, Tensor>
        {
            private readonly Linear fc1;
            private readonly Linear fc2;

            public ResBlock_N(int width) : base(nameof(ResBlock_N))
            {
                fc1 = Linear(width, 4 * width);
                fc2 = Linear(4 * width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + MupResidualMultiplier * fc2.forward(functional.gelu(fc1.forward(x)));
                return x;
            }
        }

        public partial class ResMlp_N : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly ModuleList<ResBlock_N> blocks;
            [ReadoutLayer] private readonly Linear output;

            public ResMlp_N([Width(32)] int width, [Depth(2)] int depth = 4) : base(nameof(ResMlp_N))
            {
                input = Linear(8, width);
                blocks = new ModuleList<ResBlock_N>();
                for (var i = 0; i < depth; i++)
                    blocks.Add(new ResBlock_N(width));
                output = Linear(width, 2);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var h = input.forward(x);
                foreach (var block in blocks)
                    h = block.forward(h);
                return output.forward(h * MupReadoutMultiplier);
            }
        }
        """, "ResMlp"),
        ("""
        public partial class Attention_N : Module<Tensor, Tensor>
        {
            private readonly Linear q;
            private readonly Linear k;
            private readonly Linear v;
            private readonly Linear o;
            private readonly int heads;
            private readonly int headDim;

            public Attention_N(int width, int heads) : base(nameof(Attention_N))
            {
                this.heads = heads;
                headDim = width / heads;
                q = Linear(width, width);
                k = Linear(width, width);
                v = Linear(width, width);
                o = Linear(width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                var (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]);
                Tensor Split(Tensor z) => z.view(b, t, heads, headDim).transpose(1, 2);
                var y = MupAttention.ScaledDotProduct(Split(q.forward(x)), Split(k.forward(x)), Split(v.forward(x)), MupAttentionScale(headDim), isCausal: true);
                return o.forward(y.transpose(1, 2).contiguous().view(b, t, c));
            }
        }

        public partial class FeedForward_N : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            private readonly Linear proj;

            public FeedForward_N(int width) : base(nameof(FeedForward_N))
            {
                fc = Linear(width, 4 * width);
                proj = Linear(4 * width, width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => proj.forward(functional.gelu(fc.forward(x)));
        }

        public partial class Block_N : Module<Tensor, Tensor>
        {
            private readonly LayerNorm ln1;
            private readonly Attention_N attn;
            private readonly LayerNorm ln2;
            private readonly FeedForward_N mlp;

            public Block_N(int width, int heads) : base(nameof(Block_N))
            {
                ln1 = LayerNorm(width);
                attn = new Attention_N(width, heads);
                ln2 = LayerNorm(width);
                mlp = new FeedForward_N(width);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                x = x + MupResidualMultiplier * attn.forward(ln1.forward(x));
                return x + MupResidualMultiplier * mlp.forward(ln2.forward(x));
            }
        }

        public partial class Gpt_N : Module<Tensor, Tensor>
        {
            private readonly Embedding wte;
            private readonly Embedding wpe;
            private readonly ModuleList<Block_N> blocks;
            private readonly LayerNorm ln_f;
            [ReadoutLayer] private readonly Linear head;

            public Gpt_N([Width(64)] int width, [Depth(2)] int layers = 4, int vocab = 256, int context = 64, int heads = 4) : base(nameof(Gpt_N))
            {
                wte = Embedding(vocab, width);
                wpe = Embedding(context, width);
                blocks = new ModuleList<Block_N>(Enumerable.Range(0, layers).Select(_ => new Block_N(width, heads)).ToArray());
                ln_f = LayerNorm(width);
                head = Linear(width, vocab, hasBias: false);
                RegisterComponents();
            }

            public override Tensor forward(Tensor idx)
            {
                var x = wte.forward(idx) + wpe.forward(torch.arange(idx.shape[1]));
                foreach (var block in blocks)
                    x = block.forward(x);
                return head.forward(ln_f.forward(x) * MupReadoutMultiplier);
            }
        }
        """, "Gpt"),
    };
}
