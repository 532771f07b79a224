using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>TorchSharp's text-classification example: EmbeddingBag then a Linear classifier.</summary>
public partial class EmbeddingBagClassifier : Module<Tensor, Tensor>
{
    private readonly EmbeddingBag embedding;
    private readonly Linear hidden;
    [ReadoutLayer] private readonly Linear fc;

    public EmbeddingBagClassifier([Width(32)] int embedDim, int vocab = 100, int classes = 4) : base(nameof(EmbeddingBagClassifier))
    {
        embedding = EmbeddingBag(vocab, embedDim, sparse: false);
        hidden = Linear(embedDim, embedDim);
        fc = Linear(embedDim, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens) => fc.forward(functional.relu(hidden.forward(embedding.call(tokens, null, null))) * MupReadoutMultiplier);
}
