using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

/// <summary>The generated 200-model project, its references and options, shared by the build-cost modes.</summary>
internal sealed class BenchProject
{
    public const int Models = 200;

    /// <summary>As `dotnet build` parses a project that does not generate a documentation file (the default: no /doc,
    /// so doc comments are plain trivia); with GenerateDocumentationFile every file, generated ones too, costs more.</summary>
    public CSharpParseOptions Parse { get; } = new(LanguageVersion.Latest, DocumentationMode.None);
    public SyntaxTree[] Trees { get; }
    public CSharpCompilationOptions Options { get; } =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress });

    public BenchProject() =>
        Trees = Corpus.Files(Models).Select((text, i) => CSharpSyntaxTree.ParseText(text, Parse, path: $"Models{i}.cs")).ToArray();

    /// <summary>Framework, TorchSharp and the given MupGen runtime assembly.</summary>
    public static MetadataReference[] References(string mupGenRuntime) =>
        Basic.Reference.Assemblies.Net100.References.All
            .Concat(new[] { MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location), MetadataReference.CreateFromFile(mupGenRuntime) })
            .ToArray();

    public int Lines => Trees.Sum(t => t.GetText().Lines.Count);

    public CSharpCompilation Fresh(IEnumerable<SyntaxTree> trees, MetadataReference[] references) =>
        CSharpCompilation.Create("Bench", trees, references, Options);

    /// <summary>Every tree of <paramref name="compilation"/> (sources and generated files) parsed again from its
    /// text: plain source trees for the compile without MupGen, which no generator ran on.</summary>
    public SyntaxTree[] Reparsed(Compilation compilation) =>
        compilation.SyntaxTrees.Select(t => CSharpSyntaxTree.ParseText(t.GetText(), Parse, path: t.FilePath)).ToArray();

    /// <summary>Every analyzer type of an assembly (generator and analyzers may ship as one), in a stable order.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> AnalyzersOf(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)
                && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    /// <summary>Every incremental generator type of an assembly.</summary>
    public static ImmutableArray<IIncrementalGenerator> GeneratorsOf(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t)
                && t.GetCustomAttributes(typeof(GeneratorAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IIncrementalGenerator)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    /// <summary>A fresh driver (as each command-line build makes one) run on <paramref name="compilation"/>.</summary>
    public GeneratorDriver RunGenerators(ImmutableArray<IIncrementalGenerator> generators, Compilation compilation, out Compilation output, bool track = false,
        ImmutableArray<AdditionalText> additionalTexts = default)
    {
        var driver = CSharpGeneratorDriver.Create(generators.Select(g => g.AsSourceGenerator()), additionalTexts.IsDefault ? null : additionalTexts, parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));
        return driver.RunGeneratorsAndUpdateCompilation(compilation, out output, out _);
    }

    /// <summary>What a build does after generation. Without analyzers: emit, which binds every method once and reports
    /// the compiler's diagnostics, as csc does. With analyzers: all diagnostics through Roslyn's analyzer driver, then
    /// emit. The driver analyzes a clone of the compilation and compiles it to produce its events (csc attaches it to
    /// the compilation it emits instead), so a side with analyzers is compared with (N), the same driver with an
    /// analyzer that does nothing, never with (0).</summary>
    public static (int Errors, int Mup) DiagnoseAndEmit(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var diagnostics = analyzers.IsEmpty
            ? ImmutableArray<Diagnostic>.Empty
            : compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
                .GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        using var pe = new MemoryStream();
        var emit = compilation.Emit(pe);
        diagnostics = diagnostics.AddRange(emit.Diagnostics);
        var errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error) + (emit.Success ? 0 : 1);
        return (errors, diagnostics.Count(d => d.Id.StartsWith("MUP", StringComparison.Ordinal)));
    }

    /// <summary>Wall clock of <paramref name="action"/> in ms; its CPU time (every thread of the process: the
    /// compiler's concurrent passes and the GC count too) is left in <see cref="LastCpuMs"/>. On a shared machine the
    /// CPU time is the steadier of the two: waiting for a core does not count.</summary>
    public static double Ms(Action action)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        action();
        var wall = sw.Elapsed.TotalMilliseconds;
        process.Refresh();
        LastCpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds;
        return wall;
    }

    /// <summary>The CPU time of the last <see cref="Ms"/> call.</summary>
    public static double LastCpuMs { get; private set; }
}

