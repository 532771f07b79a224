using System;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace MupGen.Generators;

/// <summary>The semantic models the parser reads constructors (and MupAttentionScale arguments) through: one per
/// syntax tree and compilation, shared by every model parsed in that compilation (a block class in another file is
/// bound once, not once per model that builds it), and without nullable analysis where Roslyn offers that.</summary>
/// <remarks>
/// A semantic model of a nullable-enabled project runs the nullable walker over every member it binds, to give
/// expressions their flow state: in the generator's profile that was more than half of the <c>Parse</c> step, for
/// nothing, since the parser reads symbols, constants and shapes, never nullability. Roslyn 4.11 and later (the .NET 9
/// SDK onwards) have <c>Compilation.GetSemanticModel(SyntaxTree, SemanticModelOptions.DisableNullableAnalysis)</c>; it
/// is still marked experimental and MupGen compiles against Roslyn 4.8, so it is found by reflection once per process
/// and the ordinary <c>GetSemanticModel(tree)</c> serves older compilers. The parse is the same either way (the
/// generator tests run on both).
/// </remarks>
internal static class SemanticModels
{
    private static readonly Func<Compilation, SyntaxTree, SemanticModel>? WithoutNullable = Find();

    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<SyntaxTree, SemanticModel>> Cache = new();

    /// <summary>Whether this compiler gives semantic models without nullable analysis.</summary>
    internal static bool SkipsNullableAnalysis => WithoutNullable is not null;

    /// <summary>The parser's semantic model of <paramref name="tree"/> in <paramref name="compilation"/>.</summary>
    public static SemanticModel For(Compilation compilation, SyntaxTree tree)
    {
        var models = Cache.GetValue(compilation, static _ => new ConcurrentDictionary<SyntaxTree, SemanticModel>());
        if (models.TryGetValue(tree, out var model))
            return model;
        model = WithoutNullable is { } create
            ? create(compilation, tree)
#pragma warning disable RS1030 // the generator's own cache (per compilation), not an analyzer's
            : compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
        return models.GetOrAdd(tree, model);
    }

    private static Func<Compilation, SyntaxTree, SemanticModel>? Find()
    {
        try
        {
            var options = typeof(Compilation).Assembly.GetType("Microsoft.CodeAnalysis.SemanticModelOptions");
            var method = options is null ? null : typeof(Compilation).GetMethod("GetSemanticModel",
                BindingFlags.Public | BindingFlags.Instance, null, new[] { typeof(SyntaxTree), options }, null);
            if (options is null || method is null || method.ReturnType != typeof(SemanticModel))
                return null;
            var disable = Enum.Parse(options, "DisableNullableAnalysis");
            // A compiled call, not MethodInfo.Invoke: Roslyn's own exceptions (a tree of another compilation) come
            // through as they are, not wrapped in a TargetInvocationException.
            var compilation = Expression.Parameter(typeof(Compilation), "compilation");
            var tree = Expression.Parameter(typeof(SyntaxTree), "tree");
            return Expression.Lambda<Func<Compilation, SyntaxTree, SemanticModel>>(
                Expression.Call(compilation, method, tree, Expression.Constant(disable, options)), compilation, tree).Compile();
        }
        catch (Exception e) when (e is ArgumentException or AmbiguousMatchException or TypeLoadException or InvalidOperationException)
        {
            return null;
        }
    }
}
