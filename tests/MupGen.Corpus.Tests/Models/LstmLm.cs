using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>An LSTM language model: Embedding, 2-layer LSTM, Linear decoder.</summary>
public partial class LstmLm : Module<Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly LSTM lstm;
    [ReadoutLayer] private readonly Linear decoder;

    public LstmLm([Width(32)] int hidden, int vocab = 50, int layers = 2) : base(nameof(LstmLm))
    {
        embedding = Embedding(vocab, hidden);
        lstm = LSTM(hidden, hidden, layers, batchFirst: true);
        decoder = Linear(hidden, vocab);
        RegisterComponents();
    }

    public override Tensor forward(Tensor tokens)
    {
        var (output, _, _) = lstm.call(embedding.forward(tokens));
        return decoder.forward(output * MupReadoutMultiplier);
    }
}