/// <summary>Median and quartiles of a sample.</summary>
internal static class Stats
{
    public static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        var s = values.OrderBy(v => v).ToArray();
        var pos = q * (s.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, s.Length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    public static double Median(IReadOnlyCollection<double> values) => Quantile(values, 0.5);

    public static string Ms(IReadOnlyCollection<double> v) =>
        $"{Median(v),8:0.0} ms ({Quantile(v, 0.25):0.0}..{Quantile(v, 0.75):0.0})";

    public static string Percent(IReadOnlyCollection<double> ratios) =>
        $"{100 * Median(ratios),6:0.00}% ({100 * Quantile(ratios, 0.25):0.00}..{100 * Quantile(ratios, 0.75):0.00}%)";

    public static string Ratio(IReadOnlyCollection<double> ratios) =>
        $"{Median(ratios):0.000} ({Quantile(ratios, 0.25):0.000}..{Quantile(ratios, 0.75):0.000})";

    /// <summary>The order in which <paramref name="count"/> sides run in round <paramref name="round"/>: rotated
    /// every two rounds and reversed every other (01234, 43210, 12340, 04321, ...), so no side always runs first or
    /// after the same side.</summary>
    public static int[] RotatedOrder(int count, int round)
    {
        var order = Enumerable.Range(0, count).Select(k => (k + round / 2) % count).ToArray();
        if (round % 2 == 1)
            Array.Reverse(order);
        return order;
    }
}

/// <summary>
/// <c>build-cost [rounds]</c>: what MupGen adds to a build of the 200-model project, as milliseconds and as a share of
/// the same build without MupGen. Each round, in an order that rotates from round to round:
/// (0) no MupGen: the user sources plus the generated files added as plain source (the same compilation, so it
/// compiles), emitted (emit binds every method once and reports the compiler's diagnostics, as csc does); (1) the generator alone: a fresh driver run on a fresh compilation of the user
/// sources, as a build does; (N) (0) with Roslyn's analyzer driver attached and one analyzer that registers nothing
/// (what every build with any analyzer pays: the SDK enables several by default; CompilationWithAnalyzers binds a
/// clone of the compilation, which csc does not, so (0) itself is no baseline for analyzers); (2) analyzers alone:
/// (0) with only the MupGen analyzers attached, minus (N); (3) both: the generator, then diagnostics + MupGen
/// analyzers + emit on its output, minus (N).
/// Ratios are taken per round (each side against the (0) of its own round), then the median and quartiles.
/// </summary>
internal static class BuildCost
{
    /// <summary><c>analyzer-loop [runs]</c>: the generator, then the MupGen analyzers on its output, run after run (for
    /// a profiler, like <c>generator-loop</c>).</summary>
    public static int AnalyzerLoop(int runs)
    {
        var project = new BenchProject();
        var references = BenchProject.References(typeof(MupGen.IMupModel).Assembly.Location);
        var assembly = typeof(MupGen.Generators.MupGenerator).Assembly;
        var generators = BenchProject.GeneratorsOf(assembly);
        var analyzers = BenchProject.AnalyzersOf(assembly);
        var cpu = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            project.RunGenerators(generators, project.Fresh(project.Trees, references), out var output);
            BenchProject.Ms(() => output.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false))
                .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult());
            cpu.Add(BenchProject.LastCpuMs);
        }
        Console.WriteLine($"analyzers on the generator's output: {runs} runs, CPU {Stats.Ms(cpu)}; load {Load()}");
        return 0;
    }

    /// <summary><c>generator-loop [runs]</c>: only the generator, run after run on fresh compilations (for a profiler:
    /// <c>dotnet-trace collect -- dotnet bin/.../AnalyzerBenchmark.dll generator-loop 40</c>).</summary>
    public static int GeneratorLoop(int runs)
    {
        var project = new BenchProject();
        var references = BenchProject.References(typeof(MupGen.IMupModel).Assembly.Location);
        var generators = BenchProject.GeneratorsOf(typeof(MupGen.Generators.MupGenerator).Assembly);
        var times = new List<double>();
        var cpu = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var c = project.Fresh(project.Trees, references);
            times.Add(BenchProject.Ms(() => project.RunGenerators(generators, c, out _)));
            cpu.Add(BenchProject.LastCpuMs);
        }
        var skip = Math.Min(2, runs - 1);
        Console.WriteLine($"semantic models without nullable analysis: {MupGen.Generators.SemanticModels.SkipsNullableAnalysis}");
        Console.WriteLine($"generator: {runs} runs (the first {skip} not counted), wall {Stats.Ms(times.Skip(skip).ToList())}, CPU {Stats.Ms(cpu.Skip(skip).ToList())}; load {Load()}");
        return 0;
    }

    public static int Run(int rounds)
    {
        var project = new BenchProject();
        var references = BenchProject.References(typeof(MupGen.IMupModel).Assembly.Location);
        var generatorAssembly = typeof(MupGen.Generators.MupGenerator).Assembly;
        var generators = BenchProject.GeneratorsOf(generatorAssembly);
        var analyzers = BenchProject.AnalyzersOf(generatorAssembly);
        var noop = ImmutableArray.Create<DiagnosticAnalyzer>(new NoopAnalyzer());

        // The generated files, once, as plain source trees for the build without MupGen.
        project.RunGenerators(generators, project.Fresh(project.Trees, references), out var generatedOnce);
        // Parsed again from their text: trees the generator never ran on, so in (2) the analyzers cannot reuse its
        // parses (SharedParses keys them by syntax tree) and do all their work themselves.
        var plainTrees = project.Reparsed(generatedOnce);
        var generatedCount = plainTrees.Length - project.Trees.Length;

        double None() => BenchProject.Ms(() => Check(BenchProject.DiagnoseAndEmit(project.Fresh(plainTrees, references), ImmutableArray<DiagnosticAnalyzer>.Empty), "(0)"));
        double Generator() { var c = project.Fresh(project.Trees, references); return BenchProject.Ms(() => project.RunGenerators(generators, c, out _)); }
        double Analyzers() => BenchProject.Ms(() => Check(BenchProject.DiagnoseAndEmit(project.Fresh(plainTrees, references), analyzers), "(2)"));
        double Noop() => BenchProject.Ms(() => Check(BenchProject.DiagnoseAndEmit(project.Fresh(plainTrees, references), noop), "(N)"));
        // Inside (3): the generator's output trees are parsed lazily, so parsing the generated text is part of (3);
        // it is timed on its own too (in (0) the same text was parsed before the clock started).
        var parseWall = new List<double>();
        var parseCpu = new List<double>();
        double Both() => BenchProject.Ms(() =>
        {
            project.RunGenerators(generators, project.Fresh(project.Trees, references), out var output);
            parseWall.Add(BenchProject.Ms(() => { foreach (var tree in output.SyntaxTrees.Skip(project.Trees.Length)) tree.GetRoot(); }));
            parseCpu.Add(BenchProject.LastCpuMs);
            Check(BenchProject.DiagnoseAndEmit(output, analyzers), "(3)");
        });

        // Warm-up (JIT, reference metadata) and the check that every side compiles clean (the checks run every round).
        for (var i = 0; i < 2; i++) { None(); Generator(); Noop(); Analyzers(); Both(); }
        // How often the analyzers reuse the generator's parse (SharedParses) rather than parse a model again.
        var (r0, m0) = MupGen.Generators.SharedParses.Counts;
        Analyzers();
        var (r1, m1) = MupGen.Generators.SharedParses.Counts;
        Both();
        var (r2, m2) = MupGen.Generators.SharedParses.Counts;
        Console.WriteLine($"analyzer parses per compile: (2) {r1 - r0} reused, {m1 - m0} parsed again; (3) {r2 - r1} reused, {m2 - m1} parsed again");

        parseWall.Clear();
        parseCpu.Clear();
        var runs = new Func<double>[] { None, Generator, Analyzers, Both, Noop };
        var t = runs.Select(_ => new List<double>()).ToArray();
        var cpu = runs.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var k in Stats.RotatedOrder(runs.Length, r))
            {
                t[k].Add(runs[k]());
                cpu[k].Add(BenchProject.LastCpuMs);
            }
            // A table every 5 rounds (the last one is the result), so a run stopped early still reports.
            if ((r + 1) % 5 == 0 || r + 1 == rounds)
            {
                Report(project, t, r + 1, generatedCount, "wall clock", parseWall);
                Report(project, cpu, r + 1, generatedCount, "CPU time of the process (all threads; waiting for a core does not count)", parseCpu);
            }
        }
        return 0;
    }

    private static void Report(BenchProject project, List<double>[] t, int rounds, int generatedCount, string clock, List<double> parse)
    {
        var none = t[0];
        var gen = t[1];
        var an = t[2].Zip(t[4], (x, b) => x - b).ToList();
        var both = t[3].Zip(t[4], (x, b) => x - b).ToList();
        Console.WriteLine($"Build cost: {BenchProject.Models} µP model classes (+ their block/attention/MLP classes and a trainer), {project.Trees.Length} files, {project.Lines:N0} lines, {generatedCount} generated files; {rounds} rounds in rotating order, {Environment.ProcessorCount} cores, load {Load()}");
        Console.WriteLine($"{clock}: median (quartiles) over the rounds; shares are per-round ratios to (0) of the same round");
        Console.WriteLine($"{"",-58} {"milliseconds",-30} share of (0)");
        Console.WriteLine($"{"(0) compile without MupGen (emit, its diagnostics)",-58} {Stats.Ms(none),-30} 100%");
        Console.WriteLine($"{"(1) generator alone (fresh driver on a fresh compilation)",-58} {Stats.Ms(gen),-30} {Stats.Percent(gen.Zip(none, (x, b) => x / b).ToList())}");
        Console.WriteLine($"{"(N) (0) + analyzer driver with a no-op analyzer",-58} {Stats.Ms(t[4]),-30} {Stats.Percent(t[4].Zip(none, (x, b) => x / b).ToList())}");
        Console.WriteLine($"{"(2) MupGen analyzers alone (minus (N))",-58} {Stats.Ms(an),-30} {Stats.Percent(an.Zip(none, (x, b) => x / b).ToList())}");
        Console.WriteLine($"{"(3) generator + analyzers (minus (N))",-58} {Stats.Ms(both),-30} {Stats.Percent(both.Zip(none, (x, b) => x / b).ToList())}");
        Console.WriteLine($"{"    of which: parsing the generated files",-58} {Stats.Ms(parse),-30} {Stats.Percent(parse.Zip(none, (x, b) => x / b).ToList())}");
        Console.WriteLine($"target: (3) at most 3% of (0)");
        Console.Out.Flush();
    }

    private static void Check((int Errors, int Mup) result, string side)
    {
        if (result.Errors > 0 || result.Mup > 0)
            throw new InvalidOperationException($"side {side} of the generated project is not clean: {result.Errors} errors, {result.Mup} MUP diagnostics");
    }

    internal static string Load()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }
}

