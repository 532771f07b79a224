using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using MupGen.Generators.Model;

namespace MupGen.Analyzers;

/// <summary>MUP020: a <c>MupAttentionScale(x)</c> call whose argument the generator could not read (a tensor's shape, a
/// field the constructor does not set, a method's result, another object's member). The parser records it as an
/// attention entry without a head dimension (ModelSpec.Attention), the generated facts carry it, and the run time's
/// MupAttentionScale refuses that module until MupOptions.BaseHeadDim decides; this reports it at the argument, from the
/// generator's own parse (never the generated text).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HeadDimAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.UnreadHeadDim);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ModelDeclarations.RegisterForParsedRoots(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, MupSymbols symbols, ModelSpec spec, ConcurrentDictionary<Location, bool> reported)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!spec.Attention.Any(a => a.HeadDim is null)
            || ModelDeclarations.HasErrors(type, context.Compilation, context.CancellationToken))
            return;
        var ct = context.CancellationToken;
        foreach (var attention in spec.Attention)
        {
            if (attention.HeadDim is not null || symbols.LocationOf(attention.Location, member: false, ct) is not { } location
                || !reported.TryAdd(location, true))
                continue;
            var declaring = attention.DeclaringType ?? "";
            var className = declaring.Substring(declaring.LastIndexOf('.') + 1);
            var argument = location.SourceTree?.GetText(ct).ToString(location.SourceSpan) ?? "";
            var detail = attention.Detail ?? "";
            // The detail reads "MupAttentionScale(x): what was not understood"; the message names x itself.
            var colon = detail.IndexOf("): ", StringComparison.Ordinal);
            var problem = colon >= 0 ? detail.Substring(colon + 3) : detail;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnreadHeadDim, location,
                argument, className, type.Name, problem, Fix(location, ct)));
        }
    }

    /// <summary>What to pass instead: the head-dimension field or property of the class with the call, when it has
    /// one (<c>headDim</c>, <c>head_dim</c>, <c>dHead</c>, ...), else the pattern.</summary>
    private static string Fix(Location location, CancellationToken ct)
    {
        const string Pattern = "compute the head dimension in the constructor (headDim = nEmbd / nHead;) and pass that field, or a constant; or set MupOptions.BaseHeadDim to the head dimension at base width";
        if (location.SourceTree is not { } tree)
            return Pattern;
        var node = tree.GetRoot(ct).FindNode(location.SourceSpan);
        var declaration = node.FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>();
        if (declaration is null)
            return Pattern;
        var names = HeadDimNames.In(declaration).ToList();
        var text = node.ToString();
        var candidate = names.FirstOrDefault(n => !string.Equals(n, text, StringComparison.Ordinal));
        return candidate is null
            ? Pattern
            : $"pass '{candidate}' if the constructor sets it to the head dimension (MupAttentionScale({candidate})), or compute the head dimension in the constructor (headDim = nEmbd / nHead;) and pass that field; or set MupOptions.BaseHeadDim to the head dimension at base width";
    }
}

/// <summary>Integer fields and properties of a class named like a head dimension (<c>headDim</c>, <c>head_dim</c>,
/// <c>dHead</c>, <c>headSize</c>, <c>dK</c>, ...): what MUP007 and MUP020 suggest passing to MupAttentionScale instead of
/// a tensor's shape, which the generator cannot read.</summary>
internal static class HeadDimNames
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "headdim", "headsize", "dhead", "headdimension", "dimhead", "dimperhead", "attentionheadsize", "attnheadsize", "dk", "hd", "kvheaddim",
    };

    /// <summary>True for a name that reads as a head dimension, ignoring case, underscores and a leading <c>m</c>/<c>_</c>.</summary>
    public static bool IsHeadDimName(string name)
    {
        var n = name.Replace("_", "").ToLowerInvariant();
        return Known.Contains(n) || (n.StartsWith("m", StringComparison.Ordinal) && Known.Contains(n.Substring(1)));
    }

    /// <summary>The names of the integer fields and properties of <paramref name="declaration"/> named like a head
    /// dimension, in declaration order.</summary>
    public static IEnumerable<string> In(Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax declaration)
    {
        foreach (var member in declaration.Members)
        {
            switch (member)
            {
                case Microsoft.CodeAnalysis.CSharp.Syntax.FieldDeclarationSyntax field when IsInteger(field.Declaration.Type):
                    foreach (var variable in field.Declaration.Variables)
                        if (IsHeadDimName(variable.Identifier.ValueText))
                            yield return variable.Identifier.ValueText;
                    break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax property when IsInteger(property.Type) && IsHeadDimName(property.Identifier.ValueText):
                    yield return property.Identifier.ValueText;
                    break;
            }
        }
    }

    private static bool IsInteger(Microsoft.CodeAnalysis.CSharp.Syntax.TypeSyntax type) =>
        type is Microsoft.CodeAnalysis.CSharp.Syntax.PredefinedTypeSyntax { Keyword.ValueText: "int" or "long" or "short" };
}
