// The one table of TorchSharp 0.107 layer facts that the generator's parser, the analyzers and the runtime read.
// Source-only: linked into generators/MupGen.Generators, analyzers/MupGen.Analyzers (netstandard2.0, C# latest) and
// src/MupGen (net10.0), so it uses only plain sealed classes, enums and arrays (no records, no newer BCL APIs).
//
// Every fact here was read from TorchSharp 0.107's src/TorchSharp/NN/* (factory signatures, parameter registration,
// reset_parameters) and from libtorch's C++ modules for the native ones (Embedding, EmbeddingBag,
// MultiheadAttention, Transformer*, LSTM/GRU/RNN and their cells), and is checked entry by entry against the real
// modules in tests/MupGen.Tests/LayerCatalogTests.cs (names in named_parameters order, shapes at a base size and at
// 8x the width, measured default-init std).
#nullable enable

using System;
using System.Collections.Generic;

namespace MupGen.Catalog
{
    /// <summary>
    /// The layer kinds the catalog describes. Ordinals equal <c>MupGen.MupLayerKind</c> (runtime, public) and the
    /// generator's mirror <c>LayerKind</c>: the first six are the historical values, new kinds are appended. A test
    /// checks that the three enums agree name by name.
    /// </summary>
    internal enum CatalogKind
    {
        Linear, Embedding, LayerNorm, Conv1d, Conv2d, Other,
        Bilinear, EmbeddingBag, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
        GroupNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d,
        PReLU, MultiheadAttention,
        TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder, Transformer,
        LSTM, GRU, RNN, LSTMCell, GRUCell, RNNCell,
        /// <summary>A <c>Parameter(...)</c> field or <c>register_parameter</c>: its shape is its tensor factory's.</summary>
        Parameter,
    }

    /// <summary>One parameter of a TorchSharp factory method, as declared in C# (name, position, default).</summary>
    internal sealed class CatalogArgument
    {
        public CatalogArgument(string name, int position, string type, object? defaultValue = null, bool required = false)
        {
            Name = name;
            Position = position;
            Type = type;
            Default = defaultValue;
            Required = required;
        }

        /// <summary>The C# parameter name (<c>inputSize</c>, <c>in_channels</c>, <c>embedded_dim</c>).</summary>
        public string Name { get; }
        /// <summary>Zero-based position in the primary overload.</summary>
        public int Position { get; }
        /// <summary>C# type as written (<c>long</c>, <c>long?</c>, <c>bool</c>, <c>long[]</c>, <c>(long, long)</c>).</summary>
        public string Type { get; }
        /// <summary>The default value (a <see cref="long"/>, <see cref="bool"/> or null) when not required.</summary>
        public object? Default { get; }
        public bool Required { get; }
    }

    /// <summary>
    /// One dimension of a tensor as a function of the factory's arguments:
    /// <c>Coefficient × Π Times / Π Over</c>, times 2 when the bool argument <see cref="DoubledBy"/> is true
    /// (an RNN layer after the first reads <c>hiddenSize × directions</c>). When <see cref="Element"/> ≥ 0 the
    /// single factor in <see cref="Times"/> is a kernel-like argument that is either a scalar (every spatial dim
    /// the same) or a tuple (its item <see cref="Element"/>). When the single factor is null or not given,
    /// <see cref="OrElse"/> is used instead (MultiheadAttention's <c>kdim ?? embedded_dim</c>).
    /// </summary>
    internal sealed class CatalogDim
    {
        public CatalogDim(long coefficient, string[] times, string[]? over = null, string? doubledBy = null, int element = -1, string? orElse = null)
        {
            Coefficient = coefficient;
            Times = times;
            Over = over ?? Array.Empty<string>();
            DoubledBy = doubledBy;
            Element = element;
            OrElse = orElse;
        }

        public long Coefficient { get; }
        public string[] Times { get; }
        public string[] Over { get; }
        public string? DoubledBy { get; }
        public int Element { get; }
        public string? OrElse { get; }

        /// <summary>True for a kernel dimension (never scales with width in practice, but read from the arguments).</summary>
        public bool IsKernel => Element >= 0;

        public static CatalogDim Arg(string name) => new CatalogDim(1, new[] { name });
        public static CatalogDim Times2(long coefficient, string name) => new CatalogDim(coefficient, new[] { name });
        public static CatalogDim Ratio(string name, string over) => new CatalogDim(1, new[] { name }, new[] { over });
        public static CatalogDim Kernel(string name, int element) => new CatalogDim(1, new[] { name }, element: element);
        public static CatalogDim One { get; } = new CatalogDim(1, Array.Empty<string>());

        /// <summary>Evaluates the dimension; <paramref name="value"/> returns an argument's value (null when the
        /// argument is null or absent; its default must be applied by the caller). Tuples are not handled here.</summary>
        public long Evaluate(Func<string, long?> value, Func<string, bool> flag)
        {
            long result = Coefficient;
            foreach (var t in Times)
            {
                var v = value(t) ?? (OrElse is { } alt ? value(alt) : null)
                    ?? throw new ArgumentException("argument '" + t + "' has no value");
                result *= v;
            }
            foreach (var o in Over)
                result /= value(o) ?? throw new ArgumentException("argument '" + o + "' has no value");
            if (DoubledBy is { } d && flag(d))
                result *= 2;
            return result;
        }