/// <summary>
/// <c>before-after DIR [rounds]</c>: generator and analyzer time of an older build of MupGen (DIR holds its
/// MupGen.Generators.dll, optionally MupGen.Analyzers.dll when the analyzers shipped apart, and MupGen.dll, the runtime
/// its generated code compiles against) against the current one, side by side, alternating. The old assemblies load in
/// an AssemblyLoadContext of their own (same assembly names as the current ones); Roslyn resolves to the one of this
/// process. Generator: wall clock of a fresh driver run on a fresh compilation, plus per-step times from the driver's
/// step tracking (separate rounds, tracking costs time). Analyzers: Roslyn's telemetry (execution time per analyzer,
/// sequential analysis), on each side's own generated output.
/// </summary>
internal static class BeforeAfter
{
    private sealed class Side
    {
        public required string Name;
        public required ImmutableArray<IIncrementalGenerator> Generators;
        public required ImmutableArray<DiagnosticAnalyzer> Analyzers;
        public required MetadataReference[] References;
        public readonly List<double> Generator = new(), GeneratorCpu = new(), DriverTiming = new(), Analyzer = new();
        public readonly Dictionary<string, List<double>> PerAnalyzer = new(), PerStep = new();
    }

    internal sealed class FolderContext(string folder) : AssemblyLoadContext("MupGen before", isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(folder, name.Name + ".dll");
            // Only MupGen's own assemblies come from the folder; Roslyn and the framework are shared with this process.
            return name.Name!.StartsWith("MupGen", StringComparison.Ordinal) && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }

