using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        /// <summary>What a <c>Parameter(...)</c>'s tensor expression says: its shape (symbolic sizes) and its initial
        /// values at base width, or why those cannot be redrawn.</summary>
        internal sealed class TensorRead
        {
            public TensorRead(List<Value>? dims, ParameterInit? init, string? initProblem)
            {
                Dims = dims;
                Init = init;
                InitProblem = initProblem;
            }

            /// <summary>The sizes, or null when the shape could not be read.</summary>
            public List<Value>? Dims { get; }

            /// <summary>The draw at base width (ones: constant 1, zeros, randn: N(0, 1) times its scalar factors), or
            /// null with <see cref="InitProblem"/> saying why not.</summary>
            public ParameterInit? Init { get; }

            public string? InitProblem { get; }

            public TensorRead WithInit(ParameterInit? init, string? problem) => new(Dims, init, init is null ? problem ?? InitProblem : null);
        }

        internal sealed partial class ConstructorWalker
        {
            /// <summary>A <c>Parameter</c>'s tensor: a factory call of <c>torch</c> (ones, zeros, randn, full, normal,
            /// empty, rand) whose integer arguments or <c>long[]</c>/array literal are the shape, through scalar factors
            /// (<c>* 0.02</c>, <c>/ Math.Sqrt(width)</c>, <c>.mul(...)</c>, <c>.div(...)</c>), device and grad calls and
            /// in-place initialisers (<c>.normal_(0, s)</c>, <c>.uniform_(-b, b)</c>, <c>.fill_(c)</c>, <c>.zero_()</c>).
            /// Null when it is not such an expression (a tensor of another object, a method's result).</summary>
            private TensorRead? ReadTensor(IOperation operation)
            {
                operation = operation.WithoutConversions();
                switch (operation)
                {
                    case IInvocationOperation { Instance: null } factory
                        when TensorFactories.Contains(factory.TargetMethod.Name) && factory.TargetMethod.ContainingType?.Name == "torch":
                        return ReadFactory(factory);
                    case IBinaryOperation { OperatorMethod: not null } binary:
                    {
                        var tensorLeft = IsTensor(binary.LeftOperand.Type);
                        if (!tensorLeft && !IsTensor(binary.RightOperand.Type))
                            return null;
                        if (ReadTensor(tensorLeft ? binary.LeftOperand : binary.RightOperand) is not { } inner)
                            return null;
                        if (IsTensor(binary.LeftOperand.Type) && IsTensor(binary.RightOperand.Type))
                            return inner.WithInit(null, $"{Text(binary)} combines two tensors");
                        var factor = Scalar(tensorLeft ? binary.RightOperand : binary.LeftOperand, out var widthDependent);
                        return binary.OperatorKind switch
                        {
                            BinaryOperatorKind.Multiply => Scaled(inner, factor, widthDependent, binary),
                            BinaryOperatorKind.Divide when tensorLeft => Scaled(inner, factor is { } f && f != 0 ? 1.0 / f : null, widthDependent, binary),
                            _ => inner.WithInit(null, $"{Text(binary)} shifts or divides the values, which MupInitialize cannot redraw"),
                        };
                    }
                    case IInvocationOperation { Instance: { } instance } call when IsTensor(call.TargetMethod.ReturnType) && IsTensor(instance.Type):
                    {
                        var name = call.TargetMethod.Name;
                        if (name is not ("mul" or "mul_" or "div" or "div_" or "to" or "requires_grad_" or "normal_" or "uniform_" or "fill_" or "zero_"
                            or "clone" or "detach" or "detach_" or "cpu" or "cuda" or "contiguous" or "add" or "add_" or "trunc_normal_"))
                            return null;
                        if (ReadTensor(instance) is not { } inner)
                            return null;
                        IOperation? Arg(int ordinal) => call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == ordinal)?.Value;
                        double? ArgValue(int ordinal, out bool width)
                        {
                            width = false;
                            return Arg(ordinal) is { } a ? Scalar(a, out width) : null;
                        }
                        switch (name)
                        {
                            case "mul" or "mul_":
                                return Scaled(inner, ArgValue(0, out var mw), mw, call);
                            case "div" or "div_":
                            {
                                var d = ArgValue(0, out var dw);
                                return Scaled(inner, d is { } v && v != 0 ? 1.0 / v : null, dw, call);
                            }
                            case "normal_":
                            {
                                var mean = ArgValue(0, out var meanWidth);
                                var std = ArgValue(1, out var stdWidth);
                                return mean == 0 && std is > 0
                                    ? inner.WithInit(new ParameterInit(InitForm.Normal, std.Value, stdWidth || meanWidth), null)
                                    : inner.WithInit(null, $"{Text(call)} draws with a mean or std the generator cannot read at base width");
                            }
                            case "uniform_":
                            {
                                var from = ArgValue(0, out var fw);
                                var to = ArgValue(1, out var tw);
                                return from is { } a && to is { } b && a == -b && b > 0
                                    ? inner.WithInit(new ParameterInit(InitForm.Uniform, b, fw || tw), null)
                                    : inner.WithInit(null, $"{Text(call)} is not a uniform draw centred at 0 with bounds the generator can read");
                            }
                            case "fill_":
                            {
                                var c = ArgValue(0, out var cw);
                                return c is { } value && !cw
                                    ? inner.WithInit(value == 0 ? new ParameterInit(InitForm.Zeros, 0, false) : new ParameterInit(InitForm.Constant, value, false), null)
                                    : inner.WithInit(null, $"{Text(call)} fills with a value the generator cannot read");
                            }
                            case "zero_":
                                return inner.WithInit(new ParameterInit(InitForm.Zeros, 0, false), null);
                            case "add" or "add_" or "trunc_normal_":
                                return inner.WithInit(null, $"{Text(call)} is not a draw MupInitialize can repeat");
                            default:
                                return inner;
                        }
                    }
                    default:
                        return null;
                }
            }

            private TensorRead ReadFactory(IInvocationOperation factory)
            {
                var dims = new List<Value>();
                var shapeRead = true;
                foreach (var argument in factory.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? int.MaxValue))
                {
                    if (argument.Parameter is not { } parameter || argument.ArgumentKind == ArgumentKind.DefaultValue)
                        continue;
                    if (parameter.Name is "mean" or "std" or "value" or "fill_value")
                        continue;
                    var type = parameter.Type;
                    if (type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64)
                        dims.Add(Eval(argument.Value));
                    else if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 }
                             || (type is INamedTypeSymbol { Name: "ReadOnlySpan", TypeArguments.Length: 1 } span
                                 && span.TypeArguments[0].SpecialType is SpecialType.System_Int64 or SpecialType.System_Int32))
                    {
                        if (Eval(argument.Value) is Items items)
                            dims.AddRange(items.Values);
                        else
                            shapeRead = false;
                    }
                }
                var read = shapeRead && dims.Count > 0 ? dims : null;
                IOperation? Named(string name) => factory.Arguments.FirstOrDefault(a => a.Parameter?.Name == name && a.ArgumentKind != ArgumentKind.DefaultValue)?.Value;
                switch (factory.TargetMethod.Name)
                {
                    case "zeros":
                        return new TensorRead(read, new ParameterInit(InitForm.Zeros, 0, false), null);
                    case "ones":
                        return new TensorRead(read, new ParameterInit(InitForm.Constant, 1, false), null);
                    case "randn":
                        return new TensorRead(read, new ParameterInit(InitForm.Normal, 1, false), null);
                    case "full":
                    {
                        var width = false;
                        var value = (Named("value") ?? Named("fill_value")) is { } v ? Scalar(v, out width) : null;
                        return value is { } c && !width
                            ? new TensorRead(read, c == 0 ? new ParameterInit(InitForm.Zeros, 0, false) : new ParameterInit(InitForm.Constant, c, false), null)
                            : new TensorRead(read, null, $"{Text(factory)} fills with a value the generator cannot read");
                    }
                    case "normal":
                    {
                        var mean = Named("mean") is { } m ? Scalar(m, out _) : 0.0;
                        var std = Named("std") is { } s ? Scalar(s, out var stdWidth) : 1.0;
                        return mean == 0 && std is > 0
                            ? new TensorRead(read, new ParameterInit(InitForm.Normal, std.Value, false), null)
                            : new TensorRead(read, null, $"{Text(factory)} draws with a mean or std the generator cannot read at base width");
                    }
                    case "empty":
                        return new TensorRead(read, null, $"{Text(factory)} leaves the values uninitialized");
                    default:
                        return new TensorRead(read, null, $"{Text(factory)} draws U(0, 1), which is not centred, so MupInitialize cannot scale it with the width");
                }
            }

            private TensorRead Scaled(TensorRead inner, double? factor, bool widthDependent, IOperation at)
            {
                if (inner.Init is not { } init)
                    return inner;
                if (factor is not { } f)
                    return inner.WithInit(null, $"{Text(at)} scales by a factor the generator cannot read at base width");
                return inner.WithInit(init.Form switch
                {
                    InitForm.Zeros => init,
                    InitForm.Constant => f == 0 ? new ParameterInit(InitForm.Zeros, 0, false) : new ParameterInit(InitForm.Constant, init.Value * f, init.WidthDependent || widthDependent),
                    _ => f == 0 ? new ParameterInit(InitForm.Zeros, 0, false) : new ParameterInit(init.Form, init.Value * System.Math.Abs(f), init.WidthDependent || widthDependent),
                }, null);
            }

            /// <summary>A real number at base width: literals, constants, <c>Math.Sqrt</c>/<c>Math.Pow</c>, arithmetic,
            /// and integer sizes (a width at its base value: <paramref name="widthDependent"/> is then set). Null when
            /// anything else enters (a constructor argument, a local double, another object's member).</summary>
            private double? Scalar(IOperation operation, out bool widthDependent)
            {
                var width = false;
                double? Go(IOperation op)
                {
                    if (op.ConstantValue is { HasValue: true, Value: var constant })
                        return constant switch
                        {
                            double d => d,
                            float f => f,
                            int or long or short or byte or sbyte or uint or ushort or ulong or decimal => System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture),
                            _ => null,
                        };
                    switch (op)
                    {
                        case IConversionOperation conversion:
                            return Go(conversion.Operand);
                        case IParenthesizedOperation parenthesized:
                            return Go(parenthesized.Operand);
                        case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } minus:
                            return -Go(minus.Operand);
                        case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus:
                            return Go(plus.Operand);
                        case IBinaryOperation { OperatorMethod: null } binary when binary.Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single:
                        {
                            if (Go(binary.LeftOperand) is not { } l || Go(binary.RightOperand) is not { } r)
                                return null;
                            return binary.OperatorKind switch
                            {
                                BinaryOperatorKind.Add => l + r,
                                BinaryOperatorKind.Subtract => l - r,
                                BinaryOperatorKind.Multiply => l * r,
                                BinaryOperatorKind.Divide => r == 0 ? null : l / r,
                                _ => null,
                            };
                        }
                        case IInvocationOperation { Instance: null } call
                            when call.TargetMethod.ContainingType?.ToDisplayString() is "System.Math" or "System.MathF":
                        {
                            var args = call.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => Go(a.Value)).ToList();
                            if (args.Any(a => a is null))
                                return null;
                            return call.TargetMethod.Name switch
                            {
                                "Sqrt" when args.Count == 1 && args[0] >= 0 => System.Math.Sqrt(args[0]!.Value),
                                "Pow" when args.Count == 2 => System.Math.Pow(args[0]!.Value, args[1]!.Value),
                                _ => null,
                            };
                        }
                    }
                    // An integer size: a constant, or widths at their base values.
                    if (op.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64)
                    {
                        var value = Eval(op);
                        if (FactBuilder.EvaluateAtBase(value) is { } atBase)
                        {
                            width |= value is not Const;
                            return atBase;
                        }
                    }
                    return null;
                }
                var result = Go(operation);
                widthDependent = width;
                return result is { } r2 && !double.IsNaN(r2) && !double.IsInfinity(r2) ? r2 : null;
            }
        }

        internal sealed partial class FactBuilder
        {
            /// <summary>A module's own <c>Parameter</c>: classified as mup's shape method does, by the number of
            /// width-scaled dimensions (0: finite, Fixed; 1: vector-like, Vector; 2, being dims 0 and 1: matrix-like,
            /// Hidden with fan_out dim 0 and fan_in dim 1); its init is its factory's draw at base width. What mup has
            /// no single rule for (more than two width-scaled dims, or two that are not the first two) and values
            /// MupInitialize cannot redraw are Unresolved (ParameterField).</summary>
            private LayerFacts? ParameterFacts(string prefix, ParameterValue parameter, RoleAttribute attribute, bool inBlock, ModuleField? owner)
            {
                if (parameter.Read?.Dims is not { } dims)
                    return null;
                var shape = new List<DimSpec>();
                string? failure = null;
                var reason = UnresolvedReason.ParameterField;
                var site = parameter.Syntax;
                foreach (var dim in dims)
                {
                    var spec = AnalyzeDim(dim, out var problem, out var problemReason, out var at);
                    if (spec is null && failure is null)
                    {
                        failure = $"could not read the shape of Parameter '{prefix}': {problem}";
                        reason = problemReason;
                        site = at ?? site;
                    }
                    shape.Add(spec ?? DimSpec.Fixed);
                }
                var infinite = Enumerable.Range(0, shape.Count).Where(i => shape[i].IsInfinite).ToList();
                Role role;
                if (failure is not null)
                    role = Role.Unresolved;
                else if (attribute == RoleAttribute.Invariant || infinite.Count == 0)
                    role = Role.Fixed;
                else if (infinite.Count == 1)
                    role = Role.Vector;
                else if (infinite.Count == 2 && infinite[0] == 0 && infinite[1] == 1)
                    role = Role.Hidden;
                else
                {
                    role = Role.Unresolved;
                    failure = infinite.Count > 2
                        ? $"Parameter '{prefix}' has {infinite.Count} width-scaled dimensions; mup's shape method has no rule for more than two"
                        : $"Parameter '{prefix}' has its two width-scaled dimensions at {infinite[0]} and {infinite[1]}, not 0 and 1, where mup's optimizers read different fans (Adam the last width-scaled dimension, SGD dimensions 1 and 0)";
                }
                if (failure is null && attribute != RoleAttribute.Invariant && parameter.Read.Init is null)
                {
                    role = Role.Unresolved;
                    failure = $"the initial values of Parameter '{prefix}' cannot be redrawn by MupInitialize: {parameter.Read.InitProblem}";
                }
                var init = attribute == RoleAttribute.Invariant && parameter.Read.Init is null ? null : parameter.Read.Init;
                var fact = new ParameterSpec(prefix, LayerKind.Parameter, Last(prefix), role, shape.ToEquatableArray(), inBlock,
                    failure, failure is null ? null : reason, failure is null ? init : null);
                return new LayerFacts(new List<ParameterSpec> { fact }, attribute, prefix, owner, site) { Unreadable = failure is not null };
            }
        }
    }
}
