using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        /// <summary>Expression evaluation: constants, arithmetic, layer factories, object creations (nested modules),
        /// invocations and tensor shapes, to symbolic <see cref="Value"/>s.</summary>
        internal sealed partial class ConstructorWalker
        {
            /// <summary>Evaluates an expression of a method other than the constructor (a MupAttentionScale argument in
            /// forward) against the environment the constructor left: fields and constructor values are known, the
            /// method's locals are followed to their initializers, anything else of the method is unknown.</summary>
            public Value EvalInMethod(IOperation operation, Dictionary<ILocalSymbol, IOperation> locals)
            {
                var saved = _methodLocals;
                _methodLocals = locals;
                try
                {
                    return Eval(operation);
                }
                finally
                {
                    _methodLocals = saved;
                }
            }

            internal static string Text(IOperation operation) => Regex.Replace(operation.Syntax.ToString(), @"\s+", " ").Trim();

            /// <summary>Evaluates an expression to a symbolic value.</summary>
            public Value Eval(IOperation operation)
            {
                _ct.ThrowIfCancellationRequested();
                if (operation.ConstantValue is { HasValue: true, Value: var constant })
                {
                    switch (constant)
                    {
                        case null: return NullValue;
                        case bool b: return new BoolConst(b);
                        case int or long or short or byte or sbyte or ushort or uint:
                            return new Const(Convert.ToInt64(constant, System.Globalization.CultureInfo.InvariantCulture));
                        case string:
                            return new Opaque(Text(operation));
                        default:
                            return new Unknown(Text(operation), "is not an integer", Model.UnresolvedReason.UnreadableSize, operation.Syntax);
                    }
                }

                switch (operation)
                {
                    case IConversionOperation conversion:
                        return Eval(conversion.Operand);
                    case IParenthesizedOperation parenthesized:
                        return Eval(parenthesized.Operand);
                    case IParameterReferenceOperation parameter:
                        return _env.TryGetValue(parameter.Parameter, out var p) ? p
                            : _methodLocals is not null ? new Unknown(parameter.Parameter.Name, "is a method parameter")
                            : new Opaque(parameter.Parameter.Name, DefaultOf(parameter.Parameter));
                    case ILocalReferenceOperation local:
                        if (_env.TryGetValue(local.Local, out var l))
                            return l;
                        if (_methodLocals is not null && _methodLocals.TryGetValue(local.Local, out var localInit) && _resolving.Add(local.Local))
                        {
                            try
                            {
                                return Eval(localInit);
                            }
                            finally
                            {
                                _resolving.Remove(local.Local);
                            }
                        }
                        return new Unknown(local.Local.Name, "has no known value");
                    case IMemberReferenceOperation { Member.IsStatic: false } member when _thisConfig is not null && IsThis(member.Instance)
                        && member is IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.Length: 0 }:
                        return ReadConfigMember(_thisConfig, member.Member, member);
                    case IFieldReferenceOperation field when IsThis(field.Instance):
                        return _env.TryGetValue(field.Field, out var f) ? f
                            : _methodLocals is not null ? new Unknown(field.Field.Name, "is not set by the constructor")
                            : new Opaque(field.Field.Name);
                    case IPropertyReferenceOperation property when IsThis(property.Instance) && property.Arguments.Length == 0:
                        // A computed property (`int Hidden => 4 * _width;`) is its getter, followed as a size helper.
                        return _env.TryGetValue(property.Property, out var pr) ? pr
                            : _methodLocals is not null ? new Unknown(property.Property.Name, "is not set by the constructor")
                            : (IsInteger(property.Type) ? _context.AnalyzeGetter(property, this) : null) ?? new Opaque(property.Property.Name);
                    case IPropertyReferenceOperation { Property.Name: "Length" or "Count", Arguments.Length: 0, Instance: { } counted }
                        when Eval(counted) is Items countedItems:
                        return new Const(countedItems.Values.Count);
                    case IArrayElementReferenceOperation { Indices.Length: 1 } element
                        when Eval(element.ArrayReference) is Items indexed && Eval(element.Indices[0]) is Const { V: >= 0 } at && at.V < indexed.Values.Count:
                        return indexed.Values[(int)at.V];
                    case IPropertyReferenceOperation or IFieldReferenceOperation when _methodLocals is not null:
                        // A configuration the constructor stored (`MupAttentionScale(config.HeadDim)` in forward).
                        return ReadThroughConfig((IMemberReferenceOperation)operation) is { } read && read is not Unknown ? read
                            : new Unknown(Text(operation), "is read in a method, not the constructor");
                    case IPropertyReferenceOperation or IFieldReferenceOperation:
                        return EvalMemberOfObject(operation);
                    case IBinaryOperation binary:
                        var op = binary.OperatorKind switch
                        {
                            BinaryOperatorKind.Add => '+',
                            BinaryOperatorKind.Subtract => '-',
                            BinaryOperatorKind.Multiply => '*',
                            BinaryOperatorKind.Divide => '/',
                            _ => '?',
                        };
                        if (op == '?')
                            return new Unknown(Text(binary), "is not a sum, product or quotient", Model.UnresolvedReason.UnreadableSize, binary.Syntax);
                        // Sizes are integer arithmetic; `h / 3 * 8` in double does not truncate where the int form does.
                        if (!IsInteger(binary.Type))
                            return new Unknown(Text(binary), "is not integer arithmetic (floating-point arithmetic is not followed)", Model.UnresolvedReason.UnreadableSize, binary.Syntax);
                        var combined = new Binary(op, Eval(binary.LeftOperand), Eval(binary.RightOperand));
                        return combined.Size > Binary.MaxSize ? new Unknown(Text(binary), "is too large an expression to follow", Model.UnresolvedReason.UnreadableSize, binary.Syntax) : combined;
                    case IArrayCreationOperation { Initializer: { } initializer }:
                        return new Items(initializer.ElementValues.Select(Eval).ToList());
                    case ITupleOperation tuple:
                        return new Items(tuple.Elements.Select(Eval).ToList());
                    case IInvocationOperation invocation:
                        return EvalInvocation(invocation);
                    case IObjectCreationOperation creation when _methodLocals is null:
                        return EvalCreation(creation);
                    case ISimpleAssignmentOperation assignment:
                        var assigned = Eval(assignment.Value);
                        if (TargetSymbol(assignment.Target) is { } target)
                            Assign(target, assigned, assignment.Syntax);
                        else
                            WriteConfigMember(assignment.Target, assignment);
                        return assigned;
                    case IWithOperation with:
                        return EvalWith(with);
                    case IDefaultValueOperation defaultValue:
                        return defaultValue.Type switch
                        {
                            { SpecialType: SpecialType.System_Boolean } => new BoolConst(false),
                            { SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 } => new Const(0),
                            { IsReferenceType: true } or { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } => NullValue,
                            _ => new Unknown(Text(defaultValue), "is a default value the generator cannot read", Model.UnresolvedReason.UnreadableSize, defaultValue.Syntax),
                        };
                    case IConditionalOperation { WhenFalse: { } whenFalse } conditional when conditional.Type is not null:
                        return EvalConditional(conditional, whenFalse);
                    case IArrayCreationOperation:
                        return new ListValue { IsArray = true };
                    case IInterpolatedStringOperation:
                        return new Opaque(Text(operation));
                    default:
                        return new Unknown(Text(operation), "is not a product or quotient of widths and constants", Model.UnresolvedReason.UnreadableSize, operation.Syntax);
                }
            }

            /// <summary><c>c ? a : b</c>: a module that may be absent (<c>c ? new Block(w) : null</c>) is the module
            /// (facts for a tensor that does not exist are never matched); equal branches are that value; anything
            /// else cannot be read.</summary>
            private Value EvalConditional(IConditionalOperation conditional, IOperation whenFalse)
            {
                static bool IsNull(IOperation o) => o.WithoutConversions() is { ConstantValue: { HasValue: true, Value: null } } or IDefaultValueOperation;
                if (conditional.Condition.WithoutConversions() is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } test
                    && _loopIndex is not null)
                {
                    var l = Eval(test.LeftOperand);
                    var r = Eval(test.RightOperand);
                    var k = l is LoopIndex && r is Const rc ? rc : r is LoopIndex && l is Const lc ? lc : null;
                    if (k is not null && k.V >= 0 && ReferenceEquals(l is LoopIndex ? l : r, _loopIndex))
                    {
                        var yes = Eval(conditional.WhenTrue);
                        var no = Eval(whenFalse);
                        return test.OperatorKind == BinaryOperatorKind.Equals ? new IndexChoice(k.V, yes, no) : new IndexChoice(k.V, no, yes);
                    }
                }
                if (IsNull(whenFalse))
                    return Eval(conditional.WhenTrue);
                if (IsNull(conditional.WhenTrue))
                    return Eval(whenFalse);
                var a = Eval(conditional.WhenTrue);
                var b = Eval(whenFalse);
                if (a is Const ca && b is Const cb && ca.V == cb.V)
                    return a;
                if (ReferenceEquals(a, b))
                    return a;
                return new Unknown(Text(conditional), "is a conditional whose branches differ", Model.UnresolvedReason.UnreadableSize, conditional.Syntax);
            }

            private Value EvalCreation(IObjectCreationOperation creation)
            {
                var type = creation.Type?.OriginalDefinition;
                if (_types.IsParameter(type))
                    return new ParameterValue(Text(creation), creation.Syntax,
                        creation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is { } data ? ReadTensor(data.Value) : null);
                if (SymbolEqualityComparer.Default.Equals(type, _types.ModuleList))
                    return ListFromArguments(creation.Arguments, isModule: true);
                if (SymbolEqualityComparer.Default.Equals(type, _types.List))
                {
                    var list = new ListValue();
                    if (creation.Arguments.Length == 1 && Eval(creation.Arguments[0].Value) is ListValue source)
                        list.AddRange(source);
                    return list;
                }
                if (_context.IsUserModule(creation.Type))
                    return _context.AnalyzeUserModule(creation, this);
                if (_types.IsModule(creation.Type))
                    return creation.Type is { } created && KnownTypes.IsParameterless(created.Name)
                        && created.ContainingNamespace?.ToDisplayString() == TypeNames.ModulesNamespace
                        ? OtherModule.Instance
                        : new Unknown(Text(creation), "is a module class whose constructor the generator cannot read (it is not declared in this compilation)", Model.UnresolvedReason.UnknownLayerType, creation.Syntax);
                return new Unknown(Text(creation), "is an object creation", Model.UnresolvedReason.OpaqueSize, creation.Syntax);
            }

            private Value EvalInvocation(IInvocationOperation invocation)
            {
                var value = EvalCall(invocation);
                if (_methodLocals is null)
                    ForgetWrites(invocation);
                return value;
            }

            /// <summary>A call may write this object's sizes in ways the walk does not follow: a method of this class or a
            /// local function that assigns a field or property (<c>void Init(int w) { _hidden = 4 * w; }</c>, also through
            /// the methods it calls), or a field passed by out/ref. Each such integer member becomes unknown from here on,
            /// so a later read is reported at that call, never taken for the value it had before.</summary>
            private void ForgetWrites(IInvocationOperation invocation)
            {
                var written = new List<ISymbol>();
                foreach (var argument in invocation.Arguments)
                    if (argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref && TargetSymbol(argument.Value) is IFieldSymbol or IPropertySymbol)
                        written.Add(TargetSymbol(argument.Value)!);
                if (invocation.Instance is null or IInstanceReferenceOperation)
                    written.AddRange(_context.MembersWrittenBy(invocation.TargetMethod));
                Forget(written, Text(invocation), invocation.Syntax);
            }

            /// <summary>Integer fields and properties written where the walk does not follow: unknown from here on.</summary>
            private void Forget(IEnumerable<ISymbol> written, string by, SyntaxNode? at)
            {
                foreach (var member in written)
                {
                    var type = member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type;
                    if (_symbolMembers.Contains(member) || !(IsInteger(type) || type is IArrayTypeSymbol { ElementType: var element } && IsInteger(element)))
                        continue;
                    _env[member.OriginalDefinition] = new Unknown(member.Name, $"is assigned by {by}, which the generator does not follow (assign it in the constructor)",
                        Model.UnresolvedReason.OpaqueSize, at);
                }
            }

            private Value EvalCall(IInvocationOperation invocation)
            {
                var method = invocation.TargetMethod;
                var containing = method.ContainingType?.OriginalDefinition;

                if (SymbolEqualityComparer.Default.Equals(containing, _types.TorchNn) && method.Name == "Parameter"
                    && invocation.Arguments.Length > 0)
                    return new ParameterValue(Text(invocation), invocation.Syntax,
                        invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is { } data ? ReadTensor(data.Value) : null);

                if (SymbolEqualityComparer.Default.Equals(containing, _types.TorchNn))
                {
                    if (MupGen.Catalog.LayerCatalog.ByFactory(method.Name) is { } entry)
                    {
                        var args = new Dictionary<string, Value>();
                        foreach (var argument in invocation.Arguments)
                            if (argument.Parameter is { } parameter)
                                args[parameter.Name] = Eval(argument.Value);
                        return new Layer(entry, args, invocation.Syntax);
                    }
                    if (method.Name is "ModuleList" or "Sequential")
                        return ListFromArguments(invocation.Arguments, isModule: true);
                    if (_types.IsModule(method.ReturnType))
                        return KnownTypes.IsParameterless(method.Name)
                            ? OtherModule.Instance
                            : new Unknown(Text(invocation), $"is a TorchSharp layer ({method.Name}) whose parameters the generator does not know", Model.UnresolvedReason.UnknownLayerType, invocation.Syntax);
                }

                // list.Add(layer), seq.append(layer), list.AddRange(...), list.ToArray() on a list being built.
                if (invocation.Instance is { } instance && Eval(instance) is ListValue target)
                {
                    switch (method.Name)
                    {
                        case "Add" or "append" when invocation.Arguments.Length is 1 or 2:
                            var last = invocation.Arguments[invocation.Arguments.Length - 1];
                            var item = Eval(last.Value);
                            var name = invocation.Arguments.Length == 2 ? NameOf(invocation.Arguments[0].Value) : null;
                            // modules.Add(($"conv{i}", Conv2d(...))): a named item of a List<(string, Module)>.
                            if (invocation.Arguments.Length == 1 && last.Value.WithoutConversions() is ITupleOperation { Elements.Length: 2 } pair
                                && pair.Elements[0].Type?.SpecialType == SpecialType.System_String)
                            {
                                name = NameOf(pair.Elements[0]);
                                item = Eval(pair.Elements[1]);
                                if (name is null)
                                    item = new Unknown(Text(pair.Elements[0]), "is a module name the generator cannot read", Model.UnresolvedReason.RegisteredName, pair.Elements[0].Syntax);
                            }
                            if (last.ArgumentKind == ArgumentKind.ParamArray && item is Items many)
                                foreach (var one in many.Values)
                                    AddToList(target, one);
                            else
                                AddToList(target, item, name);
                            return target;
                        case "AddRange" or "extend" when invocation.Arguments.Length == 1:
                            if (Eval(invocation.Arguments[0].Value) is ListValue range)
                                target.AddRange(range);
                            else
                                target.AddRepeated(new Unknown(Text(invocation), "adds items the generator cannot read", Model.UnresolvedReason.ArrayFilledInLoop, invocation.Syntax), null);
                            return target;
                        case "ToArray" or "ToList" or "AsEnumerable":
                            return target;
                    }
                }

                if (SymbolEqualityComparer.Default.Equals(containing, _types.Enumerable))
                    return EvalLinq(invocation);

                if (IsRegistration(invocation))
                {
                    Registrations.Add((invocation, _loopDepth > 0));
                    return OtherModule.Instance;
                }
                if (method.Name == "RegisterComponents" && method.Parameters.Length == 0 && IsThis(invocation.Instance))
                {
                    if (RegisterComponentsAt is null)
                    {
                        RegisterComponentsAt = Registrations.Count;
                        AtRegisterComponents = _env.Where(p => p.Key is IFieldSymbol).ToDictionary(p => p.Key, p => p.Value, SymbolEqualityComparer.Default);
                    }
                    return OtherModule.Instance;
                }

                // MakeBlock(width), Layer(i, o), a local function: followed into its body (or reported, never guessed).
                if (_types.IsModule(method.ReturnType) || _types.IsParameter(method.ReturnType))
                    return _methodLocals is null
                        ? _context.AnalyzeHelper(invocation, this)
                        : new Unknown(Text(invocation), "is built by a method the generator does not follow", Model.UnresolvedReason.HelperCall, invocation.Syntax);
                // Hidden(width), RoundUp(h, 256): a method returning a size, followed like the module helpers.
                if (IsInteger(method.ReturnType) && _methodLocals is null)
                    return _context.AnalyzeSizeHelper(invocation, this);
                if (method.ReturnType.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Decimal)
                    return new Unknown(Text(invocation), $"is a floating-point call ({method.ContainingType?.Name}.{method.Name}), which the generator does not follow (write the size in integer arithmetic)",
                        Model.UnresolvedReason.OpaqueSize, invocation.Syntax);
                return new Unknown(Text(invocation), "is a method call", Model.UnresolvedReason.OpaqueSize, invocation.Syntax);
            }

            /// <summary>An integer type (int, long and the other integral types): what a size is.</summary>
            internal static bool IsInteger(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
                or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_UInt16
                or SpecialType.System_UInt32 or SpecialType.System_UInt64;

            /// <summary>TorchSharp's tensor factories whose integer arguments are the shape.</summary>
            private static readonly HashSet<string> TensorFactories = new(StringComparer.Ordinal)
            {
                "ones", "zeros", "empty", "randn", "rand", "full", "normal",
            };

            private static bool IsTensor(ITypeSymbol? type)
            {
                for (var t = type; t is not null; t = t.BaseType)
                    if (t.Name == "Tensor" && t.ContainingType?.Name == "torch")
                        return true;
                return false;
            }

            /// <summary>The constant integer default of a parameter (<c>int multipleOf = 32</c>), or null.</summary>
            internal static long? DefaultOf(IParameterSymbol parameter) =>
                parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is int or long or short or byte or sbyte or ushort or uint
                    ? Convert.ToInt64(parameter.ExplicitDefaultValue, System.Globalization.CultureInfo.InvariantCulture)
                    : null;

            /// <summary>Evaluates an argument of a registration again (its value is in the environment by now).</summary>
            public Value EvalArgument(IArgumentOperation argument) => Eval(argument.Value);

            /// <summary><c>config.Hidden</c>, <c>list.Count</c>, <c>x.shape[0]</c>: a member of another object. The
            /// generator cannot see its value, so it is not assumed width-invariant.</summary>
            private Value EvalMemberOfObject(IOperation operation) =>
                (operation is IMemberReferenceOperation reference ? ReadThroughConfig(reference) : null) ?? new Unknown(Text(operation), "is read from another object, which the generator cannot follow", Model.UnresolvedReason.OpaqueSize, operation.Syntax);
        }
    }
}
