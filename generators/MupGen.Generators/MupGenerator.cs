using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MupGen.Generators.Model;

namespace MupGen.Generators;

/// <summary>
/// Gives every partial TorchSharp module with a <c>[Width]</c> member an implementation of <c>MupGen.IMupModel</c>
/// whose facts (parameter names, layer kinds, roles, symbolic shapes) are read from the constructor at compile time.
/// This file only wires the pipeline: parsing lives in MupGenerator.Parser*.cs, text in MupGenerator.Emitter.cs.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class MupGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // [Width] sits on a constructor parameter, a field's variable declarator, or a property; each hit is parsed
        // into the model of its containing class (null when that class is not one the generator handles).
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                TypeNames.WidthAttribute,
                static (node, _) => node is ParameterSyntax or VariableDeclaratorSyntax or PropertyDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx.TargetSymbol, ctx.SemanticModel, ct))
            .WithTrackingName(TrackingNames.Parse);

        var models = parsed
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .WithTrackingName(TrackingNames.Models);

        // Several [Width] members in one class (or one per partial part) must give one file.
        var unique = models
            .Collect()
            .WithTrackingName(TrackingNames.Collected)
            .SelectMany(static (all, _) => Deduplicate(all))
            .WithTrackingName(TrackingNames.Deduplicated);

        context.RegisterSourceOutput(unique, static (spc, model) =>
            spc.AddSource(Emitter.HintName(model), Emitter.Emit(model)));
    }

    private static ImmutableArray<ModelSpec> Deduplicate(ImmutableArray<ModelSpec> all)
    {
        var seen = new HashSet<string>();
        var builder = ImmutableArray.CreateBuilder<ModelSpec>(all.Length);
        foreach (var model in all)
            if (seen.Add(model.HintName))
                builder.Add(model);
        return builder.ToImmutable();
    }
}
