namespace MupGen;

/// <summary>The scaling role of a parameter tensor (docs/RULES.md, "Roles").</summary>
public enum MupRole
{
    /// <summary>Fixed fan_in, width-scaled fan_out: embeddings, the first Linear.</summary>
    Input,
    /// <summary>Width-scaled fan_in and fan_out: Linear(width, width), attention projections.</summary>
    Hidden,
    /// <summary>Width-scaled fan_in, fixed fan_out: the layer marked <see cref="ReadoutLayerAttribute"/>.</summary>
    Readout,
    /// <summary>A width-scaled vector: biases of Input/Hidden layers, norm gains and biases.</summary>
    Vector,
    /// <summary>Nothing scales with width: stays exactly as in the standard parametrization.</summary>
    Fixed,
    /// <summary>The generator could not infer a role and no role attribute was given: the parameter keeps its
    /// constructor init and the base hyperparameters (analyzer MUP001 reports it).</summary>
    Unresolved,
}

/// <summary>Which parametrization the generated members apply.</summary>
public enum MupParametrization
{
    /// <summary>Maximal Update Parametrization across width (TP5, Table 8 form; what microsoft/mup implements).</summary>
    Mup,
    /// <summary>µP across width plus CompleteP across depth (Dey et al. 2025, alpha = 1).</summary>
    CompleteP,
    /// <summary>µP across width plus Depth-µP (alpha = 0.5, branch multiplier 1/sqrt(L)).</summary>
    DepthMup,
    /// <summary>The standard parametrization of the same model: every multiplier 1, every lr the base lr,
    /// init at the actual shape.</summary>
    Standard,
}

/// <summary>The kind of TorchSharp layer a parameter belongs to. Decides its layout (which dimensions are fan_in
/// and fan_out) and its default init.</summary>
public enum MupLayerKind
{
    /// <summary><c>nn.Linear</c>: weight (out, in), bias (out). Default init U(±1/sqrt(in)).</summary>
    Linear,
    /// <summary><c>nn.Embedding</c>: weight (num_embeddings, dim). Default init N(0, 1).</summary>
    Embedding,
    /// <summary><c>nn.LayerNorm</c>: weight and bias (normalized_shape). Default init ones / zeros.</summary>
    LayerNorm,
    /// <summary><c>nn.Conv1d</c>: weight (out, in/groups, k), bias (out). Default init U(±1/sqrt(fan_in)).</summary>
    Conv1d,
    /// <summary><c>nn.Conv2d</c>: weight (out, in/groups, kh, kw), bias (out). Default init U(±1/sqrt(fan_in)).</summary>
    Conv2d,
    /// <summary>Anything else: the parameter keeps its constructor init.</summary>
    Other,
}
