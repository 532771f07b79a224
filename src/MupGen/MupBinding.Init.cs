using System;
using System.Globalization;
using static TorchSharp.torch;

namespace MupGen;

public sealed partial class MupBinding
{
    internal enum InitKind { Keep, Uniform, Normal, Ones, Zeros }

    /// <summary>How one tensor is drawn: U(±Scale), N(0, Scale), a constant, or left as constructed.</summary>
    internal readonly record struct InitSpec(InitKind Kind, double Scale)
    {
        /// <summary>The standard deviation of the draw (0 for constants; NaN when left as constructed).</summary>
        public double Std => Kind switch
        {
            InitKind.Uniform => Scale / Math.Sqrt(3.0),
            InitKind.Normal => Scale,
            InitKind.Keep => double.NaN,
            _ => 0.0,
        };

        public void Apply(Tensor p)
        {
            switch (Kind)
            {
                case InitKind.Uniform: p.uniform_(-Scale, Scale); break;
                case InitKind.Normal: p.normal_(0.0, Scale); break;
                case InitKind.Ones: p.fill_(1.0); break;
                case InitKind.Zeros: p.zero_(); break;
            }
        }

        public override string ToString() => Kind switch
        {
            InitKind.Uniform => "uniform(±" + Fmt(Scale) + ")",
            InitKind.Normal => "normal(0, " + Fmt(Scale) + ")",
            InitKind.Ones => "ones",
            InitKind.Zeros => "zeros",
            _ => "constructor",
        };

        private static string Fmt(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

        /// <summary>
        /// The layer's default init (or N(0, InitStd) for a weight) evaluated at base shape, times the role's init
        /// scale; under the standard parametrization, at the actual shape. TorchSharp's defaults: Linear and Conv
        /// weight and bias U(±1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)), Embedding N(0, 1), LayerNorm ones
        /// and zeros.
        /// </summary>
        public static InitSpec For(BoundParameter p, MupOptions options, bool standard, double roleScale)
        {
            if (p.Fact is null || p.Role == MupRole.Unresolved || p.Layer == MupLayerKind.Other)
                return new InitSpec(InitKind.Keep, 0);
            if (options.ZeroInitReadout && p.InReadoutLayer)
                return new InitSpec(InitKind.Zeros, 0);
            // A [WidthInvariant] layer keeps exactly its SP init; the readout's bias (role Fixed) goes back to base.
            bool atActualShape = standard || (p.Role == MupRole.Fixed && !p.InReadoutLayer);
            double fanIn = atActualShape ? p.ActualFanIn : p.BaseFanIn;
            double scale = standard ? 1.0 : roleScale;
            bool matrix = p.IsWeight && p.Layer != MupLayerKind.LayerNorm;
            if (matrix && options.InitStd is { } std)
                return new InitSpec(InitKind.Normal, std * scale);
            return p.Layer switch
            {
                MupLayerKind.LayerNorm => new InitSpec(p.IsWeight ? InitKind.Ones : InitKind.Zeros, 0),
                MupLayerKind.Embedding => new InitSpec(InitKind.Normal, 1.0 * scale),
                _ => new InitSpec(InitKind.Uniform, (fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0) * scale),
            };
        }
    }
}
