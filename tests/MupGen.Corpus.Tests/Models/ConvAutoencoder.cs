using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>A convolutional autoencoder: strided Conv2d down, ConvTranspose2d up, GroupNorm in between.</summary>
public partial class ConvAutoencoder : Module<Tensor, Tensor>
{
    private readonly Conv2d down1;
    private readonly GroupNorm norm1;
    private readonly Conv2d down2;
    private readonly ConvTranspose2d up1;
    [ReadoutLayer] private readonly ConvTranspose2d up2;

    public ConvAutoencoder([Width(8)] int width, int channels = 3) : base(nameof(ConvAutoencoder))
    {
        down1 = Conv2d(channels, width, 4, stride: 2, padding: 1);
        norm1 = GroupNorm(4, width);
        down2 = Conv2d(width, 2 * width, 4, stride: 2, padding: 1);
        up1 = ConvTranspose2d(2 * width, width, 4, stride: 2, padding: 1);
        up2 = ConvTranspose2d(width, channels, 4, stride: 2, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = functional.relu(down2.forward(functional.relu(norm1.forward(down1.forward(x)))));
        return up2.forward(functional.relu(up1.forward(h)) * MupReadoutMultiplier);
    }
}
