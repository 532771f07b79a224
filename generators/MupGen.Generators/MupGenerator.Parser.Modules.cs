using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        /// <summary>State shared by the walk of one model and of every nested module class it builds: the known
        /// types, the classes being analysed (cycle guard), a budget, and the MupAttentionScale calls per class.</summary>
        internal sealed partial class AnalysisContext
        {
            /// <summary>How deep nested module classes are followed (model → block → attention → ... ).</summary>
            public const int MaxDepth = 8;

            /// <summary>How many nested module constructions one model may analyse in all.</summary>
            public const int MaxModules = 512;

            /// <summary>How many chained constructors (<c>: this(...)</c>, <c>: base(...)</c>) are followed.</summary>
            private const int MaxChain = 8;

            private readonly SemanticModel _semanticModel;
            private readonly List<INamedTypeSymbol> _stack = new();
            private readonly Dictionary<INamedTypeSymbol, List<AttentionCall>> _calls = new(SymbolEqualityComparer.Default);
            private int _analysed;

            public AnalysisContext(KnownTypes types, SemanticModel semanticModel, CancellationToken ct, bool fast = false, FastPathStats? stats = null)
            {
                Fast = fast;
                Stats = stats;
                Types = types;
                _semanticModel = semanticModel;
                Ct = ct;
            }

            public KnownTypes Types { get; }

            public CancellationToken Ct { get; }

            /// <summary>Marks the root model as being analysed (a block that builds the model is a cycle).</summary>
            public void EnterRoot(INamedTypeSymbol type) => _stack.Add(type);

            public SemanticModel ModelFor(SyntaxTree tree) => SemanticModels.For(_semanticModel.Compilation, tree);

            /// <summary>A class declared in this compilation that derives from torch.nn.Module: a user module.</summary>
            public bool IsUserModule(ITypeSymbol? type) =>
                type is INamedTypeSymbol { TypeKind: TypeKind.Class } named
                && named.DeclaringSyntaxReferences.Length > 0
                && Types.IsModule(named);

            /// <summary><c>new Block(width, heads)</c>: walks Block's constructor with its parameters bound to the
            /// caller's values and returns its fields and head dimensions for this call site.</summary>
            public Value AnalyzeUserModule(IObjectCreationOperation creation, ConstructorWalker caller)
            {
                var text = ConstructorWalker.Text(creation);
                if (creation.Type is not INamedTypeSymbol type || creation.Constructor is not { } constructor)
                    return new Unknown(text, "is a module the generator cannot read", UnresolvedReason.UnknownLayerType, creation.Syntax);
                // Arguments are evaluated in the caller's environment, bound to the callee's parameters.
                var definition = constructor.OriginalDefinition;
                return AnalyzeUserModule(type, definition, text, creation.Syntax, () =>
                {
                    var arguments = new List<(ISymbol Parameter, Value Value)>();
                    foreach (var argument in creation.Arguments)
                        if (argument.Parameter is { } parameter && parameter.Ordinal < definition.Parameters.Length)
                            arguments.Add((definition.Parameters[parameter.Ordinal], caller.Eval(argument.Value)));
                    return arguments;
                });
            }

            /// <summary>The part of a nested module's analysis both readers share (the binding walk and the syntax fast
            /// path): the guards, then the constructor walked with the arguments <paramref name="arguments"/> evaluates.</summary>
            public Value AnalyzeUserModule(INamedTypeSymbol type, IMethodSymbol definition, string text, SyntaxNode syntax,
                System.Func<List<(ISymbol Parameter, Value Value)>> evaluateArguments)
            {
                if (_stack.Contains(type.OriginalDefinition, SymbolEqualityComparer.Default))
                    return new Unknown(text, "builds a module of a class that is already being built (a cycle)", UnresolvedReason.NestingLimit, syntax);
                if (_stack.Count > MaxDepth)
                    return new Unknown(text, "nests modules too deeply to follow", UnresolvedReason.NestingLimit, syntax);
                if (++_analysed > MaxModules)
                    return new Unknown(text, "is one nested module too many to follow", UnresolvedReason.NestingLimit, syntax);

                var arguments = evaluateArguments();
                var original = type.OriginalDefinition;
                _stack.Add(original);
                try
                {
                    var walker = new ConstructorWalker(this, new Dictionary<ISymbol, SymbolRef>(SymbolEqualityComparer.Default));
                    foreach (var (parameter, value) in arguments)
                        walker.Bind(parameter, value);
                    WalkConstructor(walker, definition, 0);
                    return new UserModule(original, CollectFields(original, walker), HeadDims(original, walker));
                }
                finally
                {
                    _stack.RemoveAt(_stack.Count - 1);
                }
            }

            /// <summary>Walks a constructor: a chained <c>: this(...)</c> or user base <c>: base(...)</c> constructor
            /// first (arguments bound to its parameters), the field initializers, then the body. A primary or implicit
            /// constructor runs the field initializers only.</summary>
            public void WalkConstructor(ConstructorWalker walker, IMethodSymbol constructor, int chain)
            {
                Ct.ThrowIfCancellationRequested();
                if (Fast)
                {
                    WalkConstructorSyntax(walker, constructor);
                    return;
                }
                var type = constructor.ContainingType;
                if (constructor.DeclaringSyntaxReferences.Length == 0
                    || constructor.DeclaringSyntaxReferences[0].GetSyntax(Ct) is not ConstructorDeclarationSyntax syntax
                    || ModelFor(syntax.SyntaxTree).GetOperation(syntax, Ct) is not IConstructorBodyOperation body)
                {
                    WalkFieldInitializers(type, walker);
                    return;
                }

                var initializer = body.Initializer is IExpressionStatementOperation statement ? statement.Operation : body.Initializer;
                if (initializer is IInvocationOperation { TargetMethod: { MethodKind: MethodKind.Constructor } target } call
                    && target.DeclaringSyntaxReferences.Length > 0 && chain < MaxChain)
                {
                    var bound = call.Arguments
                        .Where(a => a.Parameter is not null)
                        .Select(a => ((ISymbol)a.Parameter!.OriginalDefinition, walker.Eval(a.Value)))
                        .ToList();
                    foreach (var (parameter, value) in bound)
                        walker.Bind(parameter, value);
                    if (!SymbolEqualityComparer.Default.Equals(target.ContainingType.OriginalDefinition, type.OriginalDefinition))
                        WalkFieldInitializers(type, walker);
                    WalkConstructor(walker, target.OriginalDefinition, chain + 1);
                }
                else
                {
                    WalkFieldInitializers(type, walker);
                }
                walker.Walk((IOperation?)body.BlockBody ?? body.ExpressionBody);
            }

            /// <summary>Field initializers run before the constructor body: `int heads = 4;`, `Linear fc = Linear(8, 8);`.</summary>
            public void WalkFieldInitializers(INamedTypeSymbol type, ConstructorWalker walker)
            {
                if (Fast)
                {
                    WalkFieldInitializersSyntax(type, walker);
                    return;
                }
                foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
                {
                    // A static field that is not readonly may be changed before the model is built
                    // (`Model.HiddenMult = 8;`): its initializer is not its value, it is a plain finite value.
                    if (field.IsConst || field.IsImplicitlyDeclared || (field.IsStatic && !field.IsReadOnly && ConstructorWalker.IsInteger(field.Type)))
                        continue;
                    foreach (var reference in field.DeclaringSyntaxReferences)
                    {
                        if (reference.GetSyntax(Ct) is not VariableDeclaratorSyntax { Initializer: { } initializer })
                            continue;
                        if (ModelFor(initializer.SyntaxTree).GetOperation(initializer, Ct) is IFieldInitializerOperation operation)
                            walker.Assign(field, walker.Eval(operation.Value));
                    }
                }
            }

            /// <summary>The fields RegisterComponents registers, in its order: TorchSharp walks
            /// <c>GetFieldsRecursive</c>, the class's own fields in declaration order, then the non-private fields
            /// reflection returns from its bases, then each base's remaining (private) fields; a name seen once is
            /// skipped. Only fields that hold a module count.</summary>
            public List<ModuleField> CollectFields(INamedTypeSymbol type, ConstructorWalker walker)
            {
                var chain = new List<INamedTypeSymbol>();
                for (var t = type; t is not null && t.DeclaringSyntaxReferences.Length > 0; t = t.BaseType)
                    chain.Add(t);

                var ordered = new List<IFieldSymbol>();
                var seen = new HashSet<string>();
                void Take(IEnumerable<IFieldSymbol> fields)
                {
                    foreach (var field in fields)
                        if (!field.IsStatic && !field.IsConst && !field.IsImplicitlyDeclared && seen.Add(field.Name))
                            ordered.Add(field);
                }
                IEnumerable<IFieldSymbol> Declared(INamedTypeSymbol t) => t.GetMembers().OfType<IFieldSymbol>();
                for (var i = 0; i < chain.Count; i++)
                {
                    Take(Declared(chain[i]));
                    Take(chain.Skip(i + 1).SelectMany(Declared).Where(f => f.DeclaredAccessibility != Accessibility.Private));
                }

                // register_module / register_parameter: before RegisterComponents() they take the name (a field holding
                // the same module is then skipped by name or listed once under the first name); after it, the field's
                // name came first.
                var registered = new List<ModuleField>();
                var late = new List<ModuleField>();
                var before = walker.RegisterComponentsAt ?? walker.Registrations.Count;
                for (var i = 0; i < walker.Registrations.Count; i++)
                {
                    var (call, inLoop) = walker.Registrations[i];
                    if (call.Arguments.Length < 2)
                        continue;
                    var nameArgument = call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) ?? call.Arguments[0];
                    var valueArgument = call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 1) ?? call.Arguments[1];
                    var value = walker.EvalArgument(valueArgument);
                    var source = valueArgument.Value.WithoutConversions() switch
                    {
                        IFieldReferenceOperation f => (ISymbol)f.Field,
                        ILocalReferenceOperation l => l.Local,
                        _ => null,
                    };
                    var isParameter = call.TargetMethod.Name == "register_parameter";
                    var declared = valueArgument.Value.Type ?? Types.Module;
                    ModuleField entry;
                    if (!inLoop && nameArgument.Value.ConstantValue is { HasValue: true, Value: string { Length: > 0 } name })
                    {
                        entry = new ModuleField(name, declared, isParameter && value is not ParameterValue
                            ? new Unknown(ConstructorWalker.Text(valueArgument.Value), "is registered as a parameter, but the generator cannot read its shape", UnresolvedReason.ParameterField, valueArgument.Value.Syntax)
                            : value, source is IFieldSymbol fs ? RoleOf(fs, Types) : RoleAttribute.None, source, call.Syntax) { Registered = true };
                    }
                    else
                    {
                        entry = new ModuleField("**", declared,
                            new Unknown(ConstructorWalker.Text(nameArgument.Value), "is a registered name the generator cannot read", UnresolvedReason.RegisteredName, call.Syntax),
                            RoleAttribute.None, source, call.Syntax) { Registered = true, AnyName = true };
                    }
                    (i < before ? registered : late).Add(entry);
                }

                var result = new List<ModuleField>();
                var names = new HashSet<string>(registered.Select(r => r.Name));
                result.AddRange(registered.Where(r => r.Value is ParameterValue || r.DeclaredType is not null && Types.IsParameter(r.DeclaredType)));
                result.AddRange(registered.Where(r => !result.Contains(r)));
                foreach (var field in ordered)
                {
                    Ct.ThrowIfCancellationRequested();
                    var value = walker.TryGet(field, out var v) ? v : null;
                    // Only a class that calls RegisterComponents() in this constructor shows when it ran.
                    if (walker.AtRegisterComponents is { } registeredThen && walker.Registrations.Count > 0
                        && SymbolEqualityComparer.Default.Equals(field.ContainingType, type))
                        value = registeredThen.TryGetValue(field, out var then) ? then : null;
                    if (value is null && late.Any(r => r.Symbol is not null && SymbolEqualityComparer.Default.Equals(r.Symbol, field)))
                        continue; // registered later under another name
                    var name = ComponentName(field, Types) ?? field.Name;
                    if (names.Contains(name) || (value is not null && registered.Any(r => ReferenceEquals(r.Value, value))))
                        continue; // registered already (by name, or the same module under another name)
                    if (Types.IsParameter(field.Type) || value is ParameterValue)
                    {
                        // A module's own parameters come first in named_parameters().
                        result.Insert(result.Count(r => r.Value is ParameterValue || r.DeclaredType is not null && Types.IsParameter(r.DeclaredType)),
                            new ModuleField(name, field.Type, value ?? new Unknown(field.Name, "is a Parameter the constructor does not create", UnresolvedReason.ParameterField), RoleOf(field, Types), field));
                        continue;
                    }
                    // RegisterComponents registers a field by its value, so an IModule<,> or object field holding a
                    // layer counts; a List<Linear> field does not.
                    if (!Types.IsModule(field.Type) && value is not (Layer or UserModule or ListValue { IsModule: true }))
                        continue;
                    result.Add(new ModuleField(name, field.Type, value, RoleOf(field, Types), field));
                }
                foreach (var entry in late)
                    if (!result.Any(r => r.Name == entry.Name || (entry.Value is not null && ReferenceEquals(r.Value, entry.Value))))
                        result.Add(entry);
                return result;
            }

            /// <summary>The argument of every <c>MupAttentionScale(x)</c> call in the class (any method, any partial
            /// part, its user base classes), evaluated in <paramref name="walker"/>'s environment.</summary>
            public List<HeadDimCall> HeadDims(INamedTypeSymbol type, ConstructorWalker walker)
            {
                if (!_calls.TryGetValue(type, out var calls))
                    _calls[type] = calls = Fast ? FindAttentionCallsSyntax(type) : FindAttentionCalls(type);
                return calls.Select(c => new HeadDimCall(c.Argument is { } argument ? walker.EvalInMethod(argument, c.Locals) : walker.EvalAttentionSyntax(c.Member, c.Constant),
                    c.Syntax, c.DeclaringType)).ToList();
            }

            private sealed class AttentionCall
            {
                public AttentionCall(IOperation argument, Dictionary<ILocalSymbol, IOperation> locals, INamedTypeSymbol declaringType)
                {
                    Argument = argument;
                    Locals = locals;
                    DeclaringType = declaringType;
                    Syntax = argument.Syntax;
                }

                /// <summary>A call the syntax fast path read: the argument (<paramref name="syntax"/>) is a member of the
                /// class, or a constant.</summary>
                public AttentionCall(ISymbol? member, Value? constant, SyntaxNode syntax, INamedTypeSymbol declaringType)
                {
                    Member = member;
                    Constant = constant;
                    Locals = new Dictionary<ILocalSymbol, IOperation>(SymbolEqualityComparer.Default);
                    DeclaringType = declaringType;
                    Syntax = syntax;
                }

                public IOperation? Argument { get; }
                public Dictionary<ILocalSymbol, IOperation> Locals { get; }
                public ISymbol? Member { get; }
                public Value? Constant { get; }
                public INamedTypeSymbol DeclaringType { get; }
                public SyntaxNode Syntax { get; }
            }

            /// <summary>Every <c>MupAttentionScale(x)</c> call with one argument in the declarations of the class and
            /// its user base classes (every partial part; a call in a nested type belongs to that type), with the class
            /// whose declaration holds it. Found by syntax: the generated MupAttentionScale does not exist yet when the
            /// generator runs, so the call does not bind. Both readers (<see cref="FindAttentionCalls"/> and the fast
            /// path's) take their calls from here, and MUP021 asks it whether a class makes any.</summary>
            internal static IEnumerable<(InvocationExpressionSyntax Invocation, INamedTypeSymbol Declaring)> AttentionCallSites(INamedTypeSymbol type, CancellationToken ct)
            {
                for (var t = type; t is not null && t.DeclaringSyntaxReferences.Length > 0; t = t.BaseType)
                {
                    foreach (var reference in t.DeclaringSyntaxReferences)
                    {
                        if (!MayCallAttentionScale(reference.SyntaxTree) || reference.GetSyntax(ct) is not TypeDeclarationSyntax declaration)
                            continue;
                        foreach (var invocation in declaration.DescendantNodes().OfType<InvocationExpressionSyntax>())
                            if (IsOwnAttentionScaleCall(invocation)
                                && invocation.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault() == declaration)
                                yield return (invocation, t);
                    }
                }
            }

            private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxTree, object> AttentionScaleFiles = new();

            /// <summary>Whether the file's text can hold a call of MupAttentionScale: the name spelled out (or as
            /// <c>@MupAttentionScale</c>), or a unicode escape that could spell it. A file with neither is not walked for
            /// calls, once per file instead of a walk of every class in it.</summary>
            private static bool MayCallAttentionScale(SyntaxTree tree) =>
                (bool)AttentionScaleFiles.GetValue(tree, static t =>
                {
                    var text = t.GetText().ToString();
                    return text.IndexOf("MupAttentionScale", System.StringComparison.Ordinal) >= 0 || text.IndexOf("\\u", System.StringComparison.Ordinal) >= 0
                        || text.IndexOf("\\U", System.StringComparison.Ordinal) >= 0;
                });

            /// <summary>A call the generator reads a head dimension from: <c>MupAttentionScale(x)</c> or
            /// <c>this.MupAttentionScale(x)</c>, a module's call on itself.</summary>
            private static bool IsOwnAttentionScaleCall(InvocationExpressionSyntax invocation) =>
                invocation.Expression is IdentifierNameSyntax { Identifier.ValueText: "MupAttentionScale" }
                    or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name.Identifier.ValueText: "MupAttentionScale" }
                && invocation.ArgumentList.Arguments.Count == 1;

            /// <summary>Found by syntax: the generated MupAttentionScale does not exist yet when the generator runs, so
            /// the call does not bind, but its argument does.</summary>
            private List<AttentionCall> FindAttentionCalls(INamedTypeSymbol type)
            {
                var calls = new List<AttentionCall>();
                foreach (var (invocation, t) in AttentionCallSites(type, Ct))
                {
                    var expression = invocation.ArgumentList.Arguments[0].Expression;
                    if (ModelFor(expression.SyntaxTree).GetOperation(expression, Ct) is not { } argument)
                        continue;
                    calls.Add(new AttentionCall(argument, LocalsAround(argument), t));
                }
                return calls;
            }

            /// <summary>The initializers of the locals declared in the method around <paramref name="operation"/>
            /// (<c>var hd = headDim;</c>).</summary>
            private static Dictionary<ILocalSymbol, IOperation> LocalsAround(IOperation operation)
            {
                var root = operation;
                while (root.Parent is { } parent)
                    root = parent;
                var locals = new Dictionary<ILocalSymbol, IOperation>(SymbolEqualityComparer.Default);
                foreach (var declarator in root.DescendantsAndSelf().OfType<IVariableDeclaratorOperation>())
                    if (declarator.Initializer?.Value is { } value && !locals.ContainsKey(declarator.Symbol))
                        locals[declarator.Symbol] = value;
                return locals;
            }

            /// <summary>The IMupSubmodule partial that serves a nested module class: the one of its top-most user base
            /// class that can take it (so two blocks deriving from one partial base share the base's members instead of
            /// hiding them), else its own, else null.</summary>
            public SubmoduleSpec? SubmoduleFor(INamedTypeSymbol type)
            {
                SubmoduleSpec? result = null;
                for (var t = type; t is not null && t.DeclaringSyntaxReferences.Length > 0 && Types.IsModule(t); t = t.BaseType)
                    if (SubmoduleForClass(t) is { } spec)
                        result = spec;
                return result;
            }

            /// <summary>The IMupSubmodule partial for one class, or null when the class cannot take one: not partial
            /// (or in a non-partial type), generic, file-local, a µP model itself, or it already has those members.</summary>
            private SubmoduleSpec? SubmoduleForClass(INamedTypeSymbol type)
            {
                // A file-local class cannot have a partial part in the generated file.
                if (IsInFileLocal(type) || !IsPartialChain(type, Ct) || Header(type) is not { } declaration || HasMupAttribute(type, Types)
                    || Types.ConfigRootOf(type) is not null)
                    return null;
                if (Types.Submodule is { } submodule && type.AllInterfaces.Contains(submodule, SymbolEqualityComparer.Default))
                    return null;
                if (type.GetMembers().Any(m => !m.IsImplicitlyDeclared && m.Name is "MupReadoutMultiplier" or "MupInputMultiplier"
                        or "MupResidualMultiplier" or "MupAttentionScale" or "__mupRoot" or "__mupPath" or "__MupRoot"))
                    return null;
                var containing = new List<string>();
                for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                {
                    if (Header(outer) is not { } header)
                        return null;
                    containing.Insert(0, header);
                }
                return new SubmoduleSpec(
                    HintNameOf(type),
                    NamespaceOf(type),
                    containing.ToEquatableArray(),
                    declaration,
                    type.Name);
            }

            /// <summary>True when the class implements IMupSubmodule by hand.</summary>
            public bool ImplementsSubmodule(INamedTypeSymbol type) =>
                Types.Submodule is { } submodule && type.AllInterfaces.Contains(submodule, SymbolEqualityComparer.Default);
        }

        /// <summary>A [Width] or [Depth] on any constructor parameter, field or property: the class is a µP model.</summary>
        private static bool HasMupAttribute(INamedTypeSymbol type, KnownTypes types)
        {
            bool Marked(ISymbol symbol) => symbol.GetAttributes().Any(a =>
                SymbolEqualityComparer.Default.Equals(a.AttributeClass, types.WidthAttribute)
                || SymbolEqualityComparer.Default.Equals(a.AttributeClass, types.DepthAttribute));
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol or IPropertySymbol && Marked(member))
                    return true;
                if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor && constructor.Parameters.Any(Marked))
                    return true;
            }
            return false;
        }

        /// <summary>The class declares RegisterComponents itself, or a base seals it: no generated override.</summary>
        private static bool OwnsRegisterComponents(INamedTypeSymbol type)
        {
            if (type.GetMembers("RegisterComponents").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && !m.IsImplicitlyDeclared))
                return true;
            for (var t = type.BaseType; t is not null; t = t.BaseType)
                if (t.GetMembers("RegisterComponents").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 0 && (m.IsSealed || !(m.IsVirtual || m.IsOverride || m.IsAbstract))))
                    return true;
            return false;
        }
    }
}
