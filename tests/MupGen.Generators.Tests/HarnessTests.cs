using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Sdk;

namespace MupGen.Generators.Tests;

/// <summary>The checks the snapshot tests rely on must be able to fail.</summary>
public class HarnessTests
{
    private sealed record Holder(string Name, object Inner);

    [Fact]
    public void RoslynObjectWalkFindsNestedSyntax()
    {
        var node = SyntaxFactory.ParseExpression("1 + 2");
        Assert.Throws<FalseException>(() => GeneratorHarness.AssertNoRoslynObjects(new Holder("a", new List<object> { 1, new Holder("b", node) })));
        GeneratorHarness.AssertNoRoslynObjects(new Holder("a", new List<object> { 1, "x" }));
    }

    [Fact]
    public void SymbolsAreFound()
    {
        var compilation = GeneratorHarness.Compile("public class A { }");
        var symbol = compilation.GetTypeByMetadataName("A")!;
        Assert.Throws<FalseException>(() => GeneratorHarness.AssertNoRoslynObjects(new Holder("s", symbol)));
    }
}
