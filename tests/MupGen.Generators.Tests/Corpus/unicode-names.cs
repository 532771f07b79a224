// Non-ASCII identifiers: the hint name must still be valid and unique.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Корпус.Модели;
public partial class Сеть : Module<Tensor, Tensor> { private readonly Linear слой; public Сеть([Width(64)] int ширина) : base("сеть") { слой = Linear(ширина, ширина); RegisterComponents(); } public override Tensor forward(Tensor x) => x; }
public partial class Ｍｌｐ : Module<Tensor, Tensor> { private readonly Linear fc; public Ｍｌｐ([Width(64)] int w) : base("fw") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x; }
public partial class 模型 : Module<Tensor, Tensor> { private readonly Linear fc; public 模型([Width(64)] int w) : base("zh") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x; }
