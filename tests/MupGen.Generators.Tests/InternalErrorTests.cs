using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>A parser exception is neither thrown into the compiler (CS8785) nor hidden: it comes back as an
/// InternalError that the generator reports as MUP900, so tests elsewhere can assert there is none.</summary>
public class InternalErrorTests
{
    private const string Source = """
        using MupGen;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;
        namespace Samples;
        public partial class Mlp : Module<Tensor, Tensor>
        {
            private readonly Linear fc;
            public Mlp([Width(64)] int width) : base("mlp") { fc = Linear(width, width); RegisterComponents(); }
            public override Tensor forward(Tensor x) => fc.forward(x);
        }
        """;

    [Fact]
    public void AParserExceptionBecomesAnInternalErrorAtTheWidthMember()
    {
        var compilation = GeneratorHarness.Compile(Source);
        var tree = compilation.SyntaxTrees.Single();
        var width = compilation.GetTypeByMetadataName("Samples.Mlp")!.InstanceConstructors.Single().Parameters.Single();

        // A semantic model of another compilation: the parser's GetSemanticModel for the constructor's tree throws.
        var other = GeneratorHarness.Compile("namespace Other; public class X { }");
        var result = MupGenerator.Parser.ParseOrError(width, other.GetSemanticModel(other.SyntaxTrees.Single()), default);

        Assert.Null(result.Model);
        var error = Assert.IsType<Model.InternalError>(result.Error);
        Assert.Equal("Samples.Mlp", error.Class);
        Assert.StartsWith("System.ArgumentException: ", error.Exception);
        var diagnostic = GeneratorDiagnostics.Create(error);
        Assert.Equal("MUP900", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(tree.FilePath, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal("width", Source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("Samples.Mlp", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        // The same call on its own compilation parses.
        var ok = MupGenerator.Parser.ParseOrError(width, compilation.GetSemanticModel(tree), default);
        Assert.Null(ok.Error);
        Assert.NotNull(ok.Model);
    }

    [Fact]
    public void InternalErrorsAreValuesThatCache()
    {
        var a = Model.InternalError.From("Samples.Mlp", new System.InvalidOperationException("boom"), null);
        var b = Model.InternalError.From("Samples.Mlp", new System.InvalidOperationException("boom"), null);
        Assert.Equal(a, b);
        GeneratorHarness.AssertNoRoslynObjects(a);
    }
}
