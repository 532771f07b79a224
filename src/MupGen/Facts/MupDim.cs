using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Linq;

namespace MupGen.Facts;

/// <summary>A width symbol raised to an integer power inside a dimension expression: width^1, width^-1.</summary>
/// <param name="Symbol">The name of the <see cref="WidthAttribute"/> member.</param>
/// <param name="Exponent">The power; never 0.</param>
public readonly record struct MupPower(string Symbol, int Exponent);

/// <summary>How the size of one tensor dimension depends on the width symbols, as the generator read it from the
/// constructor. Generated code builds these; users rarely need them.</summary>
public enum MupDimForm
{
    /// <summary>Does not scale with width: multiplier 1.</summary>
    Fixed,
    /// <summary>c · Π w_i^k_i (opaque finite factors allowed): multiplier Π (w_i / base_i)^k_i.</summary>
    Monomial,
    /// <summary>w + c: multiplier actual / (base + c).</summary>
    Affine,
    /// <summary>A size computed from one width by integer arithmetic that does not grow in proportion to it (Llama's
    /// <c>multiple_of * ((2 * 4 * dim / 3 + multiple_of - 1) / multiple_of)</c>, <c>w * w + 1</c>, a division that
    /// truncates such as <c>8 * w / 3</c>): multiplier
    /// actual / base, as mup gives every dimension that differs between its base and delta models. Never used to
    /// measure the width.</summary>
    Computed,
}

/// <summary>One dimension of a parameter tensor: its form, its size at base width (when the constructor makes it a
/// compile-time constant there) and the width symbols it scales with.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed record MupDim
{
    private MupDim(MupDimForm form, long? baseSize, MupPower[] powers, Func<long, long>? sizeAt = null)
    {
        Form = form;
        BaseSize = baseSize;
        Powers = powers;
        SizeAt = sizeAt;
    }

    /// <summary>For <see cref="MupDimForm.Computed"/>: the size as the constructor computes it from the width's value
    /// (constants and defaults as the generator read them). The run time evaluates it at the measured width and
    /// refuses a shape that differs (an input passed with another value than its default); null otherwise.</summary>
    public Func<long, long>? SizeAt { get; }

    /// <summary>The form of the dimension expression.</summary>
    public MupDimForm Form { get; }

    /// <summary>The size at base width, when it is a compile-time constant; null when opaque factors
    /// (a constructor argument that is not a width) enter it.</summary>
    public long? BaseSize { get; }

    /// <summary>The width symbols and their powers; empty for <see cref="MupDimForm.Fixed"/>.</summary>
    public IReadOnlyList<MupPower> Powers { get; }

    /// <summary>True when the dimension scales with width ("infinite" in mup's terms).</summary>
    public bool IsInfinite => Form != MupDimForm.Fixed;

    /// <summary>A dimension that does not scale with width.</summary>
    public static MupDim Fixed { get; } = new(MupDimForm.Fixed, null, Array.Empty<MupPower>());

    /// <summary>c · Π w_i^k_i. <paramref name="baseSize"/> is its value at base width, or null if unknown.</summary>
    public static MupDim Monomial(long? baseSize, params MupPower[] powers)
    {
        if (powers is null || powers.Length == 0 || powers.Any(p => p.Exponent == 0 || string.IsNullOrEmpty(p.Symbol)))
            throw new ArgumentException("A monomial dimension needs at least one width symbol with a non-zero exponent.", nameof(powers));
        if (baseSize is <= 0)
            throw new ArgumentOutOfRangeException(nameof(baseSize), baseSize, "A base size must be positive.");
        return new MupDim(MupDimForm.Monomial, baseSize, powers);
    }

    /// <summary>Shorthand for a dimension proportional to one width symbol: <c>4 * width</c> has base size 4 · base.</summary>
    public static MupDim Scaled(long? baseSize, string symbol) => Monomial(baseSize, new MupPower(symbol, 1));

    /// <summary><c>w + c</c>: its base size (base + c) is known at compile time.</summary>
    public static MupDim Affine(long baseSize, string symbol)
    {
        if (baseSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(baseSize), baseSize, "A base size must be positive.");
        return new MupDim(MupDimForm.Affine, baseSize, new[] { new MupPower(symbol, 1) });
    }

    /// <summary>A size computed from the width <paramref name="symbol"/> by integer arithmetic that does not grow in
    /// proportion to it: <paramref name="baseSize"/> is its value at the base width, so its multiplier is
    /// actual / <paramref name="baseSize"/>. <paramref name="sizeAt"/> (optional) computes the size from the width's
    /// value, so the run time can check the actual shape; it does not take part in equality.</summary>
    public static MupDim Computed(long baseSize, string symbol, Func<long, long>? sizeAt = null)
    {
        if (baseSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(baseSize), baseSize, "A base size must be positive.");
        if (string.IsNullOrEmpty(symbol))
            throw new ArgumentException("A computed dimension needs the width symbol it is computed from.", nameof(symbol));
        return new MupDim(MupDimForm.Computed, baseSize, new[] { new MupPower(symbol, 1) }, sizeAt);
    }

    /// <inheritdoc/>
    public bool Equals(MupDim? other) =>
        other is not null && Form == other.Form && BaseSize == other.BaseSize && Powers.SequenceEqual(other.Powers);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Form, BaseSize, Powers.Count);

    /// <inheritdoc/>
    public override string ToString() => Form switch
    {
        MupDimForm.Fixed => "fixed",
        MupDimForm.Affine => $"{Powers[0].Symbol}+c (base {BaseSize?.ToString(CultureInfo.InvariantCulture)})",
        MupDimForm.Computed => $"computed from {Powers[0].Symbol} (base {BaseSize?.ToString(CultureInfo.InvariantCulture)})",
        _ => string.Join("·", Powers.Select(p => p.Exponent == 1 ? p.Symbol : $"{p.Symbol}^{p.Exponent.ToString(CultureInfo.InvariantCulture)}"))
             + (BaseSize is { } b ? $" (base {b.ToString(CultureInfo.InvariantCulture)})" : " (base from width)"),
    };
}
