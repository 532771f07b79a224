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
// `generator-floor [rounds]` (MupGen's generator beside samples/BuildCostFloor's floor generators, in memory)
// and `before-after DIR [rounds]` (an older build of MupGen's assemblies in DIR against this one); RealBuild.cs:
// `real-build [rounds] [--server | --csc] [--baseline DIR] [--without IDS] [--floor]` (the same project built with dotnet build
// or compiled by the compiler run directly; wall clock and CPU time; docs/BUILD-COST.md).
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "build-cost")
    return BuildCost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15);
if (args.Length > 0 && args[0] == "real-build")
{
    // --without ID,ID: a fourth side with only those analyzers' diagnostics switched off (their marginal cost).
    // --csc: the compiler run directly with MSBuild's command line (its own CPU time, no MSBuild around it).
    // --baseline DIR: a fifth side with an older build of MupGen.Generators.dll (generator and analyzers) from DIR.
    // --floor: three sides with samples/BuildCostFloor's generator in place of MupGen's (the floor of its cost).
    string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    var without = Option("--without");
    var baselineDir = Option("--baseline");
    var optionValues = new[] { "--without", "--baseline" }.Select(o => Array.IndexOf(args, o) + 1).Where(i => i > 0).ToHashSet();
    var counts = args.Where((a, i) => i > 0 && !a.StartsWith("--", StringComparison.Ordinal) && !optionValues.Contains(i));
    return RealBuild.Run(counts.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).DefaultIfEmpty(5).First(), args.Contains("--server"), without, baselineDir, direct: args.Contains("--csc"), floor: args.Contains("--floor"));
}
if (args.Length > 0 && args[0] == "analyzer-loop")
    return BuildCost.AnalyzerLoop(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
if (args.Length > 0 && args[0] == "generator-floor")
    return GeneratorFloor.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
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
