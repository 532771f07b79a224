// MupGen's fix for TorchSharp's native library on Debian 12 / Ubuntu 22.04 (docs/ENVIRONMENT.md). One source, used
// two ways by src/MupGen/buildTransitive/MupGen.targets: the package ships it compiled (MupGen.BuildTasks.dll, next
// to the targets, so users' builds load a finished assembly), and this repository's own build compiles it inline
// (RoslynCodeTaskFactory) from this file.
//
// TorchSharp 0.107's libLibTorchSharp.so declares that it needs GLIBCXX_3.4.32 from libstdc++.so.6; GCC 12's
// libstdc++ stops at GLIBCXX_3.4.30, so the loader refuses the library. Only one symbol
// (_ZSt21ios_base_library_initv) carries that version and no relocation uses it, so marking the version requirement
// weak (VER_FLG_WEAK in vna_flags of its Vernaux entry in .gnu.version_r) lets the library load and run correctly.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

/// <summary>Marks the given ELF files' requirement of the given symbol versions weak, when the machine's libstdc++.so.6
/// lacks them (or always, with <see cref="Force"/>). Patches a copy and renames it over the file, so a file
/// hard-linked into the NuGet cache is replaced, never written through; keeps the time stamp; idempotent.</summary>
public class MupGenMarkElfVersionNeedWeak : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Files { get; set; }
    [Microsoft.Build.Framework.Required] public string Versions { get; set; }

    /// <summary>Patch whatever this machine's libstdc++ provides (for output deployed to another machine).</summary>
    public bool Force { get; set; }

    const ushort VER_FLG_WEAK = 0x2;
    const uint SHT_GNU_verneed = 0x6ffffffe;

    public override bool Execute()
    {
        var wanted = new List<string>();
        foreach (var v in Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
            if (v.Trim().Length > 0) wanted.Add(v.Trim());
        if (Files == null || Files.Length == 0 || wanted.Count == 0) return true;

        var missing = new List<string>();
        if (Force)
        {
            missing.AddRange(wanted);
        }
        else
        {
            string libstdcxx = FindLibStdCxx();
            if (libstdcxx == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    "MupGen: no libstdc++.so.6 found on this machine; TorchSharp's native library left as it is.");
                return true;
            }
            byte[] lib = File.ReadAllBytes(libstdcxx);
            foreach (var v in wanted)
                if (IndexOf(lib, Encoding.ASCII.GetBytes(v + "\0")) < 0) missing.Add(v);
            if (missing.Count == 0)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    "MupGen: " + libstdcxx + " provides " + Versions + "; TorchSharp's native library needs no fix.");
                return true;
            }
        }

        foreach (var item in Files)
        {
            string path = item.GetMetadata("FullPath");
            if (!File.Exists(path)) continue;
            try
            {
                PatchFile(path, missing);
            }
            catch (Exception e)
            {
                Log.LogWarning(null, "MUPB001", null, path, 0, 0, 0, 0,
                    "MupGen: could not mark " + string.Join(", ", missing) + " weak in " + path + ": " + e.Message +
                    " (set MupGenPatchTorchSharpNative=false to skip this step)");
            }
        }
        return !Log.HasLoggedErrors;
    }

    void PatchFile(string path, List<string> missing)
    {
        byte[] elf = File.ReadAllBytes(path);
        var offsets = FindVernauxFlagOffsets(elf, missing, path);
        var toPatch = new List<int>();
        var names = new List<string>();
        foreach (var kv in offsets)
        {
            ushort flags = U16(elf, kv.Value);
            if ((flags & VER_FLG_WEAK) == 0) { toPatch.Add(kv.Value); names.Add(kv.Key); }
        }
        if (toPatch.Count == 0)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "MupGen: " + path + " already needs no strong " + string.Join(", ", missing) + ".");
            return;
        }

        // Copy, patch the copy, rename it over the original: never write through a (possibly hard-linked) file.
        string tmp = path + ".weakfix.tmp";
        File.Copy(path, tmp, true);
        using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            foreach (int off in toPatch)
            {
                ushort flags = (ushort)(U16(elf, off) | VER_FLG_WEAK);
                fs.Position = off;
                fs.WriteByte((byte)(flags & 0xff));
                fs.WriteByte((byte)(flags >> 8));
            }
        }
        // Keep the original time stamp: the SDK's incremental copy (same size and time) then leaves the patched file alone.
        File.SetLastWriteTimeUtc(tmp, File.GetLastWriteTimeUtc(path));
        File.Delete(path);
        File.Move(tmp, path);
        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
            "MupGen: marked " + string.Join(", ", names) + " weak in " + path +
            (Force ? " (MupGenPatchTorchSharpNative=always)." : " (this machine's libstdc++ lacks it)."));
    }

    // Returns version name -> file offset of vna_flags, for each wanted Vernaux entry found in .gnu.version_r.
    static Dictionary<string, int> FindVernauxFlagOffsets(byte[] b, List<string> names, string path)
    {
        var result = new Dictionary<string, int>();
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (b[4] != 2 || b[5] != 1) throw new InvalidDataException("not ELF64 little endian");

        long shoff = (long)U64(b, 0x28);
        int shentsize = U16(b, 0x3A);
        long shnum = U16(b, 0x3C);
        long shstrndx = U16(b, 0x3E);
        if (shoff == 0 || shentsize < 64) throw new InvalidDataException("no section headers");
        if (shnum == 0) shnum = (long)U64(b, (int)shoff + 32);           // extended count in section 0's sh_size
        if (shstrndx == 0xffff) shstrndx = U32(b, (int)shoff + 40);      // extended index in section 0's sh_link
        Func<long, int> sh = i => checked((int)(shoff + i * shentsize));
        if (sh(shnum) > b.Length) throw new InvalidDataException("section headers past end of file");

        int shstrOff = checked((int)U64(b, sh(shstrndx) + 24));
        int verneed = -1;
        for (long i = 0; i < shnum; i++)
        {
            string name = CString(b, shstrOff + (int)U32(b, sh(i)));
            if (name == ".gnu.version_r" && U32(b, sh(i) + 4) == SHT_GNU_verneed) { verneed = sh(i); break; }
        }
        if (verneed < 0) throw new InvalidDataException("no .gnu.version_r section");

        int vrOff = checked((int)U64(b, verneed + 24));
        long vrSize = (long)U64(b, verneed + 32);
        uint link = U32(b, verneed + 40);
        uint count = U32(b, verneed + 44);                                 // sh_info: number of Verneed entries
        int strOff = checked((int)U64(b, sh(link) + 24));
        if (vrOff + vrSize > b.Length) throw new InvalidDataException(".gnu.version_r past end of file");

        int vn = vrOff;
        for (uint n = 0; n < count || (count == 0 && n < 1000); n++)
        {
            ushort vnCnt = U16(b, vn + 2);
            uint vnAux = U32(b, vn + 8);
            uint vnNext = U32(b, vn + 12);
            int vna = vn + (int)vnAux;
            for (int a = 0; a < vnCnt; a++)
            {
                string vname = CString(b, strOff + (int)U32(b, vna + 8));
                if (names.Contains(vname)) result[vname] = vna + 4;
                uint vnaNext = U32(b, vna + 12);
                if (vnaNext == 0) break;
                vna += (int)vnaNext;
            }
            if (vnNext == 0) break;
            vn += (int)vnNext;
            if (vn < vrOff || vn >= vrOff + vrSize) throw new InvalidDataException("bad vn_next");
        }
        return result;
    }

    static string FindLibStdCxx()
    {
        try
        {
            var psi = new ProcessStartInfo("ldconfig", "-p")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false
            };
            if (!File.Exists("/sbin/ldconfig") && File.Exists("/usr/sbin/ldconfig")) psi.FileName = "/usr/sbin/ldconfig";
            else if (File.Exists("/sbin/ldconfig")) psi.FileName = "/sbin/ldconfig";
            using (var p = Process.Start(psi))
            {
                string output = p.StandardOutput.ReadToEnd();
                p.WaitForExit(10000);
                foreach (var raw in output.Split('\n'))
                {
                    string line = raw.Trim();
                    if (!line.StartsWith("libstdc++.so.6 ")) continue;
                    if (line.IndexOf("x86-64", StringComparison.Ordinal) < 0) continue;
                    int arrow = line.IndexOf("=> ", StringComparison.Ordinal);
                    if (arrow < 0) continue;
                    string candidate = line.Substring(arrow + 3).Trim();
                    if (File.Exists(candidate)) return candidate;
                }
            }
        }
        catch (Exception) { /* no ldconfig: fall back to the usual paths */ }
        foreach (var candidate in new[] {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            if (hay[i] != needle[0]) continue;
            int j = 1;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    static string CString(byte[] b, int off)
    {
        int end = off;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, off, end - off);
    }

    static ushort U16(byte[] b, int o) { return (ushort)(b[o] | (b[o + 1] << 8)); }
    static uint U32(byte[] b, int o) { return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)); }
    static ulong U64(byte[] b, int o) { return U32(b, o) | ((ulong)U32(b, o + 4) << 32); }
}
