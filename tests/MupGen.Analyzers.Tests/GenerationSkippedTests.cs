using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MupGen.Analyzers;
using Xunit;
using static MupGen.Analyzers.Tests.Harness;

namespace MupGen.Analyzers.Tests;

/// <summary>Every class the generator skips gets a diagnostic that says why (MUP002, MUP016, MUP017, MUP018), never
/// only the compiler's CS1061 where the missing members are used.</summary>
public class GenerationSkippedTests
{
    /// <summary>A small model (no readout, so nothing else to report) under <paramref name="header"/>
    /// (<c>public partial class {|MUP016:M|}</c>), inside <paramref name="open"/>/<paramref name="close"/>.</summary>
    private static string Model(string header, string extra = "", string open = "", string close = "") =>
        Usings + open + "\n" + header + " : Module<Tensor, Tensor>\n{\n"
        + "    private readonly Linear fc;\n"
        + "    private readonly Linear head;\n"
        + "    public M([Width(64)] int width) : base(\"M\") { fc = Linear(8, width); head = Linear(width, width); RegisterComponents(); }\n"
        + "    public override Tensor forward(Tensor x) => head.forward(fc.forward(x));\n"
        + extra + "\n}\n" + close + "\n";

    [Fact]
    public void Mup016_DeclaresAGeneratedMember_AtTheClass_NamingTheMember()
    {
        var result = Verify(Model("public partial class {|MUP016:M|}", "    public void MupInitialize() { }"));
        var diagnostic = result.Mup.Single();
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("'MupInitialize'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        // The member's own declaration is the additional location.
        var member = diagnostic.AdditionalLocations.Single();
        Assert.Equal("MupInitialize", member.SourceTree!.GetText().ToString(member.SourceSpan));
        // Nothing was generated for the class (that is what the diagnostic says).
        Assert.DoesNotContain(result.Compilation.SyntaxTrees, t => t.FilePath.EndsWith("M.Mup.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Mup016_APropertyNamedLikeAMultiplier() =>
        Verify(Model("public partial class {|MUP016:M|}", "    public double MupReadoutMultiplier => 1.0;"));

    [Fact]
    public void Mup017_FileLocalModel_AtTheClass()
    {
        var result = Verify(Model("file partial class {|MUP017:M|}"));
        var diagnostic = result.Mup.Single();
        Assert.Equal("FileLocal", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.Contains("is file-local", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mup017_ModelNestedInAFileLocalClass_NotMup002() =>
        Verify(Model("public partial class {|MUP017:M|}", open: "file class Outer\n{", close: "}"));

    [Fact]
    public void Mup017_GenericModel()
    {
        var result = Verify(Model("public partial class {|MUP017:M|}<T>"));
        Assert.Equal("Generic", result.Mup.Single().Properties[DiagnosticProperties.Reason]);
    }

    [Fact]
    public void Mup017_ModelNestedInAGenericClass()
    {
        var result = Verify(Model("public partial class {|MUP017:M|}", open: "public partial class Holder<T>\n{", close: "}"));
        var diagnostic = result.Mup.Single();
        Assert.Equal("Generic", diagnostic.Properties[DiagnosticProperties.Reason]);
        Assert.Contains("nested in 'Holder', which is generic", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mup002_StillReportsANonPartialContainingChain_Once() =>
        Verify(Model("public partial class {|MUP002:M|}", open: "public partial class A\n{\npublic class B\n{", close: "}\n}"));

    private const string WithoutRuntime = """
        using TorchSharp;
        using TorchSharp.Modules;
        using MupGen;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        public partial class M : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public M([Width(64)] int width) : base("M") { fc = Linear(8, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }
        """;

    private static Compilation CompileWithoutRuntime(params string[] sources) =>
        CSharpCompilation.Create("NoRuntime",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, Harness.ParseOptions, path: $"Source{i}.cs")),
            Harness.References.Where(r => !string.Equals(System.IO.Path.GetFileName(r.Display), "MupGen.dll", StringComparison.OrdinalIgnoreCase)),
            Harness.CompilationOptions);

    [Fact]
    public void Mup018_NoRuntime_AtTheWidthAttribute()
    {
        var result = Analyze(CompileWithoutRuntime(WithoutRuntime));
        Assert.Empty(result.Exceptions);
        Assert.Contains(result.Compilation.GetDiagnostics(), d => d.Id == "CS0246"); // [Width] does not bind
        var diagnostic = Assert.Single(result.Mup);
        Assert.Equal(DiagnosticIds.RuntimeNotReferenced, diagnostic.Id);
        Assert.Equal("Width(64)", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Contains("dotnet add package MupGen", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Mup018_NoRuntime_WidthAttributeDeclaredInTheProject()
    {
        var own = """
            namespace MupGen
            {
                [System.AttributeUsage(System.AttributeTargets.All)]
                public sealed class WidthAttribute : System.Attribute { public WidthAttribute(int b) { } }
            }
            """;
        var result = Analyze(CompileWithoutRuntime(WithoutRuntime, own));
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostic = Assert.Single(result.Mup);
        Assert.Equal(DiagnosticIds.RuntimeNotReferenced, diagnostic.Id);
        Assert.Equal("Source0.cs", diagnostic.Location.SourceTree!.FilePath);
    }

    [Fact]
    public void Mup018_NotReported_ForAnotherLibrarysWidthAttribute_OrWithTheRuntime()
    {
        var other = """
            namespace Ui { public sealed class WidthAttribute : System.Attribute { public WidthAttribute(int w) { } } }
            namespace App { public class Panel { [Ui.Width(3)] public int Size { get; set; } } }
            """;
        var result = Analyze(CompileWithoutRuntime(other));
        Assert.Empty(result.Exceptions);
        Assert.Empty(result.Mup);
        // With the runtime, nothing is reported and the model is generated.
        var clean = Verify(Usings + """
            public partial class M : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                [ReadoutLayer] private readonly Linear head;
                public M([Width(64)] int width) : base("M") { fc = Linear(8, width); head = Linear(width, 2); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(fc.forward(x) * MupReadoutMultiplier);
            }
            """);
        Assert.Contains(clean.Compilation.SyntaxTrees, t => t.FilePath.EndsWith("M.Mup.g.cs", StringComparison.Ordinal));
    }
}
