using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using MupGen.Analyzers;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

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
    public Task Mup016_DeclaresAGeneratedMember_AtTheClass_TheMemberAsAdditionalLocation() =>
        VerifyAsync(Model("public partial class {|#0:M|}", "    public void {|#1:MupInitialize|}() { }"),
            Diagnostic(DiagnosticIds.DeclaresGeneratedMember).WithLocation(0).WithLocation(1).WithArguments("M", "MupInitialize"));

    [Fact]
    public Task Mup016_APropertyNamedLikeAMultiplier() =>
        VerifyAsync(Model("public partial class {|#0:M|}", "    public double {|#1:MupReadoutMultiplier|} => 1.0;"),
            Diagnostic(DiagnosticIds.DeclaresGeneratedMember).WithLocation(0).WithLocation(1).WithArguments("M", "MupReadoutMultiplier"));

    [Fact]
    public async Task Mup017_FileLocalModel_AtTheClass()
    {
        var reported = await VerifyAsync(Model("file partial class {|#0:M|}"),
            Diagnostic(DiagnosticIds.ModelCannotTakeGeneratedPart).WithLocation(0)
                .WithArguments("M", "is file-local", "remove the 'file' modifier of 'M' (make it internal to keep it out of the public API)"));
        Assert.Equal("FileLocal", reported.Single().Properties[DiagnosticProperties.Reason]);
    }

    [Fact]
    public Task Mup017_ModelNestedInAFileLocalClass_NotMup002() =>
        VerifyAsync(Model("public partial class {|#0:M|}", open: "file class Outer\n{", close: "}"),
            Diagnostic(DiagnosticIds.ModelCannotTakeGeneratedPart).WithLocation(0)
                .WithArguments("M", "is nested in 'Outer', which is file-local", "remove the 'file' modifier of 'Outer' (make it internal to keep it out of the public API)"));

    [Fact]
    public async Task Mup017_GenericModel()
    {
        var reported = await VerifyAsync(Model("public partial class {|#0:M|}<T>"),
            Diagnostic(DiagnosticIds.ModelCannotTakeGeneratedPart).WithLocation(0)
                .WithArguments("M", "is generic", "make it a non-generic class (one µP model per class)"));
        Assert.Equal("Generic", reported.Single().Properties[DiagnosticProperties.Reason]);
    }

    [Fact]
    public Task Mup017_ModelNestedInAGenericClass() =>
        VerifyAsync(Model("public partial class {|#0:M|}", open: "public partial class Holder<T>\n{", close: "}"),
            Diagnostic(DiagnosticIds.ModelCannotTakeGeneratedPart).WithLocation(0)
                .WithArguments("M", "is nested in 'Holder', which is generic", "move 'M' out of the generic 'Holder'"));

    [Fact]
    public Task Mup002_StillReportsANonPartialContainingChain() =>
        VerifyAsync(Model("public partial class {|MUP002:M|}", open: "public partial class A\n{\npublic class B\n{", close: "}\n}"));

    private const string WithoutRuntime = """
        using TorchSharp;
        using TorchSharp.Modules;
        using MupGen;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        public partial class M : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public M([{|#0:Width(64)|}] int width) : base("M") { fc = Linear(8, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }
        """;

    /// <summary>The project's references without the MupGen runtime (the generator and analyzers still run).</summary>
    private static MupAnalyzerTest WithoutTheRuntime(string source)
    {
        var test = new MupAnalyzerTest { TestCode = source };
        test.TestState.AdditionalReferences.Clear();
        test.TestState.AdditionalReferences.AddRange(References.Where(r =>
            !string.Equals(System.IO.Path.GetFileName(r.Display), "MupGen.dll", StringComparison.OrdinalIgnoreCase)));
        return test;
    }

    [Fact]
    public async Task Mup018_NoRuntime_AtTheWidthAttribute()
    {
        var test = WithoutTheRuntime(WithoutRuntime);
        // [Width] does not bind (CS0246), and neither does the MupGen namespace: the compiler says only that.
        test.CompilerDiagnostics = CompilerDiagnostics.None;
        test.ExpectedDiagnostics.Add(Diagnostic(DiagnosticIds.RuntimeNotReferenced).WithLocation(0).WithArguments("Width"));
        await test.RunAsync();
    }

    [Fact]
    public async Task Mup018_NoRuntime_WidthAttributeDeclaredInTheProject()
    {
        var test = WithoutTheRuntime(WithoutRuntime);
        test.TestState.Sources.Add(("Own.cs", """
            namespace MupGen
            {
                [System.AttributeUsage(System.AttributeTargets.All)]
                public sealed class WidthAttribute : System.Attribute { public WidthAttribute(int b) { } }
            }
            """));
        test.ExpectedDiagnostics.Add(Diagnostic(DiagnosticIds.RuntimeNotReferenced).WithLocation(0).WithArguments("Width"));
        await test.RunAsync();
    }

    [Fact]
    public async Task Mup018_NotReported_ForAnotherLibrarysWidthAttribute()
    {
        var test = WithoutTheRuntime("""
            namespace Ui { public sealed class WidthAttribute : System.Attribute { public WidthAttribute(int w) { } } }
            namespace App { public class Panel { [Ui.Width(3)] public int Size { get; set; } } }
            """);
        await test.RunAsync();
    }

    [Fact]
    public async Task Mup018_NotReported_WithTheRuntime_AndTheModelIsGenerated()
    {
        await VerifyAsync(Usings + """
            public partial class M : Module<Tensor, Tensor>
            {
                private readonly Linear fc;
                [ReadoutLayer] private readonly Linear head;
                public M([Width(64)] int width) : base("M") { fc = Linear(8, width); head = Linear(width, 2); RegisterComponents(); }
                public override Tensor forward(Tensor x) => head.forward(fc.forward(x) * MupReadoutMultiplier);
            }
            """);
    }
}
