using MupGen;
using MupGen.Samples.Gpt;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Tests.Models;

// Models with a deliberately wrong role attribute: the generator takes the attribute at its word, and MupVerify
// (mup's shape method) must find every parameter whose rule it changes.

/// <summary>[WidthInvariant] on a width → width layer: weight and bias lose their µP rules.</summary>
public partial class InvariantOnHidden : Module<Tensor, Tensor>
{
    private readonly Linear input;
    [WidthInvariant] private readonly Linear hidden;
    [ReadoutLayer] private readonly Linear readout;

    public InvariantOnHidden([Width(32)] int width) : base(nameof(InvariantOnHidden))
    {
        input = Linear(6, width);
        hidden = Linear(width, width);
        readout = Linear(width, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => readout.call(hidden.call(input.call(x)) * MupReadoutMultiplier);
}

/// <summary>[HiddenLayer] on the input layer (fixed fan_in): the weight is called matrix-like.</summary>
public partial class HiddenOnInput : Module<Tensor, Tensor>
{
    [HiddenLayer] private readonly Linear input;
    private readonly Linear hidden;
    [ReadoutLayer] private readonly Linear readout;

    public HiddenOnInput([Width(32)] int width) : base(nameof(HiddenOnInput))
    {
        input = Linear(6, width);
        hidden = Linear(width, width);
        readout = Linear(width, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => readout.call(hidden.call(input.call(x)) * MupReadoutMultiplier);
}

/// <summary>[InputLayer] on a width → width layer: the weight is called vector-like, and keeps the base lr.</summary>
public partial class InputOnHidden : Module<Tensor, Tensor>
{
    private readonly Linear input;
    [InputLayer] private readonly Linear hidden;
    [ReadoutLayer] private readonly Linear readout;

    public InputOnHidden([Width(32)] int width) : base(nameof(InputOnHidden))
    {
        input = Linear(6, width);
        hidden = Linear(width, width);
        readout = Linear(width, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => readout.call(hidden.call(input.call(x)) * MupReadoutMultiplier);
}

/// <summary>The generator does not follow a size computed by a virtual helper method: that layer is Unresolved (MUP012),
/// and the readout reads its fan_in from the attribute.</summary>
#pragma warning disable MUP001, MUP012 // MUP012 since the analyzers report sizes from method calls under their own ID
public partial class OpaqueSize : Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly Linear odd;
    [ReadoutLayer] private readonly Linear readout;

    public OpaqueSize([Width(32)] int width) : base(nameof(OpaqueSize))
    {
        input = Linear(6, width);
        odd = Linear(width, Wide(width));
        readout = Linear(Wide(width), 3);
        RegisterComponents();
    }

    // Virtual: a derived class may size it otherwise, so the generator does not follow it (a plain static helper
    // would be followed: w * 3 / 2 is then read as if written inline).
    protected virtual int Wide(int w) => w * 3 / 2;

    public override Tensor forward(Tensor x) => readout.call(odd.call(input.call(x)) * MupReadoutMultiplier);
}
#pragma warning restore MUP001, MUP012

/// <summary>A one-block GPT without MLP, built from the GPT sample's attention module (a nested µP module): small
/// enough to train at width 4096 in a test.</summary>
public partial class SlimGpt : Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly LayerNorm ln1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_f;
    [ReadoutLayer] private readonly Linear head;

    public SlimGpt([Width(64)] int width, int vocab, int context, int heads) : base(nameof(SlimGpt))
    {
        wte = Embedding(vocab, width);
        wpe = Embedding(context, width);
        ln1 = LayerNorm(width);
        attn = new CausalSelfAttention(width, heads);
        ln_f = LayerNorm(width);
        head = Linear(width, vocab, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor idx)
    {
        var pos = arange(idx.shape[1], dtype: ScalarType.Int64, device: idx.device);
        var x = (wte.call(idx) + wpe.call(pos)) * MupInputMultiplier;
        x = x + attn.call(ln1.call(x));
        return head.call(ln_f.call(x) * MupReadoutMultiplier);
    }
}
