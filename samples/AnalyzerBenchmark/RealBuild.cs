using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

/// <summary>
/// <c>real-build [rounds]</c>: the 200-model project as a user builds it. The project is written to a folder outside
/// the repository (its sources, and, for the side without MupGen, the generated files as ordinary sources) and built with
/// <c>dotnet build</c> (the SDK's own analyzers on, the compiler server warm, as on a developer's machine); the time is
/// the Csc task's, from MSBuild's performance summary (evaluation, restore and copying are left out on every side).
/// Sides, in an order that rotates from round to round: (0) no MupGen; (1) the generator, with every MupGen analyzer
/// switched off (<c>NoWarn</c> on all their ids, so the compiler does not run them); (3) the generator and the
/// analyzers. MupGen's cost is the difference to (0) in the same round, as a share of (0).
/// Without <c>--server</c> every build starts a fresh compiler process (as a CI build does, and as this machine is set
/// up: UseSharedCompilation=false), so MupGen's cold start is part of its cost; with <c>--server</c> the
/// compiler server stays warm between builds (a developer's machine), and it is shut down at the end. With
/// <c>--csc</c> the compiler's command line from each side's <c>dotnet build -v:n</c> is run directly instead (a fresh
/// process, nothing around it). CPU time beside the wall clock: the compiler server's (<c>--server</c>), the
/// compiler process's (<c>--csc</c>), else the whole build's. Each side builds its own copy of the project.
/// <c>--baseline DIR</c> adds a side with an older MupGen.Generators.dll; <c>--without IDS</c> one with only those
/// diagnostics' analyzers off; <c>--floor</c> three sides with the floor generator of samples/BuildCostFloor instead of
/// MupGen's (it adds MupGen's generated files, given to it as additional files, after doing nothing, after
/// MupGen's discovery, after the discovery and a read of each model's members): what a generator of this design costs
/// before any work of MupGen's own, to read beside (1).
/// </summary>
internal static class RealBuild
{
    public static int Run(int rounds, bool server, string? without = null, string? baseline = null, bool direct = false, bool floor = false)
    {
        server &= !direct;
        _server = server;
        var dir = Path.Combine(Path.GetTempPath(), "mupgen-real-build");
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(Path.Combine(dir, "src"));
        Directory.CreateDirectory(Path.Combine(dir, "generated"));

        var project = new BenchProject();
        var references = BenchProject.References(typeof(MupGen.IMupModel).Assembly.Location);
        var generatorAssembly = typeof(MupGen.Generators.MupGenerator).Assembly;
        project.RunGenerators(BenchProject.GeneratorsOf(generatorAssembly), project.Fresh(project.Trees, references), out var generated);
        for (var i = 0; i < project.Trees.Length; i++)
            File.WriteAllText(Path.Combine(dir, "src", $"Models{i}.cs"), project.Trees[i].GetText().ToString());
        var k = 0;
        foreach (var tree in generated.SyntaxTrees.Skip(project.Trees.Length))
            File.WriteAllText(Path.Combine(dir, "generated", $"G{k++}_{Path.GetFileName(tree.FilePath)}"), tree.GetText().ToString());
        var ids = BenchProject.AnalyzersOf(generatorAssembly).SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id)
            .Distinct().OrderBy(id => id, StringComparer.Ordinal).ToArray();

