// A nanoGPT-style model: config record, blocks in a ModuleList, attention with MupAttentionScale, tied readout.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Gpt;
public sealed record GptConfig(int Vocab = 64, int Context = 16, int Heads = 4);
public partial class Gpt : Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm lnF;
    [ReadoutLayer] private readonly Linear lmHead;
    public Gpt([Width(64)] int nEmbd, [Depth(2)] int nLayer, GptConfig? config = null) : base("gpt")
    {
        var c = config ?? new GptConfig();
        wte = Embedding(c.Vocab, nEmbd);
        wpe = Embedding(c.Context, nEmbd);
        h = new ModuleList<Block>();
        for (var i = 0; i < nLayer; i++) h.Add(new Block(nEmbd, c.Heads));
        lnF = LayerNorm(nEmbd);
        lmHead = Linear(nEmbd, c.Vocab, hasBias: false);
        RegisterComponents();
    }
    public override Tensor forward(Tensor idx) { var x = wte.forward(idx); foreach (var b in h) x = b.forward(x); return lmHead.forward(lnF.forward(x) * MupReadoutMultiplier); }
}
public partial class Block : Module<Tensor, Tensor>
{
    private readonly LayerNorm ln1; private readonly Attention attn; private readonly LayerNorm ln2; private readonly Linear fc; private readonly Linear proj;
    public Block(int d, int heads) : base("block") { ln1 = LayerNorm(d); attn = new Attention(d, heads); ln2 = LayerNorm(d); fc = Linear(d, 4 * d); proj = Linear(4 * d, d); RegisterComponents(); }
    public override Tensor forward(Tensor x) { x = x + MupResidualMultiplier * attn.forward(ln1.forward(x)); return x + MupResidualMultiplier * proj.forward(functional.gelu(fc.forward(ln2.forward(x)))); }
}
public partial class Attention : Module<Tensor, Tensor>
{
    private readonly Linear qkv; private readonly Linear proj; private readonly int headDim;
    public Attention(int d, int heads) : base("attn") { qkv = Linear(d, 3 * d); proj = Linear(d, d); headDim = d / heads; RegisterComponents(); }
    public override Tensor forward(Tensor x) { var q = qkv.forward(x); return proj.forward(q.matmul(q.transpose(-2, -1)) * MupAttentionScale(headDim)); }
}
