using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace MupGen;

/// <summary>One parameter whose compiled facts disagree with mup's shape method (<see cref="MupShapes"/>), as
/// <see cref="MupModelExtensions.MupVerify"/> reports it.</summary>
/// <param name="Name">The parameter's name as <c>named_parameters()</c> gives it.</param>
/// <param name="Compiled">What the compiled facts say: role, which dimensions scale with width, m_in and m_out at the
/// model's actual width; <c>none</c> when the generator did not see the parameter, <c>unresolved</c> when it saw it
/// but could not give it a role.</param>
/// <param name="FromShapes">What the shapes say: mup's class by number of infinite dimensions (hidden-like,
/// vector-like, readout-like, fixed), the base shape and the multipliers; <c>absent</c> when the shapes have no
/// such parameter.</param>
/// <param name="Message">Every difference that matters for the rules, and how to fix it.</param>
public sealed record MupVerification(string Name, string Compiled, string FromShapes, string Message)
{
    /// <summary><c>name: message</c>.</summary>
    public override string ToString() => Name + ": " + Message;
}

/// <summary>Members of every µP model (<see cref="IMupModel"/>) that need no generated code.</summary>
public static class MupModelExtensions
{
    /// <summary>
    /// Checks the compiled facts against mup's shape method at the model's actual width: for every parameter, which
    /// dimensions scale with width, its class by number of infinite dimensions (hidden-like 2, vector-like 1, fixed 0,
    /// readout = infinite fan_in and finite fan_out), each dimension's width multiplier (actual / base) and the
    /// resulting init, lr and weight-decay scales. Returns one entry per parameter that disagrees (parameters without a
    /// fact, or with role Unresolved, always do); empty when everything agrees.
    /// </summary>
    /// <param name="model">A µP model (a generated model class).</param>
    /// <param name="shapes">The shapes of the same model at its base width and at another width:
    /// <c>MupShapes.Of(new Model(baseWidth), new Model(2 * baseWidth))</c>.</param>
    /// <exception cref="ArgumentException">The model is not a TorchSharp module.</exception>
    /// <exception cref="InvalidOperationException">The model's shapes contradict its own compiled facts (the same
    /// error every other µP member throws).</exception>
    public static IReadOnlyList<MupVerification> MupVerify(this IMupModel model, MupShapes shapes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shapes);
        if (model is not nn.Module module)
            throw new ArgumentException($"{model.GetType().Name} implements IMupModel but is not a TorchSharp nn.Module.", nameof(model));
        return new MupBinding(module, model.MupFacts).Verify(shapes);
    }
}
