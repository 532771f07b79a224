using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace MupGen;

/// <summary>The base shape of one parameter as <see cref="MupShapes"/> read it: its size in the base model, and
/// which dimensions scale with width (those that differ between the base and the delta model).</summary>
/// <param name="Name">The name as <c>named_parameters()</c> gives it.</param>
/// <param name="BaseShape">The shape in the base model.</param>
/// <param name="Infinite">One flag per dimension: true when the dimension differs between base and delta, i.e. scales
/// with width ("infinite" in mup's terms; mup's base_dim is not None).</param>
public sealed record MupBaseShape(string Name, IReadOnlyList<long> BaseShape, IReadOnlyList<bool> Infinite)
{
    /// <summary>The number of infinite dimensions (mup's <c>ninf</c>): 2 hidden-like (matrix), 1 vector-like
    /// (biases, norms, embeddings, input and readout weights), 0 fixed.</summary>
    public int InfiniteCount => Infinite.Count(x => x);

    /// <summary>The width multiplier of dimension <paramref name="dim"/> for a tensor of size <paramref name="actual"/>
    /// there: actual / base for an infinite dimension, 1 for a finite one (mup's <c>InfDim.width_mult</c>).</summary>
    public double Multiplier(int dim, long actual) => Infinite[dim] ? actual / (double)BaseShape[dim] : 1.0;

    /// <summary>mup's base-shape notation: the base size of each infinite dimension, <c>null</c> for a finite one,
    /// e.g. <c>[64, null]</c> for an input layer's weight.</summary>
    public override string ToString() =>
        "[" + string.Join(", ", BaseShape.Select((b, d) => Infinite[d] ? b.ToString(CultureInfo.InvariantCulture) : "null")) + "]";
}

/// <summary>
/// mup's shape method: the <c>named_parameters()</c> shapes of a model built at its base width and of the same model
/// built at a second ("delta") width. A dimension that differs between the two scales with width ("infinite"); every
/// infinite dimension's base size comes from the base model. This is exactly what mup's
/// <c>set_base_shapes(model, base, delta=delta)</c> reads.
/// </summary>
/// <remarks>
/// <para>Use it to check the compiled facts (<see cref="MupModelExtensions.MupVerify"/>) and to fill what the
/// generator could not resolve (<see cref="MupOptions.BaseShapes"/>).</para>
/// <para>Only names and shapes are recorded: no reference to either model or to any tensor is kept, so both models
/// can be disposed right after <see cref="Of"/> returns. Build them small (the base width, and for the delta any
/// other width, e.g. twice the base): only their shapes are read.</para>
/// </remarks>
public sealed class MupShapes
{
    private readonly MupBaseShape[] _parameters;
    private readonly Dictionary<string, MupBaseShape> _byName;

    private MupShapes(MupBaseShape[] parameters)
    {
        _parameters = parameters;
        _byName = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>One entry per parameter, in the base model's <c>named_parameters()</c> order.</summary>
    public IReadOnlyList<MupBaseShape> Parameters => _parameters;

    /// <summary>The entry for <paramref name="name"/>, or null when the models had no such parameter.</summary>
    public MupBaseShape? this[string name] => _byName.TryGetValue(name, out var s) ? s : null;

    /// <summary>
    /// Records the parameter shapes of <paramref name="baseModel"/> (built at the base width the hyperparameters are
    /// tuned at) and <paramref name="deltaModel"/> (the same model at another width; every width-scaled dimension must
    /// differ from the base, so vary every [Width] value).
    /// </summary>
    /// <exception cref="ArgumentNullException">A model is null.</exception>
    /// <exception cref="ArgumentException">The models are not the same architecture at two widths: the parameter names
    /// differ, a parameter's rank differs, a dimension is smaller in the delta than in the base, or no dimension differs
    /// at all (the delta was built at the base width). The message names the parameter.</exception>
    public static MupShapes Of(nn.Module baseModel, nn.Module deltaModel)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(deltaModel);
        if (ReferenceEquals(baseModel, deltaModel))
            throw new ArgumentException("The base and delta models are the same object, so no dimension can scale with width. Build the delta at another width than the base (e.g. twice every [Width] value).", nameof(deltaModel));
        return Build(Read(baseModel), Read(deltaModel));
    }

