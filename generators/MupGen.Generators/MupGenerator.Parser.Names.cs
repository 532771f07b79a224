using System.Collections.Generic;
using System.Linq;
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

        /// <summary>The members the emitter writes into a model's partial part. A class that declares one itself gets
        /// no output (the generated part would not compile: CS0102), like a nested module that implements
        /// IMupSubmodule by hand.</summary>
        private static readonly HashSet<string> GeneratedModelMembers = new(System.StringComparer.Ordinal)
        {
            "MupFacts", "MupOptions", "MupInitialize", "MupDescribe", "MupAdam", "MupAdamW", "MupSGD", "MupReadoutMultiplier",
            "MupInputMultiplier", "MupResidualMultiplier", "MupAttentionScale", "__mupFacts", "__Mup", "__mupBinding",
        };

        /// <summary>True when the user's code declares a member with the name of one the generator writes. Members
        /// in MupGen's own generated files do not count: the analyzers parse the compilation that holds them.</summary>
        internal static bool DeclaresGeneratedMember(INamedTypeSymbol type) => GeneratedMemberDeclared(type) is not null;

        /// <summary>The first member (in declaration order) the user's code declares with the name of one the generator
        /// writes, or null; MUP016 names it.</summary>
        internal static ISymbol? GeneratedMemberDeclared(INamedTypeSymbol type) =>
            type.GetMembers().FirstOrDefault(m => !m.IsImplicitlyDeclared && GeneratedModelMembers.Contains(m.Name)
                && m.DeclaringSyntaxReferences.Any(r => !IsGeneratedByMupGen(r.SyntaxTree)));

        /// <summary>A file this generator wrote (its hint names end so; Roslyn puts the hint name last in the path).</summary>
        internal static bool IsGeneratedByMupGen(SyntaxTree tree) =>
            tree.FilePath.EndsWith(".Mup.g.cs", System.StringComparison.OrdinalIgnoreCase)
            || tree.FilePath.EndsWith(".MupSubmodule.g.cs", System.StringComparison.OrdinalIgnoreCase);

        /// <summary>True when the class or a class it is nested in is file-local: its partial part cannot be written
        /// in another file (the generated <c>partial class Outer</c> would declare a second, unrelated Outer).</summary>
        internal static bool IsInFileLocal(INamedTypeSymbol type)
        {
            for (var t = type; t is not null; t = t.ContainingType)
                if (t.IsFileLocal)
                    return true;
            return false;
        }

        /// <summary>False while a name is still being typed (<c>class (A</c>, <c>namespace Fuzz.;</c>): the class or,
        /// for a top-level class, a part of its namespace has no identifier, so no partial part can be written.</summary>
        internal static bool HasWritableNames(INamedTypeSymbol type)
        {
            if (!SyntaxFacts.IsValidIdentifier(type.Name))
                return false;
            if (type.ContainingType is null)
                for (var n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
                    if (!SyntaxFacts.IsValidIdentifier(n.Name))
                        return false;
            return true;
        }

        /// <summary>A name as it must be written in C#: <c>@event</c> for a class named with a keyword (contextual
        /// keywords too: <c>@record</c> is required, and '@' is legal before any identifier).</summary>
        internal static string Identifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
                ? "@" + name
                : name;
    }
}
