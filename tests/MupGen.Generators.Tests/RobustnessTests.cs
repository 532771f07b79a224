using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>The generator never throws: broken or unsupported input gives no output (the analyzers report it).</summary>
public class RobustnessTests
{
    private const string Usings = """
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    public static TheoryData<string, string> BrokenInputs => new()
    {
        { "missing braces", "public partial class A : Module<Tensor, Tensor> { private Linear fc; public A([Width(64)] int w) : base(\"a\") { fc = Linear(w, w); " },
        { "half-written attribute", "public partial class B : Module<Tensor, Tensor> { private Linear fc; public B([Width(] int w) : base(\"b\") { fc = Linear(w, } public override Tensor forward(Tensor x) => x; }" },
        { "attribute without argument", "public partial class C : Module<Tensor, Tensor> { public C([Width] int w) : base(\"c\") { } public override Tensor forward(Tensor x) => x; }" },
        { "base value zero", "public partial class D : Module<Tensor, Tensor> { public D([Width(0)] int w) : base(\"d\") { } public override Tensor forward(Tensor x) => x; }" },
        { "width on a string", "public partial class E : Module<Tensor, Tensor> { public E([Width(4)] string w) : base(\"e\") { } public override Tensor forward(Tensor x) => x; }" },
        { "unresolved types", "public partial class F : Module<Tensor, Tensor> { private Missing fc; private Linear g; public F([Width(64)] int w, Config c) : base(\"f\") { fc = Missing.Make(w); g = Linear(c.Size, Unknown(w)); } public override Tensor forward(Tensor x) => x; }" },
        { "generic class", "public partial class G<T> : Module<Tensor, Tensor> { private Linear fc; public G([Width(64)] int w) : base(\"g\") { fc = Linear(w, w); } public override Tensor forward(Tensor x) => x; }" },
        { "not partial", "public class H : Module<Tensor, Tensor> { private Linear fc; public H([Width(64)] int w) : base(\"h\") { fc = Linear(w, w); } public override Tensor forward(Tensor x) => x; }" },
        { "not a module", "public partial class I { public I([Width(64)] int w) { } }" },
        { "width on a method parameter", "public partial class J : Module<Tensor, Tensor> { public J() : base(\"j\") { } public void M([Width(64)] int w) { } public override Tensor forward(Tensor x) => x; }" },
        { "recursive locals", "public partial class K : Module<Tensor, Tensor> { private Linear fc; public K([Width(64)] int w) : base(\"k\") { int a = b; int b = a; fc = Linear(a, w / 0); } public override Tensor forward(Tensor x) => x; }" },
        { "exponential expression", "public partial class N : Module<Tensor, Tensor> { private Linear fc; public N([Width(64)] int w) : base(\"n\") { long a = w; " + string.Concat(System.Linq.Enumerable.Repeat("a = a * a + a; ", 60)) + "fc = Linear(a, w); } public override Tensor forward(Tensor x) => x; }" },
        { "module that builds itself", "public partial class R : Module<Tensor, Tensor> { private R? inner; private Linear fc; public R(int w) : base(\"r\") { fc = Linear(w, w); inner = new R(w); } public override Tensor forward(Tensor x) => x; } public partial class RM : Module<Tensor, Tensor> { private R r; public RM([Width(64)] int w) : base(\"rm\") { r = new R(w); } public override Tensor forward(Tensor x) => x; }" },
        { "mutually recursive modules", "public partial class P1 : Module<Tensor, Tensor> { private P2 p; public P1(int w) : base(\"p1\") { p = new P2(w); } public override Tensor forward(Tensor x) => x; } public partial class P2 : Module<Tensor, Tensor> { private P1 p; public P2(int w) : base(\"p2\") { p = new(w); } public override Tensor forward(Tensor x) => x; } public partial class PM : Module<Tensor, Tensor> { private P1 p; public PM([Width(64)] int w) : base(\"pm\") { p = new P1(w); } public override Tensor forward(Tensor x) => x; }" },
        { "model built inside its own block", "public partial class Outer : Module<Tensor, Tensor> { private Inner i; public Outer([Width(64)] int w) : base(\"o\") { i = new Inner(w); } public override Tensor forward(Tensor x) => x; } public partial class Inner : Module<Tensor, Tensor> { private Outer o; public Inner(int w) : base(\"i\") { o = new Outer(w); } public override Tensor forward(Tensor x) => x; }" },
        { "chained constructors in a cycle", "public partial class Cy : Module<Tensor, Tensor> { private Linear fc; public Cy(int w) : this(w, 1) { } public Cy(int w, int b) : this(w) { fc = Linear(w, w); } public override Tensor forward(Tensor x) => x; } public partial class CyM : Module<Tensor, Tensor> { private Cy c; public CyM([Width(64)] int w) : base(\"cm\") { c = new Cy(w); } public override Tensor forward(Tensor x) => x; }" },
        { "attention scale with odd arguments", "public partial class At : Module<Tensor, Tensor> { private Linear fc; public At(int w) : base(\"at\") { fc = Linear(w, w); } public override Tensor forward(Tensor x) { long a = b; long b = a; var s = MupAttentionScale(a) + MupAttentionScale(x.shape[0]) + MupAttentionScale(); return x; } } public partial class AtM : Module<Tensor, Tensor> { private At at; public AtM([Width(64)] int w) : base(\"am\") { at = new At(w); } public override Tensor forward(Tensor x) => x; }" },
        { "huge numbers", "public partial class L : Module<Tensor, Tensor> { private Linear fc; public L([Width(64)] int w) : base(\"l\") { fc = Linear(w * 9223372036854775807L * 4, w - 64); } public override Tensor forward(Tensor x) => x; }" },
    };

    [Theory]
    [MemberData(nameof(BrokenInputs))]
    public void NeverThrows(string name, string source)
    {
        var compilation = GeneratorHarness.Compile(Usings + source);
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.True(result.Exception is null, $"{name}: {result.Exception}");
        Assert.DoesNotContain(diagnostics, d => d.Id == "CS8785");
        Assert.DoesNotContain(diagnostics, d => d.Id == GeneratorDiagnostics.InternalErrorId); // the parser did not throw
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id == "CS8785");
        // Whatever the generator emits for broken input must not add errors of its own.
        foreach (var tree in result.GeneratedSources)
            Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(tree.HintName) == true);
    }

    [Theory]
    [InlineData("generic class", "public partial class G<T> : Module<Tensor, Tensor> { private Linear fc; public G([Width(64)] int w) : base(\"g\") { fc = Linear(w, w); } public override Tensor forward(Tensor x) => x; }")]
    [InlineData("not partial", "public class H : Module<Tensor, Tensor> { private Linear fc; public H([Width(64)] int w) : base(\"h\") { fc = Linear(w, w); } public override Tensor forward(Tensor x) => x; }")]
    [InlineData("not a module", "public partial class I { public I([Width(64)] int w) { } }")]
    [InlineData("containing type not partial", "public class Outer { public partial class M : Module<Tensor, Tensor> { public M([Width(64)] int w) : base(\"m\") { } public override Tensor forward(Tensor x) => x; } }")]
    public void UnsupportedClassesGetNoOutput(string name, string source)
    {
        var compilation = GeneratorHarness.Compile(Usings + source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.True(driver.GetRunResult().GeneratedTrees.IsEmpty, name);
    }
}
