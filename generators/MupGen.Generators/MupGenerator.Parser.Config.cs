using System.Collections.Concurrent;
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
        /// <summary>A configuration type: a class, record or struct (not a module) with <c>[Width]</c> on a field or
        /// property (nanoGPT's GPTConfig.NEmbd, Llama's ModelArgs.Dim). Every read of that member through an instance
        /// the model's constructor receives is the width.</summary>
        internal sealed class ConfigInfo
        {
            public ConfigInfo(INamedTypeSymbol type, List<(ISymbol Member, int? Base)> widths, List<(ISymbol Member, int? Base)> depths)
            {
                Type = type;
                Widths = widths;
                Depths = depths;
            }

            public INamedTypeSymbol Type { get; }

            /// <summary>The [Width] members with their base values (null: not a usable int base, MUP004).</summary>
            public List<(ISymbol Member, int? Base)> Widths { get; }

            public List<(ISymbol Member, int? Base)> Depths { get; }

            /// <summary>Exactly one [Width] member, at most one [Depth], every base readable: the generator uses it.
            /// Otherwise the analyzers report MUP019 (two widths) or MUP004 (a bad base) and no model is generated.</summary>
            public bool Usable => Widths.Count == 1 && Depths.Count <= 1 && Widths[0].Base is not null && Depths.All(d => d.Base is not null);
        }

        internal sealed partial class KnownTypes
        {
            private readonly ConcurrentDictionary<ITypeSymbol, ConfigInfo?> _configs = new(SymbolEqualityComparer.Default);

            /// <summary>The configuration type <paramref name="type"/> is, or null (looked up once per type and compilation).</summary>
            public ConfigInfo? ConfigOf(ITypeSymbol? type)
            {
                if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named || WidthAttribute is null)
                    return null;
                return _configs.GetOrAdd(named.OriginalDefinition, t => CreateConfig((INamedTypeSymbol)t));
            }

            private ConfigInfo? CreateConfig(INamedTypeSymbol type)
            {
                if (type.DeclaringSyntaxReferences.Length == 0 || IsModule(type))
                    return null;
                List<(ISymbol, int?)>? widths = null, depths = null;
                foreach (var member in type.GetMembers())
                {
                    if (member.IsStatic || member is not (IFieldSymbol { IsImplicitlyDeclared: false } or IPropertySymbol { IsIndexer: false }))
                        continue;
                    var memberType = member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type;
                    foreach (var attribute in member.GetAttributes())
                    {
                        var isWidth = SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, WidthAttribute);
                        var isDepth = SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, DepthAttribute);
                        if (!isWidth && !isDepth)
                            continue;
                        int? value = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int v && v >= 1
                            && memberType.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 ? v : null;
                        (isWidth ? widths ??= new() : depths ??= new()).Add((member, value));
                    }
                }
                return widths is null ? null : new ConfigInfo(type, widths, depths ?? new());
            }

            /// <summary>The root of a configuration-object model: a module class with a [ReadoutLayer] member of its own,
            /// no [Width]/[Depth] of its own, and a constructor taking a configuration type (the first such
            /// constructor and parameter in declaration order); null otherwise. Cheap: no constructor is read.</summary>
            public (IMethodSymbol Constructor, IParameterSymbol Parameter, ConfigInfo Config)? ConfigRootOf(INamedTypeSymbol type)
            {
                if (type.TypeKind != TypeKind.Class || ReadoutLayerAttribute is null)
                    return null;
                var hasReadout = false;
                foreach (var member in type.GetMembers())
                {
                    if (member is not (IFieldSymbol or IPropertySymbol))
                        continue;
                    foreach (var attribute in member.GetAttributes())
                        if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, ReadoutLayerAttribute))
                            hasReadout = true;
                }
                if (!hasReadout || HasMupAttribute(type, this) || !IsModule(type))
                    return null;
                foreach (var constructor in type.InstanceConstructors)
                {
                    if (constructor.IsImplicitlyDeclared || constructor.DeclaringSyntaxReferences.Length == 0)
                        continue;
                    foreach (var parameter in constructor.Parameters)
                        if (ConfigOf(parameter.Type) is { } config)
                            return (constructor, parameter, config);
                }
                return null;
            }
        }

        internal sealed partial class AnalysisContext
        {
            /// <summary>The root configuration type's [Width]/[Depth] members and their symbols (empty for a model with
            /// its own [Width]).</summary>
            public Dictionary<ISymbol, SymbolRef> ConfigMembers { get; } = new(SymbolEqualityComparer.Default);
        }

        internal sealed partial class ConstructorWalker
        {
            /// <summary>Set while a configuration member's getter is evaluated: <c>this</c> is that instance.</summary>
            private ConfigValue? _thisConfig;

            private int _configDepth;

            /// <summary>A member of a configuration instance: the copy's value, the width, the getter evaluated on the
            /// instance, or a finite value with the member's constant default.</summary>
            private Value ReadConfigMember(ConfigValue config, ISymbol member, IOperation operation)
            {
                member = member.OriginalDefinition;
                if (config.Overrides.TryGetValue(member, out var set))
                    return set;
                if (_context.ConfigMembers.TryGetValue(member, out var symbol))
                    return symbol;
                if (member.IsStatic)
                    return new Unknown(Text(operation), "is a static member", UnresolvedReason.OpaqueSize, operation.Syntax);
                if (_configDepth > 8)
                    return new Unknown(Text(operation), "is a computed member nested too deeply to follow", UnresolvedReason.OpaqueSize, operation.Syntax);
                var syntax = member.DeclaringSyntaxReferences.Length > 0 ? member.DeclaringSyntaxReferences[0].GetSyntax(_ct) : null;
                ExpressionSyntax? computed = null;
                ExpressionSyntax? initializer = null;
                switch (syntax)
                {
                    case PropertyDeclarationSyntax property:
                        if (property.ExpressionBody is { } arrow)
                            computed = arrow.Expression;
                        else if (property.AccessorList?.Accessors.FirstOrDefault(a => a.Keyword.ValueText == "get") is { } getter)
                        {
                            if (getter.ExpressionBody is { } getArrow)
                                computed = getArrow.Expression;
                            else if (getter.Body is { } body)
                            {
                                if (body.Statements.Count == 1 && body.Statements[0] is ReturnStatementSyntax { Expression: { } returned })
                                    computed = returned;
                                else
                                    return new Unknown(Text(operation), "is a computed member whose getter the generator does not follow (write it as `=> expression`)", UnresolvedReason.OpaqueSize, operation.Syntax);
                            }
                        }
                        initializer = property.Initializer?.Value;
                        break;
                    case VariableDeclaratorSyntax field:
                        initializer = field.Initializer?.Value;
                        break;
                    case ParameterSyntax positional when member.ContainingType.InstanceConstructors
                            .SelectMany(c => c.Parameters).FirstOrDefault(p => p.Name == member.Name
                                && p.DeclaringSyntaxReferences.Any(r => r.GetSyntax(_ct) == positional)) is { } parameter:
                        // record GptConfig(int NHead = 4): the primary constructor's default.
                        return new Opaque(member.Name, DefaultOf(parameter));
                }
                if (computed is not null)
                {
                    if (_context.ModelFor(computed.SyntaxTree).GetOperation(computed, _ct) is not { } getterOperation)
                        return new Unknown(Text(operation), "is a computed member the generator cannot read", UnresolvedReason.OpaqueSize, operation.Syntax);
                    var saved = _thisConfig;
                    _thisConfig = config;
                    _configDepth++;
                    try
                    {
                        return Eval(getterOperation);
                    }
                    finally
                    {
                        _configDepth--;
                        _thisConfig = saved;
                    }
                }
                if (initializer is not null && _context.ModelFor(initializer.SyntaxTree).GetOperation(initializer, _ct) is { } init)
                {
                    var saved = _thisConfig;
                    _thisConfig = null;
                    try
                    {
                        return Eval(init) switch
                        {
                            Const c => new Opaque(member.Name, c.V),
                            Unknown unknown => unknown,
                            _ => new Opaque(member.Name),
                        };
                    }
                    finally
                    {
                        _thisConfig = saved;
                    }
                }
                // A plain member without an initializer: a finite value, like a plain integer constructor argument.
                return new Opaque(member.Name);
            }

            /// <summary><c>config.NEmbd</c> through an instance of a configuration type: the member's value when the
            /// instance is one the generator followed; otherwise reported (a static, a method's result, an object the
            /// model creates), never assumed.</summary>
            private Value? ReadThroughConfig(IMemberReferenceOperation reference)
            {
                if (reference.Instance is not { } instance || _types.ConfigOf(instance.Type) is not { } info)
                    return null;
                if (Eval(instance) is ConfigValue config)
                    return ReadConfigMember(config, reference.Member, reference);
                return new Unknown(Text(reference), $"is read from a {info.Type.Name} whose origin the generator cannot see: only the model's constructor parameter, what it is passed to, and `with` copies of it carry the width",
                    UnresolvedReason.OpaqueSize, reference.Syntax);
            }

            /// <summary><c>config with { NEmbd = 2 * config.NEmbd }</c>: a copy whose listed members take the new values.</summary>
            private Value EvalWith(IWithOperation with)
            {
                if (Eval(with.Operand) is not ConfigValue source)
                    return new Unknown(Text(with), "is a copy of an object the generator cannot follow", UnresolvedReason.OpaqueSize, with.Syntax);
                var copy = new ConfigValue(source.Type, source);
                foreach (var initializer in with.Initializer.Initializers)
                {
                    if (initializer is ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } assignment)
                        copy.Overrides[target.Member.OriginalDefinition] = Eval(assignment.Value);
                    else
                        return new Unknown(Text(with), "is a copy whose initializer the generator cannot read", UnresolvedReason.OpaqueSize, with.Syntax);
                }
                return copy;
            }

            /// <summary>The model writes a member of a configuration instance (<c>config.NEmbd = 128;</c>): later reads
            /// of it are not followed but reported.</summary>
            private void WriteConfigMember(IOperation target, IOperation write)
            {
                if (target is IMemberReferenceOperation { Instance: { } instance } reference
                    && _types.ConfigOf(instance.Type) is not null && Eval(instance) is ConfigValue config)
                    config.Overrides[reference.Member.OriginalDefinition] = new Unknown(Text(target),
                        "is written by the model after the configuration was passed in; the generator does not follow writes to a configuration (make the member init-only and build a copy with `config with { ... }`)",
                        UnresolvedReason.OpaqueSize, write.Syntax);
            }
        }
    }
}
