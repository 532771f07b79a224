using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    internal static partial class Parser
    {
        /// <summary>Which reader walks the constructors. An internal switch for the tests and the benchmark, never a
        /// user option: <see cref="FastPathMode.On"/> (the default) reads the common constructor forms from syntax and
        /// symbols and falls back to the binding walk for the whole model at the first form it does not know;
        /// <see cref="FastPathMode.Off"/> always binds; <see cref="FastPathMode.Verify"/> runs both and throws when a
        /// model the fast path took differs from the binding walk's (the generator then reports MUP900, which every
        /// generator test fails on).</summary>
        internal enum FastPathMode { On, Off, Verify }

        /// <summary>See <see cref="FastPathMode"/>.</summary>
        internal static volatile FastPathMode FastPath = FastPathMode.On;

        /// <summary>What the fast path did: models taken and declined (with the first reason of each decline), and the
        /// constructors it read from syntax.</summary>
        internal sealed class FastPathStats
        {
            private readonly object _gate = new();
            public int Taken { get; private set; }
            public int Declined { get; private set; }
            public int Constructors { get; private set; }
            public List<string> Reasons { get; } = new();

            public void Take() { lock (_gate) Taken++; }
            public void Decline(string reason) { lock (_gate) { Declined++; Reasons.Add(reason); } }
            public void Constructor() { lock (_gate) Constructors++; }
        }

        /// <summary>Verify mode only (tests): the fast path and the binding walk disagree. Not caught by
        /// <see cref="ParseOrError(ISymbol, SemanticModel, CancellationToken)"/>, so it reaches the test as a generator
        /// exception or an analyzer crash (AD0001) instead of a quiet MUP900.</summary>
        internal sealed class FastPathMismatchException : Exception
        {
            public FastPathMismatchException(string message) : base(message)
            {
            }
        }

        /// <summary>The fast path met a form outside its whitelist: the model is parsed by the binding walk instead.</summary>
        internal sealed class FastPathDeclined : Exception
        {
            public FastPathDeclined(string reason) : base(reason)
            {
            }
        }

        private static ModelSpec? ParseSelected(ISymbol target, SemanticModel semanticModel, CancellationToken ct, FastPathMode mode, FastPathStats? stats)
        {
            if (mode == FastPathMode.Off)
                return ParseCore(target, semanticModel, ct, fast: false, stats);
            var (fast, taken) = TryFast(target, semanticModel, ct, stats);
            if (mode == FastPathMode.On)
                return taken ? fast : ParseCore(target, semanticModel, ct, fast: false, stats);
            var slow = ParseCore(target, semanticModel, ct, fast: false, stats);
            if (taken && !Equals(fast, slow))
                throw new FastPathMismatchException($"the syntax fast path and the binding walk disagree on {target.ContainingSymbol?.Name}.{target.Name}:\nfast: {fast}\nbinding: {slow}");
            return slow;
        }

        private static (ModelSpec? Model, bool Taken) TryFast(ISymbol target, SemanticModel semanticModel, CancellationToken ct, FastPathStats? stats)
        {
            try
            {
                var model = ParseCore(target, semanticModel, ct, fast: true, stats);
                stats?.Take();
                return (model, true);
            }
            catch (FastPathDeclined declined)
            {
                stats?.Decline(declined.Message);
                return (null, false);
            }
        }

        /// <summary>For the differential tests: the model parsed by the fast path (and whether it took it) and by the
        /// binding walk, side by side.</summary>
        internal static (ModelSpec? Fast, bool Taken, ModelSpec? Binding) ParseBothWays(ISymbol target, SemanticModel semanticModel, FastPathStats stats, bool configRoot = false)
        {
            if (configRoot && (target.ContainingType is not { } owner || KnownTypes.For(semanticModel.Compilation) is not { } known
                || known.ConfigRootOf(owner) is null))
                return (null, true, null);
            var (fast, taken) = TryFast(target, semanticModel, default, stats);
            return (fast, taken, ParseCore(target, semanticModel, default, fast: false, null));
        }

        private static FastPathDeclined Decline(string reason) => new(reason);

        internal sealed partial class AnalysisContext
        {
            /// <summary>The syntax fast path is on for this parse (see <see cref="FastPathMode"/>).</summary>
            public bool Fast { get; }

            public FastPathStats? Stats { get; }

            public CSharpCompilation Compilation => (CSharpCompilation)_semanticModel.Compilation;

            /// <summary>The fast path's <see cref="WalkConstructor"/>: the body read from syntax, with no chained
            /// constructor (a <c>: base(...)</c> of a class from another assembly is not walked by the binding walk
            /// either; <c>: this(...)</c> and base classes in source decline).</summary>
            public void WalkConstructorSyntax(ConstructorWalker walker, IMethodSymbol constructor)
            {
                var type = constructor.ContainingType;
                if (constructor.DeclaringSyntaxReferences.Length == 0)
                {
                    WalkFieldInitializersSyntax(type, walker);
                    return;
                }
                if (constructor.DeclaringSyntaxReferences[0].GetSyntax(Ct) is not ConstructorDeclarationSyntax syntax)
                    throw Decline("a constructor that is not a constructor declaration");
                if (syntax.ContainsDiagnostics)
                    throw Decline("syntax errors in the constructor");
                if (syntax.Body is null || syntax.ExpressionBody is not null)
                    throw Decline("a constructor without a block body");
                if (syntax.Initializer is { } initializer && initializer.ThisOrBaseKeyword.IsKind(SyntaxKind.ThisKeyword))
                    throw Decline("a chained this(...) constructor");
                if (type.BaseType is not { } baseType || baseType.DeclaringSyntaxReferences.Length > 0)
                    throw Decline("a base class in source");
                WalkFieldInitializersSyntax(type, walker);
                Stats?.Constructor();
                walker.WalkSyntax(syntax, constructor, ModelFor(syntax.SyntaxTree));
            }

            /// <summary>The fast path's <see cref="WalkFieldInitializers"/>: the same fields in the same order.</summary>
            public void WalkFieldInitializersSyntax(INamedTypeSymbol type, ConstructorWalker walker)
            {
                foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
                {
                    // As the binding walk: a static field that is not readonly may be changed before the model is built.
                    if (field.IsConst || field.IsImplicitlyDeclared || (field.IsStatic && !field.IsReadOnly && ConstructorWalker.IsInteger(field.Type)))
                        continue;
                    foreach (var reference in field.DeclaringSyntaxReferences)
                    {
                        if (reference.GetSyntax(Ct) is not VariableDeclaratorSyntax declarator)
                            throw Decline("a field that is not a variable declarator");
                        if (declarator.Initializer is not { } initializer)
                            continue;
                        if (declarator.ContainsDiagnostics)
                            throw Decline("syntax errors in a field initializer");
                        walker.WalkFieldInitializerSyntax(type, field, initializer.Value, ModelFor(initializer.SyntaxTree));
                    }
                }
            }

            /// <summary>The fast path's form of the root's pre-pass: <c>this.width = width;</c> anywhere in the body makes
            /// the parameter the [Width] member's symbol.</summary>
            public void AliasFromSyntax(ConstructorWalker walker, IMethodSymbol constructor, Dictionary<ISymbol, SymbolRef> symbols)
            {
                if (constructor.DeclaringSyntaxReferences.Length == 0
                    || constructor.DeclaringSyntaxReferences[0].GetSyntax(Ct) is not ConstructorDeclarationSyntax syntax)
                    return; // WalkConstructorSyntax declines or walks the field initializers only
                if (syntax.Body is null)
                    return;
                var members = symbols.Keys.Where(s => s is not IParameterSymbol).ToList();
                if (members.Count == 0)
                    return;
                var declared = ConstructorWalker.DeclaredNames(syntax.Body);
                foreach (var assignment in syntax.Body.DescendantNodes().OfType<AssignmentExpressionSyntax>())
                {
                    var name = assignment.Left switch
                    {
                        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                        MemberAccessExpressionSyntax { Name: IdentifierNameSyntax accessed } => accessed.Identifier.ValueText,
                        _ => null,
                    };
                    if (name is null || !members.Any(m => m.Name == name))
                        continue;
                    if (!assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) || assignment.Left is MemberAccessExpressionSyntax { Expression: not ThisExpressionSyntax }
                        || (assignment.Left is IdentifierNameSyntax && declared.Contains(name)))
                        throw Decline("an assignment to a [Width]/[Depth] member the fast path cannot resolve");
                    var member = ConstructorWalker.FindMember(constructor.ContainingType, name);
                    if (member is null || !symbols.TryGetValue(member, out var symbolRef))
                        continue;
                    var value = assignment.Right;
                    while (value is ParenthesizedExpressionSyntax parenthesized)
                        value = parenthesized.Expression;
                    if (value is CastExpressionSyntax)
                        throw Decline("a cast assigned to a [Width]/[Depth] member");
                    if (value is IdentifierNameSyntax source && !declared.Contains(source.Identifier.ValueText)
                        && constructor.Parameters.FirstOrDefault(p => p.Name == source.Identifier.ValueText) is { } parameter)
                        walker.Alias(parameter, symbolRef);
                }
            }

            /// <summary>The fast path's <see cref="FindAttentionCalls"/>: the same calls, found the same way; an argument
            /// that is a member of the class (not hidden by a local or parameter of the method) or an integer literal is
            /// read without binding, anything else declines.</summary>
            private List<AttentionCall> FindAttentionCallsSyntax(INamedTypeSymbol type)
            {
                var calls = new List<AttentionCall>();
                foreach (var (invocation, t) in AttentionCallSites(type, Ct))
                {
                    var argument = invocation.ArgumentList.Arguments[0];
                    if (argument.ContainsDiagnostics || argument.NameColon is not null || !argument.RefKindKeyword.IsKind(SyntaxKind.None))
                        throw Decline("a MupAttentionScale argument the fast path does not read");
                    var expression = argument.Expression;
                    if (expression is ParenthesizedExpressionSyntax)
                        throw Decline("a parenthesized MupAttentionScale argument");
                    if (expression is LiteralExpressionSyntax { Token.Value: int literal } && expression.IsKind(SyntaxKind.NumericLiteralExpression))
                    {
                        calls.Add(new AttentionCall(null, new Const(literal), expression, t));
                        continue;
                    }
                    string? memberName = null;
                    if (expression is IdentifierNameSyntax simple)
                    {
                        var owner = invocation.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault();
                        if (owner is null || owner is BaseTypeDeclarationSyntax)
                            throw Decline("a MupAttentionScale call outside a member");
                        if (ConstructorWalker.DeclaredNames(owner).Contains(simple.Identifier.ValueText)
                            || (simple.Identifier.ValueText == "value" && owner is BasePropertyDeclarationSyntax))
                            throw Decline("a MupAttentionScale argument that may be a local or parameter");
                        memberName = simple.Identifier.ValueText;
                    }
                    else if (expression is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax thisMember }
                        && expression.IsKind(SyntaxKind.SimpleMemberAccessExpression))
                    {
                        memberName = thisMember.Identifier.ValueText;
                    }
                    if (memberName is null)
                        throw Decline("a MupAttentionScale argument that is not a member or a literal");
                    if (invocation.Ancestors().Any(a => a is LocalFunctionStatementSyntax f && f.Modifiers.Any(SyntaxKind.StaticKeyword)
                            || a is AnonymousFunctionExpressionSyntax l && l.Modifiers.Any(SyntaxKind.StaticKeyword)
                            || a is MemberDeclarationSyntax m && m.Modifiers.Any(SyntaxKind.StaticKeyword)))
                        throw Decline("a MupAttentionScale call in a static context");
                    var symbol = ConstructorWalker.FindMember(t, memberName) ?? throw Decline("a MupAttentionScale argument that is not a field or property of the class");
                    if (symbol is IFieldSymbol { HasConstantValue: true } constant)
                    {
                        calls.Add(new AttentionCall(null, ConstructorWalker.ConstantOf(constant.ConstantValue, expression), expression, t));
                        continue;
                    }
                    if (symbol.IsStatic)
                        throw Decline("a static member as a MupAttentionScale argument");
                    calls.Add(new AttentionCall(symbol, null, expression, t));
                }
                return calls;
            }
        }

        /// <summary>The syntax fast path of the constructor walk: statements and expressions read from syntax plus
        /// symbol lookups that bind no method body, producing the same values the IOperation walk produces.</summary>
        internal sealed partial class ConstructorWalker
        {
            /// <summary>An expression's value and static type; constant as C# defines constant expressions.</summary>
            private readonly struct SynValue
            {
                public SynValue(Value value, ITypeSymbol type, bool isConst = false)
                {
                    Value = value;
                    Type = type;
                    IsConst = isConst;
                }

                public Value Value { get; }
                public ITypeSymbol Type { get; }
                public bool IsConst { get; }
            }

            /// <summary>A block's locals by name, and the names declared in it that are not yet (a use of one of those
            /// before its declaration is a compile error: decline).</summary>
            private sealed class Scope
            {
                public Scope(Scope? parent) => Parent = parent;
                public Scope? Parent { get; }
                public Dictionary<string, (Value Value, ITypeSymbol Type)> Locals { get; } = new(StringComparer.Ordinal);
                public HashSet<string> Pending { get; } = new(StringComparer.Ordinal);
            }

            private Scope? _scope;
            private IMethodSymbol? _synConstructor;
            private SemanticModel? _synModel;
            private INamedTypeSymbol? _synType;
            private int _synPosition;
            private SyntaxNode? _synAnchor;
            private bool _synInitializer;

            private CSharpCompilation SynCompilation => _context.Compilation;

            private ITypeSymbol Special(SpecialType type) => SynCompilation.GetSpecialType(type);

            /// <summary>Walks a constructor body from syntax (<see cref="AnalysisContext.WalkConstructorSyntax"/>).</summary>
            public void WalkSyntax(ConstructorDeclarationSyntax syntax, IMethodSymbol constructor, SemanticModel model)
            {
                var declared = DeclaredNames(syntax.Body!);
                foreach (var name in declared)
                    if (constructor.Parameters.Any(p => p.Name == name) || HasMemberNamed(constructor.ContainingType, name))
                        throw Decline($"a local `{name}` named like a parameter or member");
                _synConstructor = constructor;
                _synModel = model;
                _synType = constructor.ContainingType;
                // Type names are looked up at the class's opening brace, where they mean what they mean in the body
                // (a constructor has no type parameters, and no local declares a type): a position inside the
                // constructor would make Roslyn build the binder map of the whole body for each lookup.
                _synPosition = syntax.Parent is TypeDeclarationSyntax { OpenBraceToken.RawKind: (int)SyntaxKind.OpenBraceToken } owner
                    && !owner.OpenBraceToken.IsMissing ? owner.OpenBraceToken.SpanStart : syntax.SpanStart;
                _synAnchor = syntax;
                _synInitializer = false;
                RequireUsingsAtTop(syntax);
                WalkStatementSyntax(syntax.Body!);
            }

            /// <summary>A field initializer read from syntax (no locals, no parameters, no instance members).</summary>
            public void WalkFieldInitializerSyntax(INamedTypeSymbol type, IFieldSymbol field, ExpressionSyntax value, SemanticModel model)
            {
                var saved = (_scope, _synConstructor, _synModel, _synType, _synPosition, _synInitializer, _synAnchor);
                try
                {
                    _scope = null;
                    _synConstructor = null;
                    _synModel = model;
                    _synType = type;
                    _synAnchor = value.Ancestors().OfType<BaseFieldDeclarationSyntax>().First();
                    _synPosition = _synAnchor.SpanStart;
                    _synInitializer = true;
                    RequireUsingsAtTop(value);
                    var result = EvalSyntax(value);
                    RequireConvertible(result, field.Type);
                    Assign(field, result.Value);
                }
                finally
                {
                    (_scope, _synConstructor, _synModel, _synType, _synPosition, _synInitializer, _synAnchor) = saved;
                }
            }

            /// <summary>The value of a MupAttentionScale argument the fast path found (the binding walk's
            /// <see cref="EvalInMethod"/> of a member reference or a constant).</summary>
            public Value EvalAttentionSyntax(ISymbol? member, Value? constant)
            {
                if (constant is not null)
                    return constant;
                if (_thisConfig is not null)
                    throw Decline("a configuration getter");
                return _env.TryGetValue(member!, out var value) ? value : new Unknown(member!.Name, "is not set by the constructor");
            }

            /// <summary>Every name the code declares: locals, loop variables, lambda parameters. Declarations the fast
            /// path does not walk (patterns, out variables, local functions, foreach, catch, queries) decline, as do
            /// their uses, so a name is resolved only where C# scoping is plain.</summary>
            internal static HashSet<string> DeclaredNames(SyntaxNode root)
            {
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var node in root.DescendantNodesAndSelf())
                {
                    // By kind, not by type test: this runs over every node of every constructor body.
                    var identifier = (SyntaxKind)node.RawKind switch
                    {
                        SyntaxKind.VariableDeclarator => ((VariableDeclaratorSyntax)node).Identifier,
                        SyntaxKind.Parameter => ((ParameterSyntax)node).Identifier,
                        SyntaxKind.SingleVariableDesignation => ((SingleVariableDesignationSyntax)node).Identifier,
                        SyntaxKind.ForEachStatement => ((ForEachStatementSyntax)node).Identifier,
                        SyntaxKind.LocalFunctionStatement => ((LocalFunctionStatementSyntax)node).Identifier,
                        SyntaxKind.CatchDeclaration => ((CatchDeclarationSyntax)node).Identifier,
                        SyntaxKind.FromClause => ((FromClauseSyntax)node).Identifier,
                        SyntaxKind.LetClause => ((LetClauseSyntax)node).Identifier,
                        SyntaxKind.JoinClause => ((JoinClauseSyntax)node).Identifier,
                        SyntaxKind.JoinIntoClause => ((JoinIntoClauseSyntax)node).Identifier,
                        SyntaxKind.QueryContinuation => ((QueryContinuationSyntax)node).Identifier,
                        _ => default,
                    };
                    if (identifier.RawKind != 0)
                        names.Add(identifier.ValueText);
                }
                return names;
            }

            /// <summary>Whether a member of that name (any kind, nested types too) is in scope from the class: in it, its
            /// bases, the classes it is nested in and their bases.</summary>
            private static bool HasMemberNamed(INamedTypeSymbol type, string name)
            {
                for (var scope = (INamedTypeSymbol?)type; scope is not null; scope = scope.ContainingType)
                    for (var t = (INamedTypeSymbol?)scope; t is not null; t = t.BaseType)
                        if (t.GetMembers(name).Length > 0)
                            return true;
                return false;
            }

            private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Collections.Concurrent.ConcurrentDictionary<(object Scope, string Name, bool Types), System.Collections.Immutable.ImmutableArray<ISymbol>>> NamespaceLookups = new();

            private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxNode, object> ScopeKeys = new();

            /// <summary>What decides a lookup at the namespace level of a file: the namespace declarations around the
            /// class and the usings and extern aliases of the file (global usings are the compilation's). Files that
            /// agree on these see the same names, unless one declares a file-local type: such a file is its own key.</summary>
            private static object ScopeKey(SyntaxNode scope) => ScopeKeys.GetValue(scope, static node =>
            {
                var root = node.SyntaxTree.GetRoot();
                if (root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or BaseTypeDeclarationSyntax)
                        .OfType<BaseTypeDeclarationSyntax>().Any(t => t.Modifiers.Any(SyntaxKind.FileKeyword)))
                    return node;
                var key = new System.Text.StringBuilder();
                foreach (var ancestor in node.AncestorsAndSelf().Reverse())
                {
                    if (ancestor is CompilationUnitSyntax unit)
                        key.Append(string.Join(";", unit.Externs.Select(e => Text(e)))).Append('|').Append(string.Join(";", unit.Usings.Select(u => Text(u))));
                    else if (ancestor is BaseNamespaceDeclarationSyntax ns)
                        key.Append("|ns ").Append(Text(ns.Name)).Append('|').Append(string.Join(";", ns.Externs.Select(e => Text(e))))
                            .Append('|').Append(string.Join(";", ns.Usings.Select(u => Text(u))));
                }
                return string.Intern(key.ToString());
            });

            /// <summary>What a simple name denotes at the namespace level of the class being read (its namespace
            /// declaration's members, the enclosing namespaces and the usings), looked up once per namespace declaration
            /// and compilation. Only asked for a name no member of the class chain or of an enclosing class has (the
            /// caller checks <see cref="HasMemberNamed"/>), so it is what a lookup inside the class gives too.</summary>
            private System.Collections.Immutable.ImmutableArray<ISymbol> NamespaceLookup(string name, bool types)
            {
                if (HasMemberNamed(_synType!, name))
                    throw Decline($"a member named `{name}` in scope");
                if (InGenericClass())
                    throw Decline("a generic class");
                var outermost = OutermostDeclaration() ?? throw Decline("code outside a class");
                var scope = outermost.Parent!;
                var cache = NamespaceLookups.GetValue(SynCompilation, static _ => new());
                var model = _synModel!;
                return cache.GetOrAdd((ScopeKey(scope), name, types), key => key.Types
                    ? model.LookupNamespacesAndTypes(outermost.SpanStart, name: key.Name)
                    : model.LookupSymbols(outermost.SpanStart, name: key.Name));
            }

            /// <summary>Whether the class being read, or a class around it, has type parameters (then a name may mean
            /// one of them, and namespace-level lookups do not apply).</summary>
            private bool InGenericClass()
            {
                for (var t = _synType; t is not null; t = t.ContainingType)
                    if (t.TypeParameters.Length > 0)
                        return true;
                return false;
            }

            /// <summary>The declaration of the outermost class around the code being read; its parent is the scope
            /// <see cref="ScopeKey"/> keys.</summary>
            private BaseTypeDeclarationSyntax? OutermostDeclaration() =>
                _synAnchor!.AncestorsAndSelf().OfType<BaseTypeDeclarationSyntax>().LastOrDefault();

            /// <summary>The field or property a simple name (or <c>this.name</c>) denotes in <paramref name="type"/>:
            /// the first class up the chain that has a member of that name, which must be exactly one field or
            /// non-indexed property, declared in source and accessible; null when the chain has no member of that name.
            /// Anything else declines.</summary>
            internal static ISymbol? FindMember(INamedTypeSymbol type, string name)
            {
                for (var t = (INamedTypeSymbol?)type; t is not null; t = t.BaseType)
                {
                    var members = t.GetMembers(name);
                    if (members.Length == 0)
                        continue;
                    if (members.Length != 1 || t.DeclaringSyntaxReferences.Length == 0
                        || members[0] is not (IFieldSymbol { IsImplicitlyDeclared: false } or IPropertySymbol { IsIndexer: false, Parameters.Length: 0 })
                        || (!SymbolEqualityComparer.Default.Equals(t, type) && members[0].DeclaredAccessibility == Accessibility.Private))
                        throw Decline($"a name `{name}` that is not one field or property");
                    return members[0];
                }
                return null;
            }

            /// <summary>Usings only at the top of the file (then the imported types and the <c>using static</c>
            /// methods of a name sit at one level of lookup, where an invocation takes the method).</summary>
            private static void RequireUsingsAtTop(SyntaxNode node)
            {
                foreach (var ns in node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>())
                    if (ns.Usings.Count > 0 || ns.Externs.Count > 0)
                        throw Decline("usings inside a namespace");
            }

            internal static Value ConstantOf(object? constant, SyntaxNode syntax) => constant switch
            {
                bool b => new BoolConst(b),
                int or long or short or byte or sbyte or ushort or uint => new Const(Convert.ToInt64(constant, System.Globalization.CultureInfo.InvariantCulture)),
                string => new Opaque(Text(syntax)),
                _ => throw Decline("a constant that is not an integer, a bool or a string"),
            };

            internal static string Text(SyntaxNode syntax) => System.Text.RegularExpressions.Regex.Replace(syntax.ToString(), @"\s+", " ").Trim();

            // ---- statements ----

            private void WalkStatementSyntax(StatementSyntax statement)
            {
                _ct.ThrowIfCancellationRequested();
                switch (statement)
                {
                    case BlockSyntax block:
                        var scope = new Scope(_scope);
                        foreach (var inner in block.Statements)
                            if (inner is LocalDeclarationStatementSyntax local)
                                foreach (var declarator in local.Declaration.Variables)
                                    scope.Pending.Add(declarator.Identifier.ValueText);
                        _scope = scope;
                        try
                        {
                            foreach (var inner in block.Statements)
                                WalkStatementSyntax(inner);
                        }
                        finally
                        {
                            _scope = scope.Parent;
                        }
                        break;
                    case LocalDeclarationStatementSyntax declaration when declaration.Modifiers.Count == 0 && declaration.UsingKeyword.IsKind(SyntaxKind.None)
                        && declaration.AwaitKeyword.IsKind(SyntaxKind.None):
                        DeclareSyntax(declaration.Declaration);
                        break;
                    case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment } when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression):
                        AssignSyntax(assignment);
                        break;
                    case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax invocation }:
                        EvalInvocationSyntax(invocation);
                        break;
                    case ForStatementSyntax forLoop:
                        WalkForSyntax(forLoop);
                        break;
                    case EmptyStatementSyntax:
                        break;
                    default:
                        throw Decline($"a statement the fast path does not walk ({statement.Kind()})");
                }
            }

            private void DeclareSyntax(VariableDeclarationSyntax declaration)
            {
                ITypeSymbol? declaredType = declaration.Type switch
                {
                    IdentifierNameSyntax { IsVar: true } => null,
                    PredefinedTypeSyntax predefined when predefined.Keyword.IsKind(SyntaxKind.IntKeyword) => Special(SpecialType.System_Int32),
                    PredefinedTypeSyntax predefined when predefined.Keyword.IsKind(SyntaxKind.LongKeyword) => Special(SpecialType.System_Int64),
                    PredefinedTypeSyntax predefined when predefined.Keyword.IsKind(SyntaxKind.BoolKeyword) => Special(SpecialType.System_Boolean),
                    _ => throw Decline("a local of a type the fast path does not read"),
                };
                if (declaredType is null && NamespaceLookup("var", types: true).Length > 0)
                    throw Decline("a type named var");
                foreach (var declarator in declaration.Variables)
                {
                    if (declarator.Initializer is not { } initializer || declarator.ArgumentList is not null)
                        throw Decline("a local without an initial value");
                    var value = EvalSyntax(initializer.Value);
                    if (declaredType is not null)
                        RequireConvertible(value, declaredType);
                    var name = declarator.Identifier.ValueText;
                    if (_scope is null || !_scope.Pending.Remove(name))
                        throw Decline("a local declared outside a block");
                    _scope.Locals[name] = (value.Value, declaredType ?? value.Type);
                }
            }

            private void AssignSyntax(AssignmentExpressionSyntax assignment)
            {
                var left = assignment.Left;
                if (assignment.Right is AssignmentExpressionSyntax)
                    throw Decline("a chained assignment");
                if (left is IdentifierNameSyntax identifier && FindLocal(identifier.Identifier.ValueText) is { } scope)
                {
                    var name = identifier.Identifier.ValueText;
                    var local = scope.Locals[name];
                    var value = EvalSyntax(assignment.Right);
                    RequireConvertible(value, local.Type);
                    scope.Locals[name] = (_loopDepth > 0 && value.Value is not (Layer or OtherModule or UserModule or ListValue or ParameterValue or IndexChoice)
                        ? new Unknown(name, "is assigned inside a loop", value.Value is Unknown u ? u.Reason : Model.UnresolvedReason.UnreadableSize)
                        : value.Value, local.Type);
                    return;
                }
                var target = left switch
                {
                    IdentifierNameSyntax simple => ResolveName(simple.Identifier.ValueText, allowLocal: false),
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax member } when left.IsKind(SyntaxKind.SimpleMemberAccessExpression)
                        => FindMember(_synType!, member.Identifier.ValueText) ?? throw Decline("an assignment to an unknown member"),
                    _ => throw Decline("an assignment to something other than a local, parameter, field or property"),
                };
                ITypeSymbol targetType;
                switch (target)
                {
                    case IParameterSymbol { RefKind: RefKind.None } parameter:
                        targetType = parameter.Type;
                        break;
                    case IFieldSymbol { IsConst: false } field when !field.IsReadOnly || SymbolEqualityComparer.Default.Equals(field.ContainingType, _synType):
                        if (field.IsStatic)
                            throw Decline("an assignment to a static field");
                        targetType = field.Type;
                        break;
                    case IPropertySymbol { SetMethod: not null, IsStatic: false } property:
                        targetType = property.Type;
                        break;
                    default:
                        throw Decline("an assignment to a member the fast path does not write");
                }
                var assigned = EvalSyntax(assignment.Right);
                RequireConvertible(assigned, targetType);
                Assign(target, assigned.Value, assignment);
            }

            private void WalkForSyntax(ForStatementSyntax loop)
            {
                // for (var i = 0; i < n; i++): the counting loop, the one form the fast path walks.
                if (loop.Declaration is not { Variables.Count: 1 } declaration || loop.Initializers.Count != 0 || loop.Incrementors.Count != 1
                    || loop.Condition is not BinaryExpressionSyntax condition
                    || !(condition.IsKind(SyntaxKind.LessThanExpression) || condition.IsKind(SyntaxKind.LessThanOrEqualExpression)))
                    throw Decline("a for loop that is not a counting loop");
                var declarator = declaration.Variables[0];
                var index = declarator.Identifier.ValueText;
                if (declaration.Type is not (IdentifierNameSyntax { IsVar: true } or PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.IntKeyword })
                    || declarator.Initializer?.Value is not LiteralExpressionSyntax { Token.Value: 0 })
                    throw Decline("a for loop that does not count from 0");
                var step = loop.Incrementors[0];
                var byOne = step switch
                {
                    PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax o } post when post.IsKind(SyntaxKind.PostIncrementExpression) => o.Identifier.ValueText == index,
                    PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax o } pre when pre.IsKind(SyntaxKind.PreIncrementExpression) => o.Identifier.ValueText == index,
                    _ => false,
                };
                if (!byOne || condition.Left is not IdentifierNameSyntax { Identifier.ValueText: var bounded } || bounded != index)
                    throw Decline("a for loop that does not step its index by one");
                if (declaration.Type is IdentifierNameSyntax && NamespaceLookup("var", types: true).Length > 0)
                    throw Decline("a type named var");
                var scope = new Scope(_scope);
                _scope = scope;
                try
                {
                    var intType = Special(SpecialType.System_Int32);
                    scope.Locals[index] = (new Const(0), intType);
                    var bound = EvalSyntax(condition.Right);
                    if (bound.Type.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
                        throw Decline("a loop bound that is not an integer");
                    Value count = condition.IsKind(SyntaxKind.LessThanExpression) ? bound.Value : new Binary('+', bound.Value, new Const(1));
                    // The binding walk unrolls a loop with a known small count whose body reads by the index or carries a
                    // value across iterations; the fast path does not, so such a body declines.
                    if (_loopDepth == 0 && count is Const { V: > 0 and <= MaxUnrolled }
                        && loop.Statement.DescendantNodesAndSelf().Any(n => n is ElementAccessExpressionSyntax or AssignmentExpressionSyntax))
                        throw Decline("a loop the binding walk may unroll");
                    if (loop.Statement.DescendantNodesAndSelf().Any(n => n is ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax or YieldStatementSyntax))
                        throw Decline("a loop with a jump");
                    scope.Locals[index] = (new Opaque(index), intType);
                    RunLoopBody(count, index, newIndex =>
                    {
                        if (newIndex is not null)
                            scope.Locals[index] = (newIndex, intType);
                    }, () => WalkStatementSyntax(loop.Statement));
                }
                finally
                {
                    _scope = scope.Parent;
                }
            }

            // ---- names ----

            private Scope? FindLocal(string name)
            {
                for (var s = _scope; s is not null; s = s.Parent)
                {
                    if (s.Locals.ContainsKey(name))
                        return s;
                    if (s.Pending.Contains(name))
                        throw Decline($"`{name}` used before its declaration");
                }
                return null;
            }

            /// <summary>A simple name that is not a local: a parameter of the constructor, else a field or property of
            /// the class chain. Anything else (an outer class's member, a static import, a type) declines.</summary>
            private ISymbol ResolveName(string name, bool allowLocal)
            {
                if (!allowLocal && FindLocal(name) is not null)
                    throw Decline("a local where a member was expected");
                if (_synConstructor?.Parameters.FirstOrDefault(p => p.Name == name) is { } parameter)
                    return parameter;
                return FindMember(_synType!, name) ?? throw Decline($"a name `{name}` that is not a local, parameter or member");
            }

            // ---- expressions ----

            private SynValue EvalSyntax(ExpressionSyntax expression)
            {
                _ct.ThrowIfCancellationRequested();
                if (expression.ContainsDiagnostics)
                    throw Decline("syntax errors");
                switch (expression)
                {
                    case ParenthesizedExpressionSyntax parenthesized:
                        return EvalSyntax(parenthesized.Expression);
                    case LiteralExpressionSyntax literal:
                        return literal.Kind() switch
                        {
                            SyntaxKind.NumericLiteralExpression when literal.Token.Value is int i => new SynValue(new Const(i), Special(SpecialType.System_Int32), true),
                            SyntaxKind.NumericLiteralExpression when literal.Token.Value is long l => new SynValue(new Const(l), Special(SpecialType.System_Int64), true),
                            SyntaxKind.TrueLiteralExpression => new SynValue(new BoolConst(true), Special(SpecialType.System_Boolean), true),
                            SyntaxKind.FalseLiteralExpression => new SynValue(new BoolConst(false), Special(SpecialType.System_Boolean), true),
                            SyntaxKind.StringLiteralExpression => new SynValue(new Opaque(Text(literal)), Special(SpecialType.System_String), true),
                            _ => throw Decline("a literal the fast path does not read"),
                        };
                    case PrefixUnaryExpressionSyntax negative when negative.IsKind(SyntaxKind.UnaryMinusExpression):
                    {
                        var operand = EvalSyntax(negative.Operand);
                        if (!operand.IsConst || operand.Value is not Const c || c.V == long.MinValue
                            || (operand.Type.SpecialType == SpecialType.System_Int32 && c.V == int.MinValue))
                            throw Decline("a negation that is not of a constant");
                        return new SynValue(new Const(-c.V), operand.Type, true);
                    }
                    case IdentifierNameSyntax identifier:
                        return ReadName(identifier.Identifier.ValueText, identifier);
                    case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax member } when expression.IsKind(SyntaxKind.SimpleMemberAccessExpression):
                        if (_synInitializer)
                            throw Decline("`this` in a field initializer");
                        return ReadSymbol(FindMember(_synType!, member.Identifier.ValueText) ?? throw Decline("an unknown member"), expression);
                    case BinaryExpressionSyntax binary:
                        return EvalBinarySyntax(binary);
                    case CastExpressionSyntax cast when cast.Type is PredefinedTypeSyntax predefined
                        && (predefined.Keyword.IsKind(SyntaxKind.IntKeyword) || predefined.Keyword.IsKind(SyntaxKind.LongKeyword)):
                    {
                        var operand = EvalSyntax(cast.Expression);
                        if (operand.Type.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
                            throw Decline("a cast of something other than an integer");
                        var toInt = predefined.Keyword.IsKind(SyntaxKind.IntKeyword);
                        if (operand.IsConst && operand.Value is Const c && toInt && (c.V < int.MinValue || c.V > int.MaxValue))
                            throw Decline("a narrowing constant cast");
                        if (!operand.IsConst && toInt && operand.Type.SpecialType == SpecialType.System_Int64)
                            throw Decline("a narrowing cast");
                        return new SynValue(operand.Value, Special(toInt ? SpecialType.System_Int32 : SpecialType.System_Int64), operand.IsConst);
                    }
                    case InvocationExpressionSyntax invocation:
                        return EvalInvocationSyntax(invocation);
                    case ObjectCreationExpressionSyntax creation:
                        return EvalCreationSyntax(creation);
                    default:
                        throw Decline($"an expression the fast path does not read ({expression.Kind()})");
                }
            }

            private SynValue ReadName(string name, SyntaxNode syntax)
            {
                if (FindLocal(name) is { } scope)
                {
                    var local = scope.Locals[name];
                    return new SynValue(local.Value, local.Type);
                }
                return ReadSymbol(ResolveName(name, allowLocal: true), syntax);
            }

            /// <summary>The binding walk's reading of a parameter, field or property reference.</summary>
            private SynValue ReadSymbol(ISymbol symbol, SyntaxNode syntax)
            {
                if (_thisConfig is not null)
                    throw Decline("a configuration getter");
                switch (symbol)
                {
                    case IParameterSymbol parameter:
                        return new SynValue(_env.TryGetValue(parameter, out var p) ? p : new Opaque(parameter.Name, DefaultOf(parameter)), parameter.Type);
                    case IFieldSymbol { HasConstantValue: true } constant:
                        return new SynValue(ConstantOf(constant.ConstantValue, syntax), constant.Type, true);
                    case IFieldSymbol field:
                        if (_synInitializer && !field.IsStatic)
                            throw Decline("an instance field in a field initializer");
                        return new SynValue(_env.TryGetValue(field, out var f) ? f : new Opaque(field.Name), field.Type);
                    case IPropertySymbol property:
                        if (_synInitializer && !property.IsStatic)
                            throw Decline("an instance property in a field initializer");
                        if (_env.TryGetValue(property, out var pr))
                            return new SynValue(pr, property.Type);
                        // The binding walk follows an integer property's getter as a size helper.
                        if (IsInteger(property.Type))
                            throw Decline("an integer property the constructor does not set");
                        return new SynValue(new Opaque(property.Name), property.Type);
                    default:
                        throw Decline("a name that is not a parameter, field or property");
                }
            }

            private SynValue EvalBinarySyntax(BinaryExpressionSyntax binary)
            {
                var op = binary.Kind() switch
                {
                    SyntaxKind.AddExpression => '+',
                    SyntaxKind.SubtractExpression => '-',
                    SyntaxKind.MultiplyExpression => '*',
                    SyntaxKind.DivideExpression => '/',
                    _ => throw Decline("an operator other than + - * /"),
                };
                var left = EvalSyntax(binary.Left);
                var right = EvalSyntax(binary.Right);
                static bool IsInteger(ITypeSymbol t) => t.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;
                if (!IsInteger(left.Type) || !IsInteger(right.Type))
                    throw Decline("arithmetic of something other than int and long");
                var isLong = left.Type.SpecialType == SpecialType.System_Int64 || right.Type.SpecialType == SpecialType.System_Int64;
                var type = Special(isLong ? SpecialType.System_Int64 : SpecialType.System_Int32);
                if (left.IsConst && right.IsConst && left.Value is Const a && right.Value is Const b)
                {
                    // Folded as C# folds a constant expression; an overflow or a division by zero is a compile error.
                    try
                    {
                        long folded = checked(op switch
                        {
                            '+' => isLong ? a.V + b.V : (int)a.V + (int)b.V,
                            '-' => isLong ? a.V - b.V : (int)a.V - (int)b.V,
                            '*' => isLong ? a.V * b.V : (int)a.V * (int)b.V,
                            _ => b.V == 0 ? throw Decline("a constant division by zero") : isLong ? a.V / b.V : (int)a.V / (int)b.V,
                        });
                        return new SynValue(new Const(folded), type, true);
                    }
                    catch (OverflowException)
                    {
                        throw Decline("a constant that overflows");
                    }
                }
                var combined = new Binary(op, left.Value, right.Value);
                if (combined.Size > Binary.MaxSize)
                    throw Decline("too large an expression");
                return new SynValue(combined, type);
            }

            // ---- invocations and creations ----

            private sealed class SynArgument
            {
                public SynArgument(string? name, SynValue value, ExpressionSyntax syntax)
                {
                    Name = name;
                    Value = value;
                    Syntax = syntax;
                }

                public string? Name { get; }
                public SynValue Value { get; }
                public ExpressionSyntax Syntax { get; }
            }

            private List<SynArgument> EvalArgumentsSyntax(ArgumentListSyntax list)
            {
                var result = new List<SynArgument>();
                var named = false;
                foreach (var argument in list.Arguments)
                {
                    if (!argument.RefKindKeyword.IsKind(SyntaxKind.None))
                        throw Decline("a ref or out argument");
                    if (argument.NameColon is not null)
                        named = true;
                    else if (named)
                        throw Decline("a positional argument after a named one");
                    result.Add(new SynArgument(argument.NameColon?.Name.Identifier.ValueText, EvalSyntax(argument.Expression), argument.Expression));
                }
                return result;
            }

            private enum Applicability { No, Yes, Unsure }

            /// <summary>The one candidate the arguments apply to, C# overload resolution reduced to what needs no
            /// betterness rules: every candidate is decided applicable or not (by count, names, conversions of the
            /// argument types); a candidate that might apply in a way not decided here (params, generics, constant
            /// conversions to small integer types, ref) declines, and so do two applicable ones. Returns the method and
            /// each parameter's argument (null: the parameter's default).</summary>
            private (IMethodSymbol Method, SynArgument?[] Map) Resolve(IEnumerable<IMethodSymbol> candidates, List<SynArgument> arguments)
            {
                (IMethodSymbol, SynArgument?[])? chosen = null;
                foreach (var candidate in candidates)
                {
                    var (applicable, map) = Applies(candidate, arguments);
                    if (applicable == Applicability.Unsure)
                        throw Decline($"an overload of {candidate.Name} the fast path cannot decide");
                    if (applicable == Applicability.No)
                        continue;
                    if (chosen is not null)
                        throw Decline($"several applicable overloads of {candidate.Name}");
                    chosen = (candidate, map!);
                }
                return chosen ?? throw Decline("no applicable overload");
            }

            private (Applicability, SynArgument?[]?) Applies(IMethodSymbol method, List<SynArgument> arguments)
            {
                var parameters = method.Parameters;
                if (method.IsGenericMethod)
                    return (Applicability.Unsure, null);
                var map = new SynArgument?[parameters.Length];
                for (var i = 0; i < arguments.Count; i++)
                {
                    var argument = arguments[i];
                    int at;
                    if (argument.Name is null)
                    {
                        if (i >= parameters.Length)
                            return parameters.Length > 0 && parameters[parameters.Length - 1].IsParams ? (Applicability.Unsure, null) : (Applicability.No, null);
                        at = i;
                    }
                    else
                    {
                        at = -1;
                        for (var k = 0; k < parameters.Length; k++)
                            if (parameters[k].Name == argument.Name)
                                at = k;
                        if (at < 0)
                            return (Applicability.No, null);
                    }
                    var parameter = parameters[at];
                    if (parameter.IsParams || parameter.RefKind != RefKind.None)
                        return (Applicability.Unsure, null);
                    if (map[at] is not null)
                        return (Applicability.No, null);
                    map[at] = argument;
                    if (!IsImplicit(argument.Value.Type, parameter.Type))
                    {
                        // A constant converts where its type does not: an int constant that fits to a smaller integer
                        // type, a constant 0 to any enum (and to their nullable forms).
                        var underlying = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable
                            ? nullable.TypeArguments[0] : parameter.Type;
                        if (argument.Value.IsConst && (underlying.TypeKind == TypeKind.Enum || underlying.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte
                                or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64
                                or SpecialType.System_Char)
                            || parameter.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
                            return (Applicability.Unsure, null);
                        return (Applicability.No, null);
                    }
                }
                for (var k = 0; k < parameters.Length; k++)
                    if (map[k] is null && !parameters[k].HasExplicitDefaultValue)
                        return parameters[k].IsParams || parameters[k].IsOptional ? (Applicability.Unsure, null) : (Applicability.No, null);
                return (Applicability.Yes, map);
            }

            /// <summary>The binding walk's value of an omitted optional argument (its implicit default operation).</summary>
            private Value DefaultArgument(IParameterSymbol parameter, SyntaxNode call)
            {
                if (parameter.GetAttributes().Any(a => a.AttributeClass?.Name.StartsWith("Caller", StringComparison.Ordinal) == true))
                    throw Decline("a caller-information parameter");
                return parameter.ExplicitDefaultValue switch
                {
                    null when parameter.Type.IsReferenceType || parameter.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T => NullValue,
                    null => throw Decline("a default value of a struct"),
                    bool b => new BoolConst(b),
                    int or long or short or byte or sbyte or ushort or uint => new Const(Convert.ToInt64(parameter.ExplicitDefaultValue, System.Globalization.CultureInfo.InvariantCulture)),
                    double or float => new Unknown(Text(call), "is not an integer", Model.UnresolvedReason.UnreadableSize, call),
                    _ => throw Decline("a default value the fast path does not read"),
                };
            }

            private SynValue EvalInvocationSyntax(InvocationExpressionSyntax invocation)
            {
                switch (invocation.Expression)
                {
                    case IdentifierNameSyntax { Identifier.ValueText: var name }:
                    {
                        if (FindLocalOrNull(name) || _synConstructor?.Parameters.Any(p => p.Name == name) == true)
                            throw Decline("an invocation of a local or parameter");
                        if (name == "RegisterComponents")
                            return RegisterComponentsSyntax(invocation);
                        var found = NamespaceLookup(name, types: false);
                        if (found.IsEmpty || found.Any(s => s is not (IMethodSymbol or INamedTypeSymbol))
                            || found.OfType<INamedTypeSymbol>().Any(t => t.ContainingNamespace?.ToDisplayString() != TypeNames.ModulesNamespace || t.ContainingType is not null))
                            throw Decline($"a call of `{name}` that is not a method of TorchSharp");
                        var methods = found.OfType<IMethodSymbol>().ToList();
                        var arguments = EvalArgumentsSyntax(invocation.ArgumentList);
                        if (methods.Count > 0 && methods.All(m => m.IsStatic && SymbolEqualityComparer.Default.Equals(m.ContainingType?.OriginalDefinition, _types.TorchNn)))
                        {
                            var (method, map) = Resolve(methods, arguments);
                            return TorchFactory(method, map, invocation);
                        }
                        throw Decline($"a call of `{name}` that may bind to a method other than TorchSharp's");
                    }
                    case MemberAccessExpressionSyntax { Name: IdentifierNameSyntax { Identifier.ValueText: var member } } access
                        when access.IsKind(SyntaxKind.SimpleMemberAccessExpression):
                    {
                        if (access.Expression is IdentifierNameSyntax { Identifier.ValueText: "Enumerable" } && member == "Range")
                            return RangeSyntax(invocation);
                        var receiver = EvalSyntax(access.Expression);
                        if (receiver.Value is not ListValue list)
                            break;
                        switch (member)
                        {
                            case "Add":
                                return AddSyntax(invocation, receiver, list);
                            case "Select":
                                return SelectSyntax(invocation, receiver, list);
                            case "ToArray":
                                return ToArraySyntax(invocation, receiver, list);
                        }
                        break;
                    }
                }
                throw Decline("a call the fast path does not read");
            }

            /// <summary><c>RegisterComponents()</c>: the methods of that name of the class chain (an override counts as
            /// the method it overrides); exactly one without parameters, an instance method of a module class.</summary>
            private SynValue RegisterComponentsSyntax(InvocationExpressionSyntax invocation)
            {
                if (_synInitializer || invocation.ArgumentList.Arguments.Count != 0)
                    throw Decline("RegisterComponents in a field initializer or with arguments");
                var candidates = new List<IMethodSymbol>();
                for (var t = _synType; t is not null; t = t.BaseType)
                    foreach (var member in t.GetMembers("RegisterComponents"))
                    {
                        // One in source may write fields (the binding walk then forgets their sizes).
                        if (t.DeclaringSyntaxReferences.Length > 0)
                            throw Decline("a RegisterComponents declared in source");
                        if (member is not IMethodSymbol method || method.IsStatic || !_types.IsModule(method.ContainingType))
                            throw Decline("a RegisterComponents that is not a module's instance method");
                        if (method.IsOverride)
                            continue;
                        if (method.DeclaredAccessibility == Accessibility.Private && !SymbolEqualityComparer.Default.Equals(t, _synType))
                            continue;
                        candidates.Add(method);
                    }
                if (candidates.Count != 1 || candidates[0].Parameters.Length != 0 || candidates[0].IsGenericMethod)
                    throw Decline("RegisterComponents overloads");
                if (RegisterComponentsAt is null)
                {
                    RegisterComponentsAt = Registrations.Count;
                    AtRegisterComponents = _env.Where(p => p.Key is IFieldSymbol).ToDictionary(p => p.Key, p => p.Value, SymbolEqualityComparer.Default);
                }
                return new SynValue(OtherModule.Instance, candidates[0].ReturnType);
            }

            private bool FindLocalOrNull(string name)
            {
                for (var s = _scope; s is not null; s = s.Parent)
                    if (s.Locals.ContainsKey(name) || s.Pending.Contains(name))
                        return true;
                return false;
            }

            /// <summary>A torch.nn factory: a catalog layer (arguments by parameter name, defaults filled as the binding
            /// walk's implicit default arguments), or a module without parameters, or an unknown TorchSharp layer.</summary>
            private SynValue TorchFactory(IMethodSymbol method, SynArgument?[] map, InvocationExpressionSyntax invocation)
            {
                if (method.Name is "Parameter" or "ModuleList" or "Sequential" || !_types.IsModule(method.ReturnType))
                    throw Decline($"torch.nn.{method.Name}");
                if (MupGen.Catalog.LayerCatalog.ByFactory(method.Name) is { } entry)
                {
                    var args = new Dictionary<string, Value>();
                    for (var k = 0; k < method.Parameters.Length; k++)
                        args[method.Parameters[k].Name] = map[k] is { } given ? given.Value.Value : DefaultArgument(method.Parameters[k], invocation);
                    return new SynValue(new Layer(entry, args, invocation), method.ReturnType);
                }
                return new SynValue(KnownTypes.IsParameterless(method.Name)
                    ? OtherModule.Instance
                    : new Unknown(Text(invocation), $"is a TorchSharp layer ({method.Name}) whose parameters the generator does not know", Model.UnresolvedReason.UnknownLayerType, invocation), method.ReturnType);
            }

            /// <summary><c>Enumerable.Range(0, n)</c>.</summary>
            private SynValue RangeSyntax(InvocationExpressionSyntax invocation)
            {
                if (FindLocalOrNull("Enumerable") || _synConstructor?.Parameters.Any(p => p.Name == "Enumerable") == true || HasMemberNamed(_synType!, "Enumerable"))
                    throw Decline("a member named Enumerable");
                var found = NamespaceLookup("Enumerable", types: true);
                if (found.Length != 1 || !SymbolEqualityComparer.Default.Equals(found[0], _types.Enumerable))
                    throw Decline("Enumerable that is not System.Linq.Enumerable");
                var arguments = EvalArgumentsSyntax(invocation.ArgumentList);
                var (method, map) = Resolve(_types.Enumerable!.GetMembers("Range").OfType<IMethodSymbol>(), arguments);
                if (map.Length != 2 || map[1] is null)
                    throw Decline("Enumerable.Range with other parameters");
                var range = new ListValue();
                range.AddRepeated(new Opaque("i"), map[1]!.Value.Value);
                return new SynValue(range, method.ReturnType);
            }

            /// <summary>The extension methods of System.Linq.Enumerable a call on <paramref name="receiver"/> can reach,
            /// reduced; declines when an instance method or another class's extension of that name is in reach.</summary>
            private List<IMethodSymbol> LinqCandidates(ITypeSymbol receiver, string name)
            {
                var found = LinqLookup(receiver, name);
                var methods = new List<IMethodSymbol>();
                foreach (var symbol in found)
                {
                    if (symbol is not IMethodSymbol { ReducedFrom: { } reducedFrom } method
                        || !SymbolEqualityComparer.Default.Equals(reducedFrom.ContainingType, _types.Enumerable))
                        throw Decline($"a `{name}` that is not System.Linq.Enumerable's");
                    methods.Add(method);
                }
                if (methods.Count == 0)
                    throw Decline($"no `{name}`");
                return methods;
            }

            private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Collections.Concurrent.ConcurrentDictionary<(object Scope, ITypeSymbol Receiver, string Name), System.Collections.Immutable.ImmutableArray<ISymbol>>> LinqLookups = new();

            /// <summary>The members and extension methods (reduced) of that name a call on <paramref name="receiver"/>
            /// reaches; extension methods are found by namespace and usings, so one lookup serves a namespace
            /// declaration.</summary>
            private System.Collections.Immutable.ImmutableArray<ISymbol> LinqLookup(ITypeSymbol receiver, string name)
            {
                var outermost = OutermostDeclaration() ?? throw Decline("code outside a class");
                var cache = LinqLookups.GetValue(SynCompilation, static _ => new());
                var model = _synModel!;
                return cache.GetOrAdd((ScopeKey(outermost.Parent!), receiver, name),
                    key => model.LookupSymbols(outermost.SpanStart, key.Receiver, key.Name, includeReducedExtensionMethods: true));
            }

            private static ITypeSymbol ElementType(ITypeSymbol type) => type switch
            {
                IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
                INamedTypeSymbol { TypeArguments.Length: 1, OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } named => named.TypeArguments[0],
                _ => throw Decline("a sequence of an unknown element type"),
            };

            /// <summary><c>source.Select(_ => new Block(...))</c> (binding walk: EvalLinq's Select and EvalLambda).</summary>
            private SynValue SelectSyntax(InvocationExpressionSyntax invocation, SynValue receiver, ListValue source)
            {
                var element = ElementType(receiver.Type);
                if (invocation.ArgumentList.Arguments.Count != 1
                    || invocation.ArgumentList.Arguments[0] is not { NameColon: null, RefKindKeyword.RawKind: (int)SyntaxKind.None, Expression: SimpleLambdaExpressionSyntax lambda }
                    || lambda.Modifiers.Count != 0 || lambda.ExpressionBody is not { } body || lambda.Parameter.Type is not null
                    || lambda.Parameter.Modifiers.Count != 0 || lambda.Parameter.AttributeLists.Count != 0)
                    throw Decline("a Select whose selector is not a one-parameter expression lambda");
                var candidates = LinqCandidates(receiver.Type, "Select");
                var oneParameter = candidates.Where(m => m.Parameters.Length == 1 && m.Parameters[0].Type is INamedTypeSymbol { Arity: 2, Name: "Func" }).ToList();
                if (oneParameter.Count != 1 || candidates.Any(m => !oneParameter.Contains(m) && !(m.Parameters.Length == 1 && m.Parameters[0].Type is INamedTypeSymbol { Arity: 3, Name: "Func" })))
                    throw Decline("a Select overload the fast path cannot decide");
                var name = lambda.Parameter.Identifier.ValueText;
                var result = new ListValue();
                ITypeSymbol? itemType = null;
                foreach (var entry in source.Entries)
                {
                    var scope = new Scope(_scope);
                    scope.Locals[name] = (new Opaque(name), element);
                    _scope = scope;
                    _loopDepth++;
                    SynValue item;
                    try
                    {
                        item = EvalSyntax(body);
                    }
                    finally
                    {
                        _loopDepth--;
                        _scope = scope.Parent;
                    }
                    if (itemType is not null && !SymbolEqualityComparer.Default.Equals(itemType, item.Type))
                        throw Decline("a Select whose items differ in type");
                    itemType = item.Type;
                    if (entry.Key is null)
                        result.AddRepeated(item.Value, entry.Count);
                    else
                        result.Add(item.Value);
                }
                if (itemType is null)
                    throw Decline("a Select over an empty sequence");
                var enumerable = SynCompilation.GetSpecialType(SpecialType.System_Collections_Generic_IEnumerable_T).Construct(itemType);
                return new SynValue(result, enumerable);
            }

            /// <summary><c>items.ToArray()</c> of a sequence being built.</summary>
            private SynValue ToArraySyntax(InvocationExpressionSyntax invocation, SynValue receiver, ListValue source)
            {
                if (invocation.ArgumentList.Arguments.Count != 0)
                    throw Decline("ToArray with arguments");
                var element = ElementType(receiver.Type);
                if (receiver.Type is not INamedTypeSymbol)
                    throw Decline("ToArray of an array");
                var candidates = LinqCandidates(receiver.Type, "ToArray");
                if (candidates.Count(m => m.Parameters.Length == 0) != 1)
                    throw Decline("a ToArray overload the fast path cannot decide");
                return new SynValue(source, SynCompilation.CreateArrayTypeSymbol(element));
            }

            /// <summary><c>list.Add(item)</c> on a module list or list being built: the one instance <c>Add</c>.</summary>
            private SynValue AddSyntax(InvocationExpressionSyntax invocation, SynValue receiver, ListValue list)
            {
                if (receiver.Type is not INamedTypeSymbol receiverType
                    || !(SymbolEqualityComparer.Default.Equals(receiverType.OriginalDefinition, _types.ModuleList)
                        || SymbolEqualityComparer.Default.Equals(receiverType.OriginalDefinition, _types.List)))
                    throw Decline("Add on something other than a ModuleList<T> or List<T>");
                var arguments = EvalArgumentsSyntax(invocation.ArgumentList);
                if (arguments.Count != 1 || arguments[0].Name is not null)
                    throw Decline("Add with other than one argument");
                var candidates = new List<IMethodSymbol>();
                for (var t = (ITypeSymbol?)receiverType; t is not null; t = t.BaseType)
                    foreach (var m in t.GetMembers("Add"))
                    {
                        if (m is not IMethodSymbol method || method.IsStatic)
                            throw Decline("an Add that is not an instance method");
                        if (m.DeclaredAccessibility == Accessibility.Public)
                            candidates.Add(method);
                    }
                var (chosen, _) = Resolve(candidates, arguments);
                if (!SymbolEqualityComparer.Default.Equals(chosen.ContainingType, receiverType))
                    throw Decline("an Add of a base class");
                if (arguments[0].Value.Value is Items)
                    throw Decline("a tuple added to a list");
                AddToList(list, arguments[0].Value.Value);
                return new SynValue(list, chosen.ReturnType);
            }

            private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Collections.Concurrent.ConcurrentDictionary<(object Scope, string Type), INamedTypeSymbol?>> TypeLookups = new();

            /// <summary>A created type's name (<c>Block</c>, <c>ModuleList&lt;Block&gt;</c>), bound as a type name by the
            /// compiler's own binder at the member's position (the class's scope: nested types, enclosing classes, the
            /// namespace and the usings), which binds no method body; an ambiguous or unknown name declines. A name
            /// whose every identifier no member of the class chain or of an enclosing class has, in classes with no
            /// type parameters, means there what it means at the namespace level: such names are looked up once per
            /// namespace declaration's scope (<see cref="ScopeKey"/>) and compilation, the way
            /// <see cref="NamespaceLookup"/> does for simple names.</summary>
            private INamedTypeSymbol LookupType(TypeSyntax syntax)
            {
                if (!syntax.DescendantNodesAndSelf().All(n => n is IdentifierNameSyntax or GenericNameSyntax or TypeArgumentListSyntax))
                    throw Decline("a type name the fast path does not look up");
                var model = _synModel!;
                var position = _synPosition;
                INamedTypeSymbol? Bind()
                {
                    var info = model.GetSpeculativeSymbolInfo(position, syntax, SpeculativeBindingOption.BindAsTypeOrNamespace);
                    return info.Symbol is INamedTypeSymbol { TypeKind: not TypeKind.Error } found && info.CandidateSymbols.IsEmpty ? found : null;
                }
                var type = NamespaceLevel(syntax) is { } scope
                    ? TypeLookups.GetValue(SynCompilation, static _ => new())
                        .GetOrAdd((ScopeKey(scope), string.Concat(syntax.DescendantTokens().Select(t => t.ValueText))), _ => Bind())
                    : Bind();
                return type ?? throw Decline($"a type `{syntax}` the fast path cannot resolve");
            }

            /// <summary>The node around the outermost class being read (what <see cref="ScopeKey"/> keys) when every
            /// identifier of <paramref name="syntax"/> means what it means at the namespace level; null otherwise.</summary>
            private SyntaxNode? NamespaceLevel(TypeSyntax syntax)
            {
                if (InGenericClass())
                    return null;
                foreach (var node in syntax.DescendantNodesAndSelf())
                    if (node is SimpleNameSyntax name && HasMemberNamed(_synType!, name.Identifier.ValueText))
                        return null;
                return OutermostDeclaration()?.Parent;
            }

            private SynValue EvalCreationSyntax(ObjectCreationExpressionSyntax creation)
            {
                if (creation.Initializer is not null || creation.ArgumentList is not { } argumentList)
                    throw Decline("an object creation with an initializer");
                var type = LookupType(creation.Type);
                var arguments = EvalArgumentsSyntax(argumentList);
                if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _types.ModuleList))
                {
                    var element = type.TypeArguments[0];
                    var list = new ListValue { IsModule = true };
                    if (arguments.Count == 0)
                    {
                        if (!type.InstanceConstructors.Any(c => c.Parameters.Length == 0 || c.Parameters.All(p => p.HasExplicitDefaultValue || p.IsParams)))
                            throw Decline("a ModuleList without a parameterless constructor");
                        return new SynValue(list, type);
                    }
                    if (arguments.Count == 1 && arguments[0].Name is null && arguments[0].Value.Value is ListValue source
                        && type.InstanceConstructors.Length == 1 && type.InstanceConstructors[0].Parameters is { Length: 1 } ps && ps[0].IsParams
                        && SynCompilation.ClassifyConversion(arguments[0].Value.Type, ps[0].Type).IsImplicit
                        && !SynCompilation.ClassifyConversion(arguments[0].Value.Type, element).Exists)
                    {
                        list.AddRange(source);
                        return new SynValue(list, type);
                    }
                    throw Decline("a ModuleList created from arguments the fast path does not read");
                }
                if (!_context.IsUserModule(type) || type.IsGenericType || _synInitializer)
                    throw Decline("an object creation that is not of a user module");
                var (constructor, map) = Resolve(type.InstanceConstructors.Where(c => !c.IsStatic), arguments);
                if (constructor.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                    throw Decline("a constructor that may not be accessible");
                var definition = constructor.OriginalDefinition;
                var value = _context.AnalyzeUserModule(type, definition, Text(creation), creation, () =>
                {
                    var bound = new List<(ISymbol Parameter, Value Value)>();
                    for (var k = 0; k < definition.Parameters.Length; k++)
                        bound.Add((definition.Parameters[k], map[k] is { } given ? given.Value.Value : DefaultArgument(definition.Parameters[k], creation)));
                    return bound;
                });
                return new SynValue(value, type);
            }

            private void RequireConvertible(SynValue value, ITypeSymbol target)
            {
                if (!IsImplicit(value.Type, target))
                    throw Decline("a value of a type that does not convert implicitly");
            }

            /// <summary>Whether C# converts a value of <paramref name="source"/> to <paramref name="target"/> implicitly
            /// (no constant conversions): int, long, bool, float and double among themselves from C#'s table, anything
            /// else from Roslyn's classification.</summary>
            private bool IsImplicit(ITypeSymbol source, ITypeSymbol target)
            {
                static int Rank(SpecialType t) => t switch
                {
                    SpecialType.System_Boolean => 0,
                    SpecialType.System_Int32 => 1,
                    SpecialType.System_Int64 => 2,
                    SpecialType.System_Single => 3,
                    SpecialType.System_Double => 4,
                    _ => -1,
                };
                var from = Rank(source.SpecialType);
                var to = Rank(target.SpecialType);
                if (from >= 0 && to >= 0)
                    return from == to || (from > 0 && to > from);
                if (SymbolEqualityComparer.Default.Equals(source, target))
                    return true;
                // Roslyn's classification looks for user-defined explicit conversions whenever no implicit one exists,
                // which is most of the parser's time in overload resolution: the same few argument and parameter types
                // (TorchSharp's factory overloads) come back in every model, so each pair is classified once per
                // compilation.
                var cache = Conversions.GetValue(SynCompilation, static _ => new(TypePairComparer.Instance));
                var compilation = SynCompilation;
                return cache.GetOrAdd((source, target), pair => compilation.ClassifyConversion(pair.Source, pair.Target) is { Exists: true, IsImplicit: true });
            }

            private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Collections.Concurrent.ConcurrentDictionary<(ITypeSymbol Source, ITypeSymbol Target), bool>> Conversions = new();

            private sealed class TypePairComparer : IEqualityComparer<(ITypeSymbol Source, ITypeSymbol Target)>
            {
                public static readonly TypePairComparer Instance = new();

                public bool Equals((ITypeSymbol Source, ITypeSymbol Target) x, (ITypeSymbol Source, ITypeSymbol Target) y) =>
                    SymbolEqualityComparer.Default.Equals(x.Source, y.Source) && SymbolEqualityComparer.Default.Equals(x.Target, y.Target);

                public int GetHashCode((ITypeSymbol Source, ITypeSymbol Target) pair) =>
                    (SymbolEqualityComparer.Default.GetHashCode(pair.Source) * 31) ^ SymbolEqualityComparer.Default.GetHashCode(pair.Target);
            }
        }
    }
}
