using System.ComponentModel;

namespace MupGen;

/// <summary>
/// Implemented by generated code on every module class that a µP model builds from its width or depth (a block, an
/// attention or MLP module). It gives the class the forward multipliers (<c>MupResidualMultiplier</c>,
/// <c>MupAttentionScale</c>, <c>MupReadoutMultiplier</c>, <c>MupInputMultiplier</c>) without the user threading
/// values by hand: the root model attaches its binding to every such submodule once its components are registered.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public interface IMupSubmodule
{
    /// <summary>Called by the root model: <paramref name="path"/> is this module's name in the root's
    /// <c>named_modules()</c> (e.g. <c>blocks.3.attn</c>).</summary>
    void MupAttach(MupBinding root, string path);
}
