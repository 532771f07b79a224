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
/// <remarks>The shapes are read on first use and cached for the forward multipliers; every initialisation, optimizer
/// and describe call reads the parameter names, shapes and storage again (cheap) and re-evaluates the facts when they
/// changed, so a layer added or replaced after construction is seen (and refused when it has no rule).</remarks>
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

    private BoundModel Bound => _bound ?? Rebind(Read().Select(r => r.Read).ToList());

    private BoundModel Rebind(IReadOnlyList<ParameterRead> read)
    {
        _bound = BoundModel.Bind(_module, Facts, read);
        _forward = null;
        _attentionScales.Clear();
        AttachSubmodules();
        return _bound;
    }

    /// <summary>Names, shapes and storage sharing of the module's parameters as they are now.</summary>
    private List<(ParameterRead Read, Parameter Parameter)> Read()
    {
        using var scope = torch.NewDisposeScope();
        var first = new Dictionary<StorageKey, string>();
        var result = new List<(ParameterRead, Parameter)>();
        foreach (var (name, p) in _module.named_parameters())
        {
            var key = StorageKey.Of(p);
            string? tiedTo = first.TryGetValue(key, out var owner) ? owner : null;
            if (tiedTo is null)
                first.Add(key, name);
            result.Add((new ParameterRead(name, p.shape, tiedTo), p));
        }
        return result;
    }

    /// <summary>The binding for the parameters as they are now: read again, and re-evaluated when a parameter was
    /// added, removed, reshaped or (un)tied since the last read.</summary>
    private (BoundModel Bound, List<(ParameterRead Read, Parameter Parameter)> Parameters) Current()
    {
        var read = Read();
        var b = _bound;
        bool same = b is not null && b.Parameters.Count == read.Count;
        for (int i = 0; same && i < read.Count; i++)
            same = read[i].Read.SameAs(b!.Parameters[i]);
        return (same ? b! : Rebind(read.Select(r => r.Read).ToList()), read);
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
    /// <exception cref="InvalidOperationException">A parameter has no rule (see <see cref="MupOptions.AllowUnresolved"/>),
    /// or <see cref="MupOptions.BaseShapes"/> contradicts a compiled fact.</exception>
    public void Initialize(MupOptions? options)
    {
        var o = Use(options);
        var parameters = DistinctParameters(o, "MupInitialize");
        if (options is not null)
            Options = options;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (plan, p) in parameters)
            plan.Init.Apply(p);   // a tied tensor keeps the init of its first owner
    }

    /// <summary>See <see cref="IMupModel.MupDescribe"/>. Never refuses: unresolved parameters and disagreements with
    /// <see cref="MupOptions.BaseShapes"/> are listed (<see cref="MupParameter.Source"/>, <see cref="MupParameter.Note"/>).</summary>
    public IReadOnlyList<MupParameter> Describe(MupOptions? options)
    {
        var o = Use(options);
        var b = Current().Bound;
        return Plan(o, b).Rows.Select(r => new MupParameter(
            r.Bound.Name, r.Bound.Role, r.Bound.Shape, r.Bound.MIn, r.Bound.MOut, r.Bound.InResidualBlock ? b.ML : 1.0,
            r.Bound.InResidualBlock, r.Init.Std, r.Scales.AdamLr, r.Scales.SgdLr, r.Scales.AdamWeightDecay,
            r.Scales.SgdWeightDecay, r.Scales.AdamEps)
        {
            Init = r.InitText, Note = r.Bound.Note, Source = r.Bound.Source, TiedTo = r.Bound.TiedTo,
        }).ToList();
    }

    /// <summary>See <see cref="MupModelExtensions.MupVerify"/>.</summary>
    public IReadOnlyList<MupVerification> Verify(MupShapes shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        var b = Current().Bound;
        var result = new List<MupVerification>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var bp in b.Parameters)
        {
            names.Add(bp.Name);
            if (Compare(bp, shapes[bp.Name]) is { } v)
                result.Add(v);
        }
        foreach (var entry in shapes.Parameters)
            if (!names.Contains(entry.Name))
                result.Add(new MupVerification(entry.Name, "absent", "base shape " + entry,
                    $"the base shapes have a parameter '{entry.Name}' that {Facts.ModelName} does not: the shapes were read from another model (build the base and delta from this model's constructor)."));
        return result;
    }

    /// <summary>See <see cref="IMupModel.MupAdam"/>.</summary>
    public Adam Adam(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, MupOptions? options)
    {
        CheckOptimizerArgs(lr, weightDecay, eps);
        var groups = AdamGroups(Use(options), lr, weightDecay, eps, "MupAdam")
            .Select(g => new Adam.ParamGroup(g.Parameters, lr: g.Lr, beta1: beta1, beta2: beta2, eps: g.Eps, weight_decay: g.WeightDecay, amsgrad: amsgrad));
        return torch.optim.Adam(groups.ToList(), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    /// <summary>See <see cref="IMupModel.MupAdamW"/>.</summary>
    public AdamW AdamW(double lr, double weightDecay, double beta1, double beta2, double eps, bool amsgrad, MupOptions? options)
    {
        CheckOptimizerArgs(lr, weightDecay, eps);
        var groups = AdamGroups(Use(options), lr, weightDecay, eps, "MupAdamW")
            .Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.Lr, beta1: beta1, beta2: beta2, eps: g.Eps, weight_decay: g.WeightDecay, amsgrad: amsgrad));
        return torch.optim.AdamW(groups.ToList(), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    /// <summary>See <see cref="IMupModel.MupSGD"/>.</summary>
    public SGD SGD(double lr, double momentum, double weightDecay, double dampening, bool nesterov, MupOptions? options)
    {
        CheckOptimizerArgs(lr, weightDecay, 1);
        var groups = Groups(Use(options), s => (lr * s.SgdLr, weightDecay * s.SgdWeightDecay, 0), "MupSGD")
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
    /// <see cref="MupAttentionFact"/> of that module. Where the generator could not read the argument, or saw no call in
    /// that module, nothing is assumed: <see cref="MupOptions.BaseHeadDim"/> must give the head dimension at base width,
    /// else this throws an <see cref="InvalidOperationException"/> naming the module and the fix.
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
                : MupRules.AttentionScale(headDim, Bound.BaseHeadDim(key.Item1, headDim, _options.BaseHeadDim), _options.AttentionMultiplier, standard: false);
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
    private List<Group> AdamGroups(MupOptions o, double lr, double weightDecay, double eps, string member) =>
        Groups(o, s => (lr * s.AdamLr, weightDecay * s.AdamWeightDecay, eps * s.AdamEps), member);

    /// <summary>Parameters with equal (lr, weight decay, eps) share a group, in order of first appearance; a tensor
    /// shared by two names (weight tying) appears once.</summary>
    private List<Group> Groups(MupOptions o, Func<MupScales, (double Lr, double Wd, double Eps)> settings, string member)
    {
        var groups = new List<Group>();
        var index = new Dictionary<(double, double, double), Group>();
        foreach (var (plan, p) in DistinctParameters(o, member))
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
    /// beside its plan row, for the parameters as they are now. Refuses (see <see cref="Refuse"/>) before anything is
    /// touched.</summary>
    private List<(PlanRow Plan, Parameter Parameter)> DistinctParameters(MupOptions o, string member)
    {
        var (b, read) = Current();
        var plan = Plan(o, b);
        Refuse(o, plan, member);
        var result = new List<(PlanRow, Parameter)>(read.Count);
        for (int i = 0; i < read.Count; i++)
            if (read[i].Read.TiedTo is null)
                result.Add((plan.Rows[i], read[i].Parameter));
        return result;
    }

    /// <summary>One parameter's rule: its binding (compiled, or filled from the base shapes), its scales and its init.
    /// For a tied tensor's second owner, Scales and Init are its first owner's (what is applied to the tensor).</summary>
    private sealed record PlanRow(BoundParameter Bound, MupScales Scales, InitSpec Init, string InitText);

    private sealed record PlanResult(List<PlanRow> Rows, List<MupVerification> Conflicts);

    private PlanResult Plan(MupOptions o, BoundModel b)
    {
        var (p, alpha) = Resolve(o);
        bool standard = p == MupParametrization.Standard;
        var rows = new List<PlanRow>(b.Parameters.Count);
        var conflicts = new List<MupVerification>();
        var done = new Dictionary<string, PlanRow>(StringComparer.Ordinal);
        foreach (var compiled in b.Parameters)
        {
            var bp = compiled;
            if (o.BaseShapes is { } shapes)
            {
                if (bp.Source == MupRuleSource.Compiled)
                {
                    if (Compare(bp, shapes[bp.Name]) is { } conflict)
                    {
                        conflicts.Add(conflict);
                        bp = bp with { Note = "the base shapes disagree: " + conflict.Message };
                    }
                }
                else
                    bp = FromShapes(bp, shapes, done);
            }
            PlanRow row;
            if (bp.TiedTo is { } owner && done.TryGetValue(owner, out var first))
                row = new PlanRow(bp, first.Scales, first.Init, "tied to " + owner + ": " + first.InitText);
            else
            {
                var scales = MupRules.Compute(p, bp.Role, bp.MIn, bp.MOut, b.MN, bp.InResidualBlock, bp.InResidualBlock ? b.ML : 1.0, alpha);
                var init = InitSpec.For(bp, o, standard, scales.InitStd);
                row = new PlanRow(bp, scales, init, init.ToString());
            }
            rows.Add(row);
            done[bp.Name] = row;
        }
        return new PlanResult(rows, conflicts);
    }

    /// <summary>
    /// Strict mode: throws when the base shapes contradict a compiled fact, or when a parameter has no rule (no
    /// compiled fact, or role Unresolved, and not filled from the base shapes) unless the options allow it. Every
    /// such parameter is listed at once. The standard parametrization needs no rule, so it refuses nothing unresolved.
    /// </summary>
    private void Refuse(MupOptions o, PlanResult plan, string member)
    {
        if (plan.Conflicts.Count > 0)
            throw new InvalidOperationException(
                $"{Facts.ModelName}.{member} refuses: MupOptions.BaseShapes disagrees with the compiled facts of {Plural(plan.Conflicts.Count)}:\n" +
                string.Join("\n", plan.Conflicts.Select(c => $"  - {c.Name}: compiled {c.Compiled}; from shapes {c.FromShapes}. {c.Message}")) +
                "\nFix the role attribute of each layer named (or remove it, so the generator infers the role), or check that BaseShapes was read from this model at its base width and at another width (with every [Width] value varied).");
        if (o.AllowUnresolved || Resolve(o).P == MupParametrization.Standard)
            return;
        var unresolved = plan.Rows.Where(r => r.Bound.Role == MupRole.Unresolved).Select(r => r.Bound).ToList();
        if (unresolved.Count == 0)
            return;
        var lines = unresolved.Select(u => $"  - {u.Name}: {u.Note ?? "unresolved"}" + (u.Fact is null
            ? " [fix: BaseShapes, or AllowUnresolved]"
            : " [fix: a role attribute on its field, BaseShapes, or AllowUnresolved]"));
        throw new InvalidOperationException(
            $"{Facts.ModelName}.{member} refuses: {Count(unresolved.Count)} no µP rule, so {(unresolved.Count == 1 ? "it" : "they")} would silently keep the constructor init and the base hyperparameters:\n" +
            string.Join("\n", lines) + "\n" +
            "Fixes: (1) where the generator saw the layer (role Unresolved), give its field a role attribute ([HiddenLayer], [InputLayer], [ReadoutLayer] or [WidthInvariant]); " +
            "(2) let mup's shape method fill them: MupOptions.BaseShapes = MupShapes.Of(new Model(base width), new Model(another width)); " +
            "(3) set MupOptions.AllowUnresolved = true to keep them on their constructor init and the base hyperparameters knowingly. " +
            "MupDescribe lists every parameter with its rule and its source.");
    }

    private static string Plural(int n) => n == 1 ? "1 parameter" : n.ToString(CultureInfo.InvariantCulture) + " parameters";

    private static string Count(int n) => n == 1 ? "1 parameter has" : n.ToString(CultureInfo.InvariantCulture) + " parameters have";

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
