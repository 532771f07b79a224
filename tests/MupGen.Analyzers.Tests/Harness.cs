using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace MupGen.Analyzers.Tests;

/// <summary>In-memory compilations (net10 reference assemblies + TorchSharp + MupGen) with the real generator run
/// first, the MupGen analyzers run on the result, and code fixes applied through an AdhocWorkspace.</summary>
internal static class Harness
{
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

    public static readonly MetadataReference[] References =
        Basic.Reference.Assemblies.Net100.References.All
            .Concat(new[]
            {
                MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(MupGen.IMupModel).Assembly.Location),
            })
            .ToArray();

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly CSharpCompilationOptions CompilationOptions =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } =
        typeof(MupGen.Generators.MupGenerator).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References, CompilationOptions);

    /// <summary>Runs the generator; the compilation then has the generated members the models use.</summary>
    public static Compilation Generate(Compilation compilation)
    {
        var driver = CSharpGeneratorDriver.Create(new[] { new MupGen.Generators.MupGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return output;
    }

    public sealed record Result(Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<Exception> Exceptions)
    {
        public IEnumerable<Diagnostic> Mup => Diagnostics.Where(d => d.Id.StartsWith("MUP", StringComparison.Ordinal));

        public IEnumerable<Diagnostic> Errors => Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>Generator, then analyzers. Analyzer exceptions are collected (they would be AD0001 in a build).</summary>
    public static Result Analyze(Compilation compilation, bool generate = true)
    {
        var generated = generate ? Generate(compilation) : compilation;
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (e, _, _) => { lock (exceptions) exceptions.Add(e); },
            concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var diagnostics = generated.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return new Result(generated, diagnostics, exceptions);
    }

    public static Result Analyze(params string[] sources) => Analyze(Compile(sources));

    /// <summary>Asserts exactly the marked diagnostics (<c>{|MUP005:h|}</c>) and no other MUP diagnostic, no analyzer
    /// exception, and (unless told otherwise) no compiler error in source plus generated code.</summary>
    public static Result Verify(string markup, bool allowErrors = false, params string[] others)
    {
        var (source, expected) = Markup.Parse(markup);
        var result = Analyze(new[] { source }.Concat(others).ToArray());
        Assert.Empty(result.Exceptions);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "AD0001");
        if (!allowErrors)
            Assert.True(!result.Errors.Any(), "compilation errors:\n" + string.Join("\n", result.Errors));
        var actual = result.Mup
            .Where(d => d.Location.SourceTree?.FilePath == "Source0.cs")
            .Select(d => (d.Id, d.Location.SourceSpan))
            .OrderBy(d => d.SourceSpan.Start).ThenBy(d => d.Id)
            .ToList();
        var others2 = result.Mup.Where(d => d.Location.SourceTree?.FilePath != "Source0.cs").ToList();
        Assert.True(others2.Count == 0, "diagnostics outside the marked source:\n" + string.Join("\n", others2));
        var wanted = expected.OrderBy(d => d.Span.Start).ThenBy(d => d.Id).ToList();
        Assert.True(wanted.SequenceEqual(actual),
            "expected:\n" + Describe(source, wanted) + "\nactual:\n" + Describe(source, actual) + "\nall:\n" + string.Join("\n", result.Mup));
        return result;
    }

    private static string Describe(string source, IEnumerable<(string Id, TextSpan Span)> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => $"  {d.Id} {d.Span} '{source.Substring(d.Span.Start, Math.Min(d.Span.Length, source.Length - d.Span.Start))}'"));

    // ---- code fixes ----

    private sealed class Provider : FixAllContext.DiagnosticProvider
    {
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        public Provider(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(Array.Empty<Diagnostic>());
    }

    public static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Create(), "Tests", "Tests", LanguageNames.CSharp,
                compilationOptions: CompilationOptions, parseOptions: ParseOptions, metadataReferences: References));
        var documentId = DocumentId.CreateNewId(projectId);
        solution = solution.AddDocument(documentId, "Source0.cs", SourceText.From(source), filePath: "Source0.cs");
        return solution.GetDocument(documentId)!;
    }

    /// <summary>The MUP diagnostics of the document's project, computed on its compilation plus generated code.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Document document, string id)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        var result = Analyze(compilation);
        Assert.Empty(result.Exceptions);
        return result.Mup.Where(d => d.Id == id && d.Location.SourceTree?.FilePath == document.FilePath).ToImmutableArray();
    }

    /// <summary>Applies the fix with <paramref name="equivalenceKey"/> to the first <paramref name="id"/> diagnostic;
    /// returns the new source of the document.</summary>
    public static async Task<string> FixOneAsync(string source, string id, CodeFixProvider provider, string? equivalenceKey = null)
    {
        var document = CreateDocument(source);
        var diagnostics = await DiagnosticsAsync(document, id);
        Assert.NotEmpty(diagnostics);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostics[0], (a, _) => actions.Add(a), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        var action = equivalenceKey is null ? actions.First() : actions.Single(a => a.EquivalenceKey == equivalenceKey);
        return await ApplyAsync(document, action);
    }

    /// <summary>The titles of the fixes offered for the first <paramref name="id"/> diagnostic, in order.</summary>
    public static async Task<List<CodeAction>> ActionsAsync(string source, string id, CodeFixProvider provider)
    {
        var document = CreateDocument(source);
        var diagnostics = await DiagnosticsAsync(document, id);
        Assert.NotEmpty(diagnostics);
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostics[0], (a, _) => actions.Add(a), CancellationToken.None));
        return actions;
    }

    /// <summary>Fix-all in the document through the provider's FixAllProvider.</summary>
    public static async Task<string> FixAllAsync(string source, string id, CodeFixProvider provider, string equivalenceKey)
    {
        var document = CreateDocument(source);
        var diagnostics = await DiagnosticsAsync(document, id);
        Assert.True(diagnostics.Length > 1, "fix-all needs several instances");
        var fixAll = provider.GetFixAllProvider()!;
        var context = new FixAllContext(document, provider, FixAllScope.Document, equivalenceKey, new[] { id },
            new Provider(diagnostics), CancellationToken.None);
        var action = await fixAll.GetFixAsync(context);
        Assert.NotNull(action);
        return await ApplyAsync(document, action!);
    }

    private static async Task<string> ApplyAsync(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        var text = await solution.GetDocument(document.Id)!.GetTextAsync();
        return text.ToString();
    }

    /// <summary>The fixed source compiles (with the generator) and has no <paramref name="id"/> diagnostic left.</summary>
    public static void AssertFixed(string source, string id)
    {
        var result = Analyze(source);
        Assert.True(!result.Errors.Any(), "fixed source does not compile:\n" + string.Join("\n", result.Errors) + "\n" + source);
        Assert.DoesNotContain(result.Mup, d => d.Id == id);
        Assert.Empty(result.Exceptions);
    }
}

