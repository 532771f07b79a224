namespace MupGen.Generators;

/// <summary>Metadata names the generator looks up. Kept in one place so a rename in the runtime or in TorchSharp
/// is a one-line change.</summary>
internal static class TypeNames
{
    public const string WidthAttribute = "MupGen.WidthAttribute";
    public const string DepthAttribute = "MupGen.DepthAttribute";
    public const string ReadoutLayerAttribute = "MupGen.ReadoutLayerAttribute";
    public const string InputLayerAttribute = "MupGen.InputLayerAttribute";
    public const string HiddenLayerAttribute = "MupGen.HiddenLayerAttribute";
    public const string WidthInvariantAttribute = "MupGen.WidthInvariantAttribute";
    public const string Submodule = "MupGen.IMupSubmodule";
    public const string Model = "MupGen.IMupModel";

    /// <summary>TorchSharp's <c>torch.nn.Module</c> (nested static classes: <c>torch</c>, <c>nn</c>).</summary>
    public const string Module = "TorchSharp.torch+nn+Module";

    /// <summary>The static class that holds TorchSharp's layer factories (<c>torch.nn.Linear(...)</c>).</summary>
    public const string TorchNn = "TorchSharp.torch+nn";

    public const string ModuleList = "TorchSharp.Modules.ModuleList`1";
    /// <summary>Where TorchSharp's layer classes live (Linear, Embedding, ...): a layer field's declared type.</summary>
    public const string ModulesNamespace = "TorchSharp.Modules";
    public const string Parameter = "TorchSharp.Modules.Parameter";
    public const string ComponentNameAttribute = "TorchSharp.Utils.ComponentNameAttribute";

    public const string Enumerable = "System.Linq.Enumerable";
    public const string List = "System.Collections.Generic.List`1";
}
