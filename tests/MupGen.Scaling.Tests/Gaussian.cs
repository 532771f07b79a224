using System;

namespace MupGen.Scaling.Tests;

/// <summary>Seeded standard-normal samples (Box–Muller over <see cref="Random"/>), so tests are deterministic.</summary>
internal sealed class Gaussian
{
    private readonly Random _random;
    private double? _spare;

    public Gaussian(int seed) => _random = new Random(seed);

    public double Next()
    {
        if (_spare is { } s) { _spare = null; return s; }
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        double r = Math.Sqrt(-2 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }
}
