using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

public partial class BertSelfAttention : Module<Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Linear output;
    private readonly LayerNorm norm;
    private readonly long heads;
    private readonly long headSize;

    public BertSelfAttention(int hidden, int heads) : base(nameof(BertSelfAttention))
    {
        this.heads = heads;
        headSize = hidden / heads;
        query = Linear(hidden, hidden);
        key = Linear(hidden, hidden);
        value = Linear(hidden, hidden);
        output = Linear(hidden, hidden);
        norm = LayerNorm(hidden, eps: 1e-12);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var (B, T, C) = (x.shape[0], x.shape[1], x.shape[2]);
        var q = query.forward(x).view(B, T, heads, headSize).transpose(1, 2);
        var k = key.forward(x).view(B, T, heads, headSize).transpose(1, 2);
        var v = value.forward(x).view(B, T, heads, headSize).transpose(1, 2);
        var p = functional.softmax(q.matmul(k.transpose(-1, -2)) * MupAttentionScale(headSize), -1);
        return norm.forward(x + output.forward(p.matmul(v).transpose(1, 2).reshape(B, T, C)));
    }
}

public partial class BertLayer : Module<Tensor, Tensor>
{
    private readonly BertSelfAttention attention;
    private readonly Linear intermediate;
    private readonly Linear output;
    private readonly LayerNorm norm;

    public BertLayer(int hidden, int heads, int intermediateSize) : base(nameof(BertLayer))
    {
        attention = new BertSelfAttention(hidden, heads);
        intermediate = Linear(hidden, intermediateSize);
        output = Linear(intermediateSize, hidden);
        norm = LayerNorm(hidden, eps: 1e-12);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var a = attention.forward(x);
        return norm.forward(a + output.forward(functional.gelu(intermediate.forward(a))));
    }
}

/// <summary>A BERT-style encoder with word/position/token-type embeddings, a pooler and a classifier.</summary>
public partial class Bert : Module<Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm embeddings_norm;
    private readonly ModuleList<BertLayer> encoder;
    private readonly Linear pooler;
    [ReadoutLayer] private readonly Linear classifier;

    public Bert([Width(64)] int hidden, int layers = 2, int heads = 4, int vocab = 60, int maxPositions = 32, int labels = 3) : base(nameof(Bert))
    {
        word_embeddings = Embedding(vocab, hidden);
        position_embeddings = Embedding(maxPositions, hidden);
        token_type_embeddings = Embedding(2, hidden);
        embeddings_norm = LayerNorm(hidden, eps: 1e-12);
        encoder = new ModuleList<BertLayer>();
        for (int i = 0; i < layers; i++)
            encoder.Add(new BertLayer(hidden, heads, 4 * hidden));
        pooler = Linear(hidden, hidden);
        classifier = Linear(hidden, labels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        var pos = arange(ids.shape[1], dtype: ScalarType.Int64);
        var x = embeddings_norm.forward(word_embeddings.forward(ids) + position_embeddings.forward(pos) + token_type_embeddings.forward(zeros_like(ids)));
        foreach (var layer in encoder)
            x = layer.forward(x);
        var pooled = tanh(pooler.forward(x.select(1, 0)));
        return classifier.forward(pooled * MupReadoutMultiplier);
    }
}
