using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Corpus.Models;
using TorchSharp;

namespace MupGen.Corpus.Tests;

/// <summary>What a corpus model does today, locked in so progress cannot silently regress.</summary>
public enum Outcome
{
    /// <summary>No MupGen diagnostic, and every parameter agrees with the shape method at 8x the base width.</summary>
    Clean,
    /// <summary>The build reports <see cref="Expectation.Id"/> on <see cref="Expectation.Member"/>, MupInitialize
    /// refuses, and with MupOptions.BaseShapes every parameter agrees.</summary>
    Reported,
    /// <summary>The build reports an error (<see cref="Expectation.Id"/> on <see cref="Expectation.Member"/>) and the
    /// model gets no µP members at all, so it cannot be built or run (it is left out of this project's compilation).</summary>
    BuildError,
    /// <summary>A product bug: no diagnostic, yet the named parameters get numbers the shape method disagrees with.
    /// The test asserts the bug is still there exactly, so a fix makes it fail until the expectation is updated.</summary>
    KnownBug,
}

/// <summary>One model's expected outcome.</summary>
/// <param name="Id">The diagnostic ID (Reported, BuildError).</param>
/// <param name="Member">Where it is reported: <c>Class.member</c>, or the class name.</param>
/// <param name="Wrong">KnownBug: the parameters whose numbers disagree, and how.</param>
public sealed record Expectation(Outcome Outcome, string? Id = null, string? Member = null, string[]? Wrong = null)
{
    public static Expectation Clean { get; } = new(Outcome.Clean);

    public static Expectation Reported(string id, string member) => new(Outcome.Reported, id, member);

    public static Expectation BuildError(string id, string member) => new(Outcome.BuildError, id, member);

    public static Expectation Bug(params string[] wrong) => new(Outcome.KnownBug, Wrong: wrong);

    public override string ToString() => Outcome switch
    {
        Outcome.Clean => "Clean",
        Outcome.KnownBug => "KnownBug(" + string.Join(", ", Wrong!) + ")",
        _ => $"{Outcome}({Id}, {Member})",
    };
}

/// <summary>A corpus model: its file under Models/, and how to build it at a multiple of its base width (every
/// [Width] value × the factor); null for a model that does not compile today.</summary>
public sealed record CorpusModel(string Name, string File, Func<int, torch.nn.Module>? Build)
{
    public override string ToString() => Name;
}

internal static class Corpus
{
    public static readonly CorpusModel[] Models =
    {
        new("FieldMlp", "FieldMlp.cs", f => new FieldMlp(32 * f)),
        new("ArrayMlp", "ArrayMlp.cs", f => new ArrayMlp(32 * f)),
        new("ArrayInitializerMlp", "ArrayInitializerMlp.cs", f => new ArrayInitializerMlp(32 * f)),
        new("ListMlp", "ListMlp.cs", f => new ListMlp(32 * f)),
        new("NamedSequentialMlp", "NamedSequentialMlp.cs", f => new NamedSequentialMlp(32 * f)),
        new("RegisterModuleMlp", "RegisterModuleMlp.cs", f => new RegisterModuleMlp(32 * f)),
        new("HelperMlp", "HelperMlp.cs", f => new HelperMlp(32 * f)),
        new("LocalFunctionMlp", "LocalFunctionMlp.cs", f => new LocalFunctionMlp(32 * f)),
        new("LinqMlp", "LinqMlp.cs", f => new LinqMlp(32 * f)),
        new("NanoGpt", "NanoGpt.cs", f => new NanoGpt(new GptConfig { NEmbd = 64 * f })),
        new("Llama", "Llama.cs", f => new Llama(new LlamaArgs { Dim = 64 * f })),
        new("LlamaComputedHidden", "LlamaComputedHidden.cs", f => new LlamaComputedHidden(new LlamaHiddenArgs { Dim = 64 * f })),
        new("SizeHelperLlama", "SizeHelperLlama.cs", f => new SizeHelperLlama(64 * f)),
        new("Bert", "Bert.cs", f => new Bert(64 * f)),
        new("Vit", "Vit.cs", f => new Vit(32 * f)),
        new("ParameterMatrix", "ParameterMatrix.cs", f => new ParameterMatrix(32 * f)),
        new("TorchEncoder", "TorchEncoder.cs", f => new TorchEncoder(64 * f)),
        new("MhaClassifier", "MhaClassifier.cs", f => new MhaClassifier(64 * f)),
        new("Mixer", "Mixer.cs", f => new Mixer(32 * f)),
        new("VggStyle", "VggStyle.cs", f => new VggStyle(8 * f)),
        new("ResNetStyle", "ResNetStyle.cs", f => new ResNetStyle(8 * f)),
        new("MobileNetStyle", "MobileNetStyle.cs", f => new MobileNetStyle(8 * f)),
        new("LstmLm", "LstmLm.cs", f => new LstmLm(32 * f)),
        new("GruClassifier", "GruClassifier.cs", f => new GruClassifier(32 * f)),
        new("ConvAutoencoder", "ConvAutoencoder.cs", f => new ConvAutoencoder(8 * f)),
        new("EmbeddingBagClassifier", "EmbeddingBagClassifier.cs", f => new EmbeddingBagClassifier(32 * f)),
    };

    public static CorpusModel Get(string name) => Models.Single(m => m.Name == name);

    public static IEnumerable<object[]> Names => Models.Select(m => new object[] { m.Name });

    public static IEnumerable<object[]> Runnable => Models.Where(m => m.Build is not null).Select(m => new object[] { m.Name });
}
