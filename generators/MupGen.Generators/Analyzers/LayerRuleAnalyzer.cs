using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MupGen.Generators.Model;

namespace MupGen.Analyzers;

/// <summary>MUP001 and MUP011–MUP015 (a member of a µP model, or of a module it builds, that gets no µP rule, one
/// diagnostic per member the parser lists, chosen by its structured reason) and MUP003 (a readout not marked, or none).
/// Everything comes from the generator's own parse of the model (the ModelSpec the generator emits from, cached once
/// per compilation), never from the generated text.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LayerRuleAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnresolvedLayer,
        DiagnosticDescriptors.MissingReadout,
        DiagnosticDescriptors.UnknownModuleType,
        DiagnosticDescriptors.UntraceableSize,
        DiagnosticDescriptors.UnreadParameter,
        DiagnosticDescriptors.UnfollowedRegistration,
        DiagnosticDescriptors.NoRoleAttributeFits);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ModelDeclarations.RegisterForParsedRoots(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, MupSymbols symbols, ModelSpec spec, ConcurrentDictionary<Location, bool> reported)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var hasReadout = spec.Parameters.Any(p => p.Role == Role.Readout);
        if (spec.Unresolved.Count == 0 && hasReadout)
            return;
        // Only now, with something to report, is the (costly) error check worth it: facts read from code that does
        // not compile are not reliable (an unresolved call is not "a method call the generator cannot read").
        if (ModelDeclarations.HasErrors(type, context.Compilation, context.CancellationToken))
            return;

        var ct = context.CancellationToken;
        var classLocation = type.Locations.FirstOrDefault(l => l.IsInSource);
        foreach (var issue in spec.Unresolved)
        {
            var site = symbols.LocationOf(issue.Location, member: false, ct);
            var location = symbols.LocationOf(issue.MemberLocation, member: true, ct) ?? site ?? classLocation;
            if (location is null || !reported.TryAdd(location, true))
                continue;
            var additional = site is not null && site != location ? new[] { site } : Array.Empty<Location>();
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.Reason, issue.Reason.ToString())
                .Add(DiagnosticProperties.Parameters, issue.Pattern);
            var member = issue.Member.Length > 0 ? issue.Member : issue.Path;
            if (issue.Reason == UnresolvedReason.MissingReadout)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingReadout, location, additional,
                    properties.Add(DiagnosticProperties.Scope, "Layer").Add(DiagnosticProperties.Roles, "ReadoutLayer"),
                    member, "has a width-scaled fan_in and a fixed fan_out, which makes it the readout", "it"));
                continue;
            }
            context.ReportDiagnostic(Diagnostic.Create(UnresolvedAdvice.Descriptor(issue.Reason), location, additional, properties,
                member, type.Name, issue.Detail.Length > 0 ? issue.Detail : issue.Reason.ToString(), UnresolvedAdvice.For(issue.Reason)));
        }

        if (spec.Parameters.Count > 0 && spec.Unresolved.Count == 0 && !hasReadout
            && !HasReadoutAnywhere(symbols, type) && classLocation is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingReadout, classLocation,
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Scope, "Model"),
                type.Name, "is a µP model with no readout layer", "its output layer (width-scaled fan_in, fixed fan_out)"));
        }
    }

    private static bool HasReadoutAnywhere(MupSymbols symbols, INamedTypeSymbol root)
    {
        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default) { root };
        var work = new Stack<INamedTypeSymbol>(seen);
        while (work.Count > 0)
        {
            foreach (var member in work.Pop().GetMembers())
            {
                if (symbols.IsReadoutField(member))
                    return true;
                var memberType = member switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
                if (memberType is not null)
                    foreach (var held in symbols.HeldModuleTypes(memberType))
                        if (seen.Add(held))
                            work.Push(held);
            }
        }
        return false;
    }
}
