using Xunit;

namespace MupGen.Experiments.Tests;

/// <summary>TorchSharp keeps process-wide state (the RNG behind torch.manual_seed, the thread count): every test that
/// trains a model joins this collection, whose tests run one at a time on one thread.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection : ICollectionFixture<TorchFixture>
{
    /// <summary>The collection name to put in <c>[Collection(...)]</c>.</summary>
    public const string Name = "Torch";
}

/// <summary>One thread for TorchSharp (2-core machines; deterministic sums).</summary>
public sealed class TorchFixture
{
    public TorchFixture() => TorchSharp.torch.set_num_threads(1);
}
