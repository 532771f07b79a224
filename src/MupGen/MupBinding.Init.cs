using System;
using System.Globalization;
using MupGen.Catalog;
using static TorchSharp.torch;

namespace MupGen;

public sealed partial class MupBinding
{
    internal enum InitKind { Keep, Uniform, Normal, Ones, Zeros, Constant }

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
                case InitKind.Constant: p.fill_(Scale); break;
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
            InitKind.Constant => "constant(" + Fmt(Scale) + ")",
            _ => "constructor",
        } + (ZeroQueryRows ? ", query rows zero" : "");

        private static string Fmt(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

        /// <summary>
        /// The layer's default init (or N(0, InitStd) for a matrix-like weight) evaluated at base shape, times the
        /// role's init scale; under the standard parametrization, at the actual shape. The default comes from the
        /// layer catalog (TorchSharp's reset_parameters): kaiming-uniform U(±1/sqrt(fan_in)) for Linear/Conv weights
        /// and biases, N(0, 1) for embeddings, ones/zeros for norms (also GroupNorm, which TorchSharp 0.107 leaves
        /// uninitialized), xavier-uniform for MultiheadAttention's in_proj, U(±1/sqrt(hidden)) for recurrent layers.
        /// A constant (PReLU) keeps what its constructor drew. A raw Parameter repeats its tensor factory's draw at
        /// base width (<see cref="global::MupGen.Facts.MupTensorInit"/>) times the role's init scale; one the generator could not
        /// read keeps what its constructor drew.
        /// </summary>
        public static InitSpec For(BoundParameter p, MupOptions options, bool standard, double roleScale)
        {
            var template = TemplateOf(p.Layer, p.Tensor);
            if (p.Role == MupRole.Unresolved || template is null)
                return new InitSpec(InitKind.Keep, 0);
            if (template.Init.Kind == CatalogInitKind.FromFactory)
                return ForFactory(p.Fact?.Init, standard || p.Role == MupRole.Fixed, roleScale);
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
            double fan = atActualShape ? p.ActualFanIn : p.BaseFanIn;
            double scale = standard ? 1.0 : roleScale;
            var init = template.Init.Kind == CatalogInitKind.Uninitialized && template.Init.Intended is { } intended ? intended : template.Init;
            bool matrix = template.IsMatrix && p.Shape.Length >= 2 && p.Role != MupRole.Vector
                          && init.Kind is CatalogInitKind.Uniform or CatalogInitKind.Normal;
            if (matrix && options.InitStd is { } std)
                return new InitSpec(InitKind.Normal, std * scale, fusedQuery);
            double Scale() => init.Fan == CatalogFan.None ? init.Gain : fan > 0 ? init.Gain / Math.Sqrt(fan) : 0.0;
            return init.Kind switch
            {
                CatalogInitKind.Ones => new InitSpec(InitKind.Ones, 0),
                CatalogInitKind.Zeros => new InitSpec(InitKind.Zeros, 0),
                CatalogInitKind.Uniform => new InitSpec(InitKind.Uniform, Scale() * scale, fusedQuery),
                CatalogInitKind.Normal => new InitSpec(InitKind.Normal, Scale() * scale, fusedQuery),
                _ => new InitSpec(InitKind.Keep, 0),
            };
        }

        /// <summary>A raw Parameter: its factory's draw at base width times the role's scale; under SP and for Fixed
        /// parameters the factory's draw unscaled, or the constructor's when it depends on the width.</summary>
        private static InitSpec ForFactory(global::MupGen.Facts.MupTensorInit? init, bool asConstructed, double roleScale)
        {
            if (init is null || (asConstructed && init.WidthDependent))
                return new InitSpec(InitKind.Keep, 0);
            double scale = asConstructed ? 1.0 : roleScale;
            return init.Kind switch
            {
                global::MupGen.Facts.MupInitKind.Zeros => new InitSpec(InitKind.Zeros, 0),
                global::MupGen.Facts.MupInitKind.Constant => new InitSpec(InitKind.Constant, init.Value),
                global::MupGen.Facts.MupInitKind.Normal => new InitSpec(InitKind.Normal, init.Value * scale),
                _ => new InitSpec(InitKind.Uniform, init.Value * scale),
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
