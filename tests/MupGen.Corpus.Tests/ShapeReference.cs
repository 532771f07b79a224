using System;
using System.Collections.Generic;
using System.Linq;
using MupGen.Catalog;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MupGen.Corpus.Tests;

/// <summary>
/// The test's own reading of mup's shape method, independent of MupGen's binding: named_parameters shapes of the
/// model at its base width and at a second width (a dimension that differs scales), the owning TorchSharp layer's
/// µP fans and default init from the layer catalog, and the rules table (docs/RULES.md: MupRules.Width). It says,
/// for the model at a third width, what every parameter's init std, Adam/AdamW/SGD lr and weight-decay scales and the
/// readout multiplier must be.
/// </summary>
internal sealed class ShapeReference
{
    public sealed record Expected(string Name, MupRole Role, double MIn, double MOut, MupScales Scales, CatalogInit? Init,
        double[] InitSource, string Owner, double[] BaseValues);

    private readonly Dictionary<string, long[]> _base;
    private readonly Dictionary<string, long[]> _delta;
    private readonly Dictionary<string, double[]> _baseValues;

    public ShapeReference(nn.Module baseModel, nn.Module deltaModel)
    {
        _base = baseModel.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        _delta = deltaModel.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        // A raw Parameter's default init is whatever its constructor drew at the base width: the base model shows it.
        _baseValues = baseModel.named_parameters().ToDictionary(p => p.name,
            p => p.parameter.detach().to_type(ScalarType.Float64).data<double>().ToArray());
    }

    public int Count => _base.Count;

    /// <summary>Expected rules for every parameter of <paramref name="model"/>; <paramref name="problems"/> collects
    /// parameters the shape method itself cannot describe (a name missing from the base model, a finite dim that changed).</summary>
    public List<Expected> Describe(nn.Module model, List<string> problems)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        modules[""] = model;
        var result = new List<Expected>();
        Expected? readout = null;
        foreach (var (name, p) in model.named_parameters())
        {
            var actual = p.shape;
            if (!_base.TryGetValue(name, out var b) || !_delta.TryGetValue(name, out var d) || b.Length != actual.Length || d.Length != actual.Length)
            {
                problems.Add($"{name}: not in the base and delta models with the same rank");
                continue;
            }
            var m = new double[actual.Length];
            var scales = new List<int>();
            for (int i = 0; i < actual.Length; i++)
            {
                bool infinite = b[i] != d[i];
                if (!infinite && actual[i] != b[i])
                    problems.Add($"{name}: dim {i} is {actual[i]} but {b[i]} in both base and delta");
                m[i] = infinite ? actual[i] / (double)b[i] : 1.0;
                if (infinite)
                    scales.Add(i);
            }

            var (owner, template) = Owner(name, modules);
            int rank = actual.Length;
            MupRole role;
            double mIn = 1, mOut = 1;
            if (template is not null && template.Name.Length == 0)
            {
                // A raw Parameter: mup's classes by count (2: matrix-like with fan_in dim 1, fan_out dim 0; 1: vector-like).
                if (scales.Count >= 2)
                    (role, mIn, mOut) = (MupRole.Hidden, m[1], m[0]);
                else
                    (role, mOut) = (scales.Count == 1 ? MupRole.Vector : MupRole.Fixed, m.Aggregate(1.0, (acc, x) => acc * x));
            }
            else if (template is { IsMatrix: true } && rank >= 2)
            {
                bool fanOut = template.FanOut.Any(scales.Contains), fanIn = template.FanIn.Any(scales.Contains);
                mIn = template.FanIn.Where(i => i < rank).Aggregate(1.0, (acc, i) => acc * m[i]);
                mOut = template.FanOut.Where(i => i < rank).Aggregate(1.0, (acc, i) => acc * m[i]);
                role = fanOut && fanIn ? MupRole.Hidden : fanOut ? MupRole.Input : fanIn ? MupRole.Readout : MupRole.Fixed;
                if (role == MupRole.Input) mIn = 1;
                if (role == MupRole.Readout) mOut = 1;
                if (role == MupRole.Fixed) mIn = mOut = 1;
            }
            else
            {
                role = scales.Count > 0 ? MupRole.Vector : MupRole.Fixed;
                mOut = m.Aggregate(1.0, (acc, x) => acc * x);
            }
            if (template is null)
                problems.Add($"{name}: no TorchSharp layer in the catalog owns it");

            // Default init at the base shape of its source tensor (a bias: its weight's).
            double[] source = b.Select(x => (double)x).ToArray();
            var init = template?.Init;
            if (init?.FromTensor is { } from && owner is not null)
            {
                var rest = name.Substring(owner.Length == 0 ? 0 : owner.Length + 1);
                var sibling = (owner.Length == 0 ? "" : owner + ".") + CatalogEntry.SiblingName(rest, template!.Name, from);
                if (_base.TryGetValue(sibling, out var sb))
                    source = sb.Select(x => (double)x).ToArray();
                else
                    problems.Add($"{name}: its init reads '{sibling}', which is not a parameter");
            }
            var expected = new Expected(name, role, mIn, mOut, MupRules.Width(role, mIn, mOut), init, source, owner ?? "?", _baseValues[name]);
            if (role == MupRole.Readout && readout is null && name.EndsWith("weight", StringComparison.Ordinal))
                readout = expected;
            result.Add(expected);
        }
        ReadoutMIn = readout?.MIn ?? 1.0;
        return result;
    }

    /// <summary>m_in of the first readout-like weight (1 when none): the readout multiplier is 1 / m_in.</summary>
    public double ReadoutMIn { get; private set; } = 1.0;

    /// <summary>The outermost TorchSharp layer of the catalog that owns the parameter, and its tensor template; a
    /// user module's own <c>Parameter</c> field is the catalog's Parameter kind.</summary>
    private static (string? Owner, CatalogTensor? Template) Owner(string name, Dictionary<string, nn.Module> modules)
    {
        var parts = name.Split('.');
        for (int k = 0; k < parts.Length; k++)
        {
            var prefix = string.Join(".", parts.Take(k));
            if (!modules.TryGetValue(prefix, out var module))
                continue;
            var entry = LayerCatalog.ByType(module.GetType().FullName ?? "");
            var rest = string.Join(".", parts.Skip(k));
            if (entry?.Tensor(rest) is { } t)
                return (prefix, t);
        }
        var ownerPrefix = string.Join(".", parts.Take(parts.Length - 1));
        if (modules.TryGetValue(ownerPrefix, out var own) && own.GetType().Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) != true)
            return (ownerPrefix, LayerCatalog.ByKind(CatalogKind.Parameter)!.Tensors[0]);
        return (null, null);
    }
}

