using System.Collections.Generic;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>TorchSharp's VGG idiom: a List&lt;(string, Module)&gt; of Conv2d/BatchNorm2d/ReLU over a channel list.</summary>
public partial class VggStyle : Module<Tensor, Tensor>
{
    private readonly Sequential layers;
    [ReadoutLayer] private readonly Linear classifier;

    public VggStyle([Width(8)] int width, int classes = 10) : base(nameof(VggStyle))
    {
        var channels = new[] { width, 2 * width, 4 * width };
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        long inChannels = 3;
        for (int i = 0; i < channels.Length; i++)
        {
            modules.Add(($"conv2d-{i}", Conv2d(inChannels, channels[i], kernel_size: 3, padding: 1)));
            modules.Add(($"bnrm2d-{i}", BatchNorm2d(channels[i])));
            modules.Add(($"relu-{i}", ReLU()));
            modules.Add(($"maxpl-{i}", MaxPool2d(kernel_size: 2, stride: 2)));
            inChannels = channels[i];
        }
        modules.Add(("avgpool", AdaptiveAvgPool2d(new long[] { 1, 1 })));
        modules.Add(("flatten", Flatten()));
        layers = Sequential(modules);
        classifier = Linear(4 * width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => classifier.forward(layers.forward(x) * MupReadoutMultiplier);
}
