// Only trivia, an empty namespace, a BOM-less file of comments, and a class with only the attribute.
/* nothing */
namespace Corpus.Empty { }
#region r
#endregion
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public partial class OnlyAttribute : Module<Tensor, Tensor> { [Width(64)] int w; public override Tensor forward(Tensor x) => x; }