    public static int Run(string folder, int rounds)
    {
        folder = Path.GetFullPath(folder);
        var project = new BenchProject();
        var context = new FolderContext(folder);
        var oldGenerator = context.LoadFromAssemblyPath(Path.Combine(folder, "MupGen.Generators.dll"));
        var oldAnalyzers = File.Exists(Path.Combine(folder, "MupGen.Analyzers.dll"))
            ? BenchProject.AnalyzersOf(context.LoadFromAssemblyPath(Path.Combine(folder, "MupGen.Analyzers.dll")))
            : ImmutableArray<DiagnosticAnalyzer>.Empty;
        var oldRuntime = Path.Combine(folder, "MupGen.dll");
        var before = new Side
        {
            Name = "before",
            Generators = BenchProject.GeneratorsOf(oldGenerator),
            Analyzers = oldAnalyzers.AddRange(BenchProject.AnalyzersOf(oldGenerator)),
            References = BenchProject.References(File.Exists(oldRuntime) ? oldRuntime : typeof(MupGen.IMupModel).Assembly.Location),
        };
        var current = typeof(MupGen.Generators.MupGenerator).Assembly;
        var after = new Side
        {
            Name = "after",
            Generators = BenchProject.GeneratorsOf(current),
            Analyzers = BenchProject.AnalyzersOf(current),
            References = BenchProject.References(typeof(MupGen.IMupModel).Assembly.Location),
        };
        if (before.Generators.IsEmpty || before.Analyzers.IsEmpty)
        {
            Console.WriteLine($"no generator or no analyzers found in {folder}");
            return 2;
        }

        // Warm-up and the check that both sides compile the project clean.
        foreach (var side in new[] { before, after })
            for (var i = 0; i < 2; i++)
            {
                project.RunGenerators(side.Generators, project.Fresh(project.Trees, side.References), out var output);
                var (errors, mup) = BenchProject.DiagnoseAndEmit(output, side.Analyzers);
                if (errors > 0 || mup > 0)
                {
                    Console.WriteLine($"the {side.Name} side is not clean on the project: {errors} errors, {mup} MUP diagnostics");
                    return 1;
                }
            }

        for (var r = 0; r < rounds; r++)
        {
            foreach (var side in r % 2 == 0 ? new[] { before, after } : new[] { after, before })
                Measure(project, side);
            // A table every 5 rounds (the last one is the result), so a run stopped early still reports.
            if ((r + 1) % 5 == 0 || r + 1 == rounds)
                Report(folder, before, after, project, r + 1);
        }
        return 0;
    }

