// The same class declared twice without partial, a constructor declared twice, a field declared twice.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Dup;
public partial class Twice : Module<Tensor, Tensor> { private readonly Linear fc; private readonly Linear fc; public Twice([Width(64)] int w) : base("t") { fc = Linear(w, w); } public Twice([Width(64)] int w) : base("t") { fc = Linear(w, 2); } public override Tensor forward(Tensor x) => x; }
public class Once : Module<Tensor, Tensor> { public Once([Width(8)] int w) : base("o") { } public override Tensor forward(Tensor x) => x; }
public class Once : Module<Tensor, Tensor> { public Once([Width(8)] int w) : base("o") { } public override Tensor forward(Tensor x) => x; }
public partial class Own : Module<Tensor, Tensor> { private readonly Linear fc; public Own([Width(64)] int w) : base("own") { fc = Linear(w, w); } public override Tensor forward(Tensor x) => x; public double MupReadoutMultiplier => 2; public object MupFacts => null!; }
