using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;

namespace MupGen.Generators.Tests.Robustness;

/// <summary>The robustness corpus: sources generated from templates (deterministically: same list, same order, same
/// text on every run) plus the hand-written files under Corpus/. Each family covers one kind of input the issue names:
/// construction patterns × declaration shapes × namespace styles, attribute misuse, code mid-typing, partial classes
/// across files, projects without TorchSharp, and very large models.</summary>
internal static class CorpusTemplates
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using MupGen;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    /// <summary>A construction pattern: fields, constructor statements (the width is <c>width</c>), other members,
    /// extra constructor parameters, and types the model needs beside it.</summary>
    internal sealed record Body(string Name, string Fields, string Constructor, string Members = "", string Parameters = "", string Beside = "");

    public static readonly Body[] Bodies =
    {
        new("mlp", "private readonly Linear input; private readonly Linear hidden; [ReadoutLayer] private readonly Linear readout;",
            "input = Linear(8, width); hidden = Linear(width, width); readout = Linear(width, 2);"),
        new("list-loop", "private readonly ModuleList<Module<Tensor, Tensor>> layers; [ReadoutLayer] private readonly Linear readout;",
            "var list = new List<Module<Tensor, Tensor>>(); for (int i = 0; i < 3; i++) list.Add(Linear(width, width)); layers = ModuleList(list.ToArray()); readout = Linear(width, 2);"),
        new("sequential", "private readonly Sequential seq;",
            "seq = Sequential(Linear(8, width), ReLU(), Linear(width, width), Linear(width, 2));"),
        new("named-sequential", "private readonly Sequential seq;",
            "seq = Sequential((\"fc1\", Linear(8, width)), (\"act\", ReLU()), (\"fc2\", Linear(width, 2)));"),
        new("helper", "private readonly Linear hidden; private readonly Module<Tensor, Tensor> block;",
            "hidden = MakeLayer(width); block = MakeBlock(width);",
            "private static Linear MakeLayer(int n) => Linear(n, n); private static Module<Tensor, Tensor> MakeBlock(int n) { return Sequential(Linear(n, 4 * n), GELU(), Linear(4 * n, n)); }"),
        new("ternary", "private readonly Linear hidden; private readonly Linear other;",
            "hidden = Linear(deep ? width : 8, width); other = Linear(width > 100 ? 2 * width : width, deep ? 3 : width);", Parameters: ", bool deep = true"),
        new("linq", "private readonly ModuleList<Module<Tensor, Tensor>> layers;",
            "layers = ModuleList(Enumerable.Range(0, 3).Select(i => (Module<Tensor, Tensor>)Linear(i == 0 ? 8 : width, width)).ToArray());"),
        new("array-loop", "private readonly ModuleList<Linear> layers;",
            "var arr = new Linear[4]; for (var i = 0; i < arr.Length; i++) arr[i] = Linear(width, width); layers = ModuleList(arr);"),
        new("depth-blocks", "private readonly Linear input; private readonly ModuleList<Block> blocks; [ReadoutLayer] private readonly Linear readout;",
            "input = Linear(8, width); blocks = new ModuleList<Block>(); for (var i = 0; i < depth; i++) blocks.Add(new Block(width)); readout = Linear(width, 2);",
            Parameters: ", [Depth(2)] int depth = 2",
            Beside: "public partial class Block : Module<Tensor, Tensor> { private readonly Linear fc; public Block(int w) : base(\"block\") { fc = Linear(w, w); RegisterComponents(); } public override Tensor forward(Tensor x) => x + MupResidualMultiplier * fc.forward(x); }"),
        new("embedding-norm", "private readonly Embedding emb; private readonly LayerNorm ln; [ReadoutLayer] private readonly Linear head;",
            "emb = Embedding(100, width); ln = LayerNorm(width); head = Linear(width, 100, hasBias: false);"),
        new("conv", "private readonly Conv2d conv; private readonly Conv1d conv1; private readonly BatchNorm2d bn;",
            "conv = Conv2d(3, width, 3); conv1 = Conv1d(width, width, kernel_size: 5, groups: width); bn = BatchNorm2d(width);"),
        new("config", "private readonly Linear hidden; private readonly Linear proj;",
            "hidden = Linear(cfg.Inputs, width); proj = Linear(width, cfg.Width);", Parameters: ", Cfg? cfg = null",
            Beside: "public sealed record Cfg(int Inputs, int Width);"),
        new("register-module", "private readonly Linear _fc; private readonly Linear _out;",
            "_fc = Linear(width, width); register_module(\"fc\", _fc); _out = Linear(width, 2); register_module(\"out\", _out);"),
        new("parameter", "private readonly Parameter scale; private readonly Parameter tokens;",
            "scale = Parameter(ones(width)); tokens = Parameter(zeros(1, 16 + 1, width));"),
        new("while-locals", "private readonly Linear hidden; private readonly Linear down;",
            "var n = width; while (n > 8) { n /= 2; } var m = n; m += 1; hidden = Linear(width, n); down = Linear(m, width);"),
        new("switch", "private readonly Linear hidden;",
            "hidden = Linear(mode switch { 0 => width, 1 => 2 * width, _ => 8 }, checked(width * 2));", Parameters: ", int mode = 0"),
        new("attention", "private readonly MultiheadAttention attn; private readonly Linear qkv;",
            "attn = MultiheadAttention(width, 4); qkv = Linear(width, 3 * width);",
            "public Tensor Scores(Tensor q, Tensor k) => q.matmul(k.transpose(-2, -1)) * MupAttentionScale(width / 4);"),
        new("local-function", "private readonly Linear hidden;",
            "Linear Make(int n) => Linear(n, width); hidden = Make(width); Func<int, Linear> f = k => Linear(k, k); _ = f(width);"),
        new("field-initializers", "private readonly Linear fixedFc = Linear(8, 8); private readonly Linear hidden;",
            "hidden = Linear(width, width);"),
        new("self-reference", "private readonly Linear hidden; private readonly Module<Tensor, Tensor>? again;",
            "hidden = Linear(width, width); again = width > 1000 ? null : null;"),
        new("empty", "", ""),
        new("transformer-layers", "private readonly TransformerEncoderLayer layer; private readonly LSTM lstm; private readonly GRU gru;",
            "layer = TransformerEncoderLayer(width, 4, 4 * width); lstm = LSTM(width, width); gru = GRU(width, width);"),
        new("collection-expression", "private readonly ModuleList<Linear> layers;",
            "Linear[] arr = [Linear(width, width), Linear(width, 2 * width)]; layers = ModuleList(arr);"),
        new("interpolated-names", "private readonly Sequential seq;",
            "var modules = new List<(string, Module<Tensor, Tensor>)>(); foreach (var (i, c) in new[] { 16, 32 }.Select((c, i) => (i, c))) modules.Add(($\"conv{i}\", Conv2d(i == 0 ? 3 : 16, c * width / 64, 3))); seq = Sequential(modules);"),
    };

    /// <summary>How the width symbol is declared.</summary>
    private static readonly string[] WidthSites = { "parameter", "field", "property" };

    /// <summary>Namespace styles: file-scoped, block, global, a keyword namespace.</summary>
    private static readonly string[] Namespaces = { "file-scoped", "block", "global", "keyword" };

    /// <summary>The declaration of the model class (prefix, type-parameter suffix).</summary>
    private static readonly (string Name, string Modifiers, string TypeParameters)[] Kinds =
    {
        ("partial", "public partial class", ""),
        ("sealed", "public sealed partial class", ""),
        ("not-partial", "public class", ""),
        ("generic", "public partial class", "<T>"),
        ("record", "public partial record", ""),
        ("static", "public static partial class", ""),
        ("file-local", "file partial class", ""),
        ("abstract", "public abstract partial class", ""),
        ("internal", "internal partial class", ""),
        ("struct", "public partial struct", ""),
    };

    /// <summary>The class the model sits in, if any.</summary>
    private static readonly (string Name, string Open, string Close)[] Containers =
    {
        ("top-level", "", ""),
        ("nested", "public partial class Outer {\n", "}\n"),
        ("nested-not-partial", "public class Holder {\n", "}\n"),
        ("nested-generic", "public partial class Gen<T> {\n", "}\n"),
        ("nested-static", "public static partial class Models {\n", "}\n"),
    };

    public static string Model(string className, Body body, string widthSite = "parameter", string kind = "public partial class", string typeParameters = "", string attribute = "[Width(64)]", string widthType = "int")
    {
        var members = new StringBuilder();
        members.Append("    ").Append(body.Fields).Append('\n');
        string ctor;
        switch (widthSite)
        {
            case "field":
                members.Append($"    {attribute} private readonly {widthType} width;\n");
                ctor = $"    public {className}({widthType} w{body.Parameters}) : base(\"{className}\") {{ width = w; {body.Constructor} RegisterComponents(); }}\n";
                break;
            case "property":
                members.Append($"    {attribute} public {widthType} width {{ get; }}\n");
                ctor = $"    public {className}({widthType} w{body.Parameters}) : base(\"{className}\") {{ width = w; {body.Constructor} RegisterComponents(); }}\n";
                break;
            default:
                ctor = $"    public {className}({attribute} {widthType} width{body.Parameters}) : base(\"{className}\") {{ {body.Constructor} RegisterComponents(); }}\n";
                break;
        }
        members.Append(ctor);
        if (body.Members.Length > 0)
            members.Append("    ").Append(body.Members).Append('\n');
        members.Append("    public override Tensor forward(Tensor x) => x * MupReadoutMultiplier;\n");
        return $"{kind} {className}{typeParameters} : Module<Tensor, Tensor>\n{{\n{members}}}\n";
    }

    private static string InNamespace(string style, int index, string code) => style switch
    {
        "file-scoped" => $"namespace Corpus.N{index};\n\n{code}",
        "block" => $"namespace Corpus.N{index}\n{{\n{code}}}\n",
        "keyword" => $"namespace @class.@event{index};\n\n{code}",
        _ => code,
    };

    /// <summary>Construction patterns × declaration shapes: every body in every namespace style, with the width sites,
    /// class kinds and containers spread over them by fixed strides (a Latin-square-like walk, not random).</summary>
    public static IEnumerable<CorpusCase> Shapes()
    {
        var i = 0;
        foreach (var body in Bodies)
            foreach (var ns in Namespaces)
            {
                var site = i % WidthSites.Length;
                {
                    var kind = Kinds[(i * 3) % Kinds.Length];
                    var container = Containers[(i * 7 / 3) % Containers.Length];
                    // Keep most cases on the supported path (partial, top-level) so the emitter is exercised too.
                    if (i % 3 != 0)
                    {
                        kind = Kinds[0];
                        container = Containers[i % 2 == 0 ? 0 : 1];
                    }
                    var name = $"M{i}";
                    var code = container.Open + Model(name, body, WidthSites[site], kind.Modifiers, kind.TypeParameters) + container.Close + body.Beside + "\n";
                    yield return new CorpusCase($"shape {i}: {body.Name}, {WidthSites[site]}, {ns}, {kind.Name}, {container.Name}",
                        new[] { Usings + InNamespace(ns, i, code) });
                }
                i++;
            }
    }

    /// <summary>[Width]/[Depth] with wrong, missing or odd arguments and on wrong member types.</summary>
    public static IEnumerable<CorpusCase> Attributes()
    {
        var attributes = new[]
        {
            "[Width]", "[Width()]", "[Width(0)]", "[Width(-3)]", "[Width(\"64\")]", "[Width(64, 2)]", "[Width(null)]",
            "[Width(int.MaxValue)]", "[Width(64)][Width(32)]", "[Width(64), Depth(2)]", "[Width(64.5)]", "[Width(1L << 40)]",
            "[Width(N)]", "[Width(Missing.Value)]", "[Width(nameof(width))]", "[Depth(2)]", "[Width(64", "[Width(64)", "[Width(]",
            "[ReadoutLayer]", "[ReadoutLayer(3)]", "[Width(default)]", "[Width(typeof(int))]", "[MupGen.Width(64)]", "[global::MupGen.WidthAttribute(64)]",
        };
        var types = new[] { "int", "long", "string", "double", "int?", "uint", "Missing" };
        var i = 0;
        foreach (var attribute in attributes)
        {
            foreach (var site in new[] { WidthSites[i % 3], WidthSites[(i + 1) % 3] })
            {
                var type = i % 5 == 4 ? types[(i / 5) % types.Length] : "int"; // every fifth on another member type
                var code = Model($"A{i}", Bodies[i % Bodies.Length], site, attribute: attribute, widthType: type) + Bodies[i % Bodies.Length].Beside;
                yield return new CorpusCase($"attribute {i}: {attribute} on {site} {type}", new[] { Usings + $"namespace Corpus.Attr{i};\npublic static class K {{ public const int N = 64; }}\n" + code });
                i++;
            }
        }
        // Role attributes in odd places.
        var odd = new[]
        {
            "[ReadoutLayer] public int Count => 1;", "[HiddenLayer, InputLayer] private readonly Linear both = Linear(8, 8);",
            "[WidthInvariant(1)] private readonly Linear wi = Linear(4, 4);", "[ComponentName(Name = \"\")] private readonly Linear unnamed = Linear(4, 4);",
            "[ComponentName(Name = null)] private readonly Linear nulled = Linear(4, 4);", "[ReadoutLayer] private static Linear shared = Linear(4, 4);",
        };
        foreach (var member in odd)
        {
            var body = Bodies[0] with { Fields = Bodies[0].Fields + " " + member };
            yield return new CorpusCase($"attribute {i}: {member}", new[] { Usings + $"namespace Corpus.Attr{i};\n" + Model($"A{i}", body) });
            i++;
        }
    }

    /// <summary>Code as it is typed: valid models cut off at evenly spaced points, and with a span deleted from the
    /// middle (a half-selected, half-deleted block).</summary>
    public static IEnumerable<CorpusCase> MidTyping()
    {
        var models = new[]
        {
            Usings + "namespace Corpus.Typing0;\n" + Model("T0", Bodies[0]),
            Usings + "namespace Corpus.Typing1;\n" + Model("T1", Bodies[8]) + Bodies[8].Beside,
            Usings + "namespace Corpus.Typing2;\n" + Model("T2", Bodies[4], "field"),
        };
        var m = 0;
        foreach (var model in models)
        {
            const int cuts = 25;
            for (var k = 1; k < cuts; k++)
            {
                var at = model.Length * k / cuts;
                yield return new CorpusCase($"typing {m}: cut at {at}/{model.Length}", new[] { model.Substring(0, at) });
            }
            for (var k = 1; k < 7; k++)
            {
                var at = model.Length * k / 7;
                var length = Math.Min(7 + 3 * k, model.Length - at);
                yield return new CorpusCase($"typing {m}: hole {at}+{length}", new[] { model.Remove(at, length) });
            }
            m++;
        }
    }

    /// <summary>Partial classes across files: fields, constructor, attributes and nested blocks in different files.</summary>
    public static IEnumerable<CorpusCase> AcrossFiles()
    {
        for (var i = 0; i < Bodies.Length; i += 2)
        {
            var body = Bodies[i];
            var name = $"P{i}";
            var head = Usings + $"namespace Corpus.Split{i};\npublic partial class {name} : Module<Tensor, Tensor>\n{{\n    {body.Fields}\n    {body.Members}\n}}\n";
            var tail = Usings + $"namespace Corpus.Split{i};\npublic partial class {name}\n{{\n    public {name}([Width(64)] int width{body.Parameters}) : base(\"{name}\") {{ {body.Constructor} RegisterComponents(); }}\n    public override Tensor forward(Tensor x) => x * MupReadoutMultiplier;\n}}\n";
            var beside = Usings + $"namespace Corpus.Split{i};\n{body.Beside}\n";
            yield return new CorpusCase($"across files {i}: {body.Name}", new[] { head, tail, beside });
            // The same with the second file missing its namespace (a different class) and with one part not partial.
            yield return new CorpusCase($"across files {i}: {body.Name}, part in the global namespace", new[] { head, tail.Replace($"namespace Corpus.Split{i};", ""), beside });
            yield return new CorpusCase($"across files {i}: {body.Name}, one part not partial", new[] { head.Replace("public partial class", "public class"), tail, beside });
        }
    }

    /// <summary>Projects without TorchSharp, or without any MupGen or TorchSharp reference.</summary>
    public static IEnumerable<CorpusCase> WithoutTorchSharp()
    {
        for (var i = 0; i < Bodies.Length; i += 2)
        {
            var code = Usings + $"namespace Corpus.NoTorch{i};\n" + Model($"N{i}", Bodies[i]) + Bodies[i].Beside;
            yield return new CorpusCase($"no TorchSharp {i}: {Bodies[i].Name}", new[] { code }, References.NoTorchSharp);
            yield return new CorpusCase($"no references {i}: {Bodies[i].Name}", new[] { code }, References.Bare);
        }
        // The attribute declared by the user (no MupGen reference): same metadata name as ours.
        yield return new CorpusCase("own WidthAttribute, no references",
            new[] { "namespace MupGen { public sealed class WidthAttribute : System.Attribute { public WidthAttribute(int b) { } } }\nnamespace Corpus.Own { public partial class M { public M([MupGen.Width(64)] int w) { } } }" },
            References.Bare);
        yield return new CorpusCase("own Module and WidthAttribute",
            new[] { "namespace TorchSharp { public static partial class torch { public static partial class nn { public abstract class Module { } public abstract class Module<T, U> : Module { protected Module(string n) { } } } } }\n"
                + "namespace MupGen { public sealed class WidthAttribute : System.Attribute { public WidthAttribute(int b) { } } }\n"
                + "namespace Corpus.Own2 { public partial class M : TorchSharp.torch.nn.Module<int, int> { public M([MupGen.Width(64)] int w) : base(\"m\") { } } }" },
            References.Bare);
    }

    /// <summary>Very large models: 500 layer fields, a 500-iteration loop, a 500-argument Sequential, a 500-block
    /// depth list, a 200-level chain of locals.</summary>
    public static IEnumerable<CorpusCase> Large()
    {
        const int n = 500;
        var fields = string.Join(" ", Enumerable.Range(0, n).Select(i => $"private readonly Linear l{i};"));
        var ctor = string.Join(" ", Enumerable.Range(0, n).Select(i => $"l{i} = Linear(width, width);"));
        yield return new CorpusCase("large: 500 fields", new[] { Usings + "namespace Corpus.Large0;\n" + Model("L0", new Body("fields", fields + " [ReadoutLayer] private readonly Linear readout;", ctor + " readout = Linear(width, 2);")) });
        yield return new CorpusCase("large: 500 loop", new[] { Usings + "namespace Corpus.Large1;\n" + Model("L1", new Body("loop",
            "private readonly ModuleList<Module<Tensor, Tensor>> layers;",
            $"layers = new ModuleList<Module<Tensor, Tensor>>(); for (var i = 0; i < {n}; i++) layers.Add(Linear(width, width));")) });
        var args = string.Join(", ", Enumerable.Range(0, n).Select(i => i % 2 == 0 ? "Linear(width, width)" : "ReLU()"));
        yield return new CorpusCase("large: 500-argument Sequential", new[] { Usings + "namespace Corpus.Large2;\n" + Model("L2", new Body("seq", "private readonly Sequential seq;", $"seq = Sequential({args});")) });
        yield return new CorpusCase("large: 500 depth blocks", new[] { Usings + "namespace Corpus.Large3;\n" + Model("L3", Bodies[8] with { Parameters = $", [Depth({n})] int depth = {n}" }) + Bodies[8].Beside });
        var chain = "var v0 = width; " + string.Join(" ", Enumerable.Range(1, 200).Select(i => $"var v{i} = v{i - 1} + {i % 3};")) + " hidden = Linear(v200, width);";
        yield return new CorpusCase("large: 200 chained locals", new[] { Usings + "namespace Corpus.Large4;\n" + Model("L4", new Body("chain", "private readonly Linear hidden;", chain)) });
        var models = string.Join("\n", Enumerable.Range(0, 30).Select(i => Model($"Many{i}", Bodies[i % Bodies.Length]) + Bodies[i % Bodies.Length].Beside.Replace("class Block", $"class Block{i}").Replace("new Block(", $"new Block{i}(").Replace("ModuleList<Block>", $"ModuleList<Block{i}>").Replace("record Cfg", $"record Cfg{i}").Replace("Cfg?", $"Cfg{i}?")));
        yield return new CorpusCase("large: 30 models in one file", new[] { Usings + "namespace Corpus.Large5;\n" + models.Replace("Cfg? cfg", "Cfg? cfg") });
    }

    /// <summary>The hand-written edge cases under Corpus/ (fuzz-*.cs are inputs the fuzzer once crashed on). A line
    /// <c>// ---- file ----</c> splits a file into several sources; <c>// corpus: no-torchsharp</c> or
    /// <c>// corpus: bare</c> picks the references.</summary>
    public static IEnumerable<CorpusCase> Files()
    {
        foreach (var path in Directory.GetFiles(CorpusDirectory(), "*.cs").OrderBy(p => p, StringComparer.Ordinal))
        {
            var text = File.ReadAllText(path);
            var references = text.Contains("// corpus: no-torchsharp", StringComparison.Ordinal) ? References.NoTorchSharp
                : text.Contains("// corpus: bare", StringComparison.Ordinal) ? References.Bare
                : References.Full;
            var sources = text.Split("// ---- file ----", StringSplitOptions.None);
            yield return new CorpusCase("file " + Path.GetFileName(path), sources, references);
        }
    }

    /// <summary>Everything, in a fixed order.</summary>
    public static IReadOnlyList<CorpusCase> All() =>
        Shapes().Concat(Attributes()).Concat(MidTyping()).Concat(AcrossFiles()).Concat(WithoutTorchSharp()).Concat(Large()).Concat(Files()).ToList();

    /// <summary>tests/MupGen.Generators.Tests/Corpus in the source tree (where the fuzzer also writes).</summary>
    public static string CorpusDirectory([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(path)!)!, "Corpus");

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
