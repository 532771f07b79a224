using System;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MupGen.Generators;
using Xunit;
using static MupGen.Analyzers.Tests.MupTest;

namespace MupGen.Analyzers.Tests;

/// <summary>The analyzers reuse the generator's parse of a model (SharedParses) exactly when they analyze the
/// compilation the generator ran on plus its output: the same trees, references and options objects. The command-line
/// compiler drops the generator's compilation once generation is done and a collection may run before the analyzers
/// do; the reuse must not depend on that compilation (it did while the compilation was held weakly: in a real build
/// every model was parsed twice).</summary>
public class SharedParseTests
{
    private const string Model = Usings + """
        public partial class Shared : Module<Tensor, Tensor>
        {
            private readonly Linear input;
            [ReadoutLayer] private readonly Linear readout;

            public Shared([Width(64)] int width) : base(nameof(Shared))
            {
                input = Linear(8, width);
                readout = Linear(width, 10);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
        }
        """;

    /// <summary>The generator's output, with the compilation it ran on unreachable (only a weak reference to it): the
    /// output is made again from the same trees, references and options objects (as a compiler may hold them), so it
    /// shares no Roslyn state that would keep the generator's compilation alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Compilation Output, WeakReference<Compilation> Input) GenerateAndDropInput()
    {
        var input = Compile(Model);
        var (output, diagnostics) = Generate(input);
        Assert.Empty(diagnostics);
        var equivalent = CSharpCompilation.Create(output.AssemblyName, output.SyntaxTrees, output.References, (CSharpCompilationOptions)output.Options);
        return (equivalent, new WeakReference<Compilation>(input));
    }

    private static IParameterSymbol WidthParameter(Compilation compilation)
    {
        var type = compilation.GetTypeByMetadataName("Shared")!;
        return type.InstanceConstructors.Single(c => !c.IsImplicitlyDeclared).Parameters.Single();
    }

    [Fact]
    public void TheParseIsReused_ForTheOutputMadeAgainFromTheSameObjects()
    {
        var (output, _) = GenerateAndDropInput();
        Assert.True(SharedParses.TryGet(WidthParameter(output), f => f.Matches(output), out var spec));
        Assert.NotNull(spec);
        Assert.Equal(2, spec!.Parameters.Count(p => p.Name.EndsWith(".weight", StringComparison.Ordinal)));
    }

    /// <summary>In a command-line build the generator's compilation is collected before the analyzers run (measured:
    /// every one of the 200 benchmark models missed while an entry held it by a weak reference). So what a parse is
    /// matched against must not be the compilation, strongly or weakly: only the trees, references and options.</summary>
    [Fact]
    public void ARememberedParse_HoldsNoCompilation()
    {
        var holders = typeof(SharedParses).GetNestedTypes(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public);
        Assert.Contains(holders, t => t.Name == "Entry");
        Assert.Contains(holders, t => t.Name == "Fingerprint");
        foreach (var holder in holders)
            foreach (var field in holder.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public))
            {
                var type = field.FieldType;
                var element = type.IsArray ? type.GetElementType()! : type;
                var held = element.IsGenericType ? element.GetGenericArguments() : new[] { element };
                Assert.DoesNotContain(held, t => typeof(Compilation).IsAssignableFrom(t));
            }
    }

    [Fact]
    public void TheParseIsNotReused_ForACompilationWithAnEditedTree()
    {
        var (output, _) = GenerateAndDropInput();
        var tree = output.SyntaxTrees.First();
        var edited = output.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().Replace(0, 0, "// edited\n")));
        Assert.False(SharedParses.TryGet(WidthParameter(edited), f => f.Matches(edited), out _));
    }

    [Fact]
    public void TheParseIsNotReused_ForACompilationWithOtherReferences()
    {
        var (output, _) = GenerateAndDropInput();
        var other = output.RemoveReferences(output.References.Last());
        Assert.False(SharedParses.TryGet(WidthParameter(other), f => f.Matches(other), out _));
    }

    [Fact]
    public void TheParseIsNotReused_ForACompilationWithAnotherTreeAdded()
    {
        var (output, _) = GenerateAndDropInput();
        var more = output.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Extra { }", MupTest.ParseOptions, path: "Extra.cs"));
        Assert.False(SharedParses.TryGet(WidthParameter(more), f => f.Matches(more), out _));
    }
}
