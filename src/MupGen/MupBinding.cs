using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Linq;
using MupGen.Facts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MupGen;

/// <summary>
/// Binds a model's compiled facts to a live TorchSharp module. Generated code creates one per model instance,
/// lazily, and every generated member delegates to it. Width multipliers come from the actual tensor shapes divided
/// by the compiled base dimensions, so nothing about the width is stored in the model.
/// </summary>
/// <remarks>The shapes are read once, on first use, and cached: replace a layer after that and the cache is stale
/// (create a new model instead).</remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed partial class MupBinding
{
    private readonly nn.Module _module;
    private BoundModel? _bound;
    private MupOptions _options = MupOptions.Default;
    private ForwardMultipliers? _forward;
    private readonly Dictionary<(string Path, long HeadDim), double> _attentionScales = new();

    /// <summary>Binds <paramref name="facts"/> to <paramref name="module"/>.</summary>
    public MupBinding(nn.Module module, MupModelFacts facts)
    {
        _module = module ?? throw new ArgumentNullException(nameof(module));
        Facts = facts ?? throw new ArgumentNullException(nameof(facts));
    }

    /// <summary>The compiled facts.</summary>
    public MupModelFacts Facts { get; }

    /// <summary>The options used when a member is given none, and by the forward multipliers.</summary>
    public MupOptions Options
    {
        get => _options;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _options = value;
            _forward = null;
            _attentionScales.Clear();
        }
    }

    private BoundModel Bound
    {
        get
        {
            if (_bound is null)
            {
                _bound = BoundModel.Bind(_module, Facts);
                AttachSubmodules();
            }
            return _bound;
        }
    }

    /// <summary>The resolved parametrization and depth exponent for <paramref name="options"/>.</summary>
    private (MupParametrization P, double? Alpha) Resolve(MupOptions options)
    {
        var p = options.Parametrization ?? (Facts.Depth is null ? MupParametrization.Mup : MupParametrization.CompleteP);
        if (p == MupParametrization.Standard || Facts.Depth is null)
            return (p, null);
        double? alpha = options.DepthAlpha ?? MupRules.DefaultDepthAlpha(p);
        if (alpha is not null)
            Bound.RequireDepth();
        return (p, alpha);
    }

    private MupOptions Use(MupOptions? options)
    {
        var o = options ?? _options;
        o.Validate();
        return o;
    }

    /// <summary>See <see cref="IMupModel.MupInitialize"/>.</summary>
    public void Initialize(MupOptions? options)
    {
        if (options is not null)
            Options = options;
        var o = Use(options);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (plan, p) in DistinctParameters(o))
            plan.Init.Apply(p);   // a tied tensor keeps the init of its first owner
    }

    /// <summary>See <see cref="IMupModel.MupDescribe"/>.</summary>
    public IReadOnlyList<MupParameter> Describe(MupOptions? options)
    {
        var o = Use(options);
        return Plan(o).Select(r => new MupParameter(
            r.Bound.Name, r.Bound.Role, r.Bound.Shape, r.Bound.MIn, r.Bound.MOut, r.Bound.InResidualBlock ? Bound.ML : 1.0,
            r.Bound.InResidualBlock, r.Init.Std, r.Scales.AdamLr, r.Scales.SgdLr, r.Scales.AdamWeightDecay,
            r.Scales.SgdWeightDecay, r.Scales.AdamEps)
        { Init = r.Init.ToString(), Note = r.Bound.Note }).ToList();
    }

    /// <summary>See <see cref="IMupModel.MupAdam"/>.</summary>
    public Adam Adam(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, MupOptions? options)
    {
        CheckOptimizerArgs(lr, weightDecay, eps);
        var groups = AdamGroups(Use(options), lr, weightDecay, eps)
            .Select(g => new Adam.ParamGroup(g.Parameters, lr: g.Lr, beta1: beta1, beta2: beta2, eps: g.Eps, weight_decay: g.WeightDecay, amsgrad: amsgrad));
        return torch.optim.Adam(groups.ToList(), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    /// <summary>See <see cref="IMupModel.MupAdamW"/>.</summary>
    public AdamW AdamW(double lr, double weightDecay, double beta1, double beta2, double eps, bool amsgrad, MupOptions? options)
    {
        CheckOptimizerArgs(lr, weightDecay, eps);
        var groups = AdamGroups(Use(options), lr, weightDecay, eps)
            .Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.Lr, beta1: beta1, beta2: beta2, eps: g.Eps, weight_decay: g.WeightDecay, amsgrad: amsgrad));
        return torch.optim.AdamW(groups.ToList(), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    /// <summary>See <see cref="IMupModel.MupSGD"/>.</summary>
    public SGD SGD(double lr, double momentum, double weightDecay, double dampening, bool nesterov, MupOptions? options)
    {
        CheckOptimizerArgs(lr, weightDecay, 1);
        var groups = Groups(Use(options), s => (lr * s.SgdLr, weightDecay * s.SgdWeightDecay, 0))
            .Select(g => new SGD.ParamGroup(g.Parameters, lr: g.Lr, momentum: momentum, dampening: dampening, weight_decay: g.WeightDecay, nesterov: nesterov));
        return torch.optim.SGD(groups.ToList(), lr, momentum, dampening, weightDecay, nesterov);
    }

    /// <summary>See <see cref="IMupModel.MupReadoutMultiplier"/>.</summary>
    public double ReadoutMultiplier => Forward.Readout;

    /// <summary>See <see cref="IMupModel.MupInputMultiplier"/>.</summary>
    public double InputMultiplier => _options.InputMultiplier;

    /// <summary>See <see cref="IMupModel.MupResidualMultiplier"/>.</summary>
    public double ResidualMultiplier => Forward.Residual;

    /// <summary>See <see cref="IMupModel.MupAttentionScale"/>, for the model itself.</summary>
    public double AttentionScale(long headDim) => AttentionScale(headDim, "");

    /// <summary>
    /// The attention logit scale for the attention module at <paramref name="path"/> (its name in named_modules()).
    /// The base head dimension is headDim over the head dimension's width multiplier, read from the compiled
    /// <see cref="MupAttentionFact"/> of that module; without one, the head dimension is taken to grow with the model
    /// width (base = headDim / m_N).
    /// </summary>
    public double AttentionScale(long headDim, string path)
    {
        if (headDim < 1)
            throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "The head dimension must be at least 1.");
        var key = (path ?? "", headDim);
        if (!_attentionScales.TryGetValue(key, out double scale))
        {
            var (p, _) = Resolve(_options);
            scale = p == MupParametrization.Standard
                ? MupRules.AttentionScale(headDim, headDim, _options.AttentionMultiplier, standard: true)
                : MupRules.AttentionScale(headDim, headDim / Bound.HeadDimMultiplier(key.Item1, headDim), _options.AttentionMultiplier, standard: false);
            _attentionScales[key] = scale;
        }
        return scale;
    }

    /// <summary>Attaches this binding to every <see cref="IMupSubmodule"/> below the model. Generated code calls it
    /// from RegisterComponents; it is idempotent.</summary>
    public void AttachSubmodules()
    {
        foreach (var (name, module) in _module.named_modules())
            if (module is IMupSubmodule sub)
                sub.MupAttach(this, name);
    }

    /// <summary>The exception a submodule's multiplier throws when no µP model has attached to it.</summary>
    public static InvalidOperationException NotAttached(string module) => new(
        $"{module} uses a MupGen multiplier but no µP model has attached to it. Build it inside a model class marked with [Width] " +
        "whose constructor calls RegisterComponents() after creating its submodules (or call any Mup member of the model, such as MupInitialize, before forward).");

    private sealed record ForwardMultipliers(double Readout, double Residual);

    private ForwardMultipliers Forward => _forward ??= ComputeForward(_options);

    private ForwardMultipliers ComputeForward(MupOptions o)
    {
        var (p, alpha) = Resolve(o);
        if (p == MupParametrization.Standard)
            return new ForwardMultipliers(o.OutputMultiplier, 1.0);
        var b = Bound;
        double readout = o.OutputMultiplier / b.ReadoutMIn;
        double residual = alpha is { } a ? MupRules.ResidualMultiplier(b.ML, a) : 1.0;
        return new ForwardMultipliers(readout, residual);
    }

    private static void CheckOptimizerArgs(double lr, double weightDecay, double eps)
    {
        if (!double.IsFinite(lr) || lr <= 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "The learning rate must be positive and finite.");
        if (!double.IsFinite(weightDecay) || weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be non-negative and finite.");
        if (!double.IsFinite(eps) || eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Epsilon must be positive and finite.");
    }

    private sealed record Group(List<Parameter> Parameters, double Lr, double WeightDecay, double Eps);

    /// <summary>Adam (coupled weight decay) and AdamW scale lr, weight decay and eps alike.</summary>
    private List<Group> AdamGroups(MupOptions o, double lr, double weightDecay, double eps) =>
        Groups(o, s => (lr * s.AdamLr, weightDecay * s.AdamWeightDecay, eps * s.AdamEps));

    /// <summary>Parameters with equal (lr, weight decay, eps) share a group, in order of first appearance; a tensor
    /// shared by two names (weight tying) appears once.</summary>
    private List<Group> Groups(MupOptions o, Func<MupScales, (double Lr, double Wd, double Eps)> settings)
    {
        using var scope = torch.NewDisposeScope();
        var groups = new List<Group>();
        var index = new Dictionary<(double, double, double), Group>();
        foreach (var (plan, p) in DistinctParameters(o))
        {
            if (!p.requires_grad)
                continue;
            var s = settings(plan.Scales);
            if (!index.TryGetValue(s, out var g))
            {
                g = new Group(new List<Parameter>(), s.Lr, s.Wd, s.Eps);
                index.Add(s, g);
                groups.Add(g);
            }
            g.Parameters.Add(p);
        }
        return groups;
    }

    /// <summary>Each parameter tensor once (a tensor shared by two names, as in weight tying, under its first name),
    /// beside its plan row. Throws when the module's parameters no longer match what the binding first read.</summary>
    private IEnumerable<(PlanRow Plan, Parameter Parameter)> DistinctParameters(MupOptions o)
    {
        var rows = Plan(o);
        var named = _module.named_parameters().ToList();
        if (named.Count != rows.Count)
            throw Changed($"{rows.Count} parameters became {named.Count}");
        var seen = new HashSet<StorageKey>();
        for (int i = 0; i < named.Count; i++)
        {
            var (name, p) = named[i];
            if (rows[i].Bound.Name != name)
                throw Changed($"'{rows[i].Bound.Name}' is now '{name}'");
            if (seen.Add(StorageKey.Of(p)))
                yield return (rows[i], p);
        }
    }

    private InvalidOperationException Changed(string what) => new(
        $"The parameters of {Facts.ModelName} changed after MupGen first read them ({what}); create a new model instead of replacing layers.");

    private sealed record PlanRow(BoundParameter Bound, MupScales Scales, InitSpec Init);

    private List<PlanRow> Plan(MupOptions o)
    {
        var b = Bound;
        var (p, alpha) = Resolve(o);
        bool standard = p == MupParametrization.Standard;
        var rows = new List<PlanRow>(b.Parameters.Count);
        foreach (var bp in b.Parameters)
        {
            var scales = MupRules.Compute(p, bp.Role, bp.MIn, bp.MOut, b.MN, bp.InResidualBlock, bp.InResidualBlock ? b.ML : 1.0, alpha);
            rows.Add(new PlanRow(bp, scales, InitSpec.For(bp, o, standard, scales.InitStd)));
        }
        return rows;
    }

    /// <summary>Identity of a tensor's storage: tied parameters are distinct objects over one buffer.</summary>
    private readonly record struct StorageKey(IntPtr Pointer, long Offset, long Handle)
    {
        public static StorageKey Of(Tensor t)
        {
            IntPtr ptr = t.dtype switch
            {
                ScalarType.Float32 => t.storage<float>().data_ptr(),
                ScalarType.Float64 => t.storage<double>().data_ptr(),
                _ => IntPtr.Zero,
            };
            return ptr == IntPtr.Zero
                ? new StorageKey(IntPtr.Zero, 0, t.Handle.ToInt64())
                : new StorageKey(ptr, t.storage_offset(), 0);
        }
    }

    internal static string FormatShape(IEnumerable<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    internal static string FormatShape(IEnumerable<double> shape) =>
        "[" + string.Join(", ", shape.Select(d => Math.Round(d, 2).ToString("0.##", CultureInfo.InvariantCulture))) + "]";
}
