using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using MupGen.Generators.Model;

namespace MupGen.Analyzers;

/// <summary>MUP007 for TorchSharp's own attention layers (MultiheadAttention, TransformerEncoderLayer, ...): they scale
/// their logits by 1/sqrt(head dim) inside, which is µP's 1/head dim only while the head dimension stays fixed. Reported
/// where the parser records (ModelSpec.AttentionLayers) that embed_dim / num_heads grows with the width, at the member
/// that holds the layer (a field of the model or of a nested module, also when it holds a TransformerEncoder built
/// from such a layer or a list of them).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AttentionLayerAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.AttentionSqrtScale);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ModelDeclarations.RegisterForParsedRoots(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, MupSymbols symbols, ModelSpec spec, ConcurrentDictionary<Location, bool> reported)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!spec.AttentionLayers.Any(a => a.HeadDimGrows)
            || ModelDeclarations.HasErrors(type, context.Compilation, context.CancellationToken))
            return;
        foreach (var layer in spec.AttentionLayers)
        {
            if (!layer.HeadDimGrows)
                continue;
            // At the member that holds the layer (the field, or the register_module call), like every other
            // layer-level diagnostic; the construction only when there is no member in source.
            var location = symbols.LocationOf(layer.MemberLocation, member: true, context.CancellationToken)
                ?? symbols.LocationOf(layer.Location, member: false, context.CancellationToken)
                ?? type.Locations.FirstOrDefault(l => l.IsInSource);
            if (location is null || !reported.TryAdd(location, true))
                continue;
            var member = layer.Member.Length > 0 ? layer.Member : layer.Path;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AttentionSqrtScale, location,
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Kind, "Layer"),
                $"The attention layer '{member}'", type.Name,
                "its head dimension (embed_dim / num_heads) grows with the width, so its built-in 1/sqrt(head dim) is not µP's 1/head dim; "
                + "grow num_heads with the width instead (a fixed head dimension), or write the attention with MupAttention.ScaledDotProduct(q, k, v, MupAttentionScale(headDim))"));
        }
    }
}
