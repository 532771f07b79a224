using System;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace MupGen.BuildCostFloor;

/// <summary>
/// The floor of MupGen's build cost: the files MupGen generates for a project, handed to this generator as additional
/// files (<c>*.g.cs</c>, the text MupGen wrote for the same sources), added to the compilation unchanged. Built in one
/// of three modes (<c>-p:FloorMode=...</c>), each a folder of its own for the benchmark:
/// <list type="bullet">
/// <item><c>add</c>: nothing but adding the files (what any generator that writes this much text costs: the
/// generator driver, reading the additional files, and parsing and declaring the text, which the compile without
/// MupGen does too);</item>
/// <item><c>discover</c>: first finds the <c>[Width]</c> and <c>[ReadoutLayer]</c> members with
/// <c>ForAttributeWithMetadataName</c>, as MupGen's pipeline starts, and names their containing types (no member,
/// constructor or base type read);</item>
/// <item><c>members</c>: <c>discover</c>, plus the containing type's members, their field and property types and
/// its base type (the least symbol work a reader of the model's layers needs; no constructor is bound).</item>
/// </list>
/// The files are emitted only after the discovery's output is collected, so the discovery is never skipped.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Where(static t => t.Path.EndsWith(".g.cs", StringComparison.Ordinal))
            .Select(static (t, ct) => (Name: Path.GetFileName(t.Path), Text: t.GetText(ct)?.ToString() ?? ""))
            .Collect();
#if FLOOR_ADD
        context.RegisterSourceOutput(files, static (spc, x) => Add(spc, x));
#else
        // MupGen's two discovery steps, with its predicates.
        var width = context.SyntaxProvider.ForAttributeWithMetadataName("MupGen.WidthAttribute",
            static (node, _) => node is ParameterSyntax or VariableDeclaratorSyntax or PropertyDeclarationSyntax,
            static (c, ct) => Describe(c, ct)).Collect();
        var readout = context.SyntaxProvider.ForAttributeWithMetadataName("MupGen.ReadoutLayerAttribute",
            static (node, _) => node is VariableDeclaratorSyntax or PropertyDeclarationSyntax,
            static (c, ct) => Describe(c, ct)).Collect();
        var discovered = width.Combine(readout).Select(static (x, _) => x.Left.Length + x.Right.Length);
        context.RegisterSourceOutput(files.Combine(discovered), static (spc, x) => Add(spc, x.Left));
#endif
    }

    private static void Add(SourceProductionContext spc, System.Collections.Immutable.ImmutableArray<(string Name, string Text)> files)
    {
        foreach (var (name, text) in files)
            spc.AddSource(name, SourceText.From(text, System.Text.Encoding.UTF8));
    }

#if !FLOOR_ADD
    /// <summary>The containing type's name; with <c>members</c> also a digest of its members' types and base type,
    /// so that symbol work is done and its result used.</summary>
    private static string Describe(GeneratorAttributeSyntaxContext c, CancellationToken ct)
    {
        if (c.TargetSymbol.ContainingType is not { } type)
            return "";
        var name = type.ToDisplayString();
#if FLOOR_MEMBERS
        var digest = type.BaseType?.ToDisplayString() ?? "";
        foreach (var member in type.GetMembers())
        {
            ct.ThrowIfCancellationRequested();
            var memberType = member switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
            if (memberType is not null)
                digest += memberType.Name;
        }
        name += ":" + digest.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
#endif
        return name;
    }
#endif
}
