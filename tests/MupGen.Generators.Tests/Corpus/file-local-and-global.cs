// A file-local model, a model in the global namespace and one nested in a file-local class.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

file partial class Hidden : Module<Tensor, Tensor>
{
    private readonly Linear fc;
    public Hidden([Width(64)] int width) : base("hidden") { fc = Linear(width, width); RegisterComponents(); }
    public override Tensor forward(Tensor x) => fc.forward(x);
}
public partial class GlobalNet : Module<Tensor, Tensor>
{
    private readonly Linear fc;
    [ReadoutLayer] private readonly Linear head;
    public GlobalNet([Width(32)] int width) : base("g") { fc = Linear(4, width); head = Linear(width, 1); RegisterComponents(); }
    public override Tensor forward(Tensor x) => head.forward(fc.forward(x) * MupReadoutMultiplier);
}
file partial class Box { public partial class Inner : Module<Tensor, Tensor> { private readonly Linear fc; public Inner([Width(8)] int w) : base("i") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x; } }
