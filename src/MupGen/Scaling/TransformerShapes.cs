using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MupGen.Scaling;

/// <summary>A decoder-only transformer shape: width, depth and the split of the width into heads.</summary>
/// <param name="DModel">d_model, the residual-stream width (= Heads · HeadDim).</param>
/// <param name="Layers">n_layer, the number of blocks.</param>
/// <param name="Heads">n_heads.</param>
/// <param name="HeadDim">d_head.</param>
public sealed record TransformerShape(int DModel, int Layers, int Heads, int HeadDim)
{
    /// <summary>Non-embedding parameters N = 12·n_layer·d_model² (Kaplan et al. 2020, §2.1, Eq. 2.1): per block
    /// 4·d² for the attention projections (d_attn = d_model) and 8·d² for the MLP (d_ff = 4·d_model); biases,
    /// norms and embeddings are not counted. The head split does not change N.</summary>
    public double NonEmbeddingParameters => 12.0 * Layers * (double)DModel * DModel;

    /// <summary>d_model / n_layer, the aspect ratio of Kaplan et al.'s Figure 5.</summary>
    public double AspectRatio => (double)DModel / Layers;
}

/// <summary>A candidate shape for a parameter budget.</summary>
/// <param name="Shape">The shape.</param>
/// <param name="NonEmbeddingParameters">12·n_layer·d_model².</param>
/// <param name="RelativeError">N/budget − 1 (within the search's tolerance).</param>
/// <param name="InKaplanFlatRegion">True when the aspect ratio lies in the range in which Kaplan et al. 2020
/// (Figure 5) report the loss within a few percent at fixed N (see <see cref="ShapeSearchOptions"/>).</param>
public sealed record ShapeCandidate(TransformerShape Shape, double NonEmbeddingParameters, double RelativeError, bool InKaplanFlatRegion);

/// <summary>Bounds and granularity of <see cref="TransformerShapes.Candidates"/>.</summary>
public sealed record ShapeSearchOptions
{
    /// <summary>Kaplan et al. 2020, Figure 5 caption: "(n_layer, d_model) = (6, 4288) reaches a loss within 3% of the
    /// (48, 1600) model"; the caption also says the aspect ratio "can vary by a factor of 40 while only slightly
    /// impacting performance" but gives no endpoints for that factor. The defaults are the aspect ratios of the one
    /// pair whose endpoints the paper states: 1600/48 ≈ 33.3 to 4288/6 ≈ 714.7.</summary>
    public const double KaplanMinAspectRatio = 1600.0 / 48;

    /// <summary>Upper end of the stated pair, 4288/6 (see <see cref="KaplanMinAspectRatio"/>).</summary>
    public const double KaplanMaxAspectRatio = 4288.0 / 6;

    /// <summary>Largest |N/budget − 1| accepted; default 0.01 (1%).</summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>Head dimensions to try, in order of preference; d_model is a multiple of one of them and each shape
    /// takes the first that divides its d_model. Default 128, then 64 (Llama uses 128, GPT-2/3 64; no scaling paper
    /// prescribes them).</summary>
    public IReadOnlyList<int> HeadDims { get; init; } = new[] { 128, 64 };

    /// <summary>Fewest layers; default 2 (Kaplan et al. 2020, Figure 6: models with fewer than 2 layers deviate from
    /// the L(N) trend).</summary>
    public int MinLayers { get; init; } = 2;

    /// <summary>Most layers; default 207, the deepest shape Kaplan et al. 2020 trained ((207, 768), §3.2).</summary>
    public int MaxLayers { get; init; } = 207;

    /// <summary>Lower end of the "flat" aspect-ratio region (d_model/n_layer).</summary>
    public double MinAspectRatio { get; init; } = KaplanMinAspectRatio;

    /// <summary>Upper end of the "flat" aspect-ratio region (d_model/n_layer).</summary>
    public double MaxAspectRatio { get; init; } = KaplanMaxAspectRatio;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public ShapeSearchOptions Validate()
    {
        if (!double.IsFinite(Tolerance) || Tolerance <= 0 || Tolerance >= 1)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance,
                $"Tolerance must be in (0, 1) (got {ScalingGuard.Format(Tolerance)}).");
        if (HeadDims is null || HeadDims.Count == 0 || HeadDims.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(HeadDims), "HeadDims must list at least one head dimension >= 1.");
        if (MinLayers < 1)
            throw new ArgumentOutOfRangeException(nameof(MinLayers), MinLayers, "MinLayers must be at least 1.");
        if (MaxLayers < MinLayers)
            throw new ArgumentOutOfRangeException(nameof(MaxLayers), MaxLayers,
                string.Create(CultureInfo.InvariantCulture, $"MaxLayers must be at least MinLayers ({MinLayers})."));
        ScalingGuard.Positive(MinAspectRatio, nameof(MinAspectRatio));
        ScalingGuard.Positive(MaxAspectRatio, nameof(MaxAspectRatio));
        if (MaxAspectRatio < MinAspectRatio)
            throw new ArgumentOutOfRangeException(nameof(MaxAspectRatio), MaxAspectRatio, "MaxAspectRatio must be at least MinAspectRatio.");
        return this;
    }
}