    private static void Report(string folder, Side before, Side after, BenchProject project, int rounds)
    {
        Console.WriteLine($"Before/after: {BenchProject.Models} µP model classes, {project.Trees.Length} files, {project.Lines:N0} lines; {rounds} alternating rounds, {Environment.ProcessorCount} cores, load {BuildCost.Load()}");
        Console.WriteLine($"before: {folder} ({before.Analyzers.Length} analyzers); after: this build ({after.Analyzers.Length} analyzers)");
        Console.WriteLine("median (quartiles) over the rounds; after/before is the median of the per-round ratios");
        Console.WriteLine($"{"",-52} {"before",-30} {"after",-30} after/before");
        Row("generator, wall clock of a fresh driver run", before.Generator, after.Generator);
        Row("generator, CPU time of that run", before.GeneratorCpu, after.GeneratorCpu);
        Row("generator, driver's own timing (GetTimingInfo)", before.DriverTiming, after.DriverTiming);
        Row("analyzers, Roslyn telemetry (sum, sequential)", before.Analyzer, after.Analyzer);
        Row("generator + analyzers", before.Generator.Zip(before.Analyzer, (x, y) => x + y).ToList(), after.Generator.Zip(after.Analyzer, (x, y) => x + y).ToList());
        Console.WriteLine("generator steps (driver step tracking, sum of the step's elapsed time over its runs):");
        foreach (var step in before.PerStep.Keys.Union(after.PerStep.Keys).OrderBy(s => s, StringComparer.Ordinal))
            Console.WriteLine($"  {step,-50} {Cell(before.PerStep, step),-30} {Cell(after.PerStep, step),-30}");
        Console.WriteLine("analyzers (telemetry execution time):");
        foreach (var side in new[] { before, after })
            foreach (var (name, times) in side.PerAnalyzer.OrderBy(p => p.Key, StringComparer.Ordinal))
                Console.WriteLine($"  {side.Name,-6} {name,-44} {Stats.Ms(times)}");
        Console.Out.Flush();
    }

