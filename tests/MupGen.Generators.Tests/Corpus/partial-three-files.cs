// A model split over three files: the attribute on a field in one, the constructor in another, the readout in a third.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Split;
public partial class Net : Module<Tensor, Tensor>
{
    [Width(64)] private readonly int width;
    private readonly Linear input;
}
// ---- file ----
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Split;
public partial class Net
{
    public Net(int w) : base("net") { width = w; input = Linear(8, width); readout = Linear(width, 2); RegisterComponents(); }
}
// ---- file ----
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Split;
public partial class Net
{
    [ReadoutLayer] private readonly Linear readout;
    public override Tensor forward(Tensor x) => readout.forward(input.forward(x) * MupReadoutMultiplier);
}
