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
            public Value AnalyzeHelper(IInvocationOperation invocation, ConstructorWalker caller)
            {
                var text = ConstructorWalker.Text(invocation);
                Unknown Loud(string why, UnresolvedReason reason = UnresolvedReason.HelperCall) => new(text, why, reason, invocation.Syntax);

                var method = invocation.TargetMethod;
                var definition = method.PartialImplementationPart ?? method;
                definition = definition.OriginalDefinition;
                if (definition.DeclaringSyntaxReferences.Length == 0)
                    return Loud("is built by a method of another assembly, whose body the generator cannot read");
                if (definition.IsAbstract || definition.IsVirtual || definition.ContainingType?.TypeKind == TypeKind.Interface
                    || (definition.IsOverride && !definition.IsSealed && definition.ContainingType?.IsSealed != true))
                    return Loud("is built by a virtual, abstract or interface method, which a derived class may replace");
                if (definition.IsExtern)
                    return Loud("is built by an extern method");
                if (definition.IsGenericMethod)
                    return Loud("is built by a generic method, which the generator does not follow");
                if (!definition.IsStatic && definition.MethodKind != MethodKind.LocalFunction
                    && invocation.Instance is not (null or IInstanceReferenceOperation))
                    return Loud("is built by a method of another object, whose state the generator cannot see");
                if (_helpers.Contains(definition, SymbolEqualityComparer.Default))
                    return Loud("is built by a method that calls itself (recursion), which the generator does not follow", UnresolvedReason.NestingLimit);
                if (_stack.Count + _helpers.Count > MaxDepth)
                    return Loud("nests helper calls and modules too deeply to follow", UnresolvedReason.NestingLimit);
                if (++_analysed > MaxModules)
                    return Loud("is one nested construction too many to follow", UnresolvedReason.NestingLimit);
                if (HelperBody(definition) is not { } body)
                    return Loud("is built by a method whose body the generator cannot read");
                if (HelperShape.Problem(body, definition, Ct) is { } problem)
                    return Loud("is built by a method that " + problem);

                // Arguments are evaluated in the caller's environment and bound to the callee's parameters.
                var arguments = new List<(ISymbol Parameter, Value Value)>();
                foreach (var argument in invocation.Arguments)
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
                        return Loud("is built by a method that returns nothing the generator can read");
                    // What a return statement could not read is reported as it is (with its own place).
                    if (returned.OfType<Unknown>().FirstOrDefault() is { } unknown)
                        return unknown;
                    if (returned.Skip(1).Any(r => !Values.Same(r, returned[0])))
                        return Loud("is built by a method whose return statements give different values");
                    return returned[0];
                }
                finally
                {
                    _helpers.RemoveAt(_helpers.Count - 1);
                }
            }

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