    private static string Cell(Dictionary<string, List<double>> table, string key) => table.TryGetValue(key, out var v) ? Stats.Ms(v) : "-";

    private static void Row(string label, List<double> before, List<double> after) =>
        Console.WriteLine($"{label,-52} {Stats.Ms(before),-30} {Stats.Ms(after),-30} {Stats.Ratio(after.Zip(before, (a, b) => a / b).ToList())}");

    private static void Measure(BenchProject project, Side side)
    {
        // Generator: wall clock, untracked (as a build runs it).
        var compilation = project.Fresh(project.Trees, side.References);
        GeneratorDriver driver = null!;
        Compilation output = null!;
        side.Generator.Add(BenchProject.Ms(() => driver = project.RunGenerators(side.Generators, compilation, out output)));
        side.GeneratorCpu.Add(BenchProject.LastCpuMs);
        side.DriverTiming.Add(driver.GetTimingInfo().ElapsedTime.TotalMilliseconds);

        // Analyzers on this side's generated output: Roslyn's per-analyzer execution time.
        var withAnalyzers = output.WithAnalyzers(side.Analyzers, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
        withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        double sum = 0;
        foreach (var analyzer in side.Analyzers)
        {
            var ms = withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, default).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds;
            sum += ms;
            Add(side.PerAnalyzer, analyzer.GetType().Name, ms);
        }
        side.Analyzer.Add(sum);

        // Generator steps, tracked (a separate run: tracking has a cost of its own).
        var tracked = project.RunGenerators(side.Generators, project.Fresh(project.Trees, side.References), out _, track: true);
        foreach (var result in tracked.GetRunResult().Results)
            foreach (var (step, runs) in result.TrackedSteps)
                Add(side.PerStep, step, runs.Sum(s => s.ElapsedTime.TotalMilliseconds));
    }

    private static void Add(Dictionary<string, List<double>> table, string key, double value)
    {
        if (!table.TryGetValue(key, out var list))
            table[key] = list = new List<double>();
        list.Add(value);
    }
}

/// <summary>
/// <c>generator-floor [rounds]</c>: MupGen's generator beside samples/BuildCostFloor's three floor generators (built
/// into a temporary folder, each loaded in a context of its own), in memory, on fresh compilations of the same
/// project, in a rotating order: what any generator that adds MupGen's 400 files costs (<c>add</c>), plus MupGen's
/// <c>ForAttributeWithMetadataName</c> discovery (<c>discover</c>), plus a read of each model class's members and base
/// type (<c>members</c>). Each as milliseconds, as a share of the compile without MupGen (emit, as in
/// <c>build-cost</c>), and as a fraction of MupGen's generator time. The floors get MupGen's output as additional
/// files; the parse of the generated text is lazy and counted on no side.
/// </summary>
internal static class GeneratorFloor
{
    private sealed class MemoryText(string path, Microsoft.CodeAnalysis.Text.SourceText text) : AdditionalText
    {
        public override string Path { get; } = path;
        public override Microsoft.CodeAnalysis.Text.SourceText GetText(System.Threading.CancellationToken cancellationToken = default) => text;
    }

