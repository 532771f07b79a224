using System;
using System.IO;
using Xunit;
using Xunit.Sdk;

namespace MupGen.Generators.Tests;

/// <summary>The snapshot helper itself can fail: a mismatch, a missing file and an update run all fail and leave
/// the files a reviewer needs.</summary>
public sealed class SnapshotHelperTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mupgen-snapshots-" + Guid.NewGuid().ToString("N"));

    public SnapshotHelperTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Expected => Path.Combine(_directory, "X.g.cs");

    private string Received => Path.Combine(_directory, "X.received.g.cs");

    [Fact]
    public void AMatchPassesAndRemovesAStaleReceivedFile()
    {
        File.WriteAllText(Expected, "a\n");
        File.WriteAllText(Received, "old\n");
        Snapshot.Match(_directory, "X", "a\n", update: false);
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void AMismatchFailsAndWritesTheReceivedFileBesideTheExpectedOne()
    {
        File.WriteAllText(Expected, "a\n");
        var e = Assert.ThrowsAny<XunitException>(() => Snapshot.Match(_directory, "X", "b\n", update: false));
        Assert.Contains("differs", e.Message);
        Assert.Equal("b\n", File.ReadAllText(Received));
        Assert.Equal("a\n", File.ReadAllText(Expected));
    }

    [Fact]
    public void AMissingSnapshotFailsAndWritesTheReceivedFile()
    {
        var e = Assert.ThrowsAny<XunitException>(() => Snapshot.Match(_directory, "X", "b\n", update: false));
        Assert.Contains("missing", e.Message);
        Assert.Equal("b\n", File.ReadAllText(Received));
        Assert.False(File.Exists(Expected));
    }

    [Fact]
    public void AnUpdateRunRewritesTheSnapshotButStillFails()
    {
        File.WriteAllText(Expected, "a\n");
        Assert.ThrowsAny<XunitException>(() => Snapshot.Match(_directory, "X", "b\n", update: true));
        Assert.Equal("b\n", File.ReadAllText(Expected));
        Snapshot.Match(_directory, "X", "b\n", update: true); // nothing to change: passes
    }

    [Fact]
    public void ByteForByte()
    {
        File.WriteAllText(Expected, "a\n");
        Assert.ThrowsAny<XunitException>(() => Snapshot.Match(_directory, "X", "a\r\n", update: false));
    }
}
