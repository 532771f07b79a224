// Configuration objects: a self-referencing getter, a getter cycle, a struct config, a generic config, a config that is
// also a module, a config passed twice, a nested readout module taking the config, a positional record, a config
// with [Width] on a non-integer member, a static config member, a record copy of a non-config, a config the model
// writes in a loop.
using System;
using System.Collections.Generic;
using System.Linq;
using MupGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Corpus.Configs;

public sealed record Cfg
{
    [Width(64)] public int Dim { get; init; } = 64;
    public int Self => Self + 1;
    public int A => B;
    public int B => A;
    public int Block { get { var x = Dim; return x * 2; } }
    public static int Static { get; } = 3;
    public int Heads { get; set; } = 4;
    public double Eps { get; init; } = 1e-5;
}

public struct StructCfg { [Width(32)] public int Width; public int Other; }

public sealed class GenericCfg<T> { [Width(16)] public int W { get; init; } = 16; }

public sealed record BadCfg { [Width(64)] public double Dim { get; init; } = 64; }

public sealed record Positional([property: Width(8)] int W = 8, int M = 4);

public record Plain(int X);

public partial class Head : Module<Tensor, Tensor>
{
    [ReadoutLayer] private readonly Linear proj;
    public Head(Cfg cfg) : base("head") { proj = Linear(cfg.Dim, 10); RegisterComponents(); }
    public override Tensor forward(Tensor x) => proj.forward(x * MupReadoutMultiplier);
}

public partial class Odd : Module<Tensor, Tensor>
{
    private readonly Linear a, b, c, d, e, f;
    private readonly Head head;
    [ReadoutLayer] private readonly Linear output;

    public Odd(Cfg cfg, Cfg other, Plain plain) : base("odd")
    {
        a = Linear(cfg.Dim, cfg.Self);
        b = Linear(cfg.Dim, cfg.A);
        c = Linear(cfg.Dim, cfg.Block);
        d = Linear(other.Dim, Cfg.Static);
        var copy = plain with { X = cfg.Dim };
        e = Linear(cfg.Dim, copy.X);
        for (var i = 0; i < 3; i++)
            cfg.Heads += 1;
        f = Linear(cfg.Dim, cfg.Heads * 8);
        head = new Head(cfg with { Eps = 1e-6 });
        output = Linear(cfg.Dim, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => output.forward(head.forward(x) * MupReadoutMultiplier);
}

public partial class StructModel : Module<Tensor, Tensor>
{
    [ReadoutLayer] private readonly Linear output;
    public StructModel(StructCfg s) : base("s") { output = Linear(s.Width, s.Other); RegisterComponents(); }
    public override Tensor forward(Tensor x) => output.forward(x);
}

public partial class GenericModel : Module<Tensor, Tensor>
{
    [ReadoutLayer] private readonly Linear output;
    public GenericModel(GenericCfg<int> g) : base("g") { output = Linear(g.W, 2); RegisterComponents(); }
    public override Tensor forward(Tensor x) => output.forward(x);
}

public partial class BadModel : Module<Tensor, Tensor>
{
    [ReadoutLayer] private readonly Linear output;
    public BadModel(BadCfg g) : base("b") { output = Linear((int)g.Dim, 2); RegisterComponents(); }
    public override Tensor forward(Tensor x) => output.forward(x);
}

public partial class PositionalModel : Module<Tensor, Tensor>
{
    private readonly Linear up;
    [ReadoutLayer] private readonly Linear output;
    public PositionalModel(Positional p) : base("p") { up = Linear(p.W, p.M * (p.W / p.M + 1)); output = Linear(p.W, 2); RegisterComponents(); }
    public override Tensor forward(Tensor x) => output.forward(up.forward(x) * MupReadoutMultiplier);
}
