// Base-type cycles, a model deriving from another model, a module built from itself through a base class.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Cycles;
public partial class A : B { public A([Width(64)] int w) : base(w) { } }
public partial class B : A { public B(int w) : base(w) { } }
public partial class Parent : Module<Tensor, Tensor> { protected readonly Linear fc; public Parent([Width(64)] int w) : base("p") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x; }
public partial class Child : Parent { private readonly Linear more; public Child([Width(32)] int w) : base(w) { more = Linear(w, w); } }
public partial class Self : Module<Tensor, Tensor> { private readonly Self? inner; public Self([Width(64)] int w, int depth = 3) : base("s") { inner = depth > 0 ? new Self(w, depth - 1) : null; } public override Tensor forward(Tensor x) => x; }
