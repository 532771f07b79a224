using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace MupGen.Analyzers.Tests;

/// <summary>What every MupGen analyzer and code-fix test shares: the references (net10 reference assemblies,
/// TorchSharp's managed API, the MupGen runtime), the options, every analyzer of the generator assembly, and the
/// generator run the way the compiler runs it. See README.md in this folder for how to write a test.</summary>
internal static class MupTest
{
    /// <summary>The usings every test source starts with (the ones a TorchSharp model file has).</summary>
    public const string Usings = """
        using System;
        using System.Linq;
        using System.Collections.Generic;
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    /// <summary>net10 reference assemblies from the restored Basic.Reference.Assemblies.Net100 package, TorchSharp and
    /// the MupGen runtime. Created once: the metadata is shared by every test.</summary>
    public static readonly ImmutableArray<MetadataReference> References =
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Concat(new[]
            {
                MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(MupGen.IMupModel).Assembly.Location),
            })
            .ToImmutableArray();

    /// <summary>No reference-assembly package: every reference is in <see cref="References"/>, so the framework's
    /// NuGet resolution has nothing to download (tests run offline; the test project's restore brought them).</summary>
    public static readonly ReferenceAssemblies NoPackages = new("net10.0");

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly CSharpCompilationOptions CompilationOptions =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

    /// <summary>Every analyzer the generator assembly ships, in name order.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } =
        typeof(MupGen.Generators.MupGenerator).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    /// <summary>Every code fix provider the package ships, in name order.</summary>
    public static ImmutableArray<CodeFixProvider> CodeFixProviders { get; } =
        typeof(MupGen.CodeFixes.RoleAttributeCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    private static readonly ImmutableDictionary<string, DiagnosticDescriptor> Descriptors =
        Analyzers.SelectMany(a => a.SupportedDiagnostics)
            .GroupBy(d => d.Id)
            .ToImmutableDictionary(g => g.Key, g => g.First());

    /// <summary>An expected MupGen diagnostic: its descriptor's severity is asserted, and so are exactly the locations
    /// given (the first is the primary one, the others the additional locations in order) and the message arguments
    /// given with <see cref="DiagnosticResult.WithArguments"/>.</summary>
    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(Descriptors[id]).WithMessage(null);

    /// <summary>An expected compiler error (e.g. CS0103 that MUP010 explains).</summary>
    public static DiagnosticResult CompilerError(string id) => DiagnosticResult.CompilerError(id);

    /// <summary>Runs the generator the way the compiler does (RunGeneratorsAndUpdateCompilation: the analyzers then see
    /// the generator's own output compilation and reuse its parse), returning the generator's diagnostics so the test
    /// fails on any (MUP900, CS8785).</summary>
    public static (Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics) Generate(Compilation compilation, CancellationToken cancellationToken = default)
    {
        var parseOptions = compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions ?? ParseOptions;
        var driver = CSharpGeneratorDriver.Create(new[] { new MupGen.Generators.MupGenerator().AsSourceGenerator() }, parseOptions: parseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics, cancellationToken);
        return (output, diagnostics);
    }

    /// <summary>The analyzer driver as the framework sets it up (analyzer exceptions become AD0001 errors, suppressed
    /// diagnostics reported), without timing every action.</summary>
    public static CompilationWithAnalyzers WithAnalyzers(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options) =>
        compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(options, onAnalyzerException: null,
            concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true));

    /// <summary>A plain compilation of <paramref name="sources"/>, for the few tests that look inside (the parse the
    /// analyzers read, an assembly to reference); diagnostic tests use <see cref="VerifyAsync"/>.</summary>
    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References, CompilationOptions);

    /// <summary>Generator, then every analyzer, on a plain compilation; an analyzer exception fails the test.</summary>
    public static async Task<(Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics)> AnalyzeAsync(Compilation compilation)
    {
        var (generated, generatorDiagnostics) = Generate(compilation);
        Xunit.Assert.Empty(generatorDiagnostics);
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (e, _, _) => { lock (exceptions) exceptions.Add(e); },
            concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var diagnostics = await generated.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync();
        Xunit.Assert.Empty(exceptions);
        return (generated, diagnostics);
    }

    /// <summary>Verifies exactly the diagnostics marked in <paramref name="markup"/> (<c>{|MUP005:h|}</c>, or
    /// <c>{|#0:h|}</c> with <paramref name="expected"/> <c>.WithLocation(0)</c>) plus <paramref name="expected"/>, no
    /// other diagnostic, no compiler error, no analyzer exception; returns the diagnostics the framework matched, in
    /// source order, for assertions on their properties.</summary>
    public static async Task<IReadOnlyList<Diagnostic>> VerifyAsync(string markup, params DiagnosticResult[] expected)
    {
        var test = new MupAnalyzerTest { TestCode = markup };
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
        return test.Reported;
    }
}

/// <summary>The framework's analyzer test with every MupGen analyzer, MupGen's references and options, and the
/// generator run first (<see cref="RunGenerator"/>). Checks the complete set of diagnostics, compiler errors included.</summary>
internal sealed class MupAnalyzerTest : CSharpAnalyzerTest<MupGen.Analyzers.ModelClassAnalyzer, DefaultVerifier>
{
    public MupAnalyzerTest()
    {
        ReferenceAssemblies = MupTest.NoPackages;
        TestState.AdditionalReferences.AddRange(MupTest.References);
        // The #pragma check reruns everything to test that Roslyn honours #pragma for analyzer IDs; skipped for speed.
        TestBehaviors |= TestBehaviors.SkipSuppressionCheck;
        // Two analyzers share MUP007's descriptor (forward-pass scales and attention layers).
        MarkupOptions |= MarkupOptions.UseFirstDescriptor;
        DiagnosticVerifier = (actual, _, _) => { lock (Reported) Reported.Add(actual); };
    }

    /// <summary>False: analyze the compilation without the generator's output (a build that runs analyzers only).</summary>
    public bool RunGenerator { get; set; } = true;

    /// <summary>The actual diagnostics the framework matched to an expected one, in source order.</summary>
    public List<Diagnostic> Reported { get; } = new();

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => MupTest.Analyzers;

    protected override CompilationOptions CreateCompilationOptions() => MupTest.CompilationOptions;

    protected override ParseOptions CreateParseOptions() => MupTest.ParseOptions;

    // The framework times every analyzer action (logAnalyzerExecutionTime); nothing here reads the times.
    protected override CompilationWithAnalyzers CreateCompilationWithAnalyzers(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options, CancellationToken cancellationToken) =>
        MupTest.WithAnalyzers(compilation, analyzers, options);

    protected override async Task<(Compilation compilation, ImmutableArray<Diagnostic> generatorDiagnostics)> GetProjectCompilationAsync(Project project, IVerifier verifier, CancellationToken cancellationToken)
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!;
        return RunGenerator ? MupTest.Generate(compilation, cancellationToken) : (compilation, ImmutableArray<Diagnostic>.Empty);
    }
}

/// <summary>The framework's code-fix test with every MupGen analyzer, the generator run first, and the given code fix
/// providers (all of the package's by default). <c>FixedCode = TestCode</c> asserts that no fix is offered.</summary>
internal sealed class MupCodeFixTest : CSharpCodeFixTest<MupGen.Analyzers.ModelClassAnalyzer, EmptyCodeFixProvider, DefaultVerifier>
{
    private readonly ImmutableArray<CodeFixProvider> _providers;

    public MupCodeFixTest(params CodeFixProvider[] providers)
    {
        _providers = providers.Length == 0 ? MupTest.CodeFixProviders : providers.ToImmutableArray();
        ReferenceAssemblies = MupTest.NoPackages;
        TestState.AdditionalReferences.AddRange(MupTest.References);
        TestBehaviors |= TestBehaviors.SkipSuppressionCheck;
        MarkupOptions |= MarkupOptions.UseFirstDescriptor;
        // Markup in FixedCode is what remains after the fix, fixable diagnostics included (the framework's default
        // would drop the markup of fixable IDs from the fixed state's expectations).
        FixedState.MarkupHandling = MarkupMode.Allow;
        BatchFixedState.MarkupHandling = MarkupMode.Allow;
        // One document per test: fix-all in project and in solution repeat fix-all in document.
        CodeFixTestBehaviors |= CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck;
    }

    /// <summary>The titles of the code actions offered, per request, in order (every iteration and fix-all run).</summary>
    public List<string[]> Offered { get; } = new();

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => MupTest.Analyzers;

    protected override IEnumerable<CodeFixProvider> GetCodeFixProviders() => _providers;

    protected override CompilationOptions CreateCompilationOptions() => MupTest.CompilationOptions;

    protected override ParseOptions CreateParseOptions() => MupTest.ParseOptions;

    // The framework times every analyzer action (logAnalyzerExecutionTime); nothing here reads the times.
    protected override CompilationWithAnalyzers CreateCompilationWithAnalyzers(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options, CancellationToken cancellationToken) =>
        MupTest.WithAnalyzers(compilation, analyzers, options);

    protected override ImmutableArray<CodeAction> FilterCodeActions(ImmutableArray<CodeAction> actions)
    {
        lock (Offered) Offered.Add(actions.Select(a => a.Title).ToArray());
        return base.FilterCodeActions(actions);
    }

    protected override async Task<(Compilation compilation, ImmutableArray<Diagnostic> generatorDiagnostics)> GetProjectCompilationAsync(Project project, IVerifier verifier, CancellationToken cancellationToken)
    {
        var compilation = (await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!;
        return MupTest.Generate(compilation, cancellationToken);
    }
}
