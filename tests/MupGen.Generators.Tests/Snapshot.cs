using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace MupGen.Generators.Tests;

/// <summary>Compares generated text byte for byte with a checked-in file under Snapshots/ (<c>Name.g.cs</c>). On a
/// mismatch or a missing file it writes what it got beside it as <c>Name.received.g.cs</c> (Verify's habit: diff the
/// two, and move the received file over the expected one to accept it) and fails; on a match it deletes a stale
/// received file. MUPGEN_UPDATE_SNAPSHOTS=1 rewrites the expected files instead, but a test that had to change one
/// still fails, so no run with the variable set passes on a snapshot it did not compare (CI refuses the variable).</summary>
internal static class Snapshot
{
    public const string UpdateVariable = "MUPGEN_UPDATE_SNAPSHOTS";

    public static void Match(string name, string actual, [CallerFilePath] string callerPath = "") =>
        Match(Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots"), name, actual,
            Environment.GetEnvironmentVariable(UpdateVariable) == "1");

    /// <summary>The comparison, with the directory and the update switch explicit (tests of the helper use both).</summary>
    internal static void Match(string directory, string name, string actual, bool update)
    {
        var path = Path.Combine(directory, name + ".g.cs");
        var received = Path.Combine(directory, name + ".received.g.cs");
        var expected = File.Exists(path) ? File.ReadAllText(path) : null;
        if (expected == actual)
        {
            if (File.Exists(received))
                File.Delete(received);
            return;
        }
        Directory.CreateDirectory(directory);
        if (update)
        {
            File.WriteAllText(path, actual);
            if (File.Exists(received))
                File.Delete(received);
            Assert.Fail($"snapshot {path} was {(expected is null ? "created" : "updated")} ({UpdateVariable}=1); review the diff and run again without the variable");
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"snapshot {path} is missing; the generated text is in {received} (move it to {path} to accept it)"
            : $"snapshot {name} differs: expected {path}, received {received} (diff them; move the received file over the expected one to accept it).\n--- expected\n{expected}\n--- received\n{actual}");
    }
}