    private static MupShapes Build(List<(string Name, long[] Shape)> baseShapes, List<(string Name, long[] Shape)> deltaShapes)
    {
        const string baseModel = "baseModel", deltaModel = "deltaModel";
        var delta = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (name, shape) in deltaShapes)
            if (!delta.TryAdd(name, shape))
                throw new ArgumentException($"The delta model lists parameter '{name}' twice.", deltaModel);
        var baseNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in baseShapes)
            if (!baseNames.Add(name))
                throw new ArgumentException($"The base model lists parameter '{name}' twice.", baseModel);

        var missing = baseShapes.Select(b => b.Name).Where(n => !delta.ContainsKey(n)).ToList();
        var extra = deltaShapes.Select(d => d.Name).Where(n => !baseNames.Contains(n)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add("only the base model has " + Names(missing));
            if (extra.Count > 0) parts.Add("only the delta model has " + Names(extra));
            throw new ArgumentException(
                $"The base and delta models must have the same parameter names (the same architecture at two widths): {string.Join("; ", parts)}. " +
                "Build both from the same constructor, changing only the [Width] values.", deltaModel);
        }

        var result = new MupBaseShape[baseShapes.Count];
        bool anyInfinite = false;
        for (int i = 0; i < baseShapes.Count; i++)
        {
            var (name, b) = baseShapes[i];
            var d = delta[name];
            if (b.Length != d.Length)
                throw new ArgumentException(
                    $"Parameter '{name}' has rank {b.Length} in the base model ({MupBinding.FormatShape(b)}) but rank {d.Length} in the delta model ({MupBinding.FormatShape(d)}); only sizes may change with width.", deltaModel);
            var infinite = new bool[b.Length];
            for (int k = 0; k < b.Length; k++)
            {
                if (b[k] < 1)
                    throw new ArgumentException($"Parameter '{name}' has an empty dimension {k.ToString(CultureInfo.InvariantCulture)} in the base model ({MupBinding.FormatShape(b)}); a base size must be at least 1.", baseModel);
                if (d[k] < b[k])
                    throw new ArgumentException(
                        $"Parameter '{name}': dimension {k.ToString(CultureInfo.InvariantCulture)} shrinks from {b[k].ToString(CultureInfo.InvariantCulture)} in the base model to {d[k].ToString(CultureInfo.InvariantCulture)} in the delta model " +
                        $"({MupBinding.FormatShape(b)} → {MupBinding.FormatShape(d)}). Build the delta model wider than the base (e.g. twice the base width), or swap the two arguments.", deltaModel);
                infinite[k] = d[k] != b[k];
                anyInfinite |= infinite[k];
            }
            result[i] = new MupBaseShape(name, (long[])b.Clone(), infinite);
        }
        if (!anyInfinite && result.Length > 0)
            throw new ArgumentException(
                "The delta model has exactly the base model's shapes, so no dimension scales with width. Build the delta at another width than the base (e.g. twice every [Width] value).", deltaModel);
        if (result.Length == 0)
            throw new ArgumentException("The base model has no parameters.", baseModel);
        return new MupShapes(result);
    }

    private static List<(string, long[])> Read(nn.Module model) =>
        model.named_parameters().Select(p => (p.name, (long[])p.parameter.shape.Clone())).ToList();

    private static string Names(List<string> names) =>
        string.Join(", ", names.Take(8).Select(n => "'" + n + "'")) + (names.Count > 8 ? $" and {(names.Count - 8).ToString(CultureInfo.InvariantCulture)} more" : "");

    /// <summary>mup's base-shape file, one line per parameter: <c>name: [base or null, ...]</c>.</summary>
    public override string ToString() => string.Join("\n", _parameters.Select(p => p.Name + ": " + p));
}
