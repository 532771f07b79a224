using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>Issue 8.1/8.2: every member of a µP model the generator's parser cannot give a rule gets exactly one
/// diagnostic at the member, chosen by the parser's structured reason, saying what was not understood and what to do;
/// none of them is offered a role attribute, and the ones no attribute can describe point to the shape fallback.</summary>
public class UnresolvedTests
{
    /// <summary>One model per reason, written as TorchSharp users write them; the expected diagnostic marked.</summary>
    public static readonly Dictionary<string, string> Corpus = new()
    {
        ["ArrayFilledInLoop"] = """
            public partial class ArrayMlp : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly ModuleList<Linear> {|MUP001:hidden|};
                [ReadoutLayer] private readonly Linear readout;
                public ArrayMlp([Width(64)] int width, int depth = 3) : base(nameof(ArrayMlp))
                {
                    input = Linear(8, width);
                    var layers = new Linear[depth];
                    for (var i = 0; i < depth; i++)
                        layers[depth - 1 - i] = Linear(width, width); // an index the generator does not follow
                    hidden = ModuleList(layers);
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
            }
            """,
        ["OpaqueSize"] = """
            public sealed record MlpConfig(int Width, int Classes);
            public partial class ConfigMlp : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|MUP012:fc2|};
                [ReadoutLayer] private readonly Linear readout;
                public ConfigMlp([Width(64)] int width, MlpConfig config) : base(nameof(ConfigMlp))
                {
                    input = Linear(8, width);
                    fc2 = Linear(width, config.Width);
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
            }
            """,
        ["ParameterField"] = """
            public partial class Scaled : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Parameter {|MUP013:gain|};
                [ReadoutLayer] private readonly Linear readout;
                public Scaled([Width(64)] int width) : base(nameof(Scaled))
                {
                    input = Linear(8, width);
                    gain = Parameter(Gain(width));
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                // A tensor from a method: the generator reads Parameter(ones(width)) itself, not a method's result.
                private static Tensor Gain(int w) => ones(w);
                public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * gain * MupReadoutMultiplier);
            }
            """,
        ["RegisteredName"] = """
            public partial class Registered : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear _fc;
                [ReadoutLayer] private readonly Linear readout;
                public Registered([Width(64)] int width, string name = "fc") : base(nameof(Registered))
                {
                    input = Linear(8, width);
                    _fc = Linear(width, width);
                    {|MUP014:register_module(name, _fc)|};
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => readout.forward(_fc.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
        ["HelperCall"] = """
            public partial class Helped : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Module<Tensor, Tensor> {|MUP001:block|};
                [ReadoutLayer] private readonly Linear readout;
                public Helped([Width(64)] int width) : base(nameof(Helped))
                {
                    input = Linear(8, width);
                    block = MakeBlock(width);
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                private static Module<Tensor, Tensor> MakeBlock(int w) => w > 0 ? Sequential(Linear(w, w), ReLU()) : Identity();
                public override Tensor forward(Tensor x) => readout.forward(block.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
        ["CollectionItemsDiffer"] = """
            public partial class FirstDiffers : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> {|MUP015:layers|};
                [ReadoutLayer] private readonly Linear readout;
                public FirstDiffers([Width(64)] int width, int inputs = 8, int depth = 3) : base(nameof(FirstDiffers))
                {
                    layers = new ModuleList<Linear>();
                    for (var i = 0; i < depth; i++)
                    {
                        // Items alternate between two shapes: no one pattern per index describes them.
                        layers.append(Linear(width, 2 * width));
                        layers.append(Linear(2 * width, width));
                    }
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => readout.forward(layers.Aggregate(x, (h, l) => l.forward(h)) * MupReadoutMultiplier);
            }
            """,
        ["NonProportionalSize"] = """
            public partial class Squared : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|MUP015:wide|};
                [ReadoutLayer] private readonly Linear readout;
                public Squared([Width(64)] int width, int extra) : base(nameof(Squared))
                {
                    input = Linear(8, width);
                    // extra has no default: the base size of (width + extra) / 2 * 2 is unknown at compile time.
                    wide = Linear(width, (width + extra) / 2 * 2);
                    readout = Linear((width + extra) / 2 * 2, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => readout.forward(wide.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
        ["UnreadableSize"] = """
            public partial class Modulo : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|MUP001:odd|};
                [ReadoutLayer] private readonly Linear readout;
                public Modulo([Width(64)] int width) : base(nameof(Modulo))
                {
                    input = Linear(8, width);
                    odd = Linear(width, width % 7 + 1);
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
            }
            """,
        ["MissingReadout"] = """
            public partial class Unmarked : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Linear {|MUP003:head|};
                public Unmarked([Width(64)] int width) : base(nameof(Unmarked))
                {
                    input = Linear(8, width);
                    head = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => head.forward(input.forward(x));
            }
            """,
        ["NestedOpaque"] = """
            public partial class Inner : Module<Tensor, Tensor>
            {
                private readonly Linear {|MUP012:fc|};
                public Inner(int size) : base(nameof(Inner)) { fc = Linear(size, size); RegisterComponents(); }
                public override Tensor forward(Tensor x) => fc.forward(x);
            }
            public sealed record Cfg(int Hidden);
            public partial class TwoCallSites : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                private readonly Inner good;
                private readonly Inner bad;
                private readonly Inner worse;
                [ReadoutLayer] private readonly Linear readout;
                public TwoCallSites([Width(64)] int width, Cfg cfg) : base(nameof(TwoCallSites))
                {
                    input = Linear(8, width);
                    good = new Inner(width);
                    bad = new Inner(cfg.Hidden);
                    worse = new Inner(cfg.Hidden + 1);
                    readout = Linear(width, 10);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => readout.forward(good.forward(input.forward(x)) * MupReadoutMultiplier);
            }
            """,
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Corpus.Keys)
            data.Add(name);
        return data;
    }

    private static string Source(string name) => Usings + Corpus[name];

    /// <summary>Exactly the marked diagnostic, at the member's name, and nothing else. It names what the parser
    /// could not read and what to do; it carries the reason and the parameter names concerned, and (except a readout,
    /// whose fix is certain) no role to add.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public async Task ExactSpan_MessageAndProperties(string name)
    {
        var diagnostic = (await VerifyAsync(Source(name))).Single();
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(string.IsNullOrEmpty(diagnostic.Properties[DiagnosticProperties.Reason]));
        Assert.False(string.IsNullOrEmpty(diagnostic.Properties[DiagnosticProperties.Parameters]));
        if (diagnostic.Id == DiagnosticIds.MissingReadout)
        {
            Assert.Equal("ReadoutLayer", diagnostic.Properties[DiagnosticProperties.Roles]);
            return;
        }
        Assert.False(diagnostic.Properties.ContainsKey(DiagnosticProperties.Roles));
        Assert.Contains("MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel)", message);
        Assert.Equal("https://github.com/mupgen/mupgen/blob/main/docs/diagnostics/" + diagnostic.Id + ".md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public async Task CollectionItemsDiffer_SaysWhyNoAttributeFits()
    {
        var source = Source("CollectionItemsDiffer").Replace("{|MUP015:layers|}", "{|#0:layers|}")
            .Replace("layers.append(Linear(width, 2 * width));", "layers.append({|#1:Linear(width, 2 * width)|});");
        // The first item the generator could not tell apart is the additional location.
        var diagnostic = (await VerifyAsync(source, Diagnostic("MUP015").WithLocation(0).WithLocation(1).WithArguments("layers", "FirstDiffers",
            "the items of 'layers' added at '*' are different layers, at indices the generator cannot tell apart",
            "its items have different shapes and one attribute would give them all one rule; set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel), which gives each item mup's rule from its own shapes"))).Single();
        Assert.Equal("CollectionItemsDiffer", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.Contains("different shapes", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private const string UsesLibrary = """
        public partial class UsesLibrary : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            private readonly Library.Gated {|#0:gate|};
            [ReadoutLayer] private readonly Linear readout;
            public UsesLibrary([Width(64)] int width) : base(nameof(UsesLibrary))
            {
                input = Linear(8, width);
                gate = {|#1:new Library.Gated(width)|};
                readout = Linear(width, 10);
                RegisterComponents();
            }
            public override Tensor forward(Tensor x) => readout.forward(gate.forward(input.forward(x)) * MupReadoutMultiplier);
        }
        """;

    /// <summary>A module class from another assembly, whose constructor the generator cannot read.</summary>
    private static MetadataReference Library()
    {
        var library = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Library",
            new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Usings + """
                namespace Library;
                public sealed class Gated : Module<Tensor, Tensor>
                {
                    private readonly Linear fc;
                    public Gated(int w) : base(nameof(Gated)) { fc = Linear(w, w); RegisterComponents(); }
                    public override Tensor forward(Tensor x) => fc.forward(x);
                }
                """, MupTest.ParseOptions) },
            References, MupTest.CompilationOptions);
        using var image = new System.IO.MemoryStream();
        var emitted = library.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    /// <summary>MUP011: a module class from a referenced assembly, at the field; the construction is the additional
    /// location. No code fix offers anything for it.</summary>
    [Fact]
    public async Task Mup011_ModuleFromAReferencedAssembly_AtTheField()
    {
        var test = new MupAnalyzerTest { TestCode = Usings + UsesLibrary };
        test.TestState.AdditionalReferences.Add(Library());
        test.ExpectedDiagnostics.Add(Diagnostic("MUP011").WithLocation(0).WithLocation(1).WithArguments("gate", "UsesLibrary",
            "could not read how 'gate' is built: new Library.Gated(width) is a module class whose constructor the generator cannot read (it is not declared in this compilation)",
            "build it from layers MupGen knows (Linear, Embedding, LayerNorm, Conv1d/Conv2d, ...) or from a module class of this project, or set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel) to take its rule from the shapes of a base and a wider model, as mup does"));
        await test.RunAsync();
        var diagnostic = test.Reported.Single();
        Assert.Equal("UnknownLayerType", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.Contains("MupOptions.BaseShapes", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The member of a nested class is reported once, however many call sites make it unresolved; the
    /// expression of the call site reported (the first) is the additional location.</summary>
    [Fact]
    public async Task NestedMember_OnceForEveryCallSite()
    {
        var source = Source("NestedOpaque").Replace("{|MUP012:fc|}", "{|#0:fc|}")
            .Replace("bad = new Inner(cfg.Hidden);", "bad = new Inner({|#1:cfg.Hidden|});");
        await VerifyAsync(source, Diagnostic("MUP012").WithLocation(0).WithLocation(1).WithArguments("fc", "TwoCallSites",
            "could not read 'outputSize' of Linear 'bad.fc': cfg.Hidden is read from another object, which the generator cannot follow",
            "pass the size to the constructor as an int parameter (a [Width] one if it is the width) or compute it there from the width and constants (inline, or in a non-virtual method, local function or get-only property of this project that returns it), or set MupOptions.BaseShapes = MupShapes.Of(baseModel, deltaModel) to take its rule from the shapes of a base and a wider model, as mup does"));
    }

    /// <summary>Over every source of the analyzer tests that has µP models: each member the parse lists as unresolved
    /// has exactly one MupGen diagnostic at its location, and every such diagnostic is at one of those members.</summary>
    [Theory]
    [MemberData(nameof(AllSources))]
    public async Task EveryUnresolvedMember_HasExactlyOneDiagnostic(string label)
    {
        // The parse the analyzers read is internal: this test compiles directly instead of through the framework.
        var source = AllSourceText(label);
        var (compilation, diagnostics) = await AnalyzeAsync(Compile(source));
        var mup = diagnostics.Where(d => d.Id.StartsWith("MUP", StringComparison.Ordinal)).ToList();
        var symbols = MupSymbols.Get(compilation)!;
        var expected = new HashSet<Location>();
        foreach (var root in symbols.Types.Roots)
        {
            if (symbols.Parse(root, default) is not { } spec)
                continue;
            foreach (var issue in spec.Unresolved)
            {
                var location = symbols.LocationOf(issue.MemberLocation, member: true, default)
                    ?? symbols.LocationOf(issue.Location, member: false, default);
                Assert.True(location is not null, $"{issue.Path}: no location");
                expected.Add(location!);
            }
        }
        var unresolvedIds = new HashSet<string>
        {
            DiagnosticIds.UnresolvedLayer, DiagnosticIds.UnknownModuleType, DiagnosticIds.UntraceableSize,
            DiagnosticIds.UnreadParameter, DiagnosticIds.UnfollowedRegistration, DiagnosticIds.NoRoleAttributeFits,
        };
        var reported = mup
            .Where(d => unresolvedIds.Contains(d.Id) || (d.Id == DiagnosticIds.MissingReadout && d.Properties.TryGetValue(DiagnosticProperties.Scope, out var s) && s == "Layer"))
            .ToList();
        foreach (var location in expected)
            Assert.True(reported.Count(d => d.Location == location) == 1,
                $"{location.GetLineSpan()}: {reported.Count(d => d.Location == location)} diagnostics\n" + string.Join("\n", mup));
        foreach (var diagnostic in reported)
            Assert.Contains(diagnostic.Location, expected);
    }

    public static TheoryData<string> AllSources()
    {
        var data = new TheoryData<string>();
        foreach (var name in Corpus.Keys)
            data.Add("unresolved:" + name);
        foreach (var name in CleanCorpus.Names)
            data.Add("clean:" + name);
        for (var i = 0; i < ParseNotTextTests.ReportingCount; i++)
            data.Add("reporting:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return data;
    }

    private static string AllSourceText(string label)
    {
        var colon = label.IndexOf(':');
        var (kind, name) = (label.Substring(0, colon), label.Substring(colon + 1));
        return kind switch
        {
            "unresolved" => Strip(Source(name)),
            "clean" => CleanCorpus.Source(name),
            _ => Strip(ParseNotTextTests.Reporting(int.Parse(name, System.Globalization.CultureInfo.InvariantCulture))),
        };
    }

    /// <summary>No code fix of the package offers anything for a member the generator could not read (issue 8.2: a
    /// fix is right or absent): MUP001 and MUP011–MUP015, every reason of the corpus plus a module from another
    /// assembly, in one project (FixedCode = TestCode, every provider).</summary>
    [Fact]
    public async Task CodeFixes_NoneForWhatTheGeneratorCouldNotRead()
    {
        var test = new MupCodeFixTest { CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllCheck };
        var sources = Corpus.Keys.Where(name => name != "MissingReadout").Select(Source)
            .Append(Usings + UsesLibrary.Replace("{|#0:gate|}", "{|MUP011:gate|}").Replace("{|#1:new Library.Gated(width)|}", "new Library.Gated(width)"))
            .ToList();
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(source);
            test.FixedState.Sources.Add(source);
        }
        Assert.Equal(new[] { "MUP001", "MUP011", "MUP012", "MUP013", "MUP014", "MUP015" },
            sources.SelectMany(s => System.Text.RegularExpressions.Regex.Matches(s, @"\{\|(MUP\d+):").Select(m => m.Groups[1].Value)).Distinct().OrderBy(id => id));
        test.TestState.AdditionalReferences.Add(Library());
        await test.RunAsync();
        Assert.All(test.Offered, offered => Assert.Empty(offered));
    }

    /// <summary>The readout fix is offered for a layer that is a readout, and it is the only fix.</summary>
    [Fact]
    public async Task CodeFixes_TheReadoutFixIsTheOnlyOne()
    {
        var source = Source("MissingReadout");
        var test = new MupCodeFixTest
        {
            TestCode = source,
            // The readout fix marks the layer; its input then lacks the multiplier (MUP005), which has a fix of its own.
            FixedCode = source.Replace("private readonly Linear {|MUP003:head|};", "[ReadoutLayer] private readonly Linear head;")
                .Replace("head.forward(input.forward(x))", "head.forward({|MUP005:input.forward(x)|})"),
            CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne | CodeFixTestBehaviors.SkipFixAllCheck,
        };
        await test.RunAsync();
        Assert.Equal(new[] { "Mark 'head' [ReadoutLayer]" }, test.Offered.First());
    }

    /// <summary>The source without its markup.</summary>
    private static string Strip(string markup)
    {
        TestFileMarkupParser.GetSpans(markup, out var output, out ImmutableDictionary<string, ImmutableArray<Microsoft.CodeAnalysis.Text.TextSpan>> _);
        return output;
    }
}
