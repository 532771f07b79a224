using System;
using System.Globalization;

namespace MupGen.Scaling;

/// <summary>Argument checks shared by the scaling-law APIs: every message names the argument and shows the value.</summary>
internal static class ScalingGuard
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is positive and finite.</summary>
    public static double Positive(double value, string name)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number (got {Format(value)}).");
        return value;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> is finite and not negative.</summary>
    public static double NonNegative(double value, string name)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number >= 0 (got {Format(value)}).");
        return value;
    }

    /// <summary>Round-trip invariant-culture text of a number.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
