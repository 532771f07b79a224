namespace MupGen.Generators;

/// <summary>Names of the pipeline steps, so tests can ask the driver which steps re-ran.</summary>
internal static class TrackingNames
{
    /// <summary>One parsed model per <c>[Width]</c> hit (null when the class is not a model the generator handles).</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The hits that produced a model.</summary>
    public const string Models = nameof(Models);

    /// <summary>All models, gathered so several <c>[Width]</c> members of one class give one output.</summary>
    public const string Collected = nameof(Collected);

    /// <summary>One model per class.</summary>
    public const string Deduplicated = nameof(Deduplicated);
}
