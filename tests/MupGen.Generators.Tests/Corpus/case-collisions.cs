// Classes whose names differ only in case, as models and as blocks, across two files.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Case;
public partial class Mlp : Module<Tensor, Tensor> { private readonly Linear fc; private readonly Block b; public Mlp([Width(64)] int w) : base("a") { fc = Linear(w, w); b = new Block(w); RegisterComponents(); } public override Tensor forward(Tensor x) => b.forward(fc.forward(x)); }
public partial class Block : Module<Tensor, Tensor> { private readonly Linear fc; public Block(int w) : base("b") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x); }
// ---- file ----
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Case;
public partial class MLP : Module<Tensor, Tensor> { private readonly Linear fc; private readonly BLOCK b; public MLP([Width(64)] int w) : base("b") { fc = Linear(w, w); b = new BLOCK(w); RegisterComponents(); } public override Tensor forward(Tensor x) => b.forward(fc.forward(x)); }
public partial class BLOCK : Module<Tensor, Tensor> { private readonly Linear fc; public BLOCK(int w) : base("B") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x); }
public partial class mlp : Module<Tensor, Tensor> { private readonly Linear fc; public mlp([Width(64)] int w) : base("c") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x; }
