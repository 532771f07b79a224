using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>Blocks returned by a helper method of the model.</summary>
public partial class HelperMlp : Module<Tensor, Tensor>
{
    private readonly Linear stem;
    private readonly Sequential block1;
    private readonly Sequential block2;
    [ReadoutLayer] private readonly Linear head;

    public HelperMlp([Width(32)] int width, int features = 16, int classes = 10) : base(nameof(HelperMlp))
    {
        stem = Linear(features, width);
        block1 = MakeBlock(width);
        block2 = MakeBlock(width);
        head = Linear(width, classes);
        RegisterComponents();
    }

    private static Sequential MakeBlock(int width) =>
        Sequential(("norm", LayerNorm(width)), ("up", Linear(width, 4 * width)), ("act", GELU()), ("down", Linear(4 * width, width)));

    public override Tensor forward(Tensor x)
    {
        var h = stem.forward(x);
        h = h + block1.forward(h);
        h = h + block2.forward(h);
        return head.forward(h * MupReadoutMultiplier);
    }
}
