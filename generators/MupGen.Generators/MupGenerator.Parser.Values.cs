using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        // Symbolic values the constructor walk computes. They live only inside one Parse call (they may be keyed by
        // symbols while walking) and never reach the pipeline: the parser turns them into ModelSpec records.

        /// <summary>A symbolic value: a size expression, a layer, a list of layers, or something unreadable.</summary>
        internal abstract class Value
        {
        }

        /// <summary>The loop variable of a <c>for</c> loop counting up from 0 by 1: its value is an item's index.</summary>
        internal sealed class LoopIndex : Value
        {
            public LoopIndex(string name) => Name = name;
            public string Name { get; }
        }

        /// <summary><c>i == k ? a : b</c> with <c>i</c> a loop index: <c>a</c> for the item at index k, <c>b</c> for the others.</summary>
        internal sealed class IndexChoice : Value
        {
            public IndexChoice(long index, Value at, Value others)
            {
                Index = index;
                At = at;
                Others = others;
            }

            public long Index { get; }
            public Value At { get; }
            public Value Others { get; }
        }

        /// <summary>The constant <c>null</c> (an optional argument left out: MultiheadAttention's kdim).</summary>
        internal static readonly Value NullValue = new Opaque("null");

        /// <summary>An integer constant.</summary>
        internal sealed class Const : Value
        {
            public Const(long v) => V = v;
            public long V { get; }
        }

        /// <summary>A boolean constant (hasBias: false).</summary>
        internal sealed class BoolConst : Value
        {
            public BoolConst(bool v) => V = v;
            public bool V { get; }
        }

        /// <summary>A [Width] or [Depth] symbol.</summary>
        internal sealed class SymbolRef : Value
        {
            public SymbolRef(string name, int baseValue, bool isDepth)
            {
                Name = name;
                BaseValue = baseValue;
                IsDepth = isDepth;
            }

            public string Name { get; }
            public int BaseValue { get; }
            public bool IsDepth { get; }
        }

        /// <summary>A finite value unknown at compile time (a constructor argument, a config property, a loop index).</summary>
        internal sealed class Opaque : Value
        {
            public Opaque(string text, long? @default = null)
            {
                Text = text;
                Default = @default;
            }

            public string Text { get; }

            /// <summary>The value's constant default when it has one (<c>int multipleOf = 32</c>, a config member's
            /// <c>= 32</c> initializer). Only a size that does not grow in proportion to the width uses it, to compute
            /// its base size; the run time checks that size against the actual shape (MupDim.Computed).</summary>
            public long? Default { get; }
        }

        /// <summary>An instance of a configuration type (a record or class with a <c>[Width]</c> member): the root
        /// model's constructor parameter, or a <c>config with { ... }</c> copy of one. Reading a member gives the width
        /// for the <c>[Width]</c> member, the copy's value for a member the copy sets, a computed member's getter
        /// evaluated on this instance, else a finite value with the member's constant default.</summary>
        internal sealed class ConfigValue : Value
        {
            public ConfigValue(INamedTypeSymbol type, ConfigValue? copyOf = null)
            {
                Type = type;
                Overrides = copyOf is null
                    ? new Dictionary<ISymbol, Value>(SymbolEqualityComparer.Default)
                    : new Dictionary<ISymbol, Value>(copyOf.Overrides, SymbolEqualityComparer.Default);
            }

            public INamedTypeSymbol Type { get; }

            /// <summary>Members set by <c>with { ... }</c> (or written by the model: then an Unknown).</summary>
            public Dictionary<ISymbol, Value> Overrides { get; }
        }

        /// <summary>Integer arithmetic as written in the constructor.</summary>
        internal sealed class Binary : Value
        {
            /// <summary>Expressions larger than this many nodes are not followed (a doubling loop written out by
            /// hand would otherwise make a tree whose walk never ends).</summary>
            public const long MaxSize = 4096;

            public Binary(char op, Value left, Value right)
            {
                Op = op;
                Left = left;
                Right = right;
                Size = System.Math.Min(MaxSize + 1, 1 + SizeOf(left) + SizeOf(right));
            }

            public long Size { get; }

            private static long SizeOf(Value value) => value is Binary b ? b.Size : 1;

            public char Op { get; }
            public Value Left { get; }
            public Value Right { get; }
        }

        /// <summary>An array or tuple (long[] normalized shapes, (kh, kw) kernels).</summary>
        internal sealed class Items : Value
        {
            public Items(List<Value> values) => Values = values;
            public List<Value> Values { get; }
        }

        /// <summary>Something the generator cannot read; <see cref="Text"/> is the source text, <see cref="Why"/> the reason.</summary>
        internal sealed class Unknown : Value
        {
            public Unknown(string text, string why, Model.UnresolvedReason reason = Model.UnresolvedReason.UnreadableSize, SyntaxNode? syntax = null)
            {
                Text = text;
                Why = why;
                Reason = reason;
                Syntax = syntax;
            }

            public string Text { get; }
            public string Why { get; }

            /// <summary>What kind of thing was not understood (the analyzers' structured reason).</summary>
            public Model.UnresolvedReason Reason { get; }

            /// <summary>The expression that was not understood, when there is one.</summary>
            public SyntaxNode? Syntax { get; }
        }

        /// <summary>A call of a TorchSharp layer factory with parameters (any layer of the catalog).</summary>
        internal sealed class Layer : Value
        {
            public Layer(MupGen.Catalog.CatalogEntry entry, Dictionary<string, Value> args, SyntaxNode? syntax = null)
            {
                Entry = entry;
                Args = args;
                Syntax = syntax;
            }

            /// <summary>The layer's catalog entry: its arguments and the tensors it registers.</summary>
            public MupGen.Catalog.CatalogEntry Entry { get; }

            public Model.LayerKind Kind => (Model.LayerKind)(int)Entry.Kind;
            public Dictionary<string, Value> Args { get; }

            /// <summary>The factory call, for diagnostics.</summary>
            public SyntaxNode? Syntax { get; }
        }

        /// <summary><c>Parameter(torch.ones(dim))</c>, <c>new Parameter(zeros(1, 1, width))</c>: a parameter of the
        /// module itself; <see cref="Read"/> is what the generator read from its tensor expression (shape and initial
        /// values), null when it is not a tensor factory call.</summary>
        internal sealed class ParameterValue : Value
        {
            public ParameterValue(string text, SyntaxNode syntax, TensorRead? read)
            {
                Text = text;
                Syntax = syntax;
                Read = read;
            }

            public string Text { get; }
            public SyntaxNode Syntax { get; }
            public TensorRead? Read { get; }

            /// <summary>The shape read from the tensor factory call, when it could be read.</summary>
            public List<Value>? Dims => Read?.Dims;
        }

        /// <summary>A module without parameters the generator tracks (ReLU, Dropout, a user module).</summary>
        internal sealed class OtherModule : Value
        {
            public static OtherModule Instance { get; } = new();
        }

        /// <summary>A user module class built with <c>new Block(...)</c>: its constructor was walked with its parameters
        /// bound to the caller's argument values, so its layers are known per call site.</summary>
        internal sealed class UserModule : Value
        {
            public UserModule(INamedTypeSymbol type, List<ModuleField> fields, List<HeadDimCall> headDims)
            {
                Type = type;
                Fields = fields;
                HeadDims = headDims;
            }

            public INamedTypeSymbol Type { get; }

            /// <summary>The fields RegisterComponents registers, in its order.</summary>
            public List<ModuleField> Fields { get; }

            /// <summary>The argument of every <c>MupAttentionScale(headDim)</c> call in the class, evaluated in this
            /// instance's constructor environment.</summary>
            public List<HeadDimCall> HeadDims { get; }
        }

        /// <summary>One <c>MupAttentionScale(x)</c> call of a module class: its argument evaluated for one instance, the
        /// argument's syntax and the class that declares the call (for MUP020 when the value cannot be read).</summary>
        internal sealed class HeadDimCall
        {
            public HeadDimCall(Value value, SyntaxNode syntax, INamedTypeSymbol declaringType)
            {
                Value = value;
                Syntax = syntax;
                DeclaringType = declaringType;
            }

            public Value Value { get; }
            public SyntaxNode Syntax { get; }
            public INamedTypeSymbol DeclaringType { get; }
        }

        /// <summary>A field of a module class: its component name, declared type, value after the constructor, role attribute.</summary>
        internal sealed class ModuleField
        {
            public ModuleField(string name, ITypeSymbol declaredType, Value? value, RoleAttribute role, ISymbol? symbol = null, SyntaxNode? site = null)
            {
                Name = name;
                DeclaredType = declaredType;
                Value = value;
                Role = role;
                Symbol = symbol;
                Site = site;
            }

            /// <summary>The field (or, for register_module, the field or local the module came from), for diagnostics.</summary>
            public ISymbol? Symbol { get; }

            /// <summary>Registered by register_module / register_parameter rather than found as a field.</summary>
            public bool Registered { get; set; }

            /// <summary>Registered under a name the generator cannot read.</summary>
            public bool AnyName { get; set; }

            /// <summary>Where the member is registered when that is not its declaration (a register_module call).</summary>
            public SyntaxNode? Site { get; }

            public string Name { get; }
            public ITypeSymbol DeclaredType { get; }
            public Value? Value { get; }
            public RoleAttribute Role { get; }
        }

        /// <summary>One entry of a module list: a constant key (index or name) or a repeated entry built in a loop.</summary>
        internal sealed class ListItem
        {
            public ListItem(string? key, Value item, Value? count)
            {
                Key = key;
                Item = item;
                Count = count;
            }

            /// <summary>The index or name, or null for an item added in a loop / LINQ Select (any index).</summary>
            public string? Key { get; }
            public Value Item { get; }
            /// <summary>How many times a repeated item is added, when known.</summary>
            public Value? Count { get; }
        }

        /// <summary>A ModuleList, Sequential, List&lt;T&gt; or LINQ sequence being built.</summary>
        internal sealed class ListValue : Value
        {
            public List<ListItem> Entries { get; } = new();

            /// <summary>True for ModuleList and Sequential (registered by RegisterComponents); false for a List&lt;T&gt;
            /// or a LINQ sequence, which only feed a module list.</summary>
            public bool IsModule { get; set; }

            /// <summary>The index the next constant Add gets; null after a repeated item.</summary>
            public int? NextIndex { get; set; } = 0;

            public void Add(Value item, string? name = null)
            {
                if (name is not null)
                {
                    Entries.Add(new ListItem(name, item, null));
                    if (NextIndex is { } n)
                        NextIndex = n + 1;
                }
                else if (NextIndex is { } i)
                {
                    Entries.Add(new ListItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), item, null));
                    NextIndex = i + 1;
                }
                else
                {
                    Entries.Add(new ListItem(null, item, null));
                }
            }

            /// <summary>An item added on every iteration of a loop (or by Select), <paramref name="key"/> a name pattern
            /// built from the loop index (<c>conv*</c>) or null for a list index. With a constant count the next
            /// index stays known.</summary>
            public void AddRepeated(Value item, Value? count, string? key = null)
            {
                Entries.Add(new ListItem(key, item, count));
                NextIndex = key is null && NextIndex is { } n && count is Const { V: >= 0 and < 100000 } c ? n + (int)c.V : null;
            }

            /// <summary>An item at a constant index (an array element, the index a loop's first iteration takes).</summary>
            public void AddAt(int index, Value item) =>
                Entries.Add(new ListItem(index.ToString(System.Globalization.CultureInfo.InvariantCulture), item, null));

            /// <summary>An array created with a length and filled element by element.</summary>
            public bool IsArray { get; set; }

            public void AddRange(ListValue other)
            {
                if (Entries.Count == 0 && NextIndex == 0)
                {
                    // Into an empty list: the items keep their indices (an array filled element by element).
                    Entries.AddRange(other.Entries);
                    NextIndex = other.IsArray ? null : other.NextIndex;
                    return;
                }
                foreach (var entry in other.Entries)
                {
                    if (entry.Key is null || entry.Key.Contains("*"))
                        AddRepeated(entry.Item, entry.Count, entry.Key);
                    else
                        Add(entry.Item, int.TryParse(entry.Key, out _) ? null : entry.Key);
                }
            }
        }
    }
}