/// <summary>
/// Transformer shapes for a non-embedding parameter budget, N = 12·n_layer·d_model² (Kaplan et al. 2020, Eq. 2.1).
/// Candidates in Kaplan's flat region come first; each group is listed depth-first (most layers first), following Tay et al. 2021 ("Scale Efficiently", arXiv
/// 2109.10686), whose DeepNarrow strategy scales depth before width for downstream quality at a fixed budget; that
/// paper gives no closed-form best aspect ratio, so only the order follows it. Each candidate is marked when its
/// aspect ratio lies in the region where Kaplan et al. 2020 (Figure 5) find the pre-training loss nearly insensitive
/// to shape.
/// </summary>
public static class TransformerShapes
{
    /// <summary>The shapes whose 12·n_layer·d_model² is within <see cref="ShapeSearchOptions.Tolerance"/> of
    /// <paramref name="nonEmbeddingParameters"/>, for n_layer in [MinLayers, MaxLayers] and d_model a multiple of one
    /// of the head dimensions, one per (n_layer, d_model). Order: the shapes in Kaplan's flat region first, then the
    /// others; within each group most layers first (Tay et al.'s depth-first order), then the smaller error. May be
    /// empty when no shape on the grid is close enough (widen the tolerance or add head dimensions).</summary>
    /// <param name="nonEmbeddingParameters">The budget N, positive.</param>
    /// <param name="options">Bounds; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">The budget is not positive and finite, or is too small for one
    /// block of the smallest width (12·MinLayers·h² with h the smallest head dimension), or an option is out of range.</exception>
    public static IReadOnlyList<ShapeCandidate> Candidates(double nonEmbeddingParameters, ShapeSearchOptions? options = null)
    {
        options = (options ?? new ShapeSearchOptions()).Validate();
        ScalingGuard.Positive(nonEmbeddingParameters, nameof(nonEmbeddingParameters));
        int smallestHead = options.HeadDims.Min();
        double smallest = 12.0 * options.MinLayers * smallestHead * (double)smallestHead * (1 - options.Tolerance);
        if (nonEmbeddingParameters < smallest)
            throw new ArgumentOutOfRangeException(nameof(nonEmbeddingParameters), nonEmbeddingParameters,
                string.Create(CultureInfo.InvariantCulture,
                    $"A budget of {nonEmbeddingParameters:G6} non-embedding parameters is too small for {options.MinLayers} layer(s) of width {smallestHead} (12*L*d^2 = {12.0 * options.MinLayers * smallestHead * (double)smallestHead:G6})."));

        var found = new List<ShapeCandidate>();
        var seen = new HashSet<(int Layers, int DModel)>();
        var heads = options.HeadDims.Distinct().ToArray();
        for (int layers = options.MaxLayers; layers >= options.MinLayers; layers--)
        {
            double exact = Math.Sqrt(nonEmbeddingParameters / (12.0 * layers));
            foreach (int head in heads)
            {
                long below = (long)Math.Floor(exact / head);
                foreach (long multiple in new[] { below, below + 1 })
                {
                    if (multiple < 1 || multiple * head > int.MaxValue) continue;
                    int dModel = (int)(multiple * head);
                    if (!seen.Add((layers, dModel))) continue;
                    // One row per (n_layer, d_model): the first listed head dimension that divides d_model.
                    int chosen = heads.First(h => dModel % h == 0);
                    var shape = new TransformerShape(dModel, layers, dModel / chosen, chosen);
                    double error = shape.NonEmbeddingParameters / nonEmbeddingParameters - 1;
                    if (Math.Abs(error) > options.Tolerance) continue;
                    double ratio = shape.AspectRatio;
                    found.Add(new ShapeCandidate(shape, shape.NonEmbeddingParameters, error,
                        ratio >= options.MinAspectRatio && ratio <= options.MaxAspectRatio));
                }
            }
        }
        return found
            .OrderByDescending(c => c.InKaplanFlatRegion)
            .ThenByDescending(c => c.Shape.Layers)
            .ThenBy(c => Math.Abs(c.RelativeError))
            .ToArray();
    }
}
