using System.Collections.Generic;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MupGen.Corpus.Models;

/// <summary>A depthwise-separable CNN (MobileNet v1 style): depthwise Conv2d(c, c, groups: c) then pointwise 1x1.</summary>
public partial class MobileNetStyle : Module<Tensor, Tensor>
{
    private readonly Conv2d stem;
    private readonly BatchNorm2d stem_bn;
    private readonly Conv2d dw1;
    private readonly BatchNorm2d dw1_bn;
    private readonly Conv2d pw1;
    private readonly BatchNorm2d pw1_bn;
    private readonly Conv2d dw2;
    private readonly Conv2d pw2;
    [ReadoutLayer] private readonly Linear fc;

    public MobileNetStyle([Width(8)] int width, int classes = 10) : base(nameof(MobileNetStyle))
    {
        stem = Conv2d(3, width, 3, stride: 2, padding: 1, bias: false);
        stem_bn = BatchNorm2d(width);
        dw1 = Conv2d(width, width, 3, padding: 1, groups: width, bias: false);
        dw1_bn = BatchNorm2d(width);
        pw1 = Conv2d(width, 2 * width, 1, bias: false);
        pw1_bn = BatchNorm2d(2 * width);
        dw2 = Conv2d(2 * width, 2 * width, 3, padding: 1, groups: 2 * width);
        pw2 = Conv2d(2 * width, 4 * width, 1);
        fc = Linear(4 * width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = functional.relu(stem_bn.forward(stem.forward(x)));
        x = functional.relu(dw1_bn.forward(dw1.forward(x)));
        x = functional.relu(pw1_bn.forward(pw1.forward(x)));
        x = functional.relu(pw2.forward(functional.relu(dw2.forward(x))));
        return fc.forward(x.mean(new long[] { 2, 3 }) * MupReadoutMultiplier);
    }
}
