using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using MupGen.Generators.Tests.Robustness;
using Microsoft.CodeAnalysis;
using MupGen.Generators.Model;
using Xunit;
using Xunit.Abstractions;

namespace MupGen.Generators.Tests;

/// <summary>Every generator test in this assembly runs with the parser in verify mode: each model is parsed by the
/// syntax fast path and by the binding walk, and a model the fast path took that differs from the binding walk's
/// throws inside the parser, which the generator reports as MUP900 (every generator test fails on that).</summary>
internal static class FastPathVerify
{
    [ModuleInitializer]
    internal static void Enable() => MupGenerator.Parser.FastPath = MupGenerator.Parser.FastPathMode.Verify;
}

/// <summary>The differential test of the parser's syntax fast path (MupGenerator.Parser.Syntax.cs): for every model
/// source of the test suites, the parse with the fast path equals the parse by the binding walk, and the fast path
/// takes the benchmark corpus's models (it cannot pass by declining everything).</summary>
public sealed class FastPathTests
{
    private readonly ITestOutputHelper _output;

    public FastPathTests(ITestOutputHelper output) => _output = output;

    /// <summary>Parses every [Width] (and configuration-root [ReadoutLayer]) member of the sources both ways and
    /// asserts the results are equal wherever the fast path took the model.</summary>
    private static void Differ(IEnumerable<string> sources, MupGenerator.Parser.FastPathStats stats, string label, List<string> failures,
        Func<IEnumerable<string>, Compilation>? compile = null)
    {
        var compilation = compile is null ? GeneratorHarness.Compile(sources.ToArray()) : compile(sources);
        foreach (var (target, configRoot) in Targets(compilation))
        {
            var tree = target.Locations.First(l => l.IsInSource).SourceTree!;
            var model = compilation.GetSemanticModel(tree);
            ModelSpec? fast, binding;
            bool taken;
            try
            {
                (fast, taken, binding) = MupGenerator.Parser.ParseBothWays(target, model, stats, configRoot);
            }
            catch (Exception e)
            {
                failures.Add($"{label}: {target}: {e}");
                continue;
            }
            if (taken && !Equals(fast, binding))
                failures.Add($"{label}: {target.ContainingType?.Name}.{target.Name}:\nfast:    {fast}\nbinding: {binding}");
        }
    }

