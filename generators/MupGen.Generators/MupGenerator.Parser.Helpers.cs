using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        internal sealed partial class AnalysisContext
        {
            /// <summary>How many size helper calls one model may follow in all.</summary>
            private const int MaxSizeCalls = 4096;

            private int _sizeCalls;

            /// <summary>The helper methods and local functions being followed (recursion guard).</summary>
            private readonly List<IMethodSymbol> _helpers = new();

            /// <summary><c>MakeBlock(width)</c>, <c>Layer(i, o)</c>: a method or local function of this compilation that
            /// returns a module or a Parameter. Its body is walked with its parameters bound to the caller's values (and
            /// the caller's environment visible, as a local function's captured variables and an instance method's
            /// fields are), and its returned value is the call's value, so its layers are read per call site. What the
            /// generator cannot follow stays loud (<see cref="UnresolvedReason.HelperCall"/>, or
            /// <see cref="UnresolvedReason.NestingLimit"/> for recursion): a method without source, a virtual, abstract,
            /// interface, extern or generic method, a method of another object, a body with side effects on anything
            /// it did not create, a loop whose count it cannot read, or several returns that give different values.</summary>
            public Value AnalyzeHelper(IInvocationOperation invocation, ConstructorWalker caller) =>
                Follow(invocation.TargetMethod, invocation, invocation.Arguments, caller, size: false);

            /// <summary><c>Hidden(width)</c>, <c>RoundUp(4 * width, 256)</c>, a local function, a static method of another
            /// class: a method of this compilation that returns an integer, in a size position. Followed like a module
            /// helper, with its arguments bound, and stricter: its body may only declare and assign its own locals,
            /// guard (<c>if (...) throw</c>) and return (several returns must give the same value); no loop, no
            /// statement with an effect, no read of a mutable field or settable property, no out/ref parameter. The
            /// returned arithmetic is then exactly the inline expression with the arguments substituted, so the
            /// dimension algebra (monomials, affine sums, computed sizes) treats it as if it had been written at the call.
            /// Anything else is reported at the call (<see cref="UnresolvedReason.OpaqueSize"/>), saying why.</summary>
            public Value AnalyzeSizeHelper(IInvocationOperation invocation, ConstructorWalker caller) =>
                Follow(invocation.TargetMethod, invocation, invocation.Arguments, caller, size: true);

            /// <summary><c>Hidden</c> with <c>int Hidden => 4 * _width;</c>: an integer property of this object (or a static
            /// one) with a getter body in source, read in the constructor before the constructor assigned it: the
            /// getter is followed as a size helper without arguments. Null for an auto-property or a property without
            /// source (its value is then what the constructor or an initializer assigned, or a plain finite value).</summary>
            public Value? AnalyzeGetter(IPropertyReferenceOperation reference, ConstructorWalker caller)
            {
                var property = reference.Property.OriginalDefinition;
                if (property.GetMethod is not { } getter || property.DeclaringSyntaxReferences.Length == 0
                    || property.DeclaringSyntaxReferences[0].GetSyntax(Ct) is not PropertyDeclarationSyntax syntax)
                    return null;
                var computed = syntax.ExpressionBody is not null
                    || syntax.AccessorList?.Accessors.Any(a => a.Keyword.ValueText == "get" && (a.Body is not null || a.ExpressionBody is not null)) == true;
                if (!computed)
                    return null;
                if (property.IsAbstract || property.IsVirtual || (property.IsOverride && !property.IsSealed && property.ContainingType?.IsSealed != true))
                    return new Unknown(ConstructorWalker.Text(reference), "is a size computed by a virtual or abstract property, which a derived class may replace (make it non-virtual, or compute the size in the constructor)",
                        UnresolvedReason.OpaqueSize, reference.Syntax);
                return Follow(getter, reference, System.Collections.Immutable.ImmutableArray<IArgumentOperation>.Empty, caller, size: true);
            }

            private Value Follow(IMethodSymbol method, IOperation site, System.Collections.Immutable.ImmutableArray<IArgumentOperation> invocationArguments,
                ConstructorWalker caller, bool size)
            {
                var text = ConstructorWalker.Text(site);
                var built = size ? "is a size computed by" : "is built by";
                // A size helper the generator does not follow is a size it cannot trace (MUP012), with the fix.
                Unknown Loud(string why, UnresolvedReason reason = UnresolvedReason.HelperCall) =>
                    new(text, $"{built} {why}", size ? UnresolvedReason.OpaqueSize : reason, site.Syntax);

                var definition = method.PartialImplementationPart ?? method;
                definition = definition.OriginalDefinition;
                if (definition.DeclaringSyntaxReferences.Length == 0)
                    return Loud(size
                        ? $"a method of another assembly ({definition.ContainingType?.Name}.{definition.Name}), whose body the generator cannot read (compute the size in the constructor from the width and constants)"
                        : "a method of another assembly, whose body the generator cannot read");
                if (definition.IsAbstract || definition.IsVirtual || definition.ContainingType?.TypeKind == TypeKind.Interface
                    || (definition.IsOverride && !definition.IsSealed && definition.ContainingType?.IsSealed != true))
                    return Loud("a virtual, abstract or interface method, which a derived class may replace" + (size ? " (make it non-virtual, or compute the size in the constructor)" : ""));
                if (definition.IsExtern)
                    return Loud("an extern method");
                if (definition.IsGenericMethod)
                    return Loud("a generic method, which the generator does not follow" + (size ? " (give it int parameters)" : ""));
                if (!definition.IsStatic && definition.MethodKind is not (MethodKind.LocalFunction or MethodKind.PropertyGet)
                    && site is IInvocationOperation { Instance: not (null or IInstanceReferenceOperation) })
                    return Loud("a method of another object, whose state the generator cannot see");
                if (_helpers.Contains(definition, SymbolEqualityComparer.Default))
                    return Loud("a method that calls itself (recursion), which the generator does not follow", UnresolvedReason.NestingLimit);
                if (_stack.Count + _helpers.Count > MaxDepth)
                    return Loud("a chain of helper calls and modules too deep to follow", UnresolvedReason.NestingLimit);
                // Size helpers are cheap (no loops, no modules): their own, larger budget.
                if (size ? ++_sizeCalls > MaxSizeCalls : ++_analysed > MaxModules)
                    return Loud(size ? "one size helper call too many to follow" : "one nested construction too many to follow", UnresolvedReason.NestingLimit);
                if (HelperBody(definition) is not { } body)
                    return Loud("a method whose body the generator cannot read");
                if ((size ? HelperShape.SizeProblem(body, definition, Ct) : HelperShape.Problem(body, definition, Ct)) is { } problem)
                    return Loud((definition.MethodKind == MethodKind.PropertyGet ? "a getter that " : "a method that ") + problem);

                // Arguments are evaluated in the caller's environment and bound to the callee's parameters (a left-out
                // optional argument is its constant default; named arguments bind by name).
                var arguments = new List<(ISymbol Parameter, Value Value)>();
                foreach (var argument in invocationArguments)
                    if (argument.Parameter is { } parameter && parameter.Ordinal < definition.Parameters.Length)
                        arguments.Add((definition.Parameters[parameter.Ordinal], caller.Eval(argument.Value)));

                _helpers.Add(definition);
                try
                {
                    var walker = caller.ForHelper();
                    foreach (var (parameter, value) in arguments)
                        walker.Bind(parameter, value);
                    var returned = walker.WalkHelper(body);
                    if (returned.Count == 0)
                        return Loud("a method that returns nothing the generator can read");
                    if (size)
                    {
                        // What the body could not read is reported at the call, naming it; what came in through an
                        // argument keeps its own place in the caller.
                        var span = definition.DeclaringSyntaxReferences[0];
                        for (var i = 0; i < returned.Count; i++)
                            if (FirstUnknown(returned[i]) is { } inner
                                && (inner.Syntax is null || (inner.Syntax.SyntaxTree == span.SyntaxTree && span.Span.Contains(inner.Syntax.Span))))
                                return Loud($"a method whose result the generator cannot read: {inner.Text} {inner.Why}", inner.Reason);
                    }
                    // What a return statement could not read is reported as it is (with its own place).
                    if (returned.OfType<Unknown>().FirstOrDefault() is { } unknown)
                        return unknown;
                    if (returned.Skip(1).Any(r => !Values.Same(r, returned[0])))
                        return Loud("a method whose return statements give different values");
                    return returned[0];
                }
                finally
                {
                    _helpers.RemoveAt(_helpers.Count - 1);
                }
            }

            private readonly Dictionary<IMethodSymbol, List<ISymbol>> _writes = new(SymbolEqualityComparer.Default);

            /// <summary>The fields and properties of this object (or static ones) that a method of this compilation
            /// assigns, directly or through the methods and local functions it calls on this object, or passes by
            /// out/ref. Empty for a method without source.</summary>
            public List<ISymbol> MembersWrittenBy(IMethodSymbol method)
            {
                method = method.OriginalDefinition;
                if (_writes.TryGetValue(method, out var known))
                    return known;
                var written = new List<ISymbol>();
                var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
                var pending = new Stack<IMethodSymbol>();
                pending.Push(method);
                static bool OfThis(IOperation? instance) => instance is null or IInstanceReferenceOperation;
                void Add(IOperation target)
                {
                    switch (target.WithoutConversions())
                    {
                        case IFieldReferenceOperation field when OfThis(field.Instance):
                            written.Add(field.Field.OriginalDefinition);
                            break;
                        case IPropertyReferenceOperation property when OfThis(property.Instance) && property.Arguments.Length == 0:
                            written.Add(property.Property.OriginalDefinition);
                            break;
                        case ITupleOperation tuple:
                            foreach (var item in tuple.Elements)
                                Add(item);
                            break;
                    }
                }
                while (pending.Count > 0)
                {
                    var popped = pending.Pop();
                    var next = popped.PartialImplementationPart ?? popped;
                    if (!visited.Add(next) || next.DeclaringSyntaxReferences.Length == 0 || next.MethodKind is MethodKind.Constructor
                        || HelperBody(next) is not { } body)
                        continue;
                    foreach (var node in body.DescendantsAndSelf())
                    {
                        Ct.ThrowIfCancellationRequested();
                        switch (node)
                        {
                            case IAssignmentOperation assignment:
                                Add(assignment.Target);
                                break;
                            case IIncrementOrDecrementOperation increment:
                                Add(increment.Target);
                                break;
                            case IInvocationOperation call:
                                foreach (var argument in call.Arguments)
                                    if (argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref)
                                        Add(argument.Value);
                                if (OfThis(call.Instance))
                                    pending.Push(call.TargetMethod.OriginalDefinition);
                                break;
                        }
                    }
                }
                _writes[method] = written;
                return written;
            }

            /// <summary>A property with an accessor body (<c>int Hidden { get => _h; set => _h = value; }</c>), not an
            /// auto-property: what is assigned to it is not what reading it gives.</summary>
            public bool HasAccessorBody(IPropertySymbol property) =>
                property.OriginalDefinition.DeclaringSyntaxReferences.Length > 0
                && property.OriginalDefinition.DeclaringSyntaxReferences[0].GetSyntax(Ct) is PropertyDeclarationSyntax syntax
                && (syntax.ExpressionBody is not null || syntax.AccessorList?.Accessors.Any(a => a.Body is not null || a.ExpressionBody is not null) == true);

            /// <summary>The first value the generator could not read inside a size expression, left to right.</summary>
            private static Unknown? FirstUnknown(Value value) => value switch
            {
                Unknown unknown => unknown,
                Binary binary => FirstUnknown(binary.Left) ?? FirstUnknown(binary.Right),
                Items items => items.Values.Select(FirstUnknown).FirstOrDefault(u => u is not null),
                IndexChoice choice => FirstUnknown(choice.At) ?? FirstUnknown(choice.Others),
                _ => null,
            };

            /// <summary>The body of a method (block or expression body) or of a local function, as a block.</summary>
            private IOperation? HelperBody(IMethodSymbol method)
            {
                var syntax = method.DeclaringSyntaxReferences[0].GetSyntax(Ct);
                var model = ModelFor(syntax.SyntaxTree);
                switch (syntax)
                {
                    case MethodDeclarationSyntax declaration when declaration.Body is not null || declaration.ExpressionBody is not null:
                        return model.GetOperation(declaration, Ct) is IMethodBodyOperation body ? (IOperation?)body.BlockBody ?? body.ExpressionBody : null;
                    case LocalFunctionStatementSyntax local when local.Body is not null || local.ExpressionBody is not null:
                        return model.GetOperation(local, Ct) is ILocalFunctionOperation function ? function.Body : null;
                    case PropertyDeclarationSyntax { ExpressionBody: { } arrow }:
                        return model.GetOperation(arrow, Ct);
                    case ArrowExpressionClauseSyntax arrow:
                        return model.GetOperation(arrow, Ct);
                    case AccessorDeclarationSyntax accessor when accessor.Body is not null || accessor.ExpressionBody is not null:
                        return model.GetOperation(accessor, Ct) is IMethodBodyOperation getter ? (IOperation?)getter.BlockBody ?? getter.ExpressionBody : null;
                    default:
                        return null;
                }
            }
        }

        /// <summary>Which helper bodies the walker follows exactly: local declarations, assignments to the helper's own
        /// locals (and elements of its own arrays), calls that do not change anything the helper did not create,
        /// counting <c>for</c> loops and <c>foreach</c> loops that do not carry a value from one iteration to the next
        /// and do not return, guards (<c>if (...) throw</c>) and return statements. Anything else is a problem.</summary>
        internal static class HelperShape
        {
            public static string? Problem(IOperation body, IMethodSymbol method, System.Threading.CancellationToken ct)
            {
                var span = method.DeclaringSyntaxReferences[0].Span;
                bool Own(ISymbol symbol) => symbol switch
                {
                    IParameterSymbol p => SymbolEqualityComparer.Default.Equals(p.ContainingSymbol, method) || Inside(p, span),
                    ILocalSymbol l => Inside(l, span),
                    _ => false,
                };
                return Statement(body, null, Own, ct);
            }

            /// <summary>What keeps a size helper from being followed exactly, or null. Its body may declare locals,
            /// assign its own locals (outside loops, there are none), guard with <c>if (...) throw</c> and return; it
            /// may not loop, call anything for its effect, read a mutable field or a settable property (whose value at
            /// the call the generator cannot be sure of), or take out/ref parameters.</summary>
            public static string? SizeProblem(IOperation body, IMethodSymbol method, System.Threading.CancellationToken ct)
            {
                if (method.ReturnsByRef || method.ReturnsByRefReadonly)
                    return "returns by reference";
                if (method.Parameters.FirstOrDefault(p => p.RefKind is RefKind.Out or RefKind.Ref) is { } byRef)
                    return $"has the out/ref parameter '{byRef.Name}' (return the size instead)";
                if (body.DescendantsAndSelf().Any(node => node is ILoopOperation))
                    return "loops (the generator does not follow loops in a size helper; compute the size without one)";
                if (Problem(body, method, ct) is { } problem)
                    return problem;
                foreach (var node in body.DescendantsAndSelf())
                {
                    ct.ThrowIfCancellationRequested();
                    switch (node)
                    {
                        // Assignments were checked above: they write the helper's own locals.
                        case IExpressionStatementOperation { Operation: not (ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation or IThrowOperation) } statement:
                            return $"has a statement with an effect ({ConstructorWalker.Text(statement.Operation)})";
                        // State of this object or static state; another object's members are read (or refused) as in
                        // the constructor, a configuration's writes are tracked.
                        case IFieldReferenceOperation { Field: { IsConst: false, IsReadOnly: false } field, Instance: null or IInstanceReferenceOperation }:
                            return $"reads the mutable field '{field.Name}' (make it readonly, or pass the value as an argument)";
                        case IPropertyReferenceOperation { Property: { } property, Instance: null or IInstanceReferenceOperation } when property.SetMethod is { IsInitOnly: false }:
                            return $"reads the settable property '{property.Name}' (make it get-only, or pass the value as an argument)";
                    }
                }
                return null;
            }

            private static bool Inside(ISymbol symbol, Microsoft.CodeAnalysis.Text.TextSpan span) =>
                symbol.DeclaringSyntaxReferences.Length > 0 && span.Contains(symbol.DeclaringSyntaxReferences[0].Span);

            /// <param name="loop">The innermost loop around the statement, or null.</param>
            private static string? Statement(IOperation operation, IOperation? loop, System.Func<ISymbol, bool> own, System.Threading.CancellationToken ct)
            {
                ct.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case IBlockOperation block:
                        foreach (var statement in block.Operations)
                            if (Statement(statement, loop, own, ct) is { } problem)
                                return problem;
                        return null;
                    case IVariableDeclarationGroupOperation group:
                        return Expressions(group, loop, own);
                    case IExpressionStatementOperation { Operation: IThrowOperation }:
                    case IThrowOperation:
                    case IEmptyOperation:
                    case ILocalFunctionOperation:
                        return null;
                    case IExpressionStatementOperation statement:
                        if (statement.Operation is IInvocationOperation { Instance: { } receiver } call
                            && !IsOwnReference(receiver, own)
                            && call.TargetMethod.Name is "Add" or "append" or "AddRange" or "extend" or "Insert" or "Remove" or "RemoveAt" or "Clear")
                            return $"changes a collection it did not create ({ConstructorWalker.Text(call)})";
                        return Expressions(statement.Operation, loop, own);
                    case IReturnOperation ret:
                        if (loop is not null)
                            return "returns from inside a loop";
                        return ret.ReturnedValue is null ? null : Expressions(ret.ReturnedValue, loop, own);
                    case IForLoopOperation forLoop:
                        if (!CountsUp(forLoop))
                            return "has a for loop whose count the generator cannot read";
                        foreach (var before in forLoop.Before)
                            if (Expressions(before, loop, own) is { } problem)
                                return problem;
                        return Statement(forLoop.Body, forLoop, own, ct);
                    case IForEachLoopOperation forEach:
                        return Expressions(forEach.Collection, loop, own) ?? Statement(forEach.Body, forEach, own, ct);
                    case ILoopOperation:
                        return "has a while or do loop, whose count the generator cannot read";
                    case IConditionalOperation conditional:
                        // Guards and early returns only: a value chosen by a condition is not followed.
                        if (!OnlyExits(conditional.WhenTrue) || (conditional.WhenFalse is { } otherwise && !OnlyExits(otherwise)))
                            return "builds on a condition (an if with statements other than return or throw)";
                        if (loop is not null)
                            return "returns from inside a loop";
                        return Statement(conditional.WhenTrue, loop, own, ct)
                            ?? (conditional.WhenFalse is { } whenFalse ? Statement(whenFalse, loop, own, ct) : null);
                    default:
                        return $"has a statement the generator does not follow ({operation.Kind})";
                }
            }

            private static bool OnlyExits(IOperation operation) => operation switch
            {
                IBlockOperation block => block.Operations.All(OnlyExits),
                IReturnOperation or IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation } or IEmptyOperation => true,
                _ => false,
            };

            /// <summary><c>for (var i = 0; i &lt; n; i++)</c>: a loop variable compared with a bound.</summary>
            private static bool CountsUp(IForLoopOperation loop) =>
                loop.Condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual } binary
                && binary.LeftOperand.WithoutConversions() is ILocalReferenceOperation local
                && loop.Locals.Contains(local.Local, SymbolEqualityComparer.Default);

            private static bool IsOwnReference(IOperation operation, System.Func<ISymbol, bool> own) => operation.WithoutConversions() switch
            {
                ILocalReferenceOperation l => own(l.Local),
                IParameterReferenceOperation p => own(p.Parameter),
                _ => false,
            };

            /// <summary>Every assignment inside the expression (lambdas included) must write the helper's own locals;
            /// inside a loop, only locals declared inside that loop (or array elements); no registration.</summary>
            private static string? Expressions(IOperation operation, IOperation? loop, System.Func<ISymbol, bool> own)
            {
                foreach (var node in operation.DescendantsAndSelf())
                {
                    IOperation? target = node switch
                    {
                        ISimpleAssignmentOperation s => s.Target,
                        ICompoundAssignmentOperation c => c.Target,
                        IIncrementOrDecrementOperation i => i.Target,
                        ICoalesceAssignmentOperation c => c.Target,
                        IDeconstructionAssignmentOperation d => d.Target,
                        _ => null,
                    };
                    if (target is not null && Problem(target, node is ISimpleAssignmentOperation, loop, own) is { } problem)
                        return problem;
                    if (node is IInvocationOperation call
                        && call.TargetMethod.Name is "register_module" or "register_parameter" or "register_buffer" or "RegisterComponents")
                        return $"registers modules itself ({ConstructorWalker.Text(call)})";
                }
                return null;
            }

            private static string? Problem(IOperation target, bool simple, IOperation? loop, System.Func<ISymbol, bool> own)
            {
                switch (target.WithoutConversions())
                {
                    case ILocalReferenceOperation local when own(local.Local):
                        if (loop is not null && !(simple && DeclaredIn(local.Local, loop)))
                            return $"carries '{local.Local.Name}' from one loop iteration to the next";
                        return null;
                    case IParameterReferenceOperation parameter when own(parameter.Parameter):
                        return loop is null && simple ? null : $"changes its parameter '{parameter.Parameter.Name}' in a loop";
                    case IArrayElementReferenceOperation element when IsOwnReference(element.ArrayReference, own):
                        return null;
                    case ITupleOperation tuple:
                        foreach (var item in tuple.Elements)
                            if (Problem(item, simple, loop, own) is { } problem)
                                return problem;
                        return null;
                    case IDeclarationExpressionOperation:
                        return null;
                    default:
                        return $"assigns something it did not create ({ConstructorWalker.Text(target)})";
                }
            }

            private static bool DeclaredIn(ILocalSymbol local, IOperation loop) =>
                local.DeclaringSyntaxReferences.Length > 0 && loop.Syntax.Span.Contains(local.DeclaringSyntaxReferences[0].Span);
        }

        /// <summary>Structural equality of symbolic values: two return statements of a helper give the same value.</summary>
        internal static class Values
        {
            public static bool Same(Value a, Value b)
            {
                if (ReferenceEquals(a, b))
                    return true;
                switch (a)
                {
                    case Const ca when b is Const cb:
                        return ca.V == cb.V;
                    case BoolConst ba when b is BoolConst bb:
                        return ba.V == bb.V;
                    case SymbolRef sa when b is SymbolRef sb:
                        return sa.Name == sb.Name && sa.IsDepth == sb.IsDepth;
                    case Opaque oa when b is Opaque ob:
                        return oa.Text == ob.Text && !ReferenceEquals(a, NullValue) && !ReferenceEquals(b, NullValue);
                    case Binary xa when b is Binary xb:
                        return xa.Op == xb.Op && Same(xa.Left, xb.Left) && Same(xa.Right, xb.Right);
                    case Items ia when b is Items ib:
                        return ia.Values.Count == ib.Values.Count && ia.Values.Zip(ib.Values, Same).All(x => x);
                    case Layer la when b is Layer lb:
                        return ReferenceEquals(la.Entry, lb.Entry) && la.Args.Count == lb.Args.Count
                            && la.Args.All(p => lb.Args.TryGetValue(p.Key, out var other) && Same(p.Value, other));
                    default:
                        return false;
                }
            }
        }
    }
}