        // The repository's global.json pins the SDK; the folder is outside the repository, so it gets a copy.
        var globalJson = FindUp(AppContext.BaseDirectory, "global.json");
        if (globalJson is not null)
            File.Copy(globalJson, Path.Combine(dir, "global.json"));
        var floors = floor ? FloorModes.ToDictionary(m => m, m => Path.Combine(dir, "floors", m, "MupGen.BuildCostFloor.dll")) : new Dictionary<string, string>();
        foreach (var (mode, dll) in floors)
            if (BuildFloor(mode, Path.GetDirectoryName(dll)!) is { } error)
            {
                Console.WriteLine(error);
                return 1;
            }
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Bench.csproj"), $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
                <NoWarn>$(NoWarn);CS1701;CS1702</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <Compile Include="src/*.cs" />
                <Reference Include="{{typeof(TorchSharp.torch).Assembly.Location}}" />
                <Reference Include="{{typeof(MupGen.IMupModel).Assembly.Location}}" />
              </ItemGroup>
              <ItemGroup Condition="'$(Side)' == 'none'">
                <Compile Include="generated/*.cs" />
              </ItemGroup>
              <ItemGroup Condition="'$(Side)' == 'generator' or '$(Side)' == 'both' or '$(Side)' == 'without'">
                <Analyzer Include="{{generatorAssembly.Location}}" />
              </ItemGroup>
              {{(baseline is null ? "" : $"<ItemGroup Condition=\"'$(Side)' == 'baseline'\"><Analyzer Include=\"{Path.GetFullPath(Path.Combine(baseline, "MupGen.Generators.dll"))}\" /></ItemGroup>")}}
              {{string.Concat(floors.Select(f => $"<ItemGroup Condition=\"'$(Side)' == 'floor-{f.Key}'\"><Analyzer Include=\"{f.Value}\" /><AdditionalFiles Include=\"generated/*.cs\" /></ItemGroup>"))}}
              <PropertyGroup Condition="'$(Side)' == 'generator'">
                <NoWarn>$(NoWarn);{{string.Join(";", ids)}}</NoWarn>
              </PropertyGroup>
              <PropertyGroup Condition="'$(Side)' == 'without'">
                <NoWarn>$(NoWarn);{{(without ?? "").Replace(',', ';')}}</NoWarn>
              </PropertyGroup>
            </Project>
            """);

        var sides = new[] { "none", "generator", "both" }.Concat(without is null ? Array.Empty<string>() : new[] { "without" })
            .Concat(baseline is null ? Array.Empty<string>() : new[] { "baseline" }).Concat(floors.Keys.Select(m => "floor-" + m)).ToArray();
        // A copy of the project per side, so each has its own output path: the compiler server keeps a generator
        // driver per output (its incremental state between builds, as on a developer's machine), and sides that shared
        // one would throw each other's away.
        foreach (var side in sides)
        {
            CopyDirectory(dir, Path.Combine(dir, "sides", side));
            if (Dotnet(Path.Combine(dir, "sides", side), "restore", out var restore) != 0)
            {
                Console.WriteLine(restore);
                return 1;
            }
        }
        string SideDir(string side) => Path.Combine(dir, "sides", side);
        var csc = sides.ToDictionary(s => s, _ => new List<double>());
        var cpu = sides.ToDictionary(s => s, _ => new List<double>());
        // Warm-up: the compiler server, the analyzer assembly load, and a check that every side builds clean.
        foreach (var side in sides)
            if (Build(SideDir(side), side, out var output) is null)
            {
                Console.WriteLine(output);
                return 1;
            }
        var compilerServer = server ? CompilerServerProcess() : null;
        // --csc: the compiler's own command line, as MSBuild ran it, run directly (a fresh process per compile, no
        // MSBuild around it), so the CPU time is the compiler's alone.
        var commandLines = new Dictionary<string, (string Exe, string Rsp)>();
        if (direct)
            foreach (var side in sides)
            {
                if (CompilerCommand(SideDir(side), side) is not { } command)
                    return 1;
                commandLines[side] = command;
            }
        for (var r = 0; r < rounds; r++)
        {
            var order = Enumerable.Range(0, sides.Length).Select(i => sides[(i + r) % sides.Length]).ToArray();
            if (r % 2 == 1) Array.Reverse(order);
            foreach (var side in order)
            {
                var cpuBefore = CpuMs(compilerServer);
                string output;
                var ms = direct ? Compile(SideDir(side), commandLines[side], out output) : Build(SideDir(side), side, out output);
                cpu[side].Add(CpuMs(compilerServer) - cpuBefore);
                if (ms is null)
                {
                    Console.WriteLine(output);
                    return 1;
                }
                csc[side].Add(ms.Value);
            }
        }
        if (server)
            Dotnet(dir, "build-server shutdown", out _);
        var none = csc["none"];
        var labels = new[] { ("generator", "(1) with the generator (analyzers off)"), ("both", "(3) with the generator and the analyzers"), ("without", $"(3) without {without}"), ("baseline", "(3) baseline build of MupGen") }
            .Concat(FloorModes.Select(m => ("floor-" + m, FloorLabels[m]))).Where(l => csc.ContainsKey(l.Item1)).ToArray();
        Console.WriteLine($"Real build: {BenchProject.Models} µP model classes in {project.Trees.Length} files, `dotnet build` of a library project in {dir}; {(direct ? "the compiler run directly (its command line from MSBuild), a fresh process per compile" : "Csc task time, " + (server ? "compiler server warm" : "a fresh compiler process per build"))}; {rounds} rounds in rotating order, {Environment.ProcessorCount} cores, load {BuildCost.Load()}");
        Console.WriteLine($"{"",-58} {"milliseconds",-30} MupGen's share of (0)");
        Console.WriteLine($"{"(0) compile without MupGen (the generated files as sources)",-58} {Stats.Ms(none),-30} -");
        foreach (var (side, label) in labels)
        {
            var cost = csc[side].Zip(none, (x, b) => (x - b) / b).ToList();
            Console.WriteLine($"{label,-58} {Stats.Ms(csc[side]),-30} {Stats.Percent(cost)}");
        }
        // CPU time: with the server, the compiler server's own (every build's compile runs there, nothing else does);
        // without it, every process of the build (MSBuild's evaluation too, which is the same on every side), so only
        // its differences are MupGen's.
        Console.WriteLine(server ? "CPU time of the compiler server per build:" : direct ? "CPU time of the compiler process:" : "CPU time of the whole build (MSBuild and the compiler process), per build:");
        var cpuNone = cpu["none"];
        Console.WriteLine($"{"(0) compile without MupGen",-58} {Stats.Ms(cpuNone),-30} -");
        foreach (var (side, label) in labels)
        {
            var extra = cpu[side].Zip(cpuNone, (x, b) => x - b).ToList();
            var share = cpu[side].Zip(cpuNone, (x, b) => (x - b) / b).ToList();
            Console.WriteLine($"{label,-58} {Stats.Ms(cpu[side]),-30} {(server || direct ? Stats.Percent(share) : "+" + Stats.Ms(extra))}");
        }
        Console.WriteLine("target: (3) at most 3% more than (0)");
        return 0;
    }

    /// <summary>The floor generator's modes (samples/BuildCostFloor), each built into a folder of its own.</summary>
    internal static readonly string[] FloorModes = { "add", "discover", "members" };

    /// <summary>How each floor mode's side is labelled in a report.</summary>
    internal static readonly Dictionary<string, string> FloorLabels = new()
    {
        ["add"] = "floor: a generator that only adds MupGen's files",
        ["discover"] = "floor: + MupGen's discovery (ForAttributeWithMetadataName)",
        ["members"] = "floor: + a read of each model's members",
    };

    /// <summary>Builds samples/BuildCostFloor in one mode into <paramref name="output"/>; null, or the build's log
    /// when it failed.</summary>
    internal static string? BuildFloor(string mode, string output)
    {
        if (FindUp(AppContext.BaseDirectory, Path.Combine("samples", "BuildCostFloor", "BuildCostFloor.csproj")) is not { } project)
            return "--floor: samples/BuildCostFloor/BuildCostFloor.csproj not found above " + AppContext.BaseDirectory;
        // An intermediate folder per mode: the modes differ only in their defined constants.
        var rc = Dotnet(Path.GetDirectoryName(project)!, $"build \"{project}\" -c Release -nologo -p:FloorMode={mode} -p:IntermediateOutputPath=obj/{mode}/ -o \"{output}\"", out var log);
        return rc == 0 && File.Exists(Path.Combine(output, "MupGen.BuildCostFloor.dll")) ? null : log;
    }

    /// <summary>Whether the builds use the compiler server (UseSharedCompilation).</summary>
    private static bool _server;

    /// <summary>The compiler executable and a response file with the arguments MSBuild gave it for this side.</summary>
    private static (string Exe, string Rsp)? CompilerCommand(string dir, string side)
    {
        Touch(dir);
        Dotnet(dir, $"build --no-restore -c Release -nologo -v:n -p:Side={side}", out var output);
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("/bincore/csc ", StringComparison.Ordinal) && l.Contains("/out:", StringComparison.Ordinal));
        if (line is null)
        {
            Console.WriteLine($"no compiler command line in the build log of side {side}:\n{output}");
            return null;
        }
        var exeEnd = line.IndexOf("/bincore/csc ", StringComparison.Ordinal) + "/bincore/csc".Length;
        var rsp = Path.Combine(dir, "csc.rsp");
        // /noconfig only counts on the command line itself (CS2023 in a response file).
        File.WriteAllText(rsp, line[(exeEnd + 1)..].Replace("/noconfig ", "", StringComparison.Ordinal));
        return (line[..exeEnd], rsp);
    }

    /// <summary>Runs the compiler directly; its wall-clock milliseconds, or null when it failed or warned.</summary>
    private static double? Compile(string dir, (string Exe, string Rsp) command, out string output)
    {
        var start = new ProcessStartInfo(command.Exe, "/noconfig @" + command.Rsp)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var ms = watch.Elapsed.TotalMilliseconds;
        output += stderr.Result;
        return process.ExitCode == 0 && !output.Contains("warning", StringComparison.OrdinalIgnoreCase) ? ms : null;
    }

    /// <summary>The project's files and its src/ and generated/ folders.</summary>
    private static void CopyDirectory(string from, string to)
    {
        foreach (var sub in new[] { "", "src", "generated" })
        {
            Directory.CreateDirectory(Path.Combine(to, sub));
            foreach (var file in Directory.GetFiles(Path.Combine(from, sub)))
                File.Copy(file, Path.Combine(to, sub, Path.GetFileName(file)));
        }
    }

    /// <summary>The compiler server's process (VBCSCompiler), started by the warm-up builds.</summary>
    private static int? CompilerServerProcess()
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("VBCSCompiler", StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }

    /// <summary>CPU milliseconds (user + system) of the compiler server, or, without one, of this process's finished
    /// children and their children (getrusage(RUSAGE_CHILDREN)).</summary>
    private static double CpuMs(int? server)
    {
        if (server is { } pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name; in clock ticks (100 per second).
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) * 10;
        }
        return getrusage(-1, out var usage) == 0
            ? (usage.UserSeconds + usage.SystemSeconds) * 1000 + (usage.UserMicroseconds + usage.SystemMicroseconds) / 1000.0
            : double.NaN;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    /// <summary>Marks the sources changed, so the next build runs the compiler.</summary>
    private static void Touch(string dir)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(dir, "src")))
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow);
    }

    /// <summary>Rebuilds the project's assembly (its sources touched, so the compiler runs) and returns the Csc task's
    /// milliseconds, or null when the build failed or reported a warning.</summary>
    private static double? Build(string dir, string side, out string output)
    {
        Touch(dir);
        var rc = Dotnet(dir, $"build --no-restore -c Release -nologo -clp:PerformanceSummary -p:Side={side}", out output);
        if (rc != 0 || !output.Contains(" 0 Warning(s)", StringComparison.Ordinal))
            return null;
        var match = Regex.Match(output, @"^\s*(\d+) ms\s+Csc\s+\d+ calls", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static int Dotnet(string dir, string arguments, out string output)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = _server ? "true" : "false";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output += stderr.Result;
        return process.ExitCode;
    }

    private static string? FindUp(string start, string name)
    {
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, name)))
                return Path.Combine(d.FullName, name);
        return null;
    }
}