        public override string ToString()
        {
            var s = Coefficient == 1 && Times.Length > 0 ? "" : Coefficient.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var t in Times)
                s += (s.Length > 0 ? "*" : "") + t + (Element >= 0 ? "[" + Element.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]" : "") + (OrElse is { } e ? "??" + e : "");
            foreach (var o in Over)
                s += "/" + o;
            if (DoubledBy is { } d)
                s += "*(" + d + "?2:1)";
            return s;
        }
    }

    /// <summary>What must hold for a tensor to exist.</summary>
    internal enum CatalogConditionKind
    {
        /// <summary>The bool argument is true (its default applies when absent): <c>hasBias</c>, <c>affine</c>.</summary>
        IsTrue,
        /// <summary>MultiheadAttention: <c>kdim</c> and <c>vdim</c> are null or equal <c>embedded_dim</c> (packed in_proj).</summary>
        QkvSameDim,
        /// <summary>MultiheadAttention: <c>kdim</c> or <c>vdim</c> differs from <c>embedded_dim</c> (separate q/k/v weights).</summary>
        QkvDifferentDim,
    }

    internal sealed class CatalogCondition
    {
        public CatalogCondition(CatalogConditionKind kind, string? argument = null)
        {
            Kind = kind;
            Argument = argument;
        }

        public CatalogConditionKind Kind { get; }
        public string? Argument { get; }

        public static CatalogCondition True(string argument) => new CatalogCondition(CatalogConditionKind.IsTrue, argument);

        public override string ToString() => Kind == CatalogConditionKind.IsTrue ? Argument! : Kind.ToString();
    }

    /// <summary>How TorchSharp draws a tensor at construction.</summary>
    internal enum CatalogInitKind
    {
        /// <summary>U(−b, b) with b from <see cref="CatalogInit"/>'s formula; std = b / sqrt(3).</summary>
        Uniform,
        /// <summary>N(0, s²) with s from the formula.</summary>
        Normal,
        Ones,
        Zeros,
        /// <summary>Filled with a constant read from an argument (<c>PReLU(init: 0.25)</c>).</summary>
        Constant,
        /// <summary>No closed form: the constructor leaves the tensor as allocated (<c>torch.empty</c>), see the note.</summary>
        Uninitialized,
        /// <summary>A <c>Parameter</c>: whatever its tensor factory drew (ones, zeros, randn...).</summary>
        FromFactory,
    }

    /// <summary>Which fan the scale divides by.</summary>
    internal enum CatalogFan
    {
        /// <summary>Scale = Gain.</summary>
        None,
        /// <summary>Scale = Gain / sqrt(fan_in) (kaiming_uniform with a = sqrt(5) gives Gain 1 for the bound).</summary>
        FanIn,
        /// <summary>Scale = Gain / sqrt(fan_in + fan_out) (xavier_uniform: Gain sqrt(6) for the bound; xavier_normal: sqrt(2)).</summary>
        FanInPlusFanOut,
    }

    /// <summary>
    /// A default init in closed form: Kind with scale (bound for Uniform, std for Normal) =
    /// Gain / sqrt(fan), where fan_in = Π shape[FanInDims] / Divisor and fan_out = Π shape[FanOutDims] / Divisor,
    /// read from the tensor itself or, when <see cref="FromTensor"/> is set, from that sibling tensor of the same
    /// layer (a bias takes its weight's fan_in). These are TorchSharp's init fans (torch.nn.init's
    /// CalculateFanInAndFanOut: fan_in = dim 1 × receptive field, fan_out = dim 0 × receptive field), which are not
    /// always the µP fans (ConvTranspose).
    /// </summary>
    internal sealed class CatalogInit
    {
        public CatalogInit(CatalogInitKind kind, double gain = 0, CatalogFan fan = CatalogFan.None, int[]? fanInDims = null,
            int[]? fanOutDims = null, long divisor = 1, string? fromTensor = null, string? constantArgument = null, string? note = null,
            CatalogInit? intended = null)
        {
            Intended = intended;
            Kind = kind;
            Gain = gain;
            Fan = fan;
            FanInDims = fanInDims ?? Array.Empty<int>();
            FanOutDims = fanOutDims ?? Array.Empty<int>();
            Divisor = divisor;
            FromTensor = fromTensor;
            ConstantArgument = constantArgument;
            Note = note;
        }

        public CatalogInitKind Kind { get; }
        public double Gain { get; }
        public CatalogFan Fan { get; }
        public int[] FanInDims { get; }
        public int[] FanOutDims { get; }
        public long Divisor { get; }
        public string? FromTensor { get; }
        public string? ConstantArgument { get; }
        public string? Note { get; }
        /// <summary>For <see cref="CatalogInitKind.Uninitialized"/>: the init PyTorch gives the same layer, which
        /// MupInitialize draws instead of keeping uninitialized memory.</summary>
        public CatalogInit? Intended { get; }

        /// <summary>True when the init is a known distribution or constant of the shape (not Uninitialized / FromFactory).</summary>
        public bool IsClosedForm => Kind != CatalogInitKind.Uninitialized && Kind != CatalogInitKind.FromFactory;

        /// <summary>The bound (Uniform) or std (Normal) at the given shape; <paramref name="source"/> is the shape
        /// of <see cref="FromTensor"/> when set, else the tensor's own. 0 for constants.</summary>
        public double Scale(IReadOnlyList<double> source)
        {
            switch (Fan)
            {
                case CatalogFan.FanIn:
                {
                    var fanIn = Product(FanInDims, source) / Divisor;
                    return fanIn > 0 ? Gain / Math.Sqrt(fanIn) : 0.0;
                }
                case CatalogFan.FanInPlusFanOut:
                {
                    var sum = (Product(FanInDims, source) + Product(FanOutDims, source)) / Divisor;
                    return sum > 0 ? Gain / Math.Sqrt(sum) : 0.0;
                }
                default:
                    return Kind is CatalogInitKind.Uniform or CatalogInitKind.Normal ? Gain : 0.0;
            }
        }

        /// <summary>The std of the draw at the given shape (0 for constants, NaN when not closed form).</summary>
        public double Std(IReadOnlyList<double> source)
        {
            switch (Kind)
            {
                case CatalogInitKind.Uniform: return Scale(source) / Math.Sqrt(3.0);
                case CatalogInitKind.Normal: return Scale(source);
                case CatalogInitKind.Ones:
                case CatalogInitKind.Zeros:
                case CatalogInitKind.Constant: return 0.0;
                default: return double.NaN;
            }
        }

        private static double Product(int[] dims, IReadOnlyList<double> shape)
        {
            double p = 1.0;
            foreach (var d in dims)
                p *= d < shape.Count ? shape[d] : 1.0;
            return p;
        }

        public override string ToString() => Kind switch
        {
            CatalogInitKind.Uniform or CatalogInitKind.Normal => Kind + "(" + Gain.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) + ", " + Fan + ")",
            _ => Kind.ToString(),
        };
    }

    /// <summary>Which layers of a recurrent stack a tensor template covers.</summary>
    internal enum CatalogLayers
    {
        /// <summary>Not a recurrent stack: one tensor.</summary>
        Single,
        /// <summary>Every layer k of <c>numLayers</c> (name has <c>{layer}</c>).</summary>
        All,
        /// <summary>Layer 0 only.</summary>
        First,
        /// <summary>Layers 1..numLayers-1 (input size is hiddenSize × directions).</summary>
        Later,
    }

    /// <summary>
    /// One parameter tensor a layer registers. <see cref="Name"/> is its name relative to the layer, in
    /// named_parameters form; placeholders: <c>{layer}</c> (recurrent layer index), <c>{direction}</c> ("" or
    /// "_reverse" when <c>bidirectional</c>), <c>{index}</c> (item of a cloned stack, see
    /// <see cref="CatalogEntry.Stacks"/>).
    /// </summary>
    internal sealed class CatalogTensor
    {
        public CatalogTensor(string name, CatalogDim[] dims, int[] fanOut, int[] fanIn, CatalogInit init,
            CatalogCondition[]? conditions = null, CatalogLayers layers = CatalogLayers.Single, bool perDirection = false, string? note = null)
        {
            Name = name;
            Dims = dims;
            FanOut = fanOut;
            FanIn = fanIn;
            Init = init;
            Conditions = conditions ?? Array.Empty<CatalogCondition>();
            Layers = layers;
            PerDirection = perDirection;
            Note = note;
        }

        public string Name { get; }
        /// <summary>Dimensions in order (kernel dims already expanded per spatial dim).</summary>
        public CatalogDim[] Dims { get; }
        /// <summary>µP fan_out dims of a matrix-like weight (empty for vector-like tensors).</summary>
        public int[] FanOut { get; }
        /// <summary>µP fan_in dims of a matrix-like weight (empty for vector-like tensors). Their product is fan_in.</summary>
        public int[] FanIn { get; }
        /// <summary>True when the tensor has a fan_in and a fan_out (a weight matrix); else vector-like.</summary>
        public bool IsMatrix => FanOut.Length > 0 && FanIn.Length > 0;
        public CatalogInit Init { get; }
        /// <summary>All must hold for the tensor to exist.</summary>
        public CatalogCondition[] Conditions { get; }
        public CatalogLayers Layers { get; }
        public bool PerDirection { get; }
        public string? Note { get; }

        internal CatalogTensor With(string name, CatalogDim[] dims, CatalogCondition[] conditions, CatalogInit init) =>
            new CatalogTensor(name, dims, FanOut, FanIn, init, conditions, Layers, PerDirection, Note);

        /// <summary>True when <paramref name="name"/> (relative to the layer) is an instance of this template:
        /// <c>{layer}</c> and <c>{index}</c> match digits or <c>*</c>, <c>{direction}</c> "" or "_reverse".</summary>
        public bool Matches(string name) => Match(Name, 0, name, 0, Layers);

        private static bool Match(string pattern, int p, string name, int n, CatalogLayers layers)
        {
            while (p < pattern.Length)
            {
                if (pattern[p] == '{')
                {
                    int close = pattern.IndexOf('}', p);
                    var hole = pattern.Substring(p + 1, close - p - 1);
                    p = close + 1;
                    if (hole == "direction")
                        return Match(pattern, p, name, n, layers)
                            || (string.CompareOrdinal(name, n, "_reverse", 0, 8) == 0 && Match(pattern, p, name, n + 8, layers));
                    if (n < name.Length && name[n] == '*')
                    {
                        n++;
                        continue;
                    }
                    int start = n;
                    while (n < name.Length && name[n] >= '0' && name[n] <= '9')
                        n++;
                    if (n == start)
                        return false;
                    // weight_ih_l0 and weight_ih_l{k > 0} have different input sizes: two templates.
                    if (hole == "layer" && layers == CatalogLayers.First && name.Substring(start, n - start) != "0")
                        return false;
                    if (hole == "layer" && layers == CatalogLayers.Later && name.Substring(start, n - start) == "0")
                        return false;
                    continue;
                }
                if (n >= name.Length || name[n] != pattern[p])
                    return false;
                p++;
                n++;
            }
            return n == name.Length;
        }

        public override string ToString() => Name + " [" + string.Join(", ", Array.ConvertAll(Dims, d => d.ToString())) + "]";
    }

    /// <summary>A stack of cloned layers: <c>{index}</c> in tensor names runs over 0..Count-1.</summary>
    internal sealed class CatalogStack
    {
        public CatalogStack(string prefix, string countArgument)
        {
            Prefix = prefix;
            CountArgument = countArgument;
        }

        /// <summary>The name prefix the index follows (<c>layers.</c>, <c>encoder.layers.</c>).</summary>
        public string Prefix { get; }
        public string CountArgument { get; }
    }

    /// <summary>One TorchSharp layer: factory, type, arguments and the tensors it registers.</summary>
    internal sealed class CatalogEntry
    {
        public CatalogEntry(CatalogKind kind, string factory, CatalogArgument[] arguments, CatalogTensor[] tensors,
            CatalogDim? headDim = null, CatalogStack[]? stacks = null, string? layerArgument = null, string? note = null,
            string? typeName = null)
        {
            Kind = kind;
            Factory = factory;
            TypeName = typeName ?? "TorchSharp.Modules." + factory;
            Arguments = arguments;
            Tensors = tensors;
            HeadDim = headDim;
            Stacks = stacks ?? Array.Empty<CatalogStack>();
            LayerArgument = layerArgument;
            Note = note;
        }

        public CatalogKind Kind { get; }
        /// <summary>The factory method's name in <c>TorchSharp.torch.nn</c> (<c>Linear</c>, <c>MultiheadAttention</c>).</summary>
        public string Factory { get; }
        /// <summary>The module's full type name (<c>TorchSharp.Modules.Linear</c>).</summary>
        public string TypeName { get; }
        /// <summary>The primary overload's parameters that matter for shapes and existence.</summary>
        public CatalogArgument[] Arguments { get; }
        /// <summary>Parameter tensors in TorchSharp's named_parameters order (templates; conditions decide which exist).</summary>
        public CatalogTensor[] Tensors { get; }
        /// <summary>The attention head dimension (<c>embedded_dim / num_heads</c>) for layers whose forward scales
        /// scores by 1/sqrt(head dim) internally; null for other layers.</summary>
        public CatalogDim? HeadDim { get; }
        public CatalogStack[] Stacks { get; }
        /// <summary>TransformerEncoder/Decoder: the argument that passes the layer to clone (its facts come from that
        /// layer's construction; <see cref="Tensors"/> here use the default-sized layer's argument names).</summary>
        public string? LayerArgument { get; }
        public string? Note { get; }

        public CatalogArgument? Argument(string name)
        {
            foreach (var a in Arguments)
                if (a.Name == name)
                    return a;
            return null;
        }

        /// <summary>The tensor template whose name matches <paramref name="name"/> (relative to the layer).</summary>
        public CatalogTensor? Tensor(string name)
        {
            foreach (var t in Tensors)
                if (t.Matches(name))
                    return t;
            return null;
        }

        /// <summary>
        /// The tensors a call with these arguments registers, in named_parameters order, with their concrete names
        /// and shapes. <paramref name="argument"/> returns an argument's value: a <see cref="long"/>, a
        /// <see cref="bool"/>, a <c>long[]</c> (a tuple kernel size or a normalized_shape array) or null when the
        /// argument is null or not given (the entry's default applies). Throws when a required argument is missing.
        /// </summary>
        public IReadOnlyList<CatalogInstance> Instantiate(Func<string, object?> argument)
        {
            object? Value(string name) => argument(name) ?? Argument(name)?.Default;
            long? Long(string name) => Value(name) switch { long l => l, int i => i, _ => null };
            bool Flag(string name) => Value(name) is true;

            bool Holds(CatalogCondition c)
            {
                long? embed = Long("embedded_dim"), k = Long("kdim") ?? embed, v = Long("vdim") ?? embed;
                bool same = k == embed && v == embed;
                return c.Kind switch
                {
                    CatalogConditionKind.IsTrue => Flag(c.Argument!),
                    CatalogConditionKind.QkvSameDim => same,
                    _ => !same,
                };
            }

            long[] Shape(CatalogTensor t)
            {
                var shape = new List<long>();
                foreach (var d in t.Dims)
                {
                    if (d.Times.Length == 1 && Value(d.Times[0]) is long[] items)
                    {
                        if (d.Element >= 0)
                            shape.Add(items[d.Element]);
                        else
                            shape.AddRange(items);
                        continue;
                    }
                    shape.Add(d.Evaluate(Long, Flag));
                }
                return shape.ToArray();
            }

            var result = new List<CatalogInstance>();
            int stackCount(string prefix)
            {
                foreach (var s in Stacks)
                    if (prefix.StartsWith(s.Prefix, StringComparison.Ordinal))
                        return (int)(Long(s.CountArgument) ?? throw new ArgumentException("argument '" + s.CountArgument + "' has no value"));
                return 1;
            }

            // Stacks: group templates by their stack prefix, in template order, and repeat each group per index.
            int i = 0;
            while (i < Tensors.Length)
            {
                var t = Tensors[i];
                int hole = t.Name.IndexOf("{index}", StringComparison.Ordinal);
                if (hole < 0)
                {
                    if (t.Layers == CatalogLayers.Single)
                    {
                        if (Array.TrueForAll(t.Conditions, Holds))
                            result.Add(new CatalogInstance(t.Name, Shape(t), t));
                        i++;
                        continue;
                    }
                    // A recurrent stack: every template of the entry is one; order by layer, direction, template.
                    long layers = Long("numLayers") ?? 1;
                    bool bidirectional = Flag("bidirectional");
                    for (long layer = 0; layer < layers; layer++)
                        foreach (var direction in bidirectional ? new[] { "", "_reverse" } : new[] { "" })
                            foreach (var r in Tensors)
                            {
                                if (r.Layers == CatalogLayers.First && layer != 0) continue;
                                if (r.Layers == CatalogLayers.Later && layer == 0) continue;
                                if (!Array.TrueForAll(r.Conditions, Holds)) continue;
                                var name = r.Name.Replace("{layer}", layer.ToString(System.Globalization.CultureInfo.InvariantCulture))
                                                 .Replace("{direction}", direction);
                                result.Add(new CatalogInstance(name, Shape(r), r));
                            }
                    break;
                }
                var prefix = t.Name.Substring(0, hole);
                int end = i;
                while (end < Tensors.Length && Tensors[end].Name.StartsWith(prefix + "{index}", StringComparison.Ordinal))
                    end++;
                int count = stackCount(prefix);
                for (int index = 0; index < count; index++)
                    for (int j = i; j < end; j++)
                        if (Array.TrueForAll(Tensors[j].Conditions, Holds))
                            result.Add(new CatalogInstance(Tensors[j].Name.Replace("{index}", index.ToString(System.Globalization.CultureInfo.InvariantCulture)), Shape(Tensors[j]), Tensors[j]));
                i = end;
            }
            return result;
        }

        /// <summary>The template a tensor's <see cref="CatalogInit.FromTensor"/> names, with the concrete tensor's
        /// placeholders (recurrent layer index, direction, stack index) carried over: in
        /// <c>layers.3.linear1.bias</c> the weight is <c>layers.3.linear1.weight</c>.</summary>
        public static string SiblingName(string concreteName, string templateName, string siblingTemplate)
        {
            // Both templates share their prefix up to the last '.'; the sibling is the concrete prefix + its last part.
            int dot = concreteName.LastIndexOf('.');
            int sdot = siblingTemplate.LastIndexOf('.');
            return (dot < 0 ? "" : concreteName.Substring(0, dot + 1)) + siblingTemplate.Substring(sdot + 1);
        }
    }

    /// <summary>One concrete tensor of a layer call: its name relative to the layer, its shape, its template.</summary>
    internal sealed class CatalogInstance
    {
        public CatalogInstance(string name, long[] shape, CatalogTensor template)
        {
            Name = name;
            Shape = shape;
            Template = template;
        }

        public string Name { get; }
        public long[] Shape { get; }
        public CatalogTensor Template { get; }

        public override string ToString() => Name + " [" + string.Join(", ", Shape) + "]";
    }

    /// <summary>The catalog: every TorchSharp 0.107 layer with parameters.</summary>
    internal static class LayerCatalog
    {
        private static readonly double Sqrt6 = Math.Sqrt(6.0);
        private static readonly double Sqrt2 = Math.Sqrt(2.0);

        private static readonly int[] None = Array.Empty<int>();
        private static readonly int[] D0 = { 0 };
        private static readonly int[] D1 = { 1 };

        private static int[] Range(int from, int toExclusive)
        {
            var r = new int[Math.Max(0, toExclusive - from)];
            for (int i = 0; i < r.Length; i++)
                r[i] = from + i;
            return r;
        }

        private static CatalogArgument A(string name, int position, string type, object? def) => new CatalogArgument(name, position, type, def);
        private static CatalogArgument R(string name, int position, string type) => new CatalogArgument(name, position, type, null, required: true);
        private static CatalogCondition[] If(params string[] flags) => Array.ConvertAll(flags, CatalogCondition.True);

        // Inits as TorchSharp / libtorch draw them.
        /// <summary>kaiming_uniform_(a = sqrt(5)) on a weight: U(±1/sqrt(fan_in)), fan_in = Π dims 1.. (torch's receptive field).</summary>
        private static CatalogInit KaimingWeight(int rank) => new CatalogInit(CatalogInitKind.Uniform, 1.0, CatalogFan.FanIn, Range(1, rank));
        /// <summary>A bias drawn U(±1/sqrt(fan_in of its weight)).</summary>
        private static CatalogInit KaimingBias(int weightRank, string weight = "weight") => new CatalogInit(CatalogInitKind.Uniform, 1.0, CatalogFan.FanIn, Range(1, weightRank), fromTensor: weight);
        private static CatalogInit XavierUniform(int rank) => new CatalogInit(CatalogInitKind.Uniform, Sqrt6, CatalogFan.FanInPlusFanOut, Range(1, rank), JoinDims(0, rank));
        private static CatalogInit XavierNormal(int rank) => new CatalogInit(CatalogInitKind.Normal, Sqrt2, CatalogFan.FanInPlusFanOut, Range(1, rank), JoinDims(0, rank));
        private static readonly CatalogInit StandardNormal = new CatalogInit(CatalogInitKind.Normal, 1.0);
        private static readonly CatalogInit Ones = new CatalogInit(CatalogInitKind.Ones);
        private static readonly CatalogInit Zeros = new CatalogInit(CatalogInitKind.Zeros);

        /// <summary>fan_out dims for torch's init fans: dim 0 and the receptive field (dims 2..).</summary>
        private static int[] JoinDims(int first, int rank)
        {
            var r = new List<int> { first };
            for (int i = 2; i < rank; i++)
                r.Add(i);
            return r.ToArray();
        }

        // ---- Linear, Bilinear -------------------------------------------------------------------------------------
        private static CatalogEntry Linear() => new CatalogEntry(CatalogKind.Linear, "Linear",
            new[] { R("inputSize", 0, "long"), R("outputSize", 1, "long"), A("hasBias", 2, "bool", true) },
            new[]
            {
                new CatalogTensor("weight", new[] { CatalogDim.Arg("outputSize"), CatalogDim.Arg("inputSize") }, D0, D1, KaimingWeight(2)),
                new CatalogTensor("bias", new[] { CatalogDim.Arg("outputSize") }, None, None, KaimingBias(2), If("hasBias")),
            });

        private static CatalogEntry Bilinear() => new CatalogEntry(CatalogKind.Bilinear, "Bilinear",
            new[] { R("in1_features", 0, "long"), R("in2_features", 1, "long"), R("out_features", 2, "long"), A("hasBias", 3, "bool", true) },
            new[]
            {
                // TorchSharp draws both U(±1/sqrt(in1_features)): weight.shape[1] only, not in1 × in2.
                new CatalogTensor("weight", new[] { CatalogDim.Arg("out_features"), CatalogDim.Arg("in1_features"), CatalogDim.Arg("in2_features") },
                    D0, new[] { 1, 2 }, new CatalogInit(CatalogInitKind.Uniform, 1.0, CatalogFan.FanIn, D1),
                    note: "µP fan_in is in1 × in2; mup's shape method reads dim 1 (in1) only, which differs when only in2 scales"),
                new CatalogTensor("bias", new[] { CatalogDim.Arg("out_features") }, None, None,
                    new CatalogInit(CatalogInitKind.Uniform, 1.0, CatalogFan.FanIn, D1, fromTensor: "weight"), If("hasBias")),
            });

        // ---- Embeddings ---------------------------------------------------------------------------------------------
        private static CatalogEntry Embedding() => new CatalogEntry(CatalogKind.Embedding, "Embedding",
            new[] { R("num_embeddings", 0, "long"), R("embedding_dims", 1, "long"), A("padding_idx", 2, "long?", null) },
            new[]
            {
                // µP reads an embedding as (fan_in = vocabulary, fan_out = width).
                new CatalogTensor("weight", new[] { CatalogDim.Arg("num_embeddings"), CatalogDim.Arg("embedding_dims") }, D1, D0, StandardNormal,
                    note: "N(0, 1); with padding_idx that row is zero"),
            });

        private static CatalogEntry EmbeddingBag() => new CatalogEntry(CatalogKind.EmbeddingBag, "EmbeddingBag",
            new[] { R("num_embeddings", 0, "long"), R("embedding_dims", 1, "long") },
            new[]
            {
                new CatalogTensor("weight", new[] { CatalogDim.Arg("num_embeddings"), CatalogDim.Arg("embedding_dims") }, D1, D0, StandardNormal),
            });

        // ---- Convolutions -------------------------------------------------------------------------------------------
        private static CatalogArgument[] ConvArgs(bool transposed) => transposed
            ? new[] { R("in_channels", 0, "long"), R("out_channels", 1, "long"), R("kernel_size", 2, "long"), A("groups", 8, "long", 1L), A("bias", 9, "bool", true) }
            : new[] { R("in_channels", 0, "long"), R("out_channels", 1, "long"), R("kernel_size", 2, "long"), A("groups", 7, "long", 1L), A("bias", 8, "bool", true) };

        private static CatalogDim[] WithKernel(CatalogDim first, CatalogDim second, int spatial)
        {
            var dims = new CatalogDim[2 + spatial];
            dims[0] = first;
            dims[1] = second;
            for (int i = 0; i < spatial; i++)
                dims[2 + i] = CatalogDim.Kernel("kernel_size", i);
            return dims;
        }

        private static CatalogEntry Conv(CatalogKind kind, string factory, int spatial) => new CatalogEntry(kind, factory,
            ConvArgs(false),
            new[]
            {
                // (out, in/groups, k...): a depthwise weight (C, 1, k...) has a fixed fan_in, so it is vector-like.
                new CatalogTensor("weight", WithKernel(CatalogDim.Arg("out_channels"), CatalogDim.Ratio("in_channels", "groups"), spatial),
                    D0, Range(1, 2 + spatial), KaimingWeight(2 + spatial)),
                new CatalogTensor("bias", new[] { CatalogDim.Arg("out_channels") }, None, None, KaimingBias(2 + spatial), If("bias")),
            },
            note: "kernel_size, stride, padding and dilation may be a scalar or a tuple ((long, long) for 2d); overloads with Padding move padding to position 3");

        private static CatalogEntry ConvTranspose(CatalogKind kind, string factory, int spatial) => new CatalogEntry(kind, factory,
            ConvArgs(true),
            new[]
            {
                // (in, out/groups, k...): the map goes in → out, so µP's fan_in is dim 0 (× kernel) and fan_out dim 1;
                // TorchSharp's kaiming init reads fan_in from dim 1 × kernel (as PyTorch does).
                new CatalogTensor("weight", WithKernel(CatalogDim.Arg("in_channels"), CatalogDim.Ratio("out_channels", "groups"), spatial),
                    D1, JoinDims(0, 2 + spatial), KaimingWeight(2 + spatial),
                    note: "µP fans: fan_in = in_channels (dim 0), fan_out = out_channels/groups (dim 1); the default init's fan_in is dim 1 × kernel"),
                new CatalogTensor("bias", new[] { CatalogDim.Arg("out_channels") }, None, None, KaimingBias(2 + spatial), If("bias")),
            });

        // ---- Normalization ------------------------------------------------------------------------------------------
        private static CatalogEntry LayerNorm() => new CatalogEntry(CatalogKind.LayerNorm, "LayerNorm",
            new[] { R("normalized_shape", 0, "long[]"), A("elementwise_affine", 2, "bool", true), A("bias", 3, "bool", true) },
            new[]
            {
                // normalized_shape is a long or a long[]: one dim per item (Element -1 means "every item, in order").
                new CatalogTensor("weight", new[] { CatalogDim.Arg("normalized_shape") }, None, None, Ones, If("elementwise_affine")),
                new CatalogTensor("bias", new[] { CatalogDim.Arg("normalized_shape") }, None, None, Zeros, If("elementwise_affine", "bias")),
            },
            note: "normalized_shape as long[] gives one dimension per item; the tensors' Dims list stands for all of them");

        private static CatalogEntry GroupNorm() => new CatalogEntry(CatalogKind.GroupNorm, "GroupNorm",
            new[] { R("num_groups", 0, "long"), R("num_channels", 1, "long"), A("affine", 3, "bool", true) },
            new[]
            {
                new CatalogTensor("weight", new[] { CatalogDim.Arg("num_channels") }, None, None,
                    new CatalogInit(CatalogInitKind.Uninitialized, note: "TorchSharp 0.107's GroupNorm allocates weight with torch.empty and never resets it (PyTorch: ones)", intended: Ones),
                    If("affine")),
                new CatalogTensor("bias", new[] { CatalogDim.Arg("num_channels") }, None, None,
                    new CatalogInit(CatalogInitKind.Uninitialized, note: "TorchSharp 0.107's GroupNorm allocates bias with torch.empty and never resets it (PyTorch: zeros)", intended: Zeros),
                    If("affine")),
            },
            note: "constructor init not in closed form (uninitialized memory); MupInitialize draws PyTorch's ones / zeros");

        private static CatalogEntry Norm(CatalogKind kind, string factory, bool affineDefault) => new CatalogEntry(kind, factory,
            new[] { R("num_features", 0, "long"), A("affine", 3, "bool", affineDefault), A("track_running_stats", 4, "bool", affineDefault) },
            new[]
            {
                new CatalogTensor("weight", new[] { CatalogDim.Arg("num_features") }, None, None, Ones, If("affine")),
                new CatalogTensor("bias", new[] { CatalogDim.Arg("num_features") }, None, None, Zeros, If("affine")),
            },
            note: "running_mean / running_var / num_batches_tracked are buffers, not parameters");

        // ---- Activations with parameters ----------------------------------------------------------------------------
        private static CatalogEntry PReLU() => new CatalogEntry(CatalogKind.PReLU, "PReLU",
            new[] { R("num_parameters", 0, "long"), A("init", 1, "double", 0.25) },
            new[]
            {
                new CatalogTensor("weight", new[] { CatalogDim.Arg("num_parameters") }, None, None,
                    new CatalogInit(CatalogInitKind.Constant, constantArgument: "init")),
            });

        // ---- Attention ----------------------------------------------------------------------------------------------
        private static CatalogTensor[] MhaTensors() => new[]
        {
            // libtorch's MultiheadAttentionImpl: own parameters first (in registration order), then out_proj's.
            new CatalogTensor("in_proj_weight", new[] { CatalogDim.Times2(3, "embedded_dim"), CatalogDim.Arg("embedded_dim") }, D0, D1, XavierUniform(2),
                new[] { new CatalogCondition(CatalogConditionKind.QkvSameDim) }, note: "packed q, k, v rows: hidden-like when embedded_dim scales"),
            new CatalogTensor("q_proj_weight", new[] { CatalogDim.Arg("embedded_dim"), CatalogDim.Arg("embedded_dim") }, D0, D1, XavierUniform(2),
                new[] { new CatalogCondition(CatalogConditionKind.QkvDifferentDim) }),
            new CatalogTensor("k_proj_weight", new[] { CatalogDim.Arg("embedded_dim"), new CatalogDim(1, new[] { "kdim" }, orElse: "embedded_dim") }, D0, D1, XavierUniform(2),
                new[] { new CatalogCondition(CatalogConditionKind.QkvDifferentDim) }),
            new CatalogTensor("v_proj_weight", new[] { CatalogDim.Arg("embedded_dim"), new CatalogDim(1, new[] { "vdim" }, orElse: "embedded_dim") }, D0, D1, XavierUniform(2),
                new[] { new CatalogCondition(CatalogConditionKind.QkvDifferentDim) }),
            new CatalogTensor("in_proj_bias", new[] { CatalogDim.Times2(3, "embedded_dim") }, None, None, Zeros, If("bias")),
            new CatalogTensor("bias_k", new[] { CatalogDim.One, CatalogDim.One, CatalogDim.Arg("embedded_dim") }, None, None, XavierNormal(3), If("add_bias_kv")),
            new CatalogTensor("bias_v", new[] { CatalogDim.One, CatalogDim.One, CatalogDim.Arg("embedded_dim") }, None, None, XavierNormal(3), If("add_bias_kv")),
            new CatalogTensor("out_proj.weight", new[] { CatalogDim.Arg("embedded_dim"), CatalogDim.Arg("embedded_dim") }, D0, D1, KaimingWeight(2)),
            new CatalogTensor("out_proj.bias", new[] { CatalogDim.Arg("embedded_dim") }, None, None, Zeros, If("bias")),
        };

        private static CatalogEntry MultiheadAttention() => new CatalogEntry(CatalogKind.MultiheadAttention, "MultiheadAttention",
            new[]
            {
                R("embedded_dim", 0, "long"), R("num_heads", 1, "long"), A("bias", 3, "bool", true), A("add_bias_kv", 4, "bool", false),
                A("kdim", 6, "long?", null), A("vdim", 7, "long?", null),
            },
            MhaTensors(),
            headDim: CatalogDim.Ratio("embedded_dim", "num_heads"),
            note: "scores are scaled by 1/sqrt(embedded_dim / num_heads) inside libtorch: µP-right only when the head dimension is fixed (MUP007 otherwise)");

        /// <summary>A sublayer's tensors under <paramref name="prefix"/>, its argument names renamed to the parent's
        /// (<paramref name="renames"/>: child name → parent name); child arguments the parent does not pass take
        /// their defaults (a condition on a true default is dropped; on a false default the tensor is dropped).</summary>
        private static IEnumerable<CatalogTensor> Nest(string prefix, CatalogEntry child, IDictionary<string, string> renames, bool xavierMatrices = false)
        {
            string Map(string name) => renames.TryGetValue(name, out var parent) ? parent : name;
            foreach (var t in child.Tensors)
            {
                var conditions = new List<CatalogCondition>();
                bool exists = true;
                foreach (var c in t.Conditions)
                {
                    if (c.Kind == CatalogConditionKind.IsTrue && !renames.ContainsKey(c.Argument!))
                    {
                        if (!(child.Argument(c.Argument!)?.Default is true))
                            exists = false;
                        continue;
                    }
                    if (c.Kind == CatalogConditionKind.QkvDifferentDim && !renames.ContainsKey("kdim"))
                    {
                        exists = false;
                        continue;
                    }
                    if (c.Kind == CatalogConditionKind.QkvSameDim && !renames.ContainsKey("kdim"))
                        continue;
                    conditions.Add(c.Kind == CatalogConditionKind.IsTrue ? CatalogCondition.True(Map(c.Argument!)) : c);
                }
                if (!exists)
                    continue;
                var dims = Array.ConvertAll(t.Dims, d => new CatalogDim(d.Coefficient, Array.ConvertAll(d.Times, Map), Array.ConvertAll(d.Over, Map),
                    d.DoubledBy is null ? null : Map(d.DoubledBy), d.Element,
                    d.OrElse is null ? null : Map(d.OrElse)));
                // An optional factor the parent never passes (kdim) falls back at once.
                for (int i = 0; i < dims.Length; i++)
                    if (dims[i].OrElse is { } alt && dims[i].Times.Length == 1 && !renames.ContainsKey(t.Dims[i].Times[0]))
                        dims[i] = new CatalogDim(dims[i].Coefficient, new[] { alt }, dims[i].Over);
                var init = t.Init;
                if (init.FromTensor is { } from)
                    init = new CatalogInit(init.Kind, init.Gain, init.Fan, init.FanInDims, init.FanOutDims, init.Divisor, prefix + from, init.ConstantArgument, init.Note, init.Intended);
                if (xavierMatrices && t.Dims.Length > 1)
                    init = XavierUniform(t.Dims.Length);
                yield return t.With(prefix + t.Name, dims, conditions.ToArray(), init);
            }
        }

        private static Dictionary<string, string> Map(params string[] pairs)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < pairs.Length; i += 2)
                d[pairs[i]] = pairs[i + 1];
            return d;
        }

        private static readonly CatalogArgument[] TransformerLayerArgs =
        {
            A("d_model", 0, "long", 512L), A("nhead", 1, "long", 8L), A("dim_feedforward", 2, "long", 2048L),
        };

        private static List<CatalogTensor> EncoderLayerTensors(string prefix, bool xavier)
        {
            var mha = Map("embedded_dim", "d_model", "num_heads", "nhead");
            var tensors = new List<CatalogTensor>();
            tensors.AddRange(Nest(prefix + "self_attn.", MultiheadAttention(), mha, xavier));
            tensors.AddRange(Nest(prefix + "linear1.", Linear(), Map("inputSize", "d_model", "outputSize", "dim_feedforward"), xavier));
            tensors.AddRange(Nest(prefix + "linear2.", Linear(), Map("inputSize", "dim_feedforward", "outputSize", "d_model"), xavier));
            tensors.AddRange(Nest(prefix + "norm1.", LayerNorm(), Map("normalized_shape", "d_model"), xavier));
            tensors.AddRange(Nest(prefix + "norm2.", LayerNorm(), Map("normalized_shape", "d_model"), xavier));
            return tensors;
        }

        private static List<CatalogTensor> DecoderLayerTensors(string prefix, bool xavier)
        {
            var mha = Map("embedded_dim", "d_model", "num_heads", "nhead");
            var tensors = new List<CatalogTensor>();
            tensors.AddRange(Nest(prefix + "self_attn.", MultiheadAttention(), mha, xavier));
            tensors.AddRange(Nest(prefix + "multihead_attn.", MultiheadAttention(), mha, xavier));
            tensors.AddRange(Nest(prefix + "linear1.", Linear(), Map("inputSize", "d_model", "outputSize", "dim_feedforward"), xavier));
            tensors.AddRange(Nest(prefix + "linear2.", Linear(), Map("inputSize", "dim_feedforward", "outputSize", "d_model"), xavier));
            tensors.AddRange(Nest(prefix + "norm1.", LayerNorm(), Map("normalized_shape", "d_model"), xavier));
            tensors.AddRange(Nest(prefix + "norm2.", LayerNorm(), Map("normalized_shape", "d_model"), xavier));
            tensors.AddRange(Nest(prefix + "norm3.", LayerNorm(), Map("normalized_shape", "d_model"), xavier));
            return tensors;
        }

        private static readonly CatalogDim TransformerHeadDim = CatalogDim.Ratio("d_model", "nhead");
        private const string TransformerNote = "attention scores scaled by 1/sqrt(d_model / nhead) inside libtorch: µP-right only when the head dimension is fixed (MUP007 otherwise)";

        private static CatalogEntry TransformerEncoderLayer() => new CatalogEntry(CatalogKind.TransformerEncoderLayer, "TransformerEncoderLayer",
            TransformerLayerArgs, EncoderLayerTensors("", false).ToArray(), TransformerHeadDim, note: TransformerNote);

        private static CatalogEntry TransformerDecoderLayer() => new CatalogEntry(CatalogKind.TransformerDecoderLayer, "TransformerDecoderLayer",
            TransformerLayerArgs, DecoderLayerTensors("", false).ToArray(), TransformerHeadDim, note: TransformerNote);

        private static CatalogEntry TransformerEncoder() => new CatalogEntry(CatalogKind.TransformerEncoder, "TransformerEncoder",
            new[] { R("encoder_layer", 0, "TransformerEncoderLayer"), R("num_layers", 1, "long") },
            EncoderLayerTensors("layers.{index}.", false).ToArray(), TransformerHeadDim,
            new[] { new CatalogStack("layers.", "num_layers") }, layerArgument: "encoder_layer",
            note: "num_layers deep copies of encoder_layer (identical values at construction); d_model, nhead and dim_feedforward are that layer's arguments");

        private static CatalogEntry TransformerDecoder() => new CatalogEntry(CatalogKind.TransformerDecoder, "TransformerDecoder",
            new[] { R("decoder_layer", 0, "TransformerDecoderLayer"), R("num_layers", 1, "long") },
            DecoderLayerTensors("layers.{index}.", false).ToArray(), TransformerHeadDim,
            new[] { new CatalogStack("layers.", "num_layers") }, layerArgument: "decoder_layer",
            note: "num_layers deep copies of decoder_layer (identical values at construction); d_model, nhead and dim_feedforward are that layer's arguments");

        private static CatalogEntry Transformer()
        {
            var tensors = new List<CatalogTensor>();
            tensors.AddRange(EncoderLayerTensors("encoder.layers.{index}.", true));
            tensors.AddRange(Nest("encoder.norm.", LayerNorm(), Map("normalized_shape", "d_model")));
            tensors.AddRange(DecoderLayerTensors("decoder.layers.{index}.", true));
            tensors.AddRange(Nest("decoder.norm.", LayerNorm(), Map("normalized_shape", "d_model")));
            return new CatalogEntry(CatalogKind.Transformer, "Transformer",
                new[]
                {
                    A("d_model", 0, "long", 512L), A("nhead", 1, "long", 8L), A("num_encoder_layers", 2, "long", 6L),
                    A("num_decoder_layers", 3, "long", 6L), A("dim_feedforward", 4, "long", 2048L),
                },
                tensors.ToArray(), TransformerHeadDim,
                new[] { new CatalogStack("encoder.layers.", "num_encoder_layers"), new CatalogStack("decoder.layers.", "num_decoder_layers") },
                note: "every tensor with more than one dimension is re-drawn xavier_uniform (libtorch's Transformer reset_parameters); " + TransformerNote);
        }

        // ---- Recurrent ----------------------------------------------------------------------------------------------
        /// <summary>All recurrent tensors draw U(±1/sqrt(hiddenSize)); hiddenSize = dim 0 / gates.</summary>
        private static CatalogInit Recurrent(long gates) => new CatalogInit(CatalogInitKind.Uniform, 1.0, CatalogFan.FanIn, D0, divisor: gates);

        private static CatalogEntry Rnn(CatalogKind kind, string factory, long gates, bool hasNonLinearity)
        {
            int shift = hasNonLinearity ? 1 : 0;
            var gh = CatalogDim.Times2(gates, "hiddenSize");
            var init = Recurrent(gates);
            return new CatalogEntry(kind, factory,
                new[]
                {
                    R("inputSize", 0, "long"), R("hiddenSize", 1, "long"), A("numLayers", 2, "long", 1L),
                    A("bias", 3 + shift, "bool", true), A("bidirectional", 6 + shift, "bool", false),
                },
                new[]
                {
                    new CatalogTensor("weight_ih_l{layer}{direction}", new[] { gh, CatalogDim.Arg("inputSize") }, D0, D1, init, layers: CatalogLayers.First, perDirection: true),
                    new CatalogTensor("weight_ih_l{layer}{direction}", new[] { gh, new CatalogDim(1, new[] { "hiddenSize" }, doubledBy: "bidirectional") }, D0, D1, init, layers: CatalogLayers.Later, perDirection: true),
                    new CatalogTensor("weight_hh_l{layer}{direction}", new[] { gh, CatalogDim.Arg("hiddenSize") }, D0, D1, init, layers: CatalogLayers.All, perDirection: true),
                    new CatalogTensor("bias_ih_l{layer}{direction}", new[] { gh }, None, None, init, If("bias"), CatalogLayers.All, perDirection: true),
                    new CatalogTensor("bias_hh_l{layer}{direction}", new[] { gh }, None, None, init, If("bias"), CatalogLayers.All, perDirection: true),
                },
                note: "named_parameters order: for each layer k, for each direction (\"\", then \"_reverse\" when bidirectional): weight_ih, weight_hh, bias_ih, bias_hh; gates: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1");
        }

        private static CatalogEntry Cell(CatalogKind kind, string factory, long gates, bool hasNonLinearity)
        {
            var gh = CatalogDim.Times2(gates, "hiddenSize");
            var init = Recurrent(gates);
            return new CatalogEntry(kind, factory,
                new[] { R("inputSize", 0, "long"), R("hiddenSize", 1, "long"), A("bias", hasNonLinearity ? 3 : 2, "bool", true) },
                new[]
                {
                    new CatalogTensor("weight_ih", new[] { gh, CatalogDim.Arg("inputSize") }, D0, D1, init),
                    new CatalogTensor("weight_hh", new[] { gh, CatalogDim.Arg("hiddenSize") }, D0, D1, init),
                    new CatalogTensor("bias_ih", new[] { gh }, None, None, init, If("bias")),
                    new CatalogTensor("bias_hh", new[] { gh }, None, None, init, If("bias")),
                });
        }

        // ---- Raw parameters -----------------------------------------------------------------------------------------
        private static CatalogEntry Parameter() => new CatalogEntry(CatalogKind.Parameter, "Parameter",
            new[] { R("data", 0, "Tensor"), A("requires_grad", 1, "bool", true) },
            new[]
            {
                // The shape is the tensor factory's (ones(d), zeros(1, 1, w), randn(1, n + 1, w)); mup's shape
                // method reads dim 1 as fan_in and dim 0 as fan_out for two or more dims.
                new CatalogTensor("", Array.Empty<CatalogDim>(), D0, D1, new CatalogInit(CatalogInitKind.FromFactory,
                    note: "as drawn by its tensor factory: see LayerCatalog.TensorFactoryInit")),
            },
            typeName: "TorchSharp.Modules.Parameter",
            note: "a Parameter field or register_parameter; its tensors' dims come from the tensor factory call, see TensorFactoryInit");

        /// <summary>The init a <c>Parameter(torch.X(...))</c> gets from its tensor factory, or null when it is not
        /// in closed form (<c>empty</c>, <c>rand</c> (U(0, 1), not centred), <c>full</c>, anything else).</summary>
        public static CatalogInit? TensorFactoryInit(string factory) => factory switch
        {
            "ones" => Ones,
            "zeros" => Zeros,
            "randn" => StandardNormal,
            _ => null,
        };

        // ---- The table ----------------------------------------------------------------------------------------------
        /// <summary>Every entry, in <see cref="CatalogKind"/> order (without <see cref="CatalogKind.Other"/>).</summary>
        public static IReadOnlyList<CatalogEntry> Entries { get; } = new[]
        {
            Linear(), Embedding(), LayerNorm(), Conv(CatalogKind.Conv1d, "Conv1d", 1), Conv(CatalogKind.Conv2d, "Conv2d", 2),
            Bilinear(), EmbeddingBag(), Conv(CatalogKind.Conv3d, "Conv3d", 3),
            ConvTranspose(CatalogKind.ConvTranspose1d, "ConvTranspose1d", 1), ConvTranspose(CatalogKind.ConvTranspose2d, "ConvTranspose2d", 2),
            ConvTranspose(CatalogKind.ConvTranspose3d, "ConvTranspose3d", 3),
            GroupNorm(),
            Norm(CatalogKind.BatchNorm1d, "BatchNorm1d", true), Norm(CatalogKind.BatchNorm2d, "BatchNorm2d", true), Norm(CatalogKind.BatchNorm3d, "BatchNorm3d", true),
            Norm(CatalogKind.InstanceNorm1d, "InstanceNorm1d", false), Norm(CatalogKind.InstanceNorm2d, "InstanceNorm2d", false), Norm(CatalogKind.InstanceNorm3d, "InstanceNorm3d", false),
            PReLU(), MultiheadAttention(),
            TransformerEncoderLayer(), TransformerDecoderLayer(), TransformerEncoder(), TransformerDecoder(), Transformer(),
            Rnn(CatalogKind.LSTM, "LSTM", 4, false), Rnn(CatalogKind.GRU, "GRU", 3, false), Rnn(CatalogKind.RNN, "RNN", 1, true),
            Cell(CatalogKind.LSTMCell, "LSTMCell", 4, false), Cell(CatalogKind.GRUCell, "GRUCell", 3, false), Cell(CatalogKind.RNNCell, "RNNCell", 1, true),
            Parameter(),
        };

        private static readonly Dictionary<string, CatalogEntry> ByFactoryName = Index(e => e.Factory);
        private static readonly Dictionary<string, CatalogEntry> ByTypeName = Index(e => e.TypeName);
        private static readonly Dictionary<CatalogKind, CatalogEntry> ByKindTable = IndexKind();

        private static Dictionary<string, CatalogEntry> Index(Func<CatalogEntry, string> key)
        {
            var d = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
            foreach (var e in Entries)
                d[key(e)] = e;
            return d;
        }

        private static Dictionary<CatalogKind, CatalogEntry> IndexKind()
        {
            var d = new Dictionary<CatalogKind, CatalogEntry>();
            foreach (var e in Entries)
                d[e.Kind] = e;
            return d;
        }

        /// <summary>The entry for a factory method of <c>TorchSharp.torch.nn</c> (<c>"Linear"</c>), or null.
        /// <see cref="CatalogKind.Parameter"/> is not a factory of torch.nn's layers and is found by kind only.</summary>
        public static CatalogEntry? ByFactory(string factoryName) =>
            factoryName != "Parameter" && ByFactoryName.TryGetValue(factoryName, out var e) ? e : null;

        /// <summary>The entry for a module type's full name (<c>"TorchSharp.Modules.Linear"</c>), or null.</summary>
        public static CatalogEntry? ByType(string fullTypeName) => ByTypeName.TryGetValue(fullTypeName, out var e) ? e : null;

        /// <summary>The entry of a kind, or null for <see cref="CatalogKind.Other"/>.</summary>
        public static CatalogEntry? ByKind(CatalogKind kind) => ByKindTable.TryGetValue(kind, out var e) ? e : null;

        /// <summary>The tensor template of <paramref name="kind"/> named <paramref name="tensorName"/> (relative to
        /// the layer: <c>weight</c>, <c>out_proj.bias</c>, <c>weight_hh_l1_reverse</c>), or null.</summary>
        public static CatalogTensor? Tensor(CatalogKind kind, string tensorName) =>
            kind == CatalogKind.Parameter ? ByKind(kind)!.Tensors[0] : ByKind(kind)?.Tensor(tensorName);
    }
}
