using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

public partial class VitBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly LayerNorm norm2;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly long heads;
    private readonly long headDim;

    public VitBlock(int dim, int heads, int mlpRatio = 4) : base(nameof(VitBlock))
    {
        this.heads = heads;
        headDim = dim / heads;
        norm1 = LayerNorm(dim);
        qkv = Linear(dim, dim * 3);
        proj = Linear(dim, dim);
        norm2 = LayerNorm(dim);
        fc1 = Linear(dim, dim * mlpRatio);
        fc2 = Linear(dim * mlpRatio, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (B, N, C) = (x.shape[0], x.shape[1], x.shape[2]);
        var parts = qkv.forward(norm1.forward(x)).reshape(B, N, 3, heads, headDim).permute(2, 0, 3, 1, 4);
        var attn = functional.softmax(parts[0].matmul(parts[1].transpose(-2, -1)) * MupAttentionScale(headDim), -1);
        x = x + proj.forward(attn.matmul(parts[2]).transpose(1, 2).reshape(B, N, C));
        return x + fc2.forward(functional.gelu(fc1.forward(norm2.forward(x))));
    }
}

/// <summary>A ViT: Conv2d patch embedding, Parameter class token and position embedding, blocks, head.</summary>
public partial class Vit : Module<Tensor, Tensor>
{
    private readonly Conv2d patch_embed;
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly ModuleList<VitBlock> blocks;
    private readonly LayerNorm norm;
    [ReadoutLayer] private readonly Linear head;

    public Vit([Width(32)] int dim, int imageSize = 16, int patch = 4, int depth = 2, int heads = 4, int classes = 10) : base(nameof(Vit))
    {
        int patches = (imageSize / patch) * (imageSize / patch);
        patch_embed = Conv2d(3, dim, kernel_size: patch, stride: patch);
        cls_token = Parameter(zeros(1, 1, dim));
        pos_embed = Parameter(randn(1, patches + 1, dim) * 0.02);
        blocks = new ModuleList<VitBlock>();
        for (int i = 0; i < depth; i++)
            blocks.Add(new VitBlock(dim, heads));
        norm = LayerNorm(dim);
        head = Linear(dim, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        var x = patch_embed.forward(images).flatten(2).transpose(1, 2);
        x = cat(new[] { cls_token.expand(x.shape[0], -1, -1), x }, 1) + pos_embed;
        foreach (var b in blocks)
            x = b.forward(x);
        return head.forward(norm.forward(x).select(1, 0) * MupReadoutMultiplier);
    }
}