    private static IEnumerable<(ISymbol Target, bool ConfigRoot)> Targets(Compilation compilation)
    {
        static bool Has(ISymbol s, string name) => s.GetAttributes().Any(a => a.AttributeClass?.Name == name);
        foreach (var type in compilation.GetSymbolsWithName(_ => true, SymbolFilter.Type).OfType<INamedTypeSymbol>())
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
                    foreach (var parameter in constructor.Parameters.Where(p => Has(p, "WidthAttribute")))
                        yield return (parameter, false);
                if (member is IFieldSymbol or IPropertySymbol && member.Locations.Any(l => l.IsInSource))
                {
                    if (Has(member, "WidthAttribute"))
                        yield return (member, false);
                    if (Has(member, "ReadoutLayerAttribute"))
                        yield return (member, true);
                }
            }
        }
    }

    private void Report(string what, MupGenerator.Parser.FastPathStats stats, List<string> failures)
    {
        _output.WriteLine($"{what}: fast path took {stats.Taken} parses ({stats.Constructors} constructors read from syntax), declined {stats.Declined}");
        foreach (var reason in stats.Reasons.GroupBy(r => r).OrderByDescending(g => g.Count()))
            _output.WriteLine($"  declined {reason.Count()}x: {reason.Key}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(10)));
    }

    [Fact]
    public void BenchmarkCorpusIsTakenAndEqual()
    {
        var stats = new MupGenerator.Parser.FastPathStats();
        var failures = new List<string>();
        Differ(Corpus.Files(200), stats, "benchmark", failures);
        Report("benchmark corpus (200 models)", stats, failures);
        // Every model of the corpus is read from syntax: MLP, ConvNet, ResMlp (+ its blocks), GPT (+ blocks, attention,
        // feed-forward), 50 of each.
        Assert.Equal(0, stats.Declined);
        Assert.Equal(200, stats.Taken);
        Assert.Equal(50 * (1 + 1 + 2 + 4), stats.Constructors);
    }

    [Fact]
    public void RobustnessCorpusIsEqual()
    {
        var stats = new MupGenerator.Parser.FastPathStats();
        var failures = new List<string>();
        foreach (var c in CorpusTemplates.All())
            Differ(c.Sources, stats, c.Name, failures, _ => CorpusRunner.Compile(c));
        Report("robustness corpus", stats, failures);
        Assert.True(stats.Taken > 0);
    }

    [Fact]
    public void ModelCorpusIsEqual()
    {
        var stats = new MupGenerator.Parser.FastPathStats();
        var failures = new List<string>();
        var files = Directory.GetFiles(ModelsDirectory(), "*.cs").OrderBy(p => p, StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
            Differ(new[] { File.ReadAllText(file) }, stats, Path.GetFileName(file), failures);
        Report($"model corpus ({files.Count} files)", stats, failures);
        Assert.True(stats.Taken > 0);
    }

    private const string Usings = "using System;\nusing System.Linq;\nusing MupGen;\nusing TorchSharp;\nusing TorchSharp.Modules;\nusing static TorchSharp.torch;\nusing static TorchSharp.torch.nn;\n";

    private static string Mlp(string members, string body, string parameters = "[Width(64)] int width, int classes = 10") =>
        Usings + "namespace T;\npublic partial class M : Module<Tensor, Tensor>\n{\n    private Linear fc;\n    [ReadoutLayer] private Linear head;\n"
        + members + "\n    public M(" + parameters + ") : base(nameof(M))\n    {\n" + body + "\n        RegisterComponents();\n    }\n"
        + "    public override Tensor forward(Tensor x) => head.forward(fc.forward(x) * MupReadoutMultiplier);\n}\n";

    /// <summary>Forms where a name, an overload or a type is in doubt: the fast path must decline for that reason (the
    /// binding walk then parses the model); where it takes a model (reason null), the parse equals the binding walk's.</summary>
    public static IEnumerable<object[]> Doubtful() => new[]
    {
        // taken: the README's forms
        new object[] { "plain", Mlp("", "fc = Linear(width, width); head = Linear(width, classes);"), null! },
        new object[] { "this and named arguments", Mlp("", "this.fc = Linear(inputSize: width, outputSize: 2 * width, hasBias: false); head = Linear(2 * width, classes);"), null! },
        new object[] { "a local", Mlp("", "var hidden = 4 * width; fc = Linear(width, hidden); head = Linear(hidden, classes);"), null! },
        new object[] { "constant folding", Mlp("private const int K = 3;", "fc = Linear(width, K * 4 + 1); head = Linear(K * 4 + 1, classes);"), null! },
        new object[] { "a static field that is not readonly", Mlp("private static int Mult = 4;", "fc = Linear(width, Mult * width); head = Linear(Mult * width, classes);"), null! },
        new object[] { "a field initializer", Mlp("private readonly int extra = 2 * 8;", "fc = Linear(width, extra); head = Linear(extra, classes);"), null! },
        // declined: a computed size property (the binding walk follows its getter as a size helper)
        new object[] { "computed property", Mlp("private int w; private int Hidden => 4 * w;", "w = width; fc = Linear(width, Hidden); head = Linear(Hidden, classes);"), "an integer property the constructor does not set" },
        new object[] { "a property with a setter body", Mlp("private int h; private int Hidden { get => h; set => h = value; }", "Hidden = 4 * width; fc = Linear(width, 8); head = Linear(8, classes);"), null! },
        // declined: a user's own Linear in the class, in a base, through another using static
        new object[] { "own Linear method", Mlp("private static Linear Linear(long a, long b) => TorchSharp.torch.nn.Linear(b, a);", "fc = Linear(width, width); head = Linear(width, classes);"), "a member named `Linear` in scope" },
        new object[] { "another using static", Mlp("", "fc = Linear(width, width); head = Linear(width, classes);").Replace("namespace T;", "using static T.Helpers;\nnamespace T;\npublic static class Helpers { public static Linear Linear(long a, long b, bool c) => TorchSharp.torch.nn.Linear(a, b, c); }"), "a call of `Linear` that may bind to a method other than TorchSharp's" },
        new object[] { "usings inside the namespace", Mlp("", "fc = Linear(width, width); head = Linear(width, classes);").Replace("namespace T;", "namespace T {\nusing System.Collections.Generic;") + "}\n", "usings inside a namespace" },
        // declined: names a local could shadow, a use before a declaration
        new object[] { "local named like a field", Mlp("", "{ var fc = 3; } fc = Linear(width, width); head = Linear(width, classes);"), "a local `fc` named like a parameter or member" },
        new object[] { "lambda parameter named like a parameter", Mlp("", "Func<int, int> f = width => width; fc = Linear(width, width); head = Linear(width, classes);"), "a local `width` named like a parameter or member" },
        // declined: arguments of the wrong type (the compile reports them), overloads only betterness decides
        new object[] { "string where an int goes", Mlp("", "fc = Linear(\"a\", width); head = Linear(width, classes);"), "no applicable overload" },
        new object[] { "long into int", Mlp("", "long w = width; int n = w; fc = Linear(width, n); head = Linear(width, classes);"), "a value of a type that does not convert implicitly" },
        new object[] { "wrong field type", Mlp("private Conv2d conv;", "conv = Linear(width, width); fc = Linear(width, width); head = Linear(width, classes);"), "a value of a type that does not convert implicitly" },
        // declined: forms outside the whitelist
        new object[] { "if", Mlp("", "if (width > 3) fc = Linear(width, width); else fc = Linear(width, 2); head = Linear(width, classes);"), "a statement the fast path does not walk (IfStatement)" },
        new object[] { "helper", Mlp("private Linear Make(int w) => Linear(w, w);", "fc = Make(width); head = Linear(width, classes);"), "a member named `Make` in scope" },
    };

    [Theory]
    [MemberData(nameof(Doubtful))]
    public void DoubtfulFormsDeclineAndTakenOnesAreEqual(string name, string source, string? declineReason)
    {
        var stats = new MupGenerator.Parser.FastPathStats();
        var failures = new List<string>();
        Differ(new[] { source }, stats, name, failures);
        Report(name, stats, failures);
        Assert.Equal(1, stats.Taken + stats.Declined);
        if (declineReason is null)
            Assert.Equal(1, stats.Taken);
        else
            Assert.Equal(new[] { declineReason }, stats.Reasons);
    }

    /// <summary>Type names are looked up once per namespace scope and compilation, except where the class can see
    /// a member of that name: here <c>B</c> has a nested <c>Block</c> that hides the namespace's <c>Block</c> that
    /// <c>A</c> builds. Both models are read from syntax in one compilation (one lookup cache), whichever comes first,
    /// and each must equal its binding walk (a shared lookup would give one of them the other's block).</summary>
    [Fact]
    public void ATypeNameHiddenByANestedClassIsNotSharedThroughTheLookupCache()
    {
        const string block = "public partial class Block : Module<Tensor, Tensor>\n{\n    private Linear l;\n"
            + "    public Block(int w) : base(nameof(Block)) { l = Linear(w, MULT * w); RegisterComponents(); }\n"
            + "    public override Tensor forward(Tensor x) => l.forward(x);\n}\n";
        static string Model(string name, string nested, int mult) =>
            $"public partial class {name} : Module<Tensor, Tensor>\n{{\n{nested}    private Block b;\n    [ReadoutLayer] private Linear head;\n"
            + $"    public {name}([Width(64)] int width) : base(nameof({name})) {{ b = new Block(width); head = Linear({mult} * width, 10); RegisterComponents(); }}\n"
            + "    public override Tensor forward(Tensor x) => head.forward(b.forward(x) * MupReadoutMultiplier);\n}\n";
        var source = Usings + "namespace T;\n" + block.Replace("MULT", "2") + Model("A", "", 2) + Model("B", block.Replace("MULT", "3"), 3);
        foreach (var order in new[] { source, source.Replace("public partial class A ", "public partial class Z ").Replace("nameof(A)", "nameof(Z)").Replace("public A(", "public Z(") })
        {
            var stats = new MupGenerator.Parser.FastPathStats();
            var failures = new List<string>();
            Differ(new[] { order }, stats, "nested Block", failures);
            Report("nested Block", stats, failures);
            Assert.Equal(2, stats.Taken);
        }
    }

    private static string ModelsDirectory([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(path)!)!, "MupGen.Corpus.Tests", "Models");
}
