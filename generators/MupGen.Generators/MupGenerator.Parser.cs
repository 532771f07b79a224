using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Generators;

public sealed partial class MupGenerator
{
    /// <summary>Reads one model class: its width/depth symbols, and for every layer field the parameter tensors,
    /// their symbolic shapes and roles, from the constructor. Produces a value-equatable <see cref="ModelSpec"/>.</summary>
    internal static partial class Parser
    {
        /// <summary>Field-level role attributes.</summary>
        internal enum RoleAttribute { None, Readout, Input, Hidden, Invariant }

        /// <summary>Parses the class that holds <paramref name="target"/> (a [Width] parameter, field or property);
        /// null when it is not a model the generator handles (the analyzers report why) or the parser failed. The
        /// generator calls <see cref="ParseOrError"/> instead, which reports a failure as MUP900.</summary>
        public static ModelSpec? Parse(ISymbol target, SemanticModel semanticModel, CancellationToken ct) =>
            ParseOrError(target, semanticModel, ct).Model;

        /// <summary>Like <see cref="Parse"/>, but an exception of the parser (a bug) comes back as
        /// <see cref="ParseResult.Error"/> instead of being thrown into the compiler (CS8785, which would drop the
        /// generated code of every model) or hidden (tests assert there is none).</summary>
        public static ParseResult ParseOrError(ISymbol target, SemanticModel semanticModel, CancellationToken ct) =>
            ParseOrError(target, semanticModel, ct, configRoot: false);

        /// <summary>For a [ReadoutLayer] member: the model of its class when that class is the root of a
        /// configuration-object model (no [Width] of its own, a constructor taking a type with a [Width] member);
        /// ParseResult.None, fast, for every other class (models with their own [Width] come from the Width path).</summary>
        public static ParseResult ParseConfigRootOrError(ISymbol target, SemanticModel semanticModel, CancellationToken ct) =>
            ParseOrError(target, semanticModel, ct, configRoot: true);

        private static ParseResult ParseOrError(ISymbol target, SemanticModel semanticModel, CancellationToken ct, bool configRoot)
        {
            try
            {
                if (configRoot && (target.ContainingType is not { } owner || KnownTypes.For(semanticModel.Compilation) is not { } known
                    || known.ConfigRootOf(owner) is null))
                    return ParseResult.None;
                return ParseSelected(target, semanticModel, ct, FastPath, null) is { } model ? new ParseResult(model, null) : ParseResult.None;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is not FastPathMismatchException)
            {
                var type = target is IParameterSymbol parameter ? parameter.ContainingSymbol?.ContainingType : target.ContainingType;
                return new ParseResult(null, InternalError.From(type is null ? target.Name : HintNameOf(type), e,
                    LocationInfo.From(target.Locations.FirstOrDefault())));
            }
        }

        private static ModelSpec? ParseCore(ISymbol target, SemanticModel semanticModel, CancellationToken ct, bool fast, FastPathStats? stats)
        {
            var type = target is IParameterSymbol parameter ? parameter.ContainingSymbol?.ContainingType : target.ContainingType;
            if (type is null || KnownTypes.For(semanticModel.Compilation) is not { } types)
                return null;
            if (type.TypeKind != TypeKind.Class || type.IsRecord || IsInFileLocal(type) || !types.IsModule(type) || !IsPartialChain(type, ct)
                || DeclaresGeneratedMember(type))
                return null;

            var containing = new List<string>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (Header(outer) is not { } header)
                    return null;
                containing.Insert(0, header);
            }
            if (Header(type) is not { } declaration)
                return null;

            var constructor = ChooseConstructor(type, target, types, ct);

