using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>A bidirectional GRU over fixed-size features with a classifier on both directions.</summary>
public partial class GruClassifier : Module<Tensor, Tensor>
{
    private readonly GRU gru;
    [ReadoutLayer] private readonly Linear classifier;

    public GruClassifier([Width(32)] int hidden, int features = 12, int classes = 4) : base(nameof(GruClassifier))
    {
        gru = GRU(features, hidden, 1, batchFirst: true, bidirectional: true);
        classifier = Linear(2 * hidden, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (output, _) = gru.call(x);
        return classifier.forward(output.select(1, -1) * MupReadoutMultiplier);
    }
}
