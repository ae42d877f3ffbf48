using System.Globalization;
using System.Text.RegularExpressions;
using Rapport.Features.Mail;

namespace Rapport.Tests.Features.Mail;

/// <summary>How often the new text <see cref="MailText"/> finds matches a careful reader's, on real mail from other mail
/// tools' test suites (Evaluation/README.md says where each comes from, its licence and how the halves are split).
/// Prints tune and held-out figures; fails when they drop below the floors, or when any message shows less than its new text.</summary>
public sealed partial class MailTextEvaluationTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Features", "Mail", "Evaluation");

    public sealed record Case(string Name, bool Html, bool HeldOut, string Message, string Expected);

    public static IReadOnlyList<Case> Cases()
    {
        var cases = new List<Case>();
        foreach (var (folder, html) in new[] { ("text", false), ("html", true) })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Folder, folder)).Where(f => !f.EndsWith(".expected.txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var expected = File.ReadAllText(Path.Combine(Folder, folder, name + ".expected.txt"));
                cases.Add(new Case(name, html, IsHeldOut(name), File.ReadAllText(file), expected));
            }
        }
        return cases;
    }

    /// <summary>Fixed by the name alone (FNV-1a), before any figure was seen: about half of each source is held out.</summary>
    public static bool IsHeldOut(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash % 2 == 1;
    }

    public static string NewTextOf(Case c) =>
        (c.Html ? MailText.ReadHtml(c.Message, null, TimeProvider.System, CancellationToken.None) : MailText.Read(c.Message)).NewText;

    [Fact]
    public void NewText_MatchesTheCarefulReader_AboveTheFloors()
    {
        var cases = Cases();
        var lessThanNew = new List<string>();
        var figures = new Dictionary<(bool Html, bool HeldOut), (int Right, int All)>();
        foreach (var c in cases)
        {
            var actual = Normal(NewTextOf(c));
            var expected = Normal(c.Expected);
            var right = actual == expected;
            if (!actual.Contains(expected, StringComparison.Ordinal))
            {
                lessThanNew.Add(c.Name);
            }
            if (!right)
            {
                output.WriteLine($"MISS {c.Name} ({(c.HeldOut ? "held-out" : "tune")}): got «{Short(actual)}»");
            }
            var key = (c.Html, c.HeldOut);
            var (r, a) = figures.GetValueOrDefault(key);
            figures[key] = (r + (right ? 1 : 0), a + 1);
        }
        foreach (var ((html, heldOut), (right, all)) in figures.OrderBy(f => f.Key.Html).ThenBy(f => f.Key.HeldOut))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(html ? "HTML-only" : "plain text")}, {(heldOut ? "held-out" : "tune")}: {right}/{all} = {100.0 * right / all:F0} %"));
        }

        lessThanNew.ShouldBeEmpty("these show less than their new text");
        Rate(figures, html: false, heldOut: false).ShouldBeGreaterThanOrEqualTo(0.90);
        Rate(figures, html: true, heldOut: false).ShouldBeGreaterThanOrEqualTo(0.85);
        Rate(figures, html: false, heldOut: true).ShouldBeGreaterThanOrEqualTo(PlainHeldOutFloor);
        Rate(figures, html: true, heldOut: true).ShouldBeGreaterThanOrEqualTo(HtmlHeldOutFloor);
    }

    /// <summary>The issue's targets; reached on both halves (README).</summary>
    private const double PlainHeldOutFloor = 0.90;
    private const double HtmlHeldOutFloor = 0.85;

    private static double Rate(Dictionary<(bool, bool), (int Right, int All)> figures, bool html, bool heldOut) =>
        figures.TryGetValue((html, heldOut), out var f) ? (double)f.Right / f.All : 1;

    /// <summary>White space does not count: a careful reader compares words, not line breaks.</summary>
    private static string Normal(string text) => Space().Replace(text, " ").Trim();

    private static string Short(string text) => text.Length > 160 ? text[..160] + "…" : text;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();
}
