using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Compares generated text byte for byte with a checked-in file under Snapshots/. Set
/// MUPGEN_UPDATE_SNAPSHOTS=1 to (re)write the files; without it a missing snapshot fails the test.</summary>
internal static class Snapshot
{
    public static void Match(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots", name + ".g.cs");
        if (Environment.GetEnvironmentVariable("MUPGEN_UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"snapshot {path} is missing; run the tests with MUPGEN_UPDATE_SNAPSHOTS=1 to create it");
        var expected = File.ReadAllText(path);
        if (expected != actual)
            Assert.Fail($"snapshot {name} differs.\n--- expected ({path})\n{expected}\n--- actual\n{actual}");
    }
}
