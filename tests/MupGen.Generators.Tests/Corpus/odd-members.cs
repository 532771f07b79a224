// Width on an indexer parameter, a local function parameter, a lambda parameter, a delegate, an operator, a static
// constructor's class, an extension method; members named like the generated ones.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Odd;
public delegate void D([Width(64)] int w);
public static partial class Ext { public static Linear Make(this int n, [Width(8)] int w) => Linear(n, w); }
public partial class Net : Module<Tensor, Tensor>
{
    private readonly Linear fc;
    static Net() { }
    public int this[[Width(64)] int i] => i;
    public Net([Width(64)] int width) : base("net")
    {
        int Local([Width(4)] int v) => v;
        Func<int, int> f = ([Width(2)] int q) => q;
        fc = Linear(Local(width), f(width));
        RegisterComponents();
    }
    public static Net operator +(Net a, Net b) => a;
    public void __mupRoot() { }
    public override Tensor forward(Tensor x) => x;
}
