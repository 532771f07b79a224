using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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
                static (ctx, ct) =>
                {
                    var result = Parser.ParseOrError(ctx.TargetSymbol, ctx.SemanticModel, ct);
                    // The analyzers of this assembly reuse the parse instead of parsing the model again.
                    if (result.Error is null)
                        SharedParses.Remember(ctx.TargetNode, ctx.SemanticModel.Compilation, result.Model);
                    return result;
                })
            .WithTrackingName(TrackingNames.Parse);

        // Configuration-object models (nanoGPT's GPT(GPTConfig config) with [Width] on GPTConfig.NEmbd): found from
        // their [ReadoutLayer] member. The transform returns None at once for a class with a [Width] of its own (the
        // path above parses it) or without a constructor parameter of a type with a [Width] member.
        var configParsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                TypeNames.ReadoutLayerAttribute,
                static (node, _) => node is VariableDeclaratorSyntax or PropertyDeclarationSyntax,
                static (ctx, ct) =>
                {
                    var result = Parser.ParseConfigRootOrError(ctx.TargetSymbol, ctx.SemanticModel, ct);
                    if (result.Error is null && result.Model is not null)
                        SharedParses.Remember(ctx.TargetNode, ctx.SemanticModel.Compilation, result.Model);
                    return result;
                })
            .WithTrackingName(TrackingNames.ConfigParse);

        // Per hit, its model or null (a Select, not a Where: a filtered step with no item is not tracked, and a
        // project may have only configuration-object models; the nulls are dropped when the models are gathered).
        var models = parsed
            .Select(static (r, _) => r.Model)
            .WithTrackingName(TrackingNames.Models);

        // Null for every [ReadoutLayer] that is not the root of a configuration-object model (a Select, not a Where,
        // so the step is tracked, and Cached on edits, in projects without one).
        var configModels = configParsed
            .Select(static (r, _) => r.Model)
            .WithTrackingName(TrackingNames.ConfigModels);

        // A parser bug is a warning at the [Width] member (MUP900), never an exception into the compiler.
        // (A Select, not a Where: a filtered step with no item would not be tracked; null stays null, so the output
        // is Cached on every edit.)
        var errors = parsed
            .Select(static (r, _) => r.Error)
            .WithTrackingName(TrackingNames.InternalErrors);
        context.RegisterSourceOutput(errors, static (spc, error) =>
        {
            if (error is not null)
                spc.ReportDiagnostic(GeneratorDiagnostics.Create(error));
        });
        var configErrors = configParsed
            .Select(static (r, _) => r.Error)
            .WithTrackingName(TrackingNames.ConfigInternalErrors);
        context.RegisterSourceOutput(configErrors, static (spc, error) =>
        {
            if (error is not null)
                spc.ReportDiagnostic(GeneratorDiagnostics.Create(error));
        });

        // Several [Width] members in one class (or one per partial part) must give one file.
        var unique = models
            .Collect()
            .Combine(configModels.Collect())
            .Select(static (pair, _) => pair.Left.AddRange(pair.Right).Where(static m => m is not null).Select(static m => m!).ToImmutableArray())
            .WithTrackingName(TrackingNames.Collected)
            .SelectMany(static (all, _) => HintNames.Assign(Deduplicate(all, static m => m.HintName),
                static m => m.HintName, static m => HintNames.Sanitize(m.HintName), static (m, name) => m with { HintName = name }))
            .WithTrackingName(TrackingNames.Deduplicated);

        context.RegisterSourceOutput(unique, static (spc, model) =>
            AddSource(spc, model.HintName, () => Emitter.HintName(model), () => Emitter.Emit(model)));

        // Nested module classes (blocks, attention, MLP) get the IMupSubmodule members once each, however many
        // models or call sites build them. The spec depends only on the class, so equal hint names are equal specs.
        var submodules = unique
            .Select(static (model, _) => model.Submodules)
            .WithTrackingName(TrackingNames.Submodules)
            .Collect()
            .WithTrackingName(TrackingNames.SubmodulesCollected)
            .SelectMany(static (all, _) => HintNames.Assign(Deduplicate(all.SelectMany(static s => s).ToImmutableArray(), static s => s.HintName),
                static s => s.HintName, static s => HintNames.Sanitize(s.HintName), static (s, name) => s with { HintName = name }))
            .WithTrackingName(TrackingNames.SubmodulesDeduplicated);

        context.RegisterSourceOutput(submodules, static (spc, submodule) =>
            AddSource(spc, submodule.HintName, () => Emitter.HintName(submodule), () => Emitter.Emit(submodule)));
    }

    /// <summary>Adds one file; an exception (an emitter bug, or a hint name Roslyn refuses) becomes MUP900 for that
    /// class instead of CS8785, which would drop every generated file.</summary>
    private static void AddSource(SourceProductionContext spc, string @class, System.Func<string> hintName, System.Func<string> text)
    {
        try
        {
            spc.AddSource(hintName(), text());
        }
        catch (System.OperationCanceledException) when (spc.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (System.Exception e)
        {
            spc.ReportDiagnostic(GeneratorDiagnostics.Create(InternalError.From(@class, e, null)));
        }
    }

    private static ImmutableArray<T> Deduplicate<T>(ImmutableArray<T> all, System.Func<T, string> key)
    {
        var seen = new HashSet<string>();
        var builder = ImmutableArray.CreateBuilder<T>(all.Length);
        foreach (var item in all)
            if (seen.Add(key(item)))
                builder.Add(item);
        return builder.ToImmutable();
    }
}
