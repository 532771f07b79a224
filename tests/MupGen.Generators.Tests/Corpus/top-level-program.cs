// Top-level statements beside a model, the model used and trained at once.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

var model = new Corpus.Top.Net(128);
model.MupInitialize();
var optimizer = model.MupAdamW(1e-3, 0.01);
var loss = model.forward(torch.randn(4, 8)).sum();
loss.backward();
optimizer.step();
namespace Corpus.Top
{
    public partial class Net : Module<Tensor, Tensor>
    {
        private readonly Linear input;
        [ReadoutLayer] private readonly Linear readout;
        public Net([Width(64)] int width) : base("net") { input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
        public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
    }
}
