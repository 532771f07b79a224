namespace MupGen.Generators.Model;

/// <summary>An exception the generator caught instead of throwing it into the compiler (CS8785 would drop the
/// generated code of every model). The generator reports it as MUP900 at <see cref="Location"/>, so a build keeps the
/// other models' code and tests can assert that it never happens. Strings only, so it caches like a model.</summary>
/// <param name="Class">The class being read or written (its identity, <c>Samples.Mlp</c>).</param>
/// <param name="Exception">The exception's type, message and innermost frames, for the bug report.</param>
internal sealed record InternalError(string Class, string Exception, LocationInfo? Location)
{
    public static InternalError From(string @class, System.Exception exception, LocationInfo? location)
    {
        var frames = exception.StackTrace is { } trace
            ? string.Join(" | ", System.Linq.Enumerable.Take(trace.Split('\n'), 4)).Replace("\r", "").Trim()
            : "";
        return new InternalError(@class, $"{exception.GetType().FullName}: {exception.Message} {frames}".Trim(), location);
    }
}

/// <summary>A source location as values (a Location would root the compilation).</summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter)
{
    public static LocationInfo? From(Microsoft.CodeAnalysis.Location? location)
    {
        if (location is null || !location.IsInSource)
            return null;
        var span = location.GetLineSpan().Span;
        return new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan.Start, location.SourceSpan.Length,
            span.Start.Line, span.Start.Character, span.End.Line, span.End.Character);
    }

    public Microsoft.CodeAnalysis.Location ToLocation() =>
        Microsoft.CodeAnalysis.Location.Create(FilePath, new Microsoft.CodeAnalysis.Text.TextSpan(Start, Length),
            new Microsoft.CodeAnalysis.Text.LinePositionSpan(
                new Microsoft.CodeAnalysis.Text.LinePosition(StartLine, StartCharacter),
                new Microsoft.CodeAnalysis.Text.LinePosition(EndLine, EndCharacter)));
}

/// <summary>What one <c>[Width]</c> hit parses to: a model, nothing (not a class the generator handles), or an
/// internal error.</summary>
internal sealed record ParseResult(ModelSpec? Model, InternalError? Error)
{
    public static ParseResult None { get; } = new(null, null);
}
