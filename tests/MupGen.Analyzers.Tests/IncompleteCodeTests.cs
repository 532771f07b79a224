using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>Code while typing: missing braces, half-written attributes and calls, unresolved types. No analyzer
/// throws (no AD0001), and nothing misleading is reported: exactly the diagnostics marked, which are true of the text.
/// Compiler errors are the point of these sources and are not compared.</summary>
public class IncompleteCodeTests
{
    private const string Model = """
        public partial class M : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;
            public M([Width(64)] int width) : base(nameof(M)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
        }

        """;

    public static TheoryData<string, string> Inputs => new()
    {
        // name, source (after the usings) with the expected MUP diagnostics marked
        { "missing closing braces", "public partial class A : Module<Tensor, Tensor> { private Linear fc; [ReadoutLayer] private Linear head; public A([Width(64)] int w) : base(\"a\") { fc = Linear(8, w); head = Linear(w, 2); " },
        { "half-written attribute", "public partial class B : Module<Tensor, Tensor> { private Linear fc; public B([Width(] int w) : base(\"b\") { fc = Linear(w, } public override Tensor forward(Tensor x) => x; }" },
        { "attribute without argument", "public partial class C : Module<Tensor, Tensor> { public C([Width] int w) : base(\"c\") { } public override Tensor forward(Tensor x) => x; }" },
        { "unclosed attribute", "public partial class C2 : Module<Tensor, Tensor> { public C2([Width(64 int w) : base(\"c\") { } public override Tensor forward(Tensor x) => x; }" },
        { "attribute of unresolved type", "public partial class C3 : Module<Tensor, Tensor> { [Width(64)] private Missing w; public C3() : base(\"c\") { } public override Tensor forward(Tensor x) => x; }" },
        { "unresolved types", "public partial class F : Module<Tensor, Tensor> { private Missing fc; private Linear g; [ReadoutLayer] private Linear r; public F([Width(64)] int w, Config c) : base(\"f\") { fc = Missing.Make(w); g = Linear(c.Size, Unknown(w)); r = Linear(w, 2); } public override Tensor forward(Tensor x) => x; }" },
        { "unresolved base type", "public partial class G : Modul<Tensor, Tensor> { public G([Width(64)] int w) : base(\"g\") { } }" },
        { "half-written readout call", Model.Replace("readout.forward(input.forward(x) * MupReadoutMultiplier);", "readout.forward(;") },
        { "readout call without argument", Model.Replace("readout.forward(input.forward(x) * MupReadoutMultiplier)", "readout.forward()") },
        { "half-written optimizer", Model + "public static class T { public static void Run() { var m = new M(8); var o = torch.optim.AdamW(m.parameters(), ; } }" },
        { "optimizer of an unresolved model", "public static class T { public static void Run() { var m = new Missing(8); var o = torch.optim.AdamW(m.parameters(), 1e-3); } }" },
        { "half-written residual", Model.Replace("public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);", "public override Tensor forward(Tensor x) { x = x + ; return readout.forward(x * MupReadoutMultiplier); }") },
        { "half-written sqrt", Model.Replace("readout.forward(input.forward(x) * MupReadoutMultiplier)", "readout.forward(x.matmul(x) / Math.Sqrt( * MupReadoutMultiplier)") },
        { "half-written property", "public partial class P : Module<Tensor, Tensor> { [ReadoutLayer] private Linear r; public Linear {|MUP009:Hidden|} { get; public P([Width(64)] int w) : base(\"p\") { r = Linear(w, 2); } }" },
        { "role attribute on a method", Model.Replace("public override Tensor forward", "[ReadoutLayer] public override Tensor forward") },
        { "generic model", "public partial class {|MUP017:Q|}<T> : Module<Tensor, Tensor> { private Linear fc; public Q([Width(64)] int w) : base(\"q\") { fc = Linear(w, w); } public override Tensor forward(Tensor x) => x; }" },
        { "module holding itself", "public partial class R : Module<Tensor, Tensor> { private R? {|MUP001:inner|}; [ReadoutLayer] private Linear head; public R([Width(64)] int w) : base(\"r\") { inner = w > 1 ? new R(w / 2) : null; head = Linear(w, 2); RegisterComponents(); } public override Tensor forward(Tensor x) => head.forward(x * MupReadoutMultiplier); }" }, // inner's own layers are not described: reported
        { "half-written nested module using a multiplier", Model.Replace("input = Linear(8, width);", "input = Linear(8, width); blk = new Blk(width);").Replace("private readonly Linear input;", "private readonly Linear input; private readonly Blk blk;") + "public class Blk : Module<Tensor, Tensor> { public Blk(int w) : base(\"b\") { } public override Tensor forward(Tensor x) => x + MupResidualMultiplier * ; }" },
        { "nested module of an unresolved base using a multiplier", Model.Replace("input = Linear(8, width);", "input = Linear(8, width); blk = new Blk(width);").Replace("private readonly Linear input;", "private readonly Linear input; private readonly Blk blk;") + "public class Blk : Modul<Tensor, Tensor> { public Blk(int w) : base(\"b\") { } public override Tensor forward(Tensor x) => x * MupResidualMultiplier; }" },
        { "multiplier name in a half-built model", "public partial class H : Module<Tensor, Tensor> { private Blk b; public H([Width(64)] int w) : base(\"h\") { b = new Blk( } } public class Blk : Module<Tensor, Tensor> { public Blk(int w) : base(\"b\") { } public override Tensor forward(Tensor x) => x * MupAttentionScale(" },
        { "generic nested module using a multiplier", Model.Replace("input = Linear(8, width);", "input = Linear(8, width); blk = new Blk<int>(width);").Replace("private readonly Linear input;", "private readonly Linear input; private readonly Blk<int> blk;") + "public class Blk<T> : Module<Tensor, Tensor> { public Blk(int w) : base(\"b\") { } public override Tensor forward(Tensor x) => x * MupResidualMultiplier; }" },
        { "empty file with a stray attribute", "[Width(" },
        { "no MupGen namespace imported", "namespace Other { public partial class S : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> { public S([Width(64)] int w) : base(\"s\") { } public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x; } }" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task NeverThrows_ReportsOnlyWhatIsTrue(string name, string source)
    {
        _ = name;
        await new MupAnalyzerTest { TestCode = Usings + source, CompilerDiagnostics = CompilerDiagnostics.None }.RunAsync();
    }

    [Fact]
    public async Task CodeFixesOnBrokenCodeDoNotThrow()
    {
        // A fix computed while the rest of the file is broken still returns a document.
        var source = Usings + """
            public class {|MUP002:Broken|} : Module<Tensor, Tensor>
            {
                private readonly Linear input;
                [ReadoutLayer] private readonly Linear readout;
                public Broken([Width(64)] int width) : base(nameof(Broken)) { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
                public override Tensor forward(Tensor x) => readout.forward(input.forward(x) +
            """;
        await new MupCodeFixTest(new MupGen.CodeFixes.MakePartialCodeFix())
        {
            TestCode = source,
            FixedCode = source.Replace("public class {|MUP002:Broken|}", "public partial class Broken"),
            CompilerDiagnostics = CompilerDiagnostics.None,
            CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne | CodeFixTestBehaviors.SkipFixAllCheck,
        }.RunAsync();
    }

    [Fact]
    public async Task NestedModuleFixOnBrokenCodeDoesNotThrow()
    {
        var source = Usings + Model.Replace("input = Linear(8, width);", "input = Linear(8, width); blk = new Blk(width);")
            .Replace("private readonly Linear input;", "private readonly Linear input; private readonly Blk blk;") + """
            public class {|MUP010:Blk|} : Module<Tensor, Tensor>
            {
                public Blk(int w) : base("b") { }
                public override Tensor forward(Tensor x) => x * MupResidualMultiplier;
            }
            public static class Later { public static void Run() { var y = 1 +
            """;
        await new MupCodeFixTest(new MupGen.CodeFixes.MakePartialCodeFix())
        {
            TestCode = source,
            FixedCode = source.Replace("public class {|MUP010:Blk|}", "public partial class Blk"),
            CompilerDiagnostics = CompilerDiagnostics.None,
            CodeFixTestBehaviors = CodeFixTestBehaviors.FixOne | CodeFixTestBehaviors.SkipFixAllCheck,
        }.RunAsync();
    }
}
