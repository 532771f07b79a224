using System;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MupGen.Tests
{
    /// <summary>
    /// Smoke tests: the TorchSharp native library loads on this machine (on Debian 12 only after the build's
    /// GLIBCXX_3.4.32 fix, src/MupGen/buildTransitive/MupGen.targets) and computes the right numbers.
    /// </summary>
    [Collection(TorchCollection.Name)]
    public sealed class TorchSharpLoadsTests
    {
        public TorchSharpLoadsTests(TorchFixture fixture)
        {
            _ = fixture;
        }

        [Fact]
        public void TensorCreationAndMatmulGiveExpectedValues()
        {
            using var scope = NewDisposeScope();
            var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
            var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
            var c = matmul(a, b);

            Assert.Equal(new long[] { 2, 2 }, c.shape);
            Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
            Assert.Equal(1, get_num_threads());
        }

        [Fact]
        public void LinearForwardAndBackwardGiveExpectedValuesAndGradients()
        {
            using var scope = NewDisposeScope();
            var lin = nn.Linear(3, 2);
            using (no_grad())
            {
                lin.weight!.copy_(tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }));
                lin.bias!.copy_(tensor(new float[] { 0.5f, -0.5f }));
            }

            var x = tensor(new float[] { 1, 0, -1, 2, 1, 0 }, new long[] { 2, 3 });
            var y = lin.forward(x);
            // y = x W^T + b
            Assert.Equal(new float[] { -2 + 0.5f, -2 - 0.5f, 4 + 0.5f, 13 - 0.5f }, y.data<float>().ToArray());

            var loss = y.sum();
            loss.backward();
            // d(sum)/dW[i,j] = sum_n x[n,j]; d(sum)/db[i] = N
            Assert.Equal(new float[] { 3, 1, -1, 3, 1, -1 }, lin.weight!.grad!.data<float>().ToArray());
            Assert.Equal(new float[] { 2, 2 }, lin.bias!.grad!.data<float>().ToArray());
            Assert.Equal(13f, loss.item<float>(), 5);
        }
    }
}
