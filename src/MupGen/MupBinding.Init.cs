using System;
using System.Globalization;
using static TorchSharp.torch;

namespace MupGen;

public sealed partial class MupBinding
{
    internal enum InitKind { Keep, Uniform, Normal, Ones, Zeros }

    /// <summary>Layer names taken as an attention query projection by <see cref="MupOptions.ZeroInitQuery"/>.</summary>
    internal static readonly string[] QueryNames = { "q", "query", "q_proj", "wq", "to_q", "query_proj", "c_q" };

    /// <summary>Fused q/k/v projections: their first third of output rows is the query.</summary>
    internal static readonly string[] FusedQkvNames = { "qkv", "c_attn", "in_proj", "qkv_proj", "wqkv", "to_qkv" };

    /// <summary>How one tensor is drawn: U(±Scale), N(0, Scale), a constant, or left as constructed.</summary>
    internal readonly record struct InitSpec(InitKind Kind, double Scale, bool ZeroQueryRows = false)
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
            if (ZeroQueryRows)
                p.narrow(0, 0, p.shape[0] / 3).zero_();
        }

        public override string ToString() => Kind switch
        {
            InitKind.Uniform => "uniform(±" + Fmt(Scale) + ")",
            InitKind.Normal => "normal(0, " + Fmt(Scale) + ")",
            InitKind.Ones => "ones",
            InitKind.Zeros => "zeros",
            _ => "constructor",
        } + (ZeroQueryRows ? ", query rows zero" : "");

        private static string Fmt(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

        /// <summary>
        /// The layer's default init (or N(0, InitStd) for a weight) evaluated at base shape, times the role's init
        /// scale; under the standard parametrization, at the actual shape. TorchSharp's defaults: Linear and Conv
        /// weight and bias U(±1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)), Embedding N(0, 1), LayerNorm ones
        /// and zeros.
        /// </summary>
        public static InitSpec For(BoundParameter p, MupOptions options, bool standard, double roleScale)
        {
            if (p.Role == MupRole.Unresolved || p.Layer == MupLayerKind.Other)
                return new InitSpec(InitKind.Keep, 0);
            if (options.ZeroInitReadout && p.InReadoutLayer)
                return new InitSpec(InitKind.Zeros, 0);
            var layerName = LayerName(p.Name);
            bool fusedQuery = false;
            if (options.ZeroInitQuery && p.Layer == MupLayerKind.Linear)
            {
                if (Array.IndexOf(QueryNames, layerName) >= 0)
                    return new InitSpec(InitKind.Zeros, 0);
                fusedQuery = Array.IndexOf(FusedQkvNames, layerName) >= 0;
            }
            // A [WidthInvariant] layer keeps exactly its SP init; the readout's bias (role Fixed) goes back to base.
            bool atActualShape = standard || (p.Role == MupRole.Fixed && !p.InReadoutLayer);
            double fanIn = atActualShape ? p.ActualFanIn : p.BaseFanIn;
            double scale = standard ? 1.0 : roleScale;
            bool matrix = p.IsWeight && p.Layer != MupLayerKind.LayerNorm;
            if (matrix && options.InitStd is { } std)
                return new InitSpec(InitKind.Normal, std * scale, fusedQuery);
            return p.Layer switch
            {
                MupLayerKind.LayerNorm => new InitSpec(p.IsWeight ? InitKind.Ones : InitKind.Zeros, 0),
                MupLayerKind.Embedding => new InitSpec(InitKind.Normal, 1.0 * scale),
                _ => new InitSpec(InitKind.Uniform, (fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0) * scale, fusedQuery),
            };
        }

        /// <summary>The layer's own name: <c>blocks.0.attn.q.weight</c> → <c>q</c>.</summary>
        private static string LayerName(string parameterName)
        {
            var parts = parameterName.Split('.');
            return parts.Length >= 2 ? parts[^2] : "";
        }
    }
}
