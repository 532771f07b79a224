// Primary constructors on a model and a block, with the width on the primary constructor's parameter.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Primary;
public partial class Net([Width(64)] int width, int classes = 10) : Module<Tensor, Tensor>("net")
{
    private readonly Linear input = Linear(8, width);
    private readonly Block block = new(width);
    [ReadoutLayer] private readonly Linear readout = Linear(width, classes);
    public override Tensor forward(Tensor x) => readout.forward(block.forward(input.forward(x)) * MupReadoutMultiplier);
}
public partial class Block(int w) : Module<Tensor, Tensor>("block")
{
    private readonly Linear fc = Linear(w, w);
    public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x);
}
public partial record Rec([Width(64)] int Width) { }
public partial struct S { public S([Width(64)] int w) { } }
public partial interface I { void M([Width(64)] int w); }
