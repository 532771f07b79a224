// Names that are keywords: class @event, namespace @namespace, field @class, nested @this, a block @base.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace @namespace.@int
{
    public partial class @event : Module<Tensor, Tensor>
    {
        private readonly Linear @class;
        private readonly @base @block;
        [ReadoutLayer] private readonly Linear @return;
        public @event([Width(64)] int @width) : base("event") { @class = Linear(8, @width); @block = new @base(@width); @return = Linear(@width, 2); RegisterComponents(); }
        public override Tensor forward(Tensor x) => @return.forward(@block.forward(@class.forward(x)) * MupReadoutMultiplier);
    }
    public partial class @base : Module<Tensor, Tensor>
    {
        private readonly Linear fc;
        public @base(int w) : base("base") { fc = Linear(w, w); RegisterComponents(); }
        public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x);
    }
}
