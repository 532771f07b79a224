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
        /// <summary>Walks a constructor's statements in order and evaluates every expression symbolically, with an
        /// environment from parameters, locals and fields to their values.</summary>
        internal sealed class ConstructorWalker
        {
            private readonly Dictionary<ISymbol, Value> _env = new(SymbolEqualityComparer.Default);
            /// <summary>[Width]/[Depth] fields and properties: `this.width = width` must not overwrite their symbol.</summary>
            private readonly HashSet<ISymbol> _symbolMembers;
            private readonly AnalysisContext _context;
            private readonly KnownTypes _types;
            private readonly CancellationToken _ct;
            private int _loopDepth;
            private Value? _loopCount;
            /// <summary>Set while a MupAttentionScale argument in a method (not the constructor) is evaluated: the
            /// method's locals, by their initializers.</summary>
            private Dictionary<ILocalSymbol, IOperation>? _methodLocals;
            private readonly HashSet<ILocalSymbol> _resolving = new(SymbolEqualityComparer.Default);

            public ConstructorWalker(AnalysisContext context, Dictionary<ISymbol, SymbolRef> symbols)
            {
                _context = context;
                _types = context.Types;
                _ct = context.Ct;
                _symbolMembers = new HashSet<ISymbol>(symbols.Keys.Where(s => s is not IParameterSymbol), SymbolEqualityComparer.Default);
                foreach (var pair in symbols)
                    _env[pair.Key] = pair.Value;
            }

            public bool TryGet(ISymbol symbol, out Value value) => _env.TryGetValue(symbol, out value!);

            /// <summary>A parameter bound to the caller's argument value (nested module, chained constructor).</summary>
            public void Bind(ISymbol parameter, Value value) => _env[parameter] = value;

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

            /// <summary>`this.width = width;` where the member carries [Width]: the parameter is the width symbol too.</summary>
            public void Alias(IParameterSymbol parameter, SymbolRef symbol)
            {
                if (!_env.ContainsKey(parameter))
                    _env[parameter] = symbol;
            }

            public void Assign(ISymbol target, Value value)
            {
                if (_symbolMembers.Contains(target))
                    return;
                // A value assigned inside a loop changes from iteration to iteration.
                _env[target] = _loopDepth > 0 && value is not (Layer or OtherModule or UserModule or ListValue or ParameterValue or IndexChoice)
                    ? new Unknown(target.Name, "is assigned inside a loop", value is Unknown u ? u.Reason : Model.UnresolvedReason.UnreadableSize)
                    : value;
            }

            public void Walk(IOperation? operation)
            {
                if (operation is null)
                    return;
                _ct.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case IBlockOperation block:
                        foreach (var statement in block.Operations)
                            Walk(statement);
                        break;
                    case IVariableDeclarationGroupOperation group:
                        foreach (var declaration in group.Declarations)
                            foreach (var declarator in declaration.Declarators)
                            {
                                var init = declarator.Initializer?.Value ?? declaration.Initializer?.Value;
                                _env[declarator.Symbol] = init is null
                                    ? new Unknown(declarator.Symbol.Name, "has no initial value", Model.UnresolvedReason.NotConstructed, declarator.Syntax)
                                    : Eval(init);
                            }
                        break;
                    case IExpressionStatementOperation statement:
                        Walk(statement.Operation);
                        break;
                    case ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation element } assignment:
                        AssignElement(element, Eval(assignment.Value));
                        break;
                    case ISimpleAssignmentOperation assignment:
                        if (TargetSymbol(assignment.Target) is { } target)
                            Assign(target, Eval(assignment.Value));
                        break;
                    case ICompoundAssignmentOperation compound:
                        if (TargetSymbol(compound.Target) is { } compoundTarget)
                            Assign(compoundTarget, new Unknown(Text(compound), "is updated in place", Model.UnresolvedReason.UnreadableSize, compound.Syntax));
                        break;
                    case IIncrementOrDecrementOperation increment:
                        if (TargetSymbol(increment.Target) is { } incrementTarget)
                            Assign(incrementTarget, new Unknown(Text(increment), "is updated in place", Model.UnresolvedReason.UnreadableSize, increment.Syntax));
                        break;
                    case IInvocationOperation invocation:
                        Eval(invocation);
                        break;
                    case IForLoopOperation forLoop:
                        foreach (var before in forLoop.Before)
                            Walk(before);
                        WalkLoop(forLoop.Locals, LoopCount(forLoop.Condition, forLoop.Locals), forLoop.Body, CountingIndex(forLoop));
                        break;
                    case IForEachLoopOperation forEach:
                        var collection = Eval(forEach.Collection);
                        WalkLoop(forEach.Locals, collection is ListValue { Entries.Count: 1 } range && range.Entries[0].Key is null ? range.Entries[0].Count : null, forEach.Body);
                        break;
                    case ILoopOperation loop:
                        WalkLoop(loop.Locals, null, loop.Body);
                        break;
                    case IConditionalOperation conditional:
                        Walk(conditional.WhenTrue);
                        Walk(conditional.WhenFalse);
                        break;
                    case IUsingOperation usingOperation:
                        Walk(usingOperation.Resources);
                        Walk(usingOperation.Body);
                        break;
                    case ITryOperation tryOperation:
                        Walk(tryOperation.Body);
                        Walk(tryOperation.Finally);
                        break;
                }
            }

            /// <summary>Walks a loop body once: items added to lists in it are repeated items (index `*`), counted by
            /// <paramref name="count"/> when the loop header shows it.</summary>
            private void WalkLoop(System.Collections.Immutable.ImmutableArray<ILocalSymbol> locals, Value? count, IOperation body, ILocalSymbol? index = null)
            {
                foreach (var local in locals)
                    _env[local] = new Opaque(local.Name);
                var outerCount = _loopCount;
                var outerIndex = _loopIndex;
                var outerAdds = _loopAdds;
                _loopDepth++;
                _loopCount = _loopDepth == 1 ? count : null;
                _loopIndex = _loopDepth == 1 && index is not null ? new LoopIndex(index) : null;
                if (_loopIndex is not null)
                    _env[index!] = _loopIndex;
                _loopAdds = new Dictionary<ListValue, (int Adds, List<ListItem> Chosen)>();
                Walk(body);
                // An item chosen by index (`i == 0 ? a : b`) sits at that index only when the loop adds one item per
                // iteration to that list; otherwise the indices are not known after all.
                foreach (var pair in _loopAdds)
                    if (pair.Value.Adds > 1)
                        foreach (var chosen in pair.Value.Chosen)
                        {
                            var at = pair.Key.Entries.IndexOf(chosen);
                            if (at >= 0)
                                pair.Key.Entries[at] = new ListItem(null, new Unknown(chosen.Key!, "is an item chosen by the loop index in a loop that adds several items per iteration", Model.UnresolvedReason.CollectionItemsDiffer), null);
                        }
                _loopAdds = outerAdds;
                _loopDepth--;
                _loopCount = outerCount;
                _loopIndex = outerIndex;
                foreach (var local in locals)
                    _env[local] = new Unknown(local.Name, "is a loop variable");
            }

            private LoopIndex? _loopIndex;
            private Dictionary<ListValue, (int Adds, List<ListItem> Chosen)>? _loopAdds;

            /// <summary>The variable of <c>for (var i = 0; ...; i++)</c> (or <c>++i</c>, <c>i += 1</c>): it is the index of
            /// the item each iteration adds.</summary>
            private ILocalSymbol? CountingIndex(IForLoopOperation loop)
            {
                if (loop.Locals.Length != 1 || loop.AtLoopBottom.Length != 1)
                    return null;
                var local = loop.Locals[0];
                var starts = loop.Before.SelectMany(b => b.DescendantsAndSelf().OfType<IVariableDeclaratorOperation>())
                    .Any(d => SymbolEqualityComparer.Default.Equals(d.Symbol, local) && d.Initializer?.Value.ConstantValue is { HasValue: true, Value: 0 });
                var step = loop.AtLoopBottom[0] is IExpressionStatementOperation { Operation: var bottom } ? bottom : loop.AtLoopBottom[0];
                var byOne = step switch
                {
                    IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation t } => SymbolEqualityComparer.Default.Equals(t.Local, local),
                    ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation t, Value.ConstantValue: { HasValue: true, Value: 1 } } => SymbolEqualityComparer.Default.Equals(t.Local, local),
                    _ => false,
                };
                return starts && byOne ? local : null;
            }

            /// <summary>`for (var i = 0; i &lt; n; i++)`: the count is n (n + 1 for &lt;=).</summary>
            private Value? LoopCount(IOperation? condition, System.Collections.Immutable.ImmutableArray<ILocalSymbol> locals)
            {
                if (condition is not IBinaryOperation { LeftOperand: var left } binary
                    || left.WithoutConversions() is not ILocalReferenceOperation local
                    || !locals.Contains(local.Local, SymbolEqualityComparer.Default))
                    return null;
                // The bound is evaluated before the loop variables become opaque.
                return binary.OperatorKind switch
                {
                    BinaryOperatorKind.LessThan => Eval(binary.RightOperand),
                    BinaryOperatorKind.LessThanOrEqual => new Binary('+', Eval(binary.RightOperand), new Const(1)),
                    _ => null,
                };
            }

            private static ISymbol? TargetSymbol(IOperation target) => target switch
            {
                ILocalReferenceOperation l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                IFieldReferenceOperation f when IsThis(f.Instance) => f.Field,
                IPropertyReferenceOperation p when IsThis(p.Instance) && p.Arguments.Length == 0 => p.Property,
                _ => null,
            };

            private static bool IsThis(IOperation? instance) => instance is null or IInstanceReferenceOperation;

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
                            : new Opaque(parameter.Parameter.Name);
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
                    case IFieldReferenceOperation field when IsThis(field.Instance):
                        return _env.TryGetValue(field.Field, out var f) ? f
                            : _methodLocals is not null ? new Unknown(field.Field.Name, "is not set by the constructor")
                            : new Opaque(field.Field.Name);
                    case IPropertyReferenceOperation property when IsThis(property.Instance) && property.Arguments.Length == 0:
                        return _env.TryGetValue(property.Property, out var pr) ? pr
                            : _methodLocals is not null ? new Unknown(property.Property.Name, "is not set by the constructor")
                            : new Opaque(property.Property.Name);
                    case IPropertyReferenceOperation or IFieldReferenceOperation when _methodLocals is not null:
                        return new Unknown(Text(operation), "is read in a method, not the constructor");
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
                            Assign(target, assigned);
                        return assigned;
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
                        creation.Arguments.Length > 0 ? TensorShape(creation.Arguments[0].Value) : null);
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
                var method = invocation.TargetMethod;
                var containing = method.ContainingType?.OriginalDefinition;

                if (SymbolEqualityComparer.Default.Equals(containing, _types.TorchNn) && method.Name == "Parameter"
                    && invocation.Arguments.Length > 0)
                    return new ParameterValue(Text(invocation), invocation.Syntax, TensorShape(invocation.Arguments[0].Value));

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

                return _types.IsModule(method.ReturnType)
                    ? new Unknown(Text(invocation), "is built by a method the generator does not follow", Model.UnresolvedReason.HelperCall, invocation.Syntax)
                    : new Unknown(Text(invocation), "is a method call", Model.UnresolvedReason.OpaqueSize, invocation.Syntax);
            }

            /// <summary>TorchSharp's tensor factories whose integer arguments are the shape.</summary>
            private static readonly HashSet<string> TensorFactories = new(StringComparer.Ordinal)
            {
                "ones", "zeros", "empty", "randn", "rand", "full", "normal",
            };

            /// <summary>The shape of a tensor expression, as symbolic sizes: <c>torch.ones(dim)</c>,
            /// <c>zeros(1, 1, width)</c>, <c>randn(new long[] { 1, n + 1, width })</c>, through <c>* 0.02</c>,
            /// <c>.mul(...)</c>, <c>.to(...)</c> and in-place initialisers (<c>.normal_()</c>). Null when unreadable.</summary>
            private List<Value>? TensorShape(IOperation operation)
            {
                operation = operation.WithoutConversions();
                switch (operation)
                {
                    case IInvocationOperation { Instance: null } factory
                        when TensorFactories.Contains(factory.TargetMethod.Name)
                             && factory.TargetMethod.ContainingType?.Name == "torch":
                        var dims = new List<Value>();
                        foreach (var argument in factory.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? int.MaxValue))
                        {
                            if (argument.Parameter is not { } parameter || argument.ArgumentKind == ArgumentKind.DefaultValue)
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
                                    return null;
                            }
                        }
                        return dims.Count > 0 ? dims : null;
                    case IBinaryOperation { OperatorMethod: not null } binary:
                        return IsTensor(binary.LeftOperand.Type) ? TensorShape(binary.LeftOperand)
                            : IsTensor(binary.RightOperand.Type) ? TensorShape(binary.RightOperand) : null;
                    case IInvocationOperation { Instance: { } instance } call when IsTensor(call.TargetMethod.ReturnType) && IsTensor(instance.Type)
                        && call.TargetMethod.Name is "mul" or "mul_" or "div" or "div_" or "to" or "requires_grad_" or "normal_" or "uniform_"
                            or "fill_" or "zero_" or "clone" or "detach" or "cpu" or "cuda" or "contiguous" or "add" or "add_" or "trunc_normal_":
                        return TensorShape(instance);
                    default:
                        return null;
                }
            }

            private static bool IsTensor(ITypeSymbol? type)
            {
                for (var t = type; t is not null; t = t.BaseType)
                    if (t.Name == "Tensor" && t.ContainingType?.Name == "torch")
                        return true;
                return false;
            }

            /// <summary><c>layers[i] = Linear(...)</c>: a constant index, or the counting loop's index (every item; with
            /// <c>i == 0 ? a : b</c> the item at 0 apart).</summary>
            private void AssignElement(IArrayElementReferenceOperation element, Value item)
            {
                if (element.Indices.Length != 1 || Eval(element.ArrayReference) is not ListValue { IsArray: true } array)
                    return;
                var index = Eval(element.Indices[0]);
                if (index is Const { V: >= 0 and < 100000 } k && _loopDepth == 0)
                {
                    array.AddAt((int)k.V, item);
                }
                else if (index is LoopIndex && ReferenceEquals(index, _loopIndex))
                {
                    if (Choose(item) is { } choice)
                    {
                        array.AddAt((int)choice.Index, choice.At);
                        array.AddRepeated(choice.Others, _loopCount);
                    }
                    else
                    {
                        array.AddRepeated(item, _loopCount);
                    }
                }
                else
                {
                    array.AddRepeated(new Unknown(Text(element), "sets array items at indices the generator cannot follow", Model.UnresolvedReason.ArrayFilledInLoop, element.Syntax), null);
                }
            }

            /// <summary>A module's name in a tuple: a constant, or an interpolated string whose integer holes are the
            /// loop index (<c>$"conv{i}"</c> gives <c>conv*</c>, as TorchSharp then names the items).</summary>
            private static string? NameOf(IOperation operation)
            {
                operation = operation.WithoutConversions();
                if (operation.ConstantValue is { HasValue: true, Value: string constant })
                    return constant;
                if (operation is not IInterpolatedStringOperation interpolated)
                    return null;
                var sb = new System.Text.StringBuilder();
                foreach (var part in interpolated.Parts)
                {
                    switch (part)
                    {
                        case IInterpolatedStringTextOperation text when text.Text.ConstantValue.Value is string t:
                            sb.Append(t);
                            break;
                        case IInterpolationOperation { Expression: var e, Alignment: null, FormatString: null }
                            when e.WithoutConversions().Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64:
                            if (e.WithoutConversions().ConstantValue is { HasValue: true, Value: var v })
                                sb.Append(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture));
                            else
                                sb.Append('*');
                            break;
                        default:
                            return null;
                    }
                }
                var name = sb.ToString();
                return name.Length == 0 || name.Contains("**") ? null : name;
            }

            /// <summary>register_module / register_parameter / register_buffer calls on this module, in order.</summary>
            public List<(IInvocationOperation Call, bool InLoop)> Registrations { get; } = new();

            /// <summary>How many registrations came before the first <c>RegisterComponents()</c> call (null: no call).
            /// RegisterComponents skips a field whose name is registered already, and named_parameters() lists a tensor
            /// once, under the name it was first registered with.</summary>
            public int? RegisterComponentsAt { get; private set; }

            /// <summary>The fields' values when <c>RegisterComponents()</c> ran: a field assigned later is not registered
            /// by it (null then), only by a later register_module.</summary>
            public Dictionary<ISymbol, Value>? AtRegisterComponents { get; private set; }

            /// <summary>Evaluates an argument of a registration again (its value is in the environment by now).</summary>
            public Value EvalArgument(IArgumentOperation argument) => Eval(argument.Value);

            private bool IsRegistration(IInvocationOperation invocation) =>
                invocation.TargetMethod.Name is "register_module" or "register_parameter"
                && IsThis(invocation.Instance)
                && _types.IsModule(invocation.TargetMethod.ContainingType);

            /// <summary><c>config.Hidden</c>, <c>list.Count</c>, <c>x.shape[0]</c>: a member of another object. The
            /// generator cannot see its value, so it is not assumed width-invariant.</summary>
            private Value EvalMemberOfObject(IOperation operation) =>
                new Unknown(Text(operation), "is read from another object, which the generator cannot follow", Model.UnresolvedReason.OpaqueSize, operation.Syntax);

            private void AddToList(ListValue list, Value item, string? name = null)
            {
                if (_loopDepth == 0)
                {
                    list.Add(item, name);
                    return;
                }
                if (_loopAdds is not null)
                {
                    _loopAdds.TryGetValue(list, out var seen);
                    _loopAdds[list] = (seen.Adds + 1, seen.Chosen ?? new List<ListItem>());
                }
                if (name is null && list.NextIndex is { } start && Choose(item) is { } choice)
                {
                    list.AddAt(start + (int)choice.Index, choice.At);
                    _loopAdds?[list].Chosen.Add(list.Entries[list.Entries.Count - 1]);
                    list.AddRepeated(choice.Others, _loopCount);
                    return;
                }
                list.AddRepeated(item, _loopCount, name);
            }

            /// <summary>An item that depends on the loop index only through <c>i == k ? a : b</c>: the item at k and the
            /// item at every other index. Null when the item has no such choice (or more than one).</summary>
            private static IndexChoice? Choose(Value item)
            {
                IndexChoice? found = null;
                bool Find(Value v)
                {
                    switch (v)
                    {
                        case IndexChoice c:
                            if (found is not null && found.Index != c.Index)
                                return false;
                            found = c;
                            return true;
                        case Binary b:
                            return Find(b.Left) && Find(b.Right);
                        case Items items:
                            return items.Values.All(Find);
                        case Layer layer:
                            return layer.Args.Values.All(Find);
                        default:
                            return true;
                    }
                }
                if (!Find(item) || found is null)
                    return null;
                return new IndexChoice(found.Index, Substitute(item, true), Substitute(item, false));
            }

            private static Value Substitute(Value value, bool atIndex) => value switch
            {
                IndexChoice c => Substitute(atIndex ? c.At : c.Others, atIndex),
                Binary b => new Binary(b.Op, Substitute(b.Left, atIndex), Substitute(b.Right, atIndex)),
                Items items => new Items(items.Values.Select(v => Substitute(v, atIndex)).ToList()),
                Layer layer => new Layer(layer.Entry, layer.Args.ToDictionary(p => p.Key, p => Substitute(p.Value, atIndex)), layer.Syntax),
                _ => value,
            };

            private Value EvalLinq(IInvocationOperation invocation)
            {
                var args = invocation.Arguments;
                switch (invocation.TargetMethod.Name)
                {
                    case "Range" when args.Length == 2:
                        var range = new ListValue();
                        range.AddRepeated(new Opaque("i"), Eval(args[1].Value));
                        return range;
                    case "Select" when args.Length == 2:
                        if (Eval(args[0].Value) is not ListValue source)
                            break;
                        if (args[1].Value.WithoutConversions() is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                            break;
                        var result = new ListValue();
                        foreach (var entry in source.Entries)
                        {
                            var item = EvalLambda(lambda);
                            if (entry.Key is null)
                                result.AddRepeated(item, entry.Count);
                            else
                                result.Add(item);
                        }
                        return result;
                    case "ToArray" or "ToList" or "AsEnumerable" or "Cast" or "OfType" when args.Length == 1:
                        if (Eval(args[0].Value) is ListValue passed)
                            return passed;
                        break;
                }
                return new Unknown(Text(invocation), "is a LINQ call the generator does not follow", Model.UnresolvedReason.ArrayFilledInLoop, invocation.Syntax);
            }

            private Value EvalLambda(IAnonymousFunctionOperation lambda)
            {
                foreach (var parameter in lambda.Symbol.Parameters)
                    _env[parameter] = new Opaque(parameter.Name);
                _loopDepth++;
                try
                {
                    foreach (var statement in lambda.Body.Operations)
                    {
                        if (statement is IReturnOperation { ReturnedValue: { } returned })
                            return Eval(returned);
                        Walk(statement);
                    }
                }
                finally
                {
                    _loopDepth--;
                }
                return new Unknown(Text(lambda), "is a lambda the generator cannot read", Model.UnresolvedReason.ArrayFilledInLoop, lambda.Syntax);
            }

            /// <summary>ModuleList(a, b), Sequential(a, b), Sequential(("name", a)), Sequential(list), new ModuleList&lt;T&gt;(items).</summary>
            private Value ListFromArguments(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, bool isModule)
            {
                var list = new ListValue { IsModule = isModule };
                foreach (var argument in arguments)
                {
                    if (argument.ArgumentKind == ArgumentKind.ParamArray
                        && argument.Value.WithoutConversions() is IArrayCreationOperation { Initializer: { } initializer })
                    {
                        foreach (var element in initializer.ElementValues)
                        {
                            if (element.WithoutConversions() is ITupleOperation { Elements.Length: 2 } tuple
                                && tuple.Elements[0].ConstantValue is { HasValue: true, Value: string name })
                                list.Add(Eval(tuple.Elements[1]), name);
                            else
                                list.Add(Eval(element));
                        }
                        continue;
                    }
                    if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                        continue;
                    switch (Eval(argument.Value))
                    {
                        case ListValue source:
                            list.AddRange(source);
                            break;
                        case Items items:
                            foreach (var item in items.Values)
                                list.Add(item);
                            break;
                        case var other:
                            list.AddRepeated(other is Unknown ? other : new Unknown(Text(argument.Value), "is not a list the generator can read", Model.UnresolvedReason.ArrayFilledInLoop, argument.Value.Syntax), null);
                            break;
                    }
                }
                return list;
            }
        }
    }
}
