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
    /// <summary><c>nn.Bilinear</c>: weight (out, in1, in2), bias (out). Default init U(±1/sqrt(in1)).</summary>
    Bilinear,
    /// <summary><c>nn.EmbeddingBag</c>: weight (num_embeddings, dim). Default init N(0, 1).</summary>
    EmbeddingBag,
    /// <summary><c>nn.Conv3d</c>: weight (out, in/groups, kd, kh, kw), bias (out). Default init U(±1/sqrt(fan_in)).</summary>
    Conv3d,
    /// <summary><c>nn.ConvTranspose1d</c>: weight (in, out/groups, k), bias (out). fan_in is in (dim 0); default init
    /// U(±1/sqrt(out/groups · k)) as TorchSharp computes it.</summary>
    ConvTranspose1d,
    /// <summary><c>nn.ConvTranspose2d</c>: weight (in, out/groups, kh, kw), bias (out).</summary>
    ConvTranspose2d,
    /// <summary><c>nn.ConvTranspose3d</c>: weight (in, out/groups, kd, kh, kw), bias (out).</summary>
    ConvTranspose3d,
    /// <summary><c>nn.GroupNorm</c>: weight and bias (num_channels) when affine. TorchSharp 0.107 leaves them
    /// uninitialized; MupInitialize draws ones / zeros.</summary>
    GroupNorm,
    /// <summary><c>nn.BatchNorm1d</c>: weight and bias (num_features) when affine. Ones / zeros.</summary>
    BatchNorm1d,
    /// <summary><c>nn.BatchNorm2d</c>: weight and bias (num_features) when affine. Ones / zeros.</summary>
    BatchNorm2d,
    /// <summary><c>nn.BatchNorm3d</c>: weight and bias (num_features) when affine. Ones / zeros.</summary>
    BatchNorm3d,
    /// <summary><c>nn.InstanceNorm1d</c>: weight and bias (num_features) when affine (default false). Ones / zeros.</summary>
    InstanceNorm1d,
    /// <summary><c>nn.InstanceNorm2d</c>: weight and bias (num_features) when affine (default false). Ones / zeros.</summary>
    InstanceNorm2d,
    /// <summary><c>nn.InstanceNorm3d</c>: weight and bias (num_features) when affine (default false). Ones / zeros.</summary>
    InstanceNorm3d,
    /// <summary><c>nn.PReLU</c>: weight (num_parameters), filled with <c>init</c> (0.25).</summary>
    PReLU,
    /// <summary><c>nn.MultiheadAttention</c>: in_proj_weight (3d, d) xavier-uniform (or q/k/v_proj_weight when kdim or
    /// vdim differ), in_proj_bias zeros, bias_k / bias_v (1, 1, d), out_proj.weight (d, d) U(±1/sqrt(d)), out_proj.bias zeros.</summary>
    MultiheadAttention,
    /// <summary><c>nn.TransformerEncoderLayer</c>: self_attn (MultiheadAttention), linear1, linear2, norm1, norm2.</summary>
    TransformerEncoderLayer,
    /// <summary><c>nn.TransformerDecoderLayer</c>: self_attn, multihead_attn, linear1, linear2, norm1..norm3.</summary>
    TransformerDecoderLayer,
    /// <summary><c>nn.TransformerEncoder</c>: layers.{i} (copies of the encoder layer).</summary>
    TransformerEncoder,
    /// <summary><c>nn.TransformerDecoder</c>: layers.{i} (copies of the decoder layer).</summary>
    TransformerDecoder,
    /// <summary><c>nn.Transformer</c>: encoder.layers.{i}, encoder.norm, decoder.layers.{i}, decoder.norm; every matrix xavier-uniform.</summary>
    Transformer,
    /// <summary><c>nn.LSTM</c>: weight_ih_l{k} (4h, in), weight_hh_l{k} (4h, h), bias_ih_l{k}, bias_hh_l{k} (4h), <c>_reverse</c>
    /// when bidirectional. Default init U(±1/sqrt(h)).</summary>
    LSTM,
    /// <summary><c>nn.GRU</c>: as LSTM with 3h rows.</summary>
    GRU,
    /// <summary><c>nn.RNN</c>: as LSTM with h rows.</summary>
    RNN,
    /// <summary><c>nn.LSTMCell</c>: weight_ih (4h, in), weight_hh (4h, h), bias_ih, bias_hh.</summary>
    LSTMCell,
    /// <summary><c>nn.GRUCell</c>: as LSTMCell with 3h rows.</summary>
    GRUCell,
    /// <summary><c>nn.RNNCell</c>: as LSTMCell with h rows.</summary>
    RNNCell,
    /// <summary>A <c>Parameter</c> field or <c>register_parameter</c>: shape and init from its tensor factory.</summary>
    Parameter,
}

/// <summary>Where the rule of a <see cref="MupParameter"/> row comes from.</summary>
public enum MupRuleSource
{
    /// <summary>The compiled facts: the generator read the parameter's layer from the constructor.</summary>
    Compiled,
    /// <summary>mup's shape method: <see cref="MupOptions.BaseShapes"/> filled a parameter the generator did not
    /// resolve (no compiled fact, or role <see cref="MupRole.Unresolved"/>).</summary>
    BaseShapes,
    /// <summary>No rule: the parameter keeps its constructor init and the base hyperparameters. Only allowed with
    /// <see cref="MupOptions.AllowUnresolved"/> (or under <see cref="MupParametrization.Standard"/>, which needs no rule);
    /// otherwise initialisation and the optimizer methods refuse.</summary>
    Unresolved,
}
