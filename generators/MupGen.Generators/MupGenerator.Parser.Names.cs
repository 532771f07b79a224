using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        private static readonly SymbolDisplayFormat NamespaceFormat =
            SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

        /// <summary>The identity a class's output file is named after: namespaces joined by '.', nested types by '+',
        /// from metadata names, so <c>@event</c> is <c>event</c> and <c>A.B.C</c> (namespace A.B) differs from
        /// <c>A.B+C</c> (class C nested in A.B). The generator makes it a valid hint name, unique ignoring case
        /// (HintNames.cs), before emitting.</summary>
        internal static string HintNameOf(INamedTypeSymbol type)
        {
            var parts = new List<string>();
            var nested = "";
            for (var t = type; t is not null; t = t.ContainingType)
            {
                nested = t.ContainingType is null ? t.MetadataName + nested : "+" + t.MetadataName + nested;
            }
            for (var n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
                parts.Insert(0, n.MetadataName);
            parts.Add(nested);
            return string.Join(".", parts);
        }

        /// <summary>The namespace as it must be written in C# (keywords escaped: <c>@class.Models</c>), or null for the
        /// global namespace.</summary>
        internal static string? NamespaceOf(INamedTypeSymbol type) =>
            type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString(NamespaceFormat) : null;

        /// <summary>A name as it must be written in C#: <c>@event</c> for a class named with a keyword (contextual
        /// keywords too: <c>@record</c> is required, and '@' is legal before any identifier).</summary>
        internal static string Identifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;
    }
}
