// Found by FuzzTests (seed 20261201, mutant 32):
//   error in generated Fuzz.A..Mup.g.cs: MupGen.Generators/MupGen.Generators.MupGenerator/Fuzz.A..Mup.g.cs(6,16): error CS1001: Identifier expected
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
namespace Fuzz.A;
public partial class  (A : Module<Tensor, Tensor>
{
    private readonly Linear input; private readonly Linear hidden; [ReadoutLayer] private readonly Linear readout;
    public A([Width(64)] int width) : base("A") { input = Linear(8, width); hidden =  forward (width, width); readout = Linear(width, 2); RegisterComponents(); }
    public override Tensor forward(Tensor x) => x * MupReadoutMultiplier;
}
