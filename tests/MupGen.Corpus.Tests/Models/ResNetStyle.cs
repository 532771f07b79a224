using System.Collections.Generic;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>TorchSharp's ResNet BasicBlock: two conv-bn pairs and a projection shortcut when shapes change.</summary>
public partial class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Sequential layers;
    private readonly Sequential shortcut;

    public BasicBlock(long inPlanes, long planes, long stride) : base(nameof(BasicBlock))
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        modules.Add(("c1", Conv2d(inPlanes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false)));
        modules.Add(("b1", BatchNorm2d(planes)));
        modules.Add(("r1", ReLU()));
        modules.Add(("c2", Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false)));
        modules.Add(("b2", BatchNorm2d(planes)));
        layers = Sequential(modules);

        var shortcuts = new List<(string, Module<Tensor, Tensor>)>();
        if (stride != 1 || inPlanes != planes)
        {
            shortcuts.Add(("c1", Conv2d(inPlanes, planes, kernel_size: 1, stride: stride, bias: false)));
            shortcuts.Add(("b1", BatchNorm2d(planes)));
        }
        shortcut = Sequential(shortcuts);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => functional.relu(layers.forward(x) + shortcut.forward(x));
}

/// <summary>A small ResNet in TorchSharp's example style.</summary>
public partial class ResNetStyle : Module<Tensor, Tensor>
{
    private readonly Sequential stem;
    private readonly Sequential body;
    [ReadoutLayer] private readonly Linear linear;

    public ResNetStyle([Width(8)] int width, int classes = 10) : base(nameof(ResNetStyle))
    {
        stem = Sequential(("conv", Conv2d(3, width, kernel_size: 3, padding: 1, bias: false)), ("bn", BatchNorm2d(width)), ("relu", ReLU()));
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        blocks.Add(("block0", new BasicBlock(width, width, 1)));
        blocks.Add(("block1", new BasicBlock(width, 2 * width, 2)));
        blocks.Add(("pool", AdaptiveAvgPool2d(new long[] { 1, 1 })));
        blocks.Add(("flat", Flatten()));
        body = Sequential(blocks);
        linear = Linear(2 * width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => linear.forward(body.forward(stem.forward(x)) * MupReadoutMultiplier);
}