            // Width and depth symbols: constructor parameters first, then members in declaration order.
            var symbols = new Dictionary<ISymbol, SymbolRef>(SymbolEqualityComparer.Default);
            var widths = new List<WidthSpec>();
            SymbolRef? depth = null;
            var candidates = new List<(ISymbol Symbol, ITypeSymbol Type)>();
            if (constructor is not null)
                candidates.AddRange(constructor.Parameters.Select(p => ((ISymbol)p, p.Type)));
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol { IsImplicitlyDeclared: false } f)
                    candidates.Add((f, f.Type));
                else if (member is IPropertySymbol { IsIndexer: false } p)
                    candidates.Add((p, p.Type));
            }
            foreach (var (symbol, symbolType) in candidates)
            {
                foreach (var attribute in symbol.GetAttributes())
                {
                    var isWidth = SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, types.WidthAttribute);
                    var isDepth = SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, types.DepthAttribute);
                    if (!isWidth && !isDepth)
                        continue;
                    if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not int baseValue
                        || baseValue < 1 || symbolType.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
                        return null; // MUP004
                    if (isWidth)
                    {
                        var existing = widths.FirstOrDefault(w => w.Name == symbol.Name);
                        if (existing is null)
                            widths.Add(existing = new WidthSpec(symbol.Name, baseValue));
                        symbols[symbol] = new SymbolRef(existing.Name, existing.BaseValue, isDepth: false);
                    }
                    else
                    {
                        depth ??= new SymbolRef(symbol.Name, baseValue, isDepth: true);
                        if (depth.Name == symbol.Name)
                            symbols[symbol] = depth;
                    }
                }
            }
            var context = new AnalysisContext(types, semanticModel, ct, fast, stats);
            // A configuration-object model: the width is a member of the constructor's configuration parameter.
            (IParameterSymbol Parameter, ConfigInfo Config)? configRoot = null;
            if (widths.Count == 0 && depth is null && types.ConfigRootOf(type) is { } root)
            {
                if (!root.Config.Usable)
                    return null; // MUP019 / MUP004
                constructor = root.Constructor;
                configRoot = (root.Parameter, root.Config);
                var (widthMember, widthBase) = root.Config.Widths[0];
                widths.Add(new WidthSpec(widthMember.Name, widthBase!.Value));
                context.ConfigMembers[widthMember.OriginalDefinition] = new SymbolRef(widthMember.Name, widthBase.Value, isDepth: false);
                if (root.Config.Depths.Count == 1)
                {
                    var (depthMember, depthBase) = root.Config.Depths[0];
                    depth = new SymbolRef(depthMember.Name, depthBase!.Value, isDepth: true);
                    context.ConfigMembers[depthMember.OriginalDefinition] = depth;
                }
            }
            if (widths.Count == 0)
                return null;
            if (fast && configRoot is not null)
                throw new FastPathDeclined("a configuration-object model");

            context.EnterRoot(type);
            var walker = new ConstructorWalker(context, symbols);
            if (configRoot is { } config)
                walker.Bind(config.Parameter, new ConfigValue(config.Config.Type));
            if (constructor is not null)
            {
                if (fast)
                    context.AliasFromSyntax(walker, constructor, symbols);
                else if (ConstructorBody(constructor, semanticModel, ct) is { } body)
                {
                    foreach (var assignment in body.Descendants().OfType<ISimpleAssignmentOperation>())
                    {
                        var member = assignment.Target switch
                        {
                            IFieldReferenceOperation f => (ISymbol)f.Field,
                            IPropertyReferenceOperation p => p.Property,
                            _ => null,
                        };
                        if (member is not null && symbols.TryGetValue(member, out var symbolRef)
                            && assignment.Value.WithoutConversions() is IParameterReferenceOperation source)
                            walker.Alias(source.Parameter, symbolRef);
                    }
                }
                context.WalkConstructor(walker, constructor, 0);
            }
            else
            {
                context.WalkFieldInitializers(type, walker);
            }

            var facts = new FactBuilder(widths, depth);
            foreach (var head in context.HeadDims(type, walker))
                facts.AddAttention("", head);
            foreach (var field in context.CollectFields(type, walker))
                facts.AddField(field);
            var parameters = facts.Build();

            // Nested module classes: the partial ones get IMupSubmodule members; the model attaches its binding to
            // them from RegisterComponents unless it declares RegisterComponents itself.
            var submodules = new List<SubmoduleSpec>();
            var attach = false;
            foreach (var reached in facts.Reached)
            {
                if (context.SubmoduleFor(reached) is { } spec)
                {
                    if (!submodules.Contains(spec))
                        submodules.Add(spec); // blocks sharing a base share its spec
                    attach = true;
                }
                else if (context.ImplementsSubmodule(reached))
                {
                    attach = true;
                }
            }
            attach = attach && !OwnsRegisterComponents(type);

            var ns = NamespaceOf(type);
            var hintName = HintNameOf(type);
            return new ModelSpec(
                hintName,
                ns,
                containing.ToEquatableArray(),
                declaration,
                type.Name,
                widths.ToEquatableArray(),
                depth is null ? null : new DepthSpec(depth.Name, depth.BaseValue, facts.BlockList),
                parameters.ToEquatableArray(),
                facts.Attention.ToEquatableArray(),
                submodules.ToEquatableArray(),
                attach,
                facts.Reached.Select(t => t.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).ToEquatableArray(),
                facts.Unresolved.ToEquatableArray(),
                facts.AttentionLayers.ToEquatableArray());
        }

        private static bool IsPartialChain(INamedTypeSymbol type, CancellationToken ct)
        {
            for (var t = type; t is not null; t = t.ContainingType)
            {
                if (t.DeclaringSyntaxReferences.Length == 0)
                    return false;
                foreach (var reference in t.DeclaringSyntaxReferences)
                    if (reference.GetSyntax(ct) is not TypeDeclarationSyntax declaration
                        || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                        return false;
            }
            return true;
        }

        /// <summary>`partial class Name`, or null for generic types (not supported).</summary>
        private static string? Header(INamedTypeSymbol type)
        {
            if (type.TypeParameters.Length > 0 || !HasWritableNames(type))
                return null;
            var keyword = type.IsRecord
                ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
                : type.TypeKind switch
                {
                    TypeKind.Class => "class",
                    TypeKind.Struct => "struct",
                    TypeKind.Interface => "interface",
                    _ => null,
                };
            return keyword is null ? null : $"partial {keyword} {Identifier(type.Name)}";
        }

        /// <summary>The constructor that holds the [Width] parameter, else the one with the most statements.</summary>
        private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, ISymbol target, KnownTypes types, CancellationToken ct)
        {
            var constructors = type.InstanceConstructors
                .Where(c => !c.IsImplicitlyDeclared && c.DeclaringSyntaxReferences.Length > 0)
                .ToList();
            if (target is IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } owner }
                && constructors.Contains(owner, SymbolEqualityComparer.Default))
                return owner;
            var withWidth = constructors.FirstOrDefault(c => c.Parameters.Any(p => p.GetAttributes().Any(a =>
                SymbolEqualityComparer.Default.Equals(a.AttributeClass, types.WidthAttribute))));
            if (withWidth is not null)
                return withWidth;
            return constructors
                .OrderByDescending(c => c.DeclaringSyntaxReferences[0].GetSyntax(ct) is ConstructorDeclarationSyntax d
                    ? d.Body?.Statements.Count ?? (d.ExpressionBody is null ? 0 : 1)
                    : 0)
                .FirstOrDefault();
        }

        private static IOperation? ConstructorBody(IMethodSymbol constructor, SemanticModel semanticModel, CancellationToken ct)
        {
            if (constructor.DeclaringSyntaxReferences[0].GetSyntax(ct) is not ConstructorDeclarationSyntax syntax)
                return null;
            var model = SemanticModels.For(semanticModel.Compilation, syntax.SyntaxTree);
            return model.GetOperation(syntax, ct) is IConstructorBodyOperation body
                ? (IOperation?)body.BlockBody ?? body.ExpressionBody
                : null;
        }

        private static string? ComponentName(IFieldSymbol field, KnownTypes types)
        {
            foreach (var attribute in field.GetAttributes())
                if (types.ComponentNameAttribute is not null
                    && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, types.ComponentNameAttribute))
                    foreach (var named in attribute.NamedArguments)
                        if (named.Key == "Name" && named.Value.Value is string { Length: > 0 } name)
                            return name;
            return null;
        }

        private static RoleAttribute RoleOf(IFieldSymbol field, KnownTypes types)
        {
            foreach (var attribute in field.GetAttributes())
            {
                var c = attribute.AttributeClass;
                if (SymbolEqualityComparer.Default.Equals(c, types.ReadoutLayerAttribute))
                    return RoleAttribute.Readout;
                if (SymbolEqualityComparer.Default.Equals(c, types.InputLayerAttribute))
                    return RoleAttribute.Input;
                if (SymbolEqualityComparer.Default.Equals(c, types.HiddenLayerAttribute))
                    return RoleAttribute.Hidden;
                if (SymbolEqualityComparer.Default.Equals(c, types.WidthInvariantAttribute))
                    return RoleAttribute.Invariant;
            }
            return RoleAttribute.None;
        }

        /// <summary>The symbols the parser compares against, resolved once per parse.</summary>
        internal sealed partial class KnownTypes
        {
            public INamedTypeSymbol Module { get; private set; } = null!;
            public INamedTypeSymbol? TorchNn { get; private set; }
            public INamedTypeSymbol? ModuleList { get; private set; }
            public INamedTypeSymbol? Enumerable { get; private set; }
            public INamedTypeSymbol? List { get; private set; }
            public INamedTypeSymbol? WidthAttribute { get; private set; }
            public INamedTypeSymbol? DepthAttribute { get; private set; }
            public INamedTypeSymbol? ReadoutLayerAttribute { get; private set; }
            public INamedTypeSymbol? InputLayerAttribute { get; private set; }
            public INamedTypeSymbol? HiddenLayerAttribute { get; private set; }
            public INamedTypeSymbol? WidthInvariantAttribute { get; private set; }
            public INamedTypeSymbol? ComponentNameAttribute { get; private set; }
            public INamedTypeSymbol? Submodule { get; private set; }
            public INamedTypeSymbol? Parameter { get; private set; }

            private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, StrongBox<KnownTypes?>> Cache = new();

            /// <summary>The known types of a compilation, looked up once per compilation (every model the generator
            /// parses in it, and the analyzers' parses, share them); null when TorchSharp is not referenced.</summary>
            public static KnownTypes? For(Compilation compilation) =>
                Cache.GetValue(compilation, static c => new StrongBox<KnownTypes?>(Create(c))).Value;

            private static KnownTypes? Create(Compilation compilation)
            {
                // Generated code implements the runtime's IMupModel: without the MupGen runtime (a project with its own
                // WidthAttribute or Module of the same names), it would not compile, so there is no model.
                if (compilation.GetTypeByMetadataName(TypeNames.Module) is not { } module
                    || compilation.GetTypeByMetadataName(TypeNames.Model) is null)
                    return null;
                return new KnownTypes
                {
                    Module = module,
                    TorchNn = compilation.GetTypeByMetadataName(TypeNames.TorchNn),
                    ModuleList = compilation.GetTypeByMetadataName(TypeNames.ModuleList),
                    Enumerable = compilation.GetTypeByMetadataName(TypeNames.Enumerable),
                    List = compilation.GetTypeByMetadataName(TypeNames.List),
                    WidthAttribute = compilation.GetTypeByMetadataName(TypeNames.WidthAttribute),
                    DepthAttribute = compilation.GetTypeByMetadataName(TypeNames.DepthAttribute),
                    ReadoutLayerAttribute = compilation.GetTypeByMetadataName(TypeNames.ReadoutLayerAttribute),
                    InputLayerAttribute = compilation.GetTypeByMetadataName(TypeNames.InputLayerAttribute),
                    HiddenLayerAttribute = compilation.GetTypeByMetadataName(TypeNames.HiddenLayerAttribute),
                    WidthInvariantAttribute = compilation.GetTypeByMetadataName(TypeNames.WidthInvariantAttribute),
                    ComponentNameAttribute = compilation.GetTypeByMetadataName(TypeNames.ComponentNameAttribute),
                    Submodule = compilation.GetTypeByMetadataName(TypeNames.Submodule),
                    Parameter = compilation.GetTypeByMetadataName(TypeNames.Parameter),
                };
            }

            public bool IsParameter(ITypeSymbol? type) =>
                type is not null && Parameter is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, Parameter);

            public bool IsModule(ITypeSymbol? type)
            {
                for (var t = type; t is not null; t = t.BaseType)
                    if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, Module))
                        return true;
                return false;
            }

            /// <summary>TorchSharp layers without parameters (activations, dropout, pooling, padding, reshaping): a
            /// field or list item of one of these has nothing to describe. Any other TorchSharp layer the generator does
            /// not know is reported, never assumed parameter-free.</summary>
            public static bool IsParameterless(string name) => Parameterless.Contains(name);

            private static readonly HashSet<string> Parameterless = new(StringComparer.Ordinal)
            {
                "ReLU", "ReLU6", "RReLU", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "LogSigmoid",
                "Tanh", "Tanhshrink", "Hardtanh", "Hardswish", "Hardsigmoid", "Hardshrink", "Softshrink", "Softsign",
                "Softplus", "Softmax", "Softmax2d", "Softmin", "LogSoftmax", "GLU", "Threshold",
                "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
                "Identity", "Flatten", "Unflatten", "Upsample", "PixelShuffle", "PixelUnshuffle", "ChannelShuffle", "Fold", "Unfold",
                "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
                "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
                "LPPool1d", "LPPool2d", "FractionalMaxPool2d", "FractionalMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
                "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
                "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "LocalResponseNorm", "CosineSimilarity", "PairwiseDistance",
            };

            /// <summary>The catalog entry of a declared field type (TorchSharp.Modules.Linear, ...), when it is a
            /// TorchSharp layer with parameters.</summary>
            public static MupGen.Catalog.CatalogEntry? EntryOf(ITypeSymbol type)
            {
                if (type.ContainingNamespace?.ToDisplayString() != TypeNames.ModulesNamespace)
                    return null;
                var entry = MupGen.Catalog.LayerCatalog.ByType(TypeNames.ModulesNamespace + "." + type.Name);
                return entry is { Kind: MupGen.Catalog.CatalogKind.Parameter } ? null : entry;
            }
        }
    }
}
