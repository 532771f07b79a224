using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

public partial class MixerBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear token_fc1;
    private readonly Linear token_fc2;
    private readonly LayerNorm norm2;
    private readonly Linear channel_fc1;
    private readonly Linear channel_fc2;

    public MixerBlock(int patches, int channels, int tokenHidden, int channelHidden) : base(nameof(MixerBlock))
    {
        norm1 = LayerNorm(channels);
        token_fc1 = Linear(patches, tokenHidden);
        token_fc2 = Linear(tokenHidden, patches);
        norm2 = LayerNorm(channels);
        channel_fc1 = Linear(channels, channelHidden);
        channel_fc2 = Linear(channelHidden, channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var t = norm1.forward(x).transpose(1, 2);
        x = x + token_fc2.forward(functional.gelu(token_fc1.forward(t))).transpose(1, 2);
        return x + channel_fc2.forward(functional.gelu(channel_fc1.forward(norm2.forward(x))));
    }
}

/// <summary>MLP-Mixer: a patch projection, token-mixing MLPs over a fixed patch count, channel-mixing MLPs over the width.</summary>
public partial class Mixer : Module<Tensor, Tensor>
{
    private readonly Linear stem;
    private readonly ModuleList<MixerBlock> blocks;
    private readonly LayerNorm norm;
    [ReadoutLayer] private readonly Linear head;

    public Mixer([Width(32)] int channels, int patches = 16, int patchDim = 48, int depth = 2, int classes = 10) : base(nameof(Mixer))
    {
        stem = Linear(patchDim, channels);
        blocks = new ModuleList<MixerBlock>();
        for (int i = 0; i < depth; i++)
            blocks.Add(new MixerBlock(patches, channels, 2 * patches, 4 * channels));
        norm = LayerNorm(channels);
        head = Linear(channels, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = stem.forward(x);
        foreach (var b in blocks)
            h = b.forward(h);
        return head.forward(norm.forward(h).mean(new long[] { 1 }) * MupReadoutMultiplier);
    }
}
