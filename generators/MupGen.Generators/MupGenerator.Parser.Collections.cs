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
        /// <summary>Collections: arrays, lists, LINQ projections, Sequential/ModuleList arguments, named items and the
        /// per-index choice of items that differ.</summary>
        internal sealed partial class ConstructorWalker
        {
            /// <summary><c>layers[i] = Linear(...)</c>: a constant index, or the counting loop's index (every item; with
            /// <c>i == 0 ? a : b</c> the item at 0 apart).</summary>
            private void AssignElement(IArrayElementReferenceOperation element, Value item)
            {
                if (_branchDepth > 0)
                    item = InBranch(item);
                var arrayValue = Eval(element.ArrayReference);
                if (arrayValue is Items && TargetSymbol(element.ArrayReference) is { } written)
                {
                    // An array of sizes (`channels[0] = 3 * width`) whose items change: its reads are not followed.
                    _env[written] = new Unknown(written.Name, "is an array of sizes whose items the constructor sets", Model.UnresolvedReason.UnreadableSize, element.Syntax);
                    return;
                }
                if (element.Indices.Length != 1 || arrayValue is not ListValue { IsArray: true } array)
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
            private string? NameOf(IOperation operation)
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
                            else if (_loopDepth == 0 && Eval(e) is Const unrolled)
                                sb.Append(unrolled.V.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

            /// <summary>An item added by index under an <c>if</c> the generator does not decide may or may not be there,
            /// and the items after it would move to other indices: unresolved (a module without parameters stays as it
            /// is). A named item (<c>("c1", Conv2d(...))</c>) keeps its name either way, so it is followed: it exists or
            /// not.</summary>
            private static Value InBranch(Value item) => item is OtherModule
                ? item
                : new Unknown(item is Unknown u ? u.Text : "item", "is added under an `if` whose condition the generator does not decide",
                    Model.UnresolvedReason.NotConstructed, item is Layer { Syntax: { } at } ? at : null);

            /// <summary>What one loop body adds to one list: how many items per iteration, the list's next index when
            /// the loop began, and the items chosen by the loop index (<c>i == k ? a : b</c>) with k and their place
            /// among the iteration's adds.</summary>
            private sealed class LoopAdds
            {
                public LoopAdds(int? start) => Start = start;
                public int Adds { get; set; }
                public int? Start { get; }
                public List<(ListItem Item, long K, int Offset)> Chosen { get; } = new();
            }

            private void AddToList(ListValue list, Value item, string? name = null)
            {
                if (_branchDepth > 0 && name is null)
                    item = InBranch(item);
                if (_loopDepth == 0)
                {
                    list.Add(item, name);
                    return;
                }
                LoopAdds? adds = null;
                if (_loopAdds is not null)
                {
                    if (!_loopAdds.TryGetValue(list, out adds))
                        _loopAdds[list] = adds = new LoopAdds(list.NextIndex);
                    adds.Adds++;
                }
                if (name is null && list.NextIndex is { } start && Choose(item) is { } choice)
                {
                    list.AddAt(start + (int)choice.Index, choice.At);
                    adds?.Chosen.Add((list.Entries[list.Entries.Count - 1], choice.Index, adds.Adds - 1));
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
