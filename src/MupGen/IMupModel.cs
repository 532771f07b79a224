using System.Collections.Generic;
using MupGen.Facts;
using TorchSharp.Modules;

namespace MupGen;

/// <summary>
/// Implemented by generated code on every model class annotated with <see cref="WidthAttribute"/>.
/// All members delegate to a <see cref="MupBinding"/> built lazily from the model's compiled facts.
/// </summary>
public interface IMupModel
{
    /// <summary>The facts the generator compiled for this class.</summary>
    MupModelFacts MupFacts { get; }

    /// <summary>The options the forward multipliers use, and the default of every other member: set by
    /// <see cref="MupInitialize"/> when it is given options, or directly.</summary>
    MupOptions MupOptions { get; set; }

    /// <summary>Re-initialises every parameter by the rules, in place, under no_grad; reproducible under
    /// <c>torch.manual_seed</c>. Non-null <paramref name="options"/> also become <see cref="MupOptions"/>.</summary>
    void MupInitialize(MupOptions? options = null);

    /// <summary>One row per parameter, in named_parameters order.</summary>
    IReadOnlyList<MupParameter> MupDescribe(MupOptions? options = null);

    /// <summary>TorchSharp's Adam whose parameter groups carry each parameter's lr, weight decay (coupled) and eps.</summary>
    Adam MupAdam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, MupOptions? options = null);

    /// <summary>TorchSharp's AdamW whose parameter groups carry each parameter's lr, weight decay and eps.</summary>
    AdamW MupAdamW(double lr, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, bool amsgrad = false, MupOptions? options = null);

    /// <summary>TorchSharp's SGD whose parameter groups carry each parameter's lr and weight decay.</summary>
    SGD MupSGD(double lr, double momentum = 0, double weightDecay = 0, double dampening = 0, bool nesterov = false, MupOptions? options = null);

    /// <summary>Multiplier of the readout layer's input: OutputMultiplier / m_in (OutputMultiplier under SP).</summary>
    double MupReadoutMultiplier { get; }

    /// <summary>Multiplier of the input (embedding) output: the InputMultiplier option.</summary>
    double MupInputMultiplier { get; }

    /// <summary>Residual-branch multiplier m_L^(-alpha); 1 without [Depth] or under SP.</summary>
    double MupResidualMultiplier { get; }

    /// <summary>Attention logit scale: AttentionMultiplier · sqrt(base head dim) / headDim under µP,
    /// AttentionMultiplier / sqrt(headDim) under SP.</summary>
    double MupAttentionScale(long headDim);
}
