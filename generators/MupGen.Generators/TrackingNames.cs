namespace MupGen.Generators;

/// <summary>Names of the pipeline steps, so tests can ask the driver which steps re-ran.</summary>
internal static class TrackingNames
{
    /// <summary>One parsed model per <c>[Width]</c> hit (null when the class is not a model the generator handles).</summary>
    public const string Parse = nameof(Parse);

    /// <summary>One parse per <c>[ReadoutLayer]</c> member: the model when its class is the root of a
    /// configuration-object model (no [Width] of its own, a constructor parameter of a type with a [Width] member),
    /// else None, decided without reading the constructor.</summary>
    public const string ConfigParse = nameof(ConfigParse);

    /// <summary>Per [ReadoutLayer] hit, its configuration-object model or null.</summary>
    public const string ConfigModels = nameof(ConfigModels);

    /// <summary>Per [ReadoutLayer] hit, the parser's internal error or null (MUP900).</summary>
    public const string ConfigInternalErrors = nameof(ConfigInternalErrors);

    /// <summary>Per [Width] hit, its model or null.</summary>
    public const string Models = nameof(Models);

    /// <summary>Per hit, the parser's internal error or null (reported as MUP900; always null unless MupGen has a bug).</summary>
    public const string InternalErrors = nameof(InternalErrors);

    /// <summary>All models (both paths), gathered so several <c>[Width]</c> members of one class give one output.</summary>
    public const string Collected = nameof(Collected);

    /// <summary>One model per class, named by a hint name valid and unique ignoring case (HintNames.cs).</summary>
    public const string Deduplicated = nameof(Deduplicated);

    /// <summary>The nested module classes each model builds (partial ones only), one array per model.</summary>
    public const string Submodules = nameof(Submodules);

    /// <summary>All nested module classes, gathered so a class built by several models gives one output.</summary>
    public const string SubmodulesCollected = nameof(SubmodulesCollected);

    /// <summary>One IMupSubmodule partial per nested module class (no output, so not tracked, when no model has one).</summary>
    public const string SubmodulesDeduplicated = nameof(SubmodulesDeduplicated);
}
