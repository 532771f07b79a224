using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace MupGen.Tests
{
    /// <summary>
    /// The repository's docs stand alone: every relative link in README.md and docs/ resolves to a file (and heading)
    /// inside the repository, and nothing links to the team's ../shared folder, which a published repository lacks.
    /// </summary>
    public sealed class DocsLinksTests
    {
        [Fact]
        public void EveryRelativeLinkInReadmeAndDocsResolvesInsideTheRepository()
        {
            string root = RepositoryRoot();
            var files = MarkdownLinkChecker.DocumentationFiles(root);
            Assert.Contains(files, f => Path.GetFileName(f) == "README.md" && Path.GetDirectoryName(f) == root);
            Assert.Contains(files, f => f.EndsWith(Path.Combine("docs", "RULES.md"), StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith(Path.Combine("docs", "API.md"), StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith(Path.Combine("docs", "ENVIRONMENT.md"), StringComparison.Ordinal));

            var problems = files.SelectMany(f => MarkdownLinkChecker.Check(root, f)).ToList();
            Assert.True(problems.Count == 0, "Broken documentation links:\n" + string.Join("\n", problems));
        }

        [Fact]
        public void CheckerReportsSharedFolderMissingFileMissingHeadingAndEscapingLinks()
        {
            string dir = Path.Combine(Path.GetTempPath(), "mupgen-links-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(dir, "docs"));
            try
            {
                File.WriteAllText(Path.Combine(dir, "docs", "A.md"), "# A title\n\n## Second part, µP\ntext\n");
                File.WriteAllText(Path.Combine(dir, "README.md"), string.Join("\n",
                    "# Readme",
                    "[ok](docs/A.md) [ok anchor](docs/A.md#second-part-µp) [web](https://arxiv.org/abs/2203.03466)",
                    "[self](#readme) [dir](docs/)",
                    "[shared](../shared/design/API.md)",
                    "[missing](docs/B.md)",
                    "[bad anchor](docs/A.md#no-such-heading)",
                    "[outside](../elsewhere.md)",
                    "`[in code](docs/C.md)`",
                    "```",
                    "[in a fence](docs/D.md)",
                    "```",
                    "[ref]: docs/E.md",
                    ""));
                var problems = MarkdownLinkChecker.Check(dir, Path.Combine(dir, "README.md"));
                string all = string.Join("\n", problems);

                Assert.Equal(5, problems.Count);
                Assert.Contains("README.md:4: ../shared/design/API.md (links to the team's shared folder", all);
                Assert.Contains("README.md:5: docs/B.md (no such file)", all);
                Assert.Contains("README.md:6: docs/A.md#no-such-heading (no such heading)", all);
                Assert.Contains("README.md:7: ../elsewhere.md (leaves the repository)", all);
                Assert.Contains("README.md:12: docs/E.md (no such file)", all);   // a reference definition is a link
                Assert.DoesNotContain("C.md", all);                               // code is not
                Assert.DoesNotContain("D.md", all);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static string RepositoryRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "MupGen.sln")))
                dir = dir.Parent;
            Assert.True(dir != null, "MupGen.sln not found above " + AppContext.BaseDirectory);
            return dir!.FullName;
        }
    }

    /// <summary>Finds the relative links of a markdown file that do not resolve.</summary>
    internal static class MarkdownLinkChecker
    {
        private static readonly Regex InlineLink = new(@"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)", RegexOptions.CultureInvariant);
        private static readonly Regex ReferenceDefinition = new(@"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", RegexOptions.CultureInvariant);
        private static readonly Regex Scheme = new(@"^[A-Za-z][A-Za-z0-9+.-]*:", RegexOptions.CultureInvariant);
        private static readonly Regex CodeSpan = new(@"(`+)(?:(?!\1).)+?\1", RegexOptions.CultureInvariant);

        /// <summary>README.md at the root and every markdown file under docs/.</summary>
        public static List<string> DocumentationFiles(string root)
        {
            var files = new List<string> { Path.Combine(root, "README.md") };
            string docs = Path.Combine(root, "docs");
            if (Directory.Exists(docs))
                files.AddRange(Directory.GetFiles(docs, "*.md", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal));
            return files;
        }

        /// <summary>One line per problem: "file:line: target (why)".</summary>
        public static List<string> Check(string root, string file)
        {
            var problems = new List<string>();
            string rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            string[] lines = File.ReadAllLines(file);
            bool inFence = false;
            string fence = "";
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                string trimmed = line.TrimStart();
                if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
                {
                    string marker = trimmed.Substring(0, 3);
                    if (!inFence) { inFence = true; fence = marker; }
                    else if (marker == fence) inFence = false;
                    continue;
                }
                if (inFence) continue;
                string text = CodeSpan.Replace(line, "");
                var targets = InlineLink.Matches(text).Select(m => m.Groups[1].Value).ToList();
                var def = ReferenceDefinition.Match(text);
                if (def.Success) targets.Add(def.Groups[1].Value);
                foreach (string target in targets)
                {
                    string? why = Problem(rootFull, file, target);
                    if (why != null) problems.Add($"{rel}:{(i + 1).ToString(CultureInfo.InvariantCulture)}: {target} ({why})");
                }
            }
            return problems;
        }

        private static string? Problem(string rootFull, string file, string target)
        {
            if (target.Contains("shared/design", StringComparison.OrdinalIgnoreCase) || target.StartsWith("../shared", StringComparison.Ordinal))
                return "links to the team's shared folder, which is not part of the repository";
            if (Scheme.IsMatch(target)) return null;                 // https://..., mailto:: public sources
            string path = target, anchor = "";
            int hash = path.IndexOf('#');
            if (hash >= 0) { anchor = path.Substring(hash + 1); path = path.Substring(0, hash); }
            int query = path.IndexOf('?');
            if (query >= 0) path = path.Substring(0, query);
            path = Uri.UnescapeDataString(path);
            string resolved = path.Length == 0
                ? file
                : Path.GetFullPath(Path.Combine(path.StartsWith('/') ? rootFull : Path.GetDirectoryName(file)!, path.TrimStart('/')));
            string resolvedDir = resolved.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if (!resolved.StartsWith(rootFull, StringComparison.Ordinal) && resolvedDir != rootFull)
                return "leaves the repository";
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
                return "no such file";
            if (anchor.Length > 0 && File.Exists(resolved) && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                && !Anchors(resolved).Contains(Uri.UnescapeDataString(anchor)))
                return "no such heading";
            return null;
        }

        /// <summary>The heading anchors GitHub generates for a markdown file.</summary>
        private static HashSet<string> Anchors(string file)
        {
            var anchors = new HashSet<string>(StringComparer.Ordinal);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            bool inFence = false;
            foreach (string line in File.ReadAllLines(file))
            {
                string t = line.TrimStart();
                if (t.StartsWith("```", StringComparison.Ordinal) || t.StartsWith("~~~", StringComparison.Ordinal)) { inFence = !inFence; continue; }
                if (inFence || !t.StartsWith('#')) continue;
                string heading = t.TrimStart('#');
                if (heading.Length > 0 && heading[0] != ' ') continue;
                string slug = Slug(heading.Trim());
                if (counts.TryGetValue(slug, out int n)) { counts[slug] = n + 1; anchors.Add(slug + "-" + n.ToString(CultureInfo.InvariantCulture)); }
                else { counts[slug] = 1; anchors.Add(slug); }
            }
            return anchors;
        }

        private static string Slug(string heading)
        {
            heading = Regex.Replace(heading, @"\[([^\]]*)\]\([^)]*\)", "$1");   // a link in a heading: its text
            var sb = new StringBuilder();
            foreach (char c in heading.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c == '-' || c == '_') sb.Append(c);
                else if (c == ' ') sb.Append('-');
            }
            return sb.ToString();
        }
    }
}
