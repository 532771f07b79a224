// Preprocessor branches inside the constructor, unsafe code, goto, pragmas, a #line directive.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Pre;
public unsafe partial class Net : Module<Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly Linear other;
    public Net([Width(64)] int width) : base("net")
    {
#if DEBUG
        fc = Linear(width, 2 * width);
#else
        fc = Linear(width, width);
#endif
#pragma warning disable CS0168
        int unused;
#pragma warning restore CS0168
        int* p = &width;
        var n = *p;
        if (n > 0) goto done;
        n = 1;
    done:
#line 1000 "elsewhere.cs"
        other = Linear(n, width);
#line default
        RegisterComponents();
    }
    public override Tensor forward(Tensor x) => x;
}
