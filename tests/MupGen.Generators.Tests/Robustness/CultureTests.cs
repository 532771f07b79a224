using System;
using System.Globalization;
using System.Linq;
using Xunit;

namespace MupGen.Generators.Tests.Robustness;

/// <summary>Generated text is byte-identical whatever the culture of the build (comma decimals, Turkish dotted and
/// dotless i in case mappings, Arabic digits and right-to-left marks) and across runs: the generator runs under
/// invariant, de-DE, tr-TR and ar-SA on every corpus source that generates code, and every run must equal the
/// invariant one.</summary>
public class CultureTests
{
    private static readonly string[] Cultures = { "de-DE", "tr-TR", "ar-SA" };

    private static T Under<T>(CultureInfo culture, Func<T> run)
    {
        var (culture0, ui0) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return run();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture0;
            CultureInfo.CurrentUICulture = ui0;
        }
    }

    [Fact]
    public void TheCulturesAreReal()
    {
        // If the test host ran with invariant globalization, the cultures below would all format like the invariant
        // one and the byte-identity test would prove nothing.
        Assert.Equal("1,5", Under(new CultureInfo("de-DE"), () => 1.5.ToString()));
        Assert.Equal("İ", Under(new CultureInfo("tr-TR"), () => "i".ToUpper()));
        Assert.NotEqual("1.5", Under(new CultureInfo("ar-SA"), () => 1.5.ToString("N1")));
    }

    [Fact]
    public void GeneratedTextIsByteIdenticalUnderEveryCultureAndAcrossRuns()
    {
        var cases = CorpusTemplates.Shapes().Concat(CorpusTemplates.Files())
            .Select(c => (Case: c, Invariant: Under(CultureInfo.InvariantCulture, () => CorpusRunner.Generate(c).Generated)))
            .Where(x => x.Invariant.Count > 0)
            .ToList();
        Assert.True(cases.Count >= 40, $"only {cases.Count} sources generate code");
        var failures = (from x in cases
                        from name in Cultures.Append("invariant (second run)")
                        let culture = name.StartsWith("invariant", StringComparison.Ordinal) ? CultureInfo.InvariantCulture : new CultureInfo(name)
                        let generated = Under(culture, () => CorpusRunner.Generate(x.Case).Generated)
                        where !generated.SequenceEqual(x.Invariant)
                        select $"{x.Case.Name} under {name}").ToList();
        Assert.True(failures.Count == 0, "generated text differs:\n" + string.Join("\n", failures.Take(20)));
    }
}