/// <summary>Compares what a µP model does (its real MupInitialize, optimizers and readout multiplier) with the
/// <see cref="ShapeReference"/>.</summary>
internal static class RunTime
{
    public const double Lr = 1e-3;
    public const double SgdLr = 0.1;
    public const double Wd = 0.1;

    /// <summary>Every disagreement, as "parameter: what, model vs shapes". Throws what MupInitialize throws.</summary>
    public static List<string> Check(nn.Module model, ShapeReference reference, MupOptions options)
    {
        var mup = (IMupModel)model;
        var problems = new List<string>();
        var expected = reference.Describe(model, problems);

        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to_type(ScalarType.Float64).data<double>().ToArray());
        torch.manual_seed(20261201);
        mup.MupInitialize(options);
        var after = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to_type(ScalarType.Float64).data<double>().ToArray());

        foreach (var e in expected)
            CheckInit(e, before[e.Name], after[e.Name], problems);

        var adam = Settings(model, mup.MupAdam(Lr, weightDecay: Wd, options: options));
        var adamW = Settings(model, mup.MupAdamW(Lr, Wd, options: options));
        var sgd = Settings(model, mup.MupSGD(SgdLr, weightDecay: Wd, options: options));
        foreach (var e in expected)
        {
            Compare(problems, e.Name, "Adam lr", adam, s => s.Lr, Lr * e.Scales.AdamLr);
            Compare(problems, e.Name, "Adam weight decay", adam, s => s.Wd, Wd * e.Scales.AdamWeightDecay);
            Compare(problems, e.Name, "AdamW lr", adamW, s => s.Lr, Lr * e.Scales.AdamLr);
            Compare(problems, e.Name, "AdamW weight decay", adamW, s => s.Wd, Wd * e.Scales.AdamWeightDecay);
            Compare(problems, e.Name, "SGD lr", sgd, s => s.Lr, SgdLr * e.Scales.SgdLr);
            Compare(problems, e.Name, "SGD weight decay", sgd, s => s.Wd, Wd * e.Scales.SgdWeightDecay);
        }

        double multiplier = options.OutputMultiplier / reference.ReadoutMIn;
        mup.MupOptions = options;
        if (!Close(mup.MupReadoutMultiplier, multiplier))
            problems.Add($"readout multiplier: model {mup.MupReadoutMultiplier:G6} vs shapes {multiplier:G6}");
        return problems;
    }

    private static void CheckInit(ShapeReference.Expected e, double[] before, double[] after, List<string> problems)
    {
        var init = e.Init;
        if (init?.Kind == CatalogInitKind.Uninitialized)
            init = init.Intended;
        switch (init?.Kind)
        {
            case null:
                problems.Add($"{e.Name}: no known default init");
                return;
            case CatalogInitKind.Ones:
            case CatalogInitKind.Zeros:
            {
                double c = init.Kind == CatalogInitKind.Ones ? 1.0 : 0.0;
                if (after.Any(v => v != c))
                    problems.Add($"{e.Name}: init not all {c} (mean {after.Average():G4})");
                return;
            }
            case CatalogInitKind.Constant:
            {
                // Width-invariant: a constant stays.
                double sb = Std(before), sa = Std(after);
                if (Math.Abs(after.Average() - before.Average()) > 1e-6 + 0.5 * sb || Math.Abs(sa - sb) > 1e-6 + Tolerance(after.Length, 2.0) * sb)
                    problems.Add($"{e.Name}: init changed from mean {before.Average():G4} std {sb:G4} to mean {after.Average():G4} std {sa:G4}");
                return;
            }
            case CatalogInitKind.FromFactory:
            {
                // A raw Parameter: its constructor's draw at the base width (measured on the base model) is its
                // default; at another width it is that draw times the role's init scale (a constant stays).
                var b = e.BaseValues;
                if (b.All(v => v == b[0]))
                {
                    if (after.Any(v => v != b[0]))
                        problems.Add($"{e.Name}: init not all {b[0]} as at base width (mean {after.Average():G4})");
                    return;
                }
                double expected = Std(b) * e.Scales.InitStd;
                double measured = Std(after);
                double tolerance = Tolerance(b.Length, 2.0) + Tolerance(after.Length, 2.0);
                if (after.Length < 2 || Math.Abs(measured / expected - 1) > tolerance
                    || Math.Abs(after.Average()) > 5 * expected / Math.Sqrt(after.Length) + 5 * Std(b) / Math.Sqrt(b.Length))
                    problems.Add($"{e.Name}: init mean {after.Average():G4} std {measured:G4} vs shapes N(0, {expected:G4}) (base std {Std(b):G4} × {e.Scales.InitStd:G4}, {e.Role})");
                return;
            }
            default:
            {
                double expected = init.Std(e.InitSource) * e.Scales.InitStd;
                double measured = Std(after);
                double kurtosis = init.Kind == CatalogInitKind.Uniform ? 0.8 : 2.0;
                if (after.Length < 2 || Math.Abs(measured / expected - 1) > Tolerance(after.Length, kurtosis))
                    problems.Add($"{e.Name}: init std {measured:G4} vs shapes {expected:G4} ({e.Role}, {init}, n = {after.Length})");
                return;
            }
        }
    }

    /// <summary>Five standard errors of a sample std: sqrt(kurtosis excess + 2) / (2 sqrt(n)), uniform 0.8, normal 2.</summary>
    private static double Tolerance(int n, double kurtosis) => 5 * Math.Sqrt(kurtosis) / (2 * Math.Sqrt(Math.Max(1, n)));

    private static double Std(double[] v)
    {
        if (v.Length < 2) return 0;
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));

    private static void Compare(List<string> problems, string name, string what, Dictionary<string, (double Lr, double Wd)> settings,
        Func<(double Lr, double Wd), double> pick, double expected)
    {
        if (!settings.TryGetValue(name, out var s))
            problems.Add($"{name}: not in the {what.Split(' ')[0]} optimizer");
        else if (!Close(pick(s), expected))
            problems.Add($"{name}: {what} {pick(s):G6} vs shapes {expected:G6}");
    }

    /// <summary>Per parameter name, the lr and weight decay of its optimizer group (tied names share storage: both
    /// get the group of the one tensor).</summary>
    private static Dictionary<string, (double Lr, double Wd)> Settings(nn.Module model, optim.Optimizer optimizer)
    {
        var byStorage = new Dictionary<long, List<string>>();
        foreach (var (name, p) in model.named_parameters())
        {
            long key = Storage(p);
            if (!byStorage.TryGetValue(key, out var names))
                byStorage[key] = names = new List<string>();
            names.Add(name);
        }
        var result = new Dictionary<string, (double, double)>();
        foreach (var g in optimizer.ParamGroups)
        {
            (IEnumerable<Parameter> ps, double lr, double wd) = g switch
            {
                AdamW.ParamGroup a => (a.Parameters, a.Options.LearningRate!.Value, a.Options.weight_decay!.Value),
                Adam.ParamGroup a => (a.Parameters, a.Options.LearningRate!.Value, a.Options.weight_decay!.Value),
                SGD.ParamGroup s => (s.Parameters, s.Options.LearningRate!.Value, s.Options.weight_decay!.Value),
                _ => throw new InvalidOperationException(g.GetType().Name),
            };
            foreach (var p in ps)
                if (byStorage.TryGetValue(Storage(p), out var names))
                    foreach (var n in names)
                        result[n] = (lr, wd);
        }
        optimizer.Dispose();
        return result;
    }

    private static long Storage(Tensor t) => (long)t.storage<float>().data_ptr();
}
