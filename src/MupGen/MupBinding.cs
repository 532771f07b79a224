using System;
using System.Collections.Generic;
using System.ComponentModel;
using MupGen.Facts;
using TorchSharp;
using TorchSharp.Modules;

namespace MupGen;

/// <summary>
/// Binds a model's compiled facts to a live TorchSharp module. Generated code creates one per model instance,
/// lazily, and every generated member delegates to it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed partial class MupBinding
{
    private readonly torch.nn.Module _module;

    /// <summary>Binds <paramref name="facts"/> to <paramref name="module"/>.</summary>
    public MupBinding(torch.nn.Module module, MupModelFacts facts)
    {
        _module = module ?? throw new ArgumentNullException(nameof(module));
        Facts = facts ?? throw new ArgumentNullException(nameof(facts));
    }

    /// <summary>The compiled facts.</summary>
    public MupModelFacts Facts { get; }

    /// <summary>The options used when a member is given none.</summary>
    public MupOptions Options { get; set; } = MupOptions.Default;

    /// <summary>See <see cref="IMupModel.MupInitialize"/>.</summary>
    public void Initialize(MupOptions? options) => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupDescribe"/>.</summary>
    public IReadOnlyList<MupParameter> Describe(MupOptions? options) => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupAdam"/>.</summary>
    public Adam Adam(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, MupOptions? options) => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupAdamW"/>.</summary>
    public AdamW AdamW(double lr, double weightDecay, double beta1, double beta2, double eps, bool amsgrad, MupOptions? options) => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupSGD"/>.</summary>
    public SGD SGD(double lr, double momentum, double weightDecay, double dampening, bool nesterov, MupOptions? options) => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupReadoutMultiplier"/>.</summary>
    public double ReadoutMultiplier => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupInputMultiplier"/>.</summary>
    public double InputMultiplier => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupResidualMultiplier"/>.</summary>
    public double ResidualMultiplier => throw new NotImplementedException();

    /// <summary>See <see cref="IMupModel.MupAttentionScale"/>.</summary>
    public double AttentionScale(long headDim) => throw new NotImplementedException();
}
