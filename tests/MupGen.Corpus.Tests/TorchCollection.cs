using Xunit;

namespace MupGen.Corpus.Tests
{
    /// <summary>
    /// TorchSharp keeps process-wide state (the RNG behind torch.manual_seed, the thread count, the default dtype),
    /// so every test that touches torch joins this collection: its tests run one at a time, never in parallel with
    /// each other. Use <c>[Collection(TorchCollection.Name)]</c> on the test class.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class TorchCollection : ICollectionFixture<TorchFixture>
    {
        /// <summary>The collection name to put in <c>[Collection(...)]</c>.</summary>
        public const string Name = "Torch";
    }

    /// <summary>Set up once for the whole collection: TorchSharp runs on one thread (2-core machines, stable timings).</summary>
    public sealed class TorchFixture
    {
        private static readonly object Gate = new object();
        private static bool _initialised;

        public TorchFixture()
        {
            lock (Gate)
            {
                if (_initialised) return;
                TorchSharp.torch.set_num_threads(1);
                _initialised = true;
            }
        }
    }
}