/// <summary><c>{|MUP001:text|}</c> markers: the diagnostic's ID and the exact span of <c>text</c>.</summary>
internal static class Markup
{
    public static (string Source, List<(string Id, TextSpan Span)> Spans) Parse(string markup)
    {
        var source = new StringBuilder();
        var spans = new List<(string, TextSpan)>();
        var open = new Stack<(string Id, int Start)>();
        for (var i = 0; i < markup.Length; i++)
        {
            if (markup[i] == '{' && i + 1 < markup.Length && markup[i + 1] == '|')
            {
                var colon = markup.IndexOf(':', i);
                open.Push((markup.Substring(i + 2, colon - i - 2), source.Length));
                i = colon;
                continue;
            }
            if (markup[i] == '|' && i + 1 < markup.Length && markup[i + 1] == '}' && open.Count > 0)
            {
                var (id, start) = open.Pop();
                spans.Add((id, TextSpan.FromBounds(start, source.Length)));
                i++;
                continue;
            }
            source.Append(markup[i]);
        }
        Assert.Empty(open);
        return (source.ToString(), spans);
    }

    public static string Strip(string markup) => Parse(markup).Source;
}

/// <summary>Every code fix provider the package ships.</summary>
internal static class CodeFixProviders
{
    public static IReadOnlyList<CodeFixProvider> All { get; } =
        typeof(MupGen.CodeFixes.RoleAttributeCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();
}
