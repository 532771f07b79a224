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
        internal sealed partial class ConstructorWalker
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

            /// <summary>A walker for a helper method's body: the caller's environment (captured locals, fields) is
            /// visible, and the values of its return statements are collected.</summary>
            private ConstructorWalker(ConstructorWalker caller)
            {
                _context = caller._context;
                _types = caller._types;
                _ct = caller._ct;
                _symbolMembers = new HashSet<ISymbol>(caller._symbolMembers, SymbolEqualityComparer.Default);
                foreach (var pair in caller._env)
                    _env[pair.Key] = pair.Value;
                _returns = new List<Value>();
            }

            /// <summary>The values of the return statements reached, when walking a helper method; null otherwise.</summary>
            private readonly List<Value>? _returns;

            /// <summary>A walker for the body of a helper method or local function called from this walker's code.</summary>
            public ConstructorWalker ForHelper() => new(this);

            /// <summary>Walks a helper's body and returns the values of its return statements, in order.</summary>
            public List<Value> WalkHelper(IOperation body)
            {
                Walk(body);
                return _returns!;
            }

            public bool TryGet(ISymbol symbol, out Value value) => _env.TryGetValue(symbol, out value!);

            /// <summary>A parameter bound to the caller's argument value (nested module, chained constructor).</summary>
            public void Bind(ISymbol parameter, Value value) => _env[parameter] = value;

            /// <summary>`this.width = width;` where the member carries [Width]: the parameter is the width symbol too.</summary>
            public void Alias(IParameterSymbol parameter, SymbolRef symbol)
            {
                if (!_env.ContainsKey(parameter))
                    _env[parameter] = symbol;
            }

            public void Assign(ISymbol target, Value value, SyntaxNode? at = null)
            {
                if (_symbolMembers.Contains(target))
                    return;
                // `Hidden = 4 * width;` through a setter with a body: what it stores, and what the getter gives back,
                // are the accessors' business. Reads follow the getter; the fields the setter writes are unknown.
                if (target is IPropertySymbol { SetMethod: { } setter } property && IsInteger(property.Type) && _context.HasAccessorBody(property))
                {
                    _env.Remove(property.OriginalDefinition);
                    _env.Remove(property);
                    Forget(_context.MembersWrittenBy(setter), $"the setter of {property.Name}", at);
                    return;
                }
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
                            Assign(target, Eval(assignment.Value), assignment.Syntax);
                        else
                            WriteConfigMember(assignment.Target, assignment);
                        break;
                    case ICompoundAssignmentOperation compound:
                        if (TargetSymbol(compound.Target) is { } compoundTarget)
                        {
                            // `hidden *= 2;` on an integer is `hidden = hidden * 2;` (integer operands, no conversion).
                            var op = compound.OperatorKind switch
                            {
                                BinaryOperatorKind.Add => '+',
                                BinaryOperatorKind.Subtract => '-',
                                BinaryOperatorKind.Multiply => '*',
                                BinaryOperatorKind.Divide => '/',
                                _ => '?',
                            };
                            var updated = op != '?' && IsInteger(compound.Target.Type) && IsInteger(compound.Value.Type) && compound.OperatorMethod is null
                                ? new Binary(op, Eval(compound.Target), Eval(compound.Value))
                                : null;
                            Assign(compoundTarget, updated is { Size: <= Binary.MaxSize }
                                ? updated
                                : new Unknown(Text(compound), updated is null ? "is updated in place" : "is too large an expression to follow", Model.UnresolvedReason.UnreadableSize, compound.Syntax));
                        }
                        else
                            WriteConfigMember(compound.Target, compound);
                        break;
                    case IIncrementOrDecrementOperation increment:
                        if (TargetSymbol(increment.Target) is { } incrementTarget)
                            Assign(incrementTarget, new Unknown(Text(increment), "is updated in place", Model.UnresolvedReason.UnreadableSize, increment.Syntax));
                        else
                            WriteConfigMember(increment.Target, increment);
                        break;
                    case IInvocationOperation invocation:
                        Eval(invocation);
                        break;
                    case IForLoopOperation forLoop:
                        foreach (var before in forLoop.Before)
                            Walk(before);
                        if (TryUnroll(forLoop))
                            break;
                        WalkLoop(forLoop.Locals, LoopCount(forLoop.Condition, forLoop.Locals), forLoop.Body, CountingIndex(forLoop), loopSyntax: forLoop.Syntax);
                        break;
                    case IForEachLoopOperation forEach:
                        var collection = Eval(forEach.Collection);
                        // The loop variable is a finite value only when every item is (a module of a list, a
                        // constant): `foreach (var c in new[] { width, 2 * width })` takes width-scaled values.
                        var loopVariable = collection is ListValue || (collection is Items items && items.Values.All(IsFinite))
                            ? null
                            : new Unknown(Text(forEach.Collection), "gives the loop variable values that may grow with the width, which the generator does not follow", Model.UnresolvedReason.UnreadableSize, forEach.Collection.Syntax);
                        WalkLoop(forEach.Locals, collection is ListValue { Entries.Count: 1 } range && range.Entries[0].Key is null ? range.Entries[0].Count : null, forEach.Body,
                            element: loopVariable);
                        break;
                    case ILoopOperation loop:
                        WalkLoop(loop.Locals, null, loop.Body);
                        break;
                    case IConditionalOperation conditional:
                        WalkBranches(conditional);
                        break;
                    case IUsingOperation usingOperation:
                        Walk(usingOperation.Resources);
                        Walk(usingOperation.Body);
                        break;
                    case IReturnOperation { ReturnedValue: { } returned } when _returns is not null:
                        _returns.Add(Eval(returned));
                        break;
                    case ITryOperation tryOperation:
                        Walk(tryOperation.Body);
                        Walk(tryOperation.Finally);
                        break;
                }
            }

            /// <summary>Most iterations a loop is unrolled for.</summary>
            private const int MaxUnrolled = 64;

            /// <summary>A counting loop over a count the generator knows (<c>for (int i = 0; i &lt; channels.Length; i++)</c>
            /// with <c>channels</c> an array of sizes), whose body reads sizes by the index (<c>channels[i]</c>) or carries a
            /// value from one iteration to the next (<c>inChannels = channels[i]</c>): TorchSharp's VGG idiom. The body
            /// is walked once per iteration with the index a constant, as straight-line code, so every item gets its
            /// own sizes and its own name (<c>$"conv{i}"</c> gives <c>conv0</c>, <c>conv1</c>, ...). Other loops keep
            /// the one symbolic walk (items <c>*</c>). Not at all inside another loop, nor with break, continue or return.</summary>
            private bool TryUnroll(IForLoopOperation loop)
            {
                if (_loopDepth > 0 || CountingIndex(loop) is not { } index)
                    return false;
                if (LoopCount(loop.Condition, loop.Locals) is not Const { V: > 0 and <= MaxUnrolled } count)
                    return false;
                var body = loop.Body;
                if (body.DescendantsAndSelf().Any(o => o is IBranchOperation or IReturnOperation))
                    return false;
                var declaredInside = new HashSet<ISymbol>(body.DescendantsAndSelf().OfType<IVariableDeclaratorOperation>().Select(d => d.Symbol),
                    SymbolEqualityComparer.Default);
                bool ReadsByIndex(IOperation o) => o is IArrayElementReferenceOperation { Indices.Length: 1 } element
                    && element.Indices[0].WithoutConversions() is ILocalReferenceOperation l && SymbolEqualityComparer.Default.Equals(l.Local, index)
                    && !(element.Parent is ISimpleAssignmentOperation assignment && ReferenceEquals(assignment.Target, element));
                bool Carries(IOperation o) => o is ISimpleAssignmentOperation { Target: var target }
                    && TargetSymbol(target) is { } symbol && symbol is ILocalSymbol && !declaredInside.Contains(symbol)
                    && !SymbolEqualityComparer.Default.Equals(symbol, index);
                if (!body.DescendantsAndSelf().Any(o => ReadsByIndex(o) || Carries(o)))
                    return false;
                for (var k = 0L; k < count.V; k++)
                {
                    _env[index] = new Const(k);
                    Walk(body);
                }
                foreach (var local in loop.Locals)
                    _env[local] = new Unknown(local.Name, "is a loop variable");
                return true;
            }

            /// <summary>Depth of <c>if</c> statements with a condition the generator does not decide: an item added to a
            /// collection there may or may not exist, so it is added as an unresolved item.</summary>
            private int _branchDepth;

            /// <summary>An <c>if</c> statement. A constant condition walks its branch. Otherwise both branches are walked
            /// from the same environment, and a variable or field they leave with different values is unresolved (the
            /// generator does not decide conditions; the last branch must not silently win), unless both values are
            /// finite sizes or modules without parameters, or one branch leaves it as it was before the <c>if</c> and
            /// that was nothing (a member built only when the condition holds: its tensors exist or not, and a fact
            /// for a tensor that does not exist is never matched).</summary>
            private void WalkBranches(IConditionalOperation conditional)
            {
                if (Decide(conditional.Condition) is { } decided)
                {
                    Walk(decided ? conditional.WhenTrue : conditional.WhenFalse);
                    return;
                }
                var before = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
                _branchDepth++;
                try
                {
                    Walk(conditional.WhenTrue);
                    var whenTrue = new Dictionary<ISymbol, Value>(_env, SymbolEqualityComparer.Default);
                    _env.Clear();
                    foreach (var pair in before)
                        _env[pair.Key] = pair.Value;
                    Walk(conditional.WhenFalse);
                    foreach (var pair in whenTrue)
                    {
                        _env.TryGetValue(pair.Key, out var whenFalse);
                        if (!ReferenceEquals(pair.Value, whenFalse))
                            _env[pair.Key] = Merge(pair.Key, pair.Value, whenFalse, conditional);
                    }
                }
                finally
                {
                    _branchDepth--;
                }
            }

            /// <summary>The value of a condition where the generator knows it: a constant, a comparison of constants
            /// (<c>stride != 1</c> with stride bound to 1 at this call site), the same value on both sides of
            /// <c>==</c>/<c>!=</c> (<c>inPlanes != planes</c> with both bound to the width), and <c>!</c>, <c>&amp;&amp;</c>,
            /// <c>||</c> of those. Null when it depends on something else.</summary>
            private bool? Decide(IOperation condition)
            {
                condition = condition.WithoutConversions();
                if (condition.ConstantValue is { HasValue: true, Value: bool constant })
                    return constant;
                switch (condition)
                {
                    case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                        return Decide(not.Operand) is { } operand ? !operand : null;
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.ConditionalAnd } logical:
                    {
                        var isOr = logical.OperatorKind == BinaryOperatorKind.ConditionalOr;
                        var left = Decide(logical.LeftOperand);
                        if (left == isOr)
                            return isOr;
                        var right = Decide(logical.RightOperand);
                        if (right == isOr)
                            return isOr;
                        return left is null || right is null ? null : !isOr;
                    }
                    case IBinaryOperation comparison:
                    {
                        var kind = comparison.OperatorKind;
                        if (kind is not (BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or BinaryOperatorKind.LessThan
                            or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual))
                            return null;
                        var a = Eval(comparison.LeftOperand);
                        var b = Eval(comparison.RightOperand);
                        if (a is Const x && b is Const y)
                            return kind switch
                            {
                                BinaryOperatorKind.Equals => x.V == y.V,
                                BinaryOperatorKind.NotEquals => x.V != y.V,
                                BinaryOperatorKind.LessThan => x.V < y.V,
                                BinaryOperatorKind.LessThanOrEqual => x.V <= y.V,
                                BinaryOperatorKind.GreaterThan => x.V > y.V,
                                _ => x.V >= y.V,
                            };
                        if (a is BoolConst p && b is BoolConst q && kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
                            return (p.V == q.V) == (kind == BinaryOperatorKind.Equals);
                        if (ReferenceEquals(a, b) && a is SymbolRef or Opaque && !ReferenceEquals(a, NullValue)
                            && kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
                            return kind == BinaryOperatorKind.Equals;
                        return null;
                    }
                    default:
                        return Eval(condition) is BoolConst value ? value.V : null;
                }
            }

            private static Value Merge(ISymbol symbol, Value whenTrue, Value? whenFalse, IConditionalOperation conditional)
            {
                // A local declared inside one branch is out of scope after the if; a member assigned in one branch only,
                // when it held nothing before, is built or not.
                if (whenFalse is null)
                    return whenTrue;
                if (IsFinite(whenTrue) && IsFinite(whenFalse))
                    return new Opaque(symbol.Name);
                if (whenTrue is OtherModule && whenFalse is OtherModule)
                    return whenTrue;
                static bool IsModule(Value v) => v is Layer or UserModule or ListValue or ParameterValue or OtherModule;
                return new Unknown(symbol.Name, "is assigned differently in the branches of an `if` whose condition the generator does not decide",
                    IsModule(whenTrue) || IsModule(whenFalse) ? Model.UnresolvedReason.NotConstructed : Model.UnresolvedReason.UnreadableSize, conditional.Syntax);
            }

            /// <summary>Walks a loop body once: items added to lists in it are repeated items (index `*`), counted by
            /// <paramref name="count"/> when the loop header shows it.</summary>
            private void WalkLoop(System.Collections.Immutable.ImmutableArray<ILocalSymbol> locals, Value? count, IOperation body, ILocalSymbol? index = null,
                Value? element = null, SyntaxNode? loopSyntax = null)
            {
                // A for loop's variable other than the counting index (an index: finite) changes in ways the generator does not follow
                // (`for (var c = 16; c <= width; c *= 2)` reaches the width): not assumed finite. A foreach variable
                // is finite when its collection's items are (element null), else what the caller says.
                foreach (var local in locals)
                    _env[local] = loopSyntax is not null && !SymbolEqualityComparer.Default.Equals(local, index)
                        ? new Unknown(local.Name, "is a loop variable whose values the generator does not follow", Model.UnresolvedReason.UnreadableSize, loopSyntax)
                        : element ?? new Opaque(local.Name);
                RunLoopBody(count, index is null ? null : index.Name, newIndex =>
                {
                    if (newIndex is not null)
                        _env[index!] = newIndex;
                }, () => Walk(body));
                foreach (var local in locals)
                    _env[local] = new Unknown(local.Name, "is a loop variable");
            }

            /// <summary>The part of a loop walk both readers share (the binding walk and the syntax fast path): the loop
            /// state (depth, count, index, items added per list) around one walk of the body, and the places of items
            /// chosen by the index afterwards.</summary>
            private void RunLoopBody(Value? count, string? indexName, System.Action<LoopIndex?> bindIndex, System.Action walkBody)
            {
                var outerCount = _loopCount;
                var outerIndex = _loopIndex;
                var outerAdds = _loopAdds;
                _loopDepth++;
                _loopCount = _loopDepth == 1 ? count : null;
                _loopIndex = _loopDepth == 1 && indexName is not null ? new LoopIndex(indexName) : null;
                bindIndex(_loopIndex);
                _loopAdds = new Dictionary<ListValue, LoopAdds>();
                walkBody();
                // An item chosen by index (`i == k ? a : b`) in a loop that adds n items per iteration to that list sits
                // at start + k * n + (its place among the iteration's adds): `list.Add(Linear(i == 0 ? f : w, w));
                // list.Add(GELU());` puts iteration 0's Linear at 0. Where the start is not known, neither is the index.
                foreach (var pair in _loopAdds)
                    if (pair.Value.Adds > 1)
                        foreach (var (chosen, k, offset) in pair.Value.Chosen)
                        {
                            var at = pair.Key.Entries.IndexOf(chosen);
                            if (at < 0)
                                continue;
                            pair.Key.Entries[at] = pair.Value.Start is { } first
                                ? new ListItem((first + k * pair.Value.Adds + offset).ToString(System.Globalization.CultureInfo.InvariantCulture), chosen.Item, null)
                                : new ListItem(null, new Unknown(chosen.Key!, "is an item chosen by the loop index in a loop that adds several items per iteration to a list whose earlier length is not known", Model.UnresolvedReason.CollectionItemsDiffer), null);
                        }
                _loopAdds = outerAdds;
                _loopDepth--;
                _loopCount = outerCount;
                _loopIndex = outerIndex;
            }

            private LoopIndex? _loopIndex;

            private Dictionary<ListValue, LoopAdds>? _loopAdds;

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

            /// <summary>A value that cannot grow with a width: constants and plain finite values, and arithmetic of them.</summary>
            private static bool IsFinite(Value value) => value switch
            {
                Const or BoolConst => true,
                Opaque o => !ReferenceEquals(o, NullValue),
                Binary b => IsFinite(b.Left) && IsFinite(b.Right),
                Items items => items.Values.All(IsFinite),
                _ => false,
            };

            private static ISymbol? TargetSymbol(IOperation target) => target switch
            {
                ILocalReferenceOperation l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                IFieldReferenceOperation f when IsThis(f.Instance) => f.Field,
                IPropertyReferenceOperation p when IsThis(p.Instance) && p.Arguments.Length == 0 => p.Property,
                _ => null,
            };

            private static bool IsThis(IOperation? instance) => instance is null or IInstanceReferenceOperation;

            /// <summary>register_module / register_parameter / register_buffer calls on this module, in order.</summary>
            public List<(IInvocationOperation Call, bool InLoop)> Registrations { get; } = new();

            /// <summary>How many registrations came before the first <c>RegisterComponents()</c> call (null: no call).
            /// RegisterComponents skips a field whose name is registered already, and named_parameters() lists a tensor
            /// once, under the name it was first registered with.</summary>
            public int? RegisterComponentsAt { get; private set; }

            /// <summary>The fields' values when <c>RegisterComponents()</c> ran: a field assigned later is not registered
            /// by it (null then), only by a later register_module.</summary>
            public Dictionary<ISymbol, Value>? AtRegisterComponents { get; private set; }

            private bool IsRegistration(IInvocationOperation invocation) =>
                invocation.TargetMethod.Name is "register_module" or "register_parameter"
                && IsThis(invocation.Instance)
                && _types.IsModule(invocation.TargetMethod.ContainingType);
        }
    }
}