    public static int Run(int rounds)
    {
        var project = new BenchProject();
        var references = BenchProject.References(typeof(MupGen.IMupModel).Assembly.Location);
        var mupgen = BenchProject.GeneratorsOf(typeof(MupGen.Generators.MupGenerator).Assembly);
        project.RunGenerators(mupgen, project.Fresh(project.Trees, references), out var generated);
        var generatedTrees = generated.SyntaxTrees.Skip(project.Trees.Length).ToArray();
        var texts = generatedTrees
            .Select(t => (AdditionalText)new MemoryText(Path.Combine("generated", Path.GetFileName(t.FilePath)), t.GetText()))
            .ToImmutableArray();
        var plainTrees = project.Reparsed(generated);

        var sides = new List<(string Label, Func<double> Run)>
        {
            ("(0) compile without MupGen (emit)", () => BenchProject.Ms(() => BenchProject.DiagnoseAndEmit(project.Fresh(plainTrees, references), ImmutableArray<DiagnosticAnalyzer>.Empty))),
            ("MupGen's generator", Generator(mupgen, default)),
        };
        var root = Path.Combine(Path.GetTempPath(), "mupgen-generator-floor");
        foreach (var mode in RealBuild.FloorModes)
        {
            var folder = Path.Combine(root, mode);
            if (RealBuild.BuildFloor(mode, folder) is { } error)
            {
                Console.WriteLine(error);
                return 2;
            }
            var assembly = new BeforeAfter.FolderContext(folder).LoadFromAssemblyPath(Path.Combine(folder, "MupGen.BuildCostFloor.dll"));
            var floor = BenchProject.GeneratorsOf(assembly);
            // The floor must add exactly MupGen's files, or it is not the floor of this project.
            project.RunGenerators(floor, project.Fresh(project.Trees, references), out var added, additionalTexts: texts);
            if (added.SyntaxTrees.Count() != generated.SyntaxTrees.Count())
                throw new InvalidOperationException($"floor {mode} added {added.SyntaxTrees.Count() - project.Trees.Length} files, MupGen {generatedTrees.Length}");
            sides.Add((RealBuild.FloorLabels[mode], Generator(floor, texts)));
        }

        Func<double> Generator(ImmutableArray<IIncrementalGenerator> generators, ImmutableArray<AdditionalText> additional) => () =>
        {
            var c = project.Fresh(project.Trees, references);
            return BenchProject.Ms(() => project.RunGenerators(generators, c, out _, additionalTexts: additional));
        };

        for (var i = 0; i < 2; i++)
            foreach (var side in sides)
                side.Run();
        var wall = sides.Select(_ => new List<double>()).ToArray();
        var cpu = sides.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var k in Stats.RotatedOrder(sides.Count, r))
            {
                wall[k].Add(sides[k].Run());
                cpu[k].Add(BenchProject.LastCpuMs);
            }
        }
        Console.WriteLine($"Generator floor: {BenchProject.Models} µP model classes, {project.Trees.Length} files, {generatedTrees.Length} generated files; in memory, fresh compilations; {rounds} rounds in rotating order, {Environment.ProcessorCount} cores, load {BuildCost.Load()}");
        foreach (var (clock, t) in new[] { ("wall clock", wall), ("CPU time of the process", cpu) })
        {
            Console.WriteLine($"{clock}: median (quartiles) over the rounds; shares are per-round ratios");
            Console.WriteLine($"{"",-62} {"milliseconds",-30} {"share of (0)",-26} of MupGen's generator");
            for (var k = 0; k < sides.Count; k++)
            {
                var share = k == 0 ? "100%" : Stats.Percent(t[k].Zip(t[0], (x, b) => x / b).ToList());
                var ofMupGen = k == 0 ? "" : Stats.Ratio(t[k].Zip(t[1], (x, b) => x / b).ToList());
                Console.WriteLine($"{sides[k].Label,-62} {Stats.Ms(t[k]),-30} {share,-26} {ofMupGen}");
            }
        }
        return 0;
    }
}
