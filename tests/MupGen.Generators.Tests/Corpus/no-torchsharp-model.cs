// corpus: no-torchsharp
// A full model in a project that references MupGen but not TorchSharp: nothing resolves.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.NoTorch;
public partial class Net : Module<Tensor, Tensor>
{
    private readonly Linear fc;
    [ReadoutLayer] private readonly Linear head;
    public Net([Width(64)] int width) : base("net") { fc = Linear(8, width); head = Linear(width, 2); RegisterComponents(); }
    public override Tensor forward(Tensor x) => head.forward(fc.forward(x) * MupReadoutMultiplier);
}
