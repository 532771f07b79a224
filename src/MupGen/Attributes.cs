using System;

namespace MupGen;

/// <summary>
/// Marks the constructor parameter (or int field/property) whose value sets the model's width.
/// Its base value is the width at which hyperparameters were tuned (the proxy model).
/// On a property or field of a configuration record or class (nanoGPT's <c>GPTConfig.NEmbd</c>), every read of that
/// member through the configuration the model's constructor receives is the width, in the model and in every nested
/// module the configuration is passed to; the model is the partial module class with a <see cref="ReadoutLayerAttribute"/>
/// member whose constructor takes the configuration (docs/CONFIG.md).
/// </summary>
/// <example><c>public Mlp([Width(64)] int width) : base(nameof(Mlp)) { ... }</c>, or
/// <c>public sealed record GptConfig { [Width(64)] public int NEmbd { get; init; } = 64; }</c></example>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class WidthAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="baseValue">The width at which hyperparameters were tuned; at least 1.</param>
    public WidthAttribute(int baseValue) => BaseValue = baseValue;

    /// <summary>The width at which hyperparameters were tuned.</summary>
    public int BaseValue { get; }
}

/// <summary>
/// Marks the constructor parameter (or int field/property) whose value sets the number of residual blocks.
/// Its base value is the depth at which hyperparameters were tuned.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class DepthAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="baseValue">The number of residual blocks at which hyperparameters were tuned; at least 1.</param>
    public DepthAttribute(int baseValue) => BaseValue = baseValue;

    /// <summary>The depth at which hyperparameters were tuned.</summary>
    public int BaseValue { get; }
}

/// <summary>The output layer of the model: width-scaled fan_in, fixed fan_out. Its input is multiplied by
/// <c>MupReadoutMultiplier</c> in the forward pass.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ReadoutLayerAttribute : Attribute
{
}

/// <summary>Declares a layer's role as <see cref="MupRole.Input"/> (fixed fan_in, width-scaled fan_out) where the
/// generator cannot infer it from the constructor.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class InputLayerAttribute : Attribute
{
}

/// <summary>Declares a layer's role as <see cref="MupRole.Hidden"/> (width-scaled fan_in and fan_out) where the
/// generator cannot infer it from the constructor.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class HiddenLayerAttribute : Attribute
{
}

/// <summary>Declares that a layer does not scale with width: it keeps exactly its standard parametrization.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class WidthInvariantAttribute : Attribute
{
}
