using System.Text.Json;

namespace Rapport.BrowserTests.Infrastructure;

/// <summary>Runs axe-core (from npm, installed by test.sh into node_modules) in a page and returns its serious and critical violations.</summary>
public static class Axe
{
    private static readonly string ScriptPath = FindScript();

    private static readonly Lazy<string> Script = new(() => File.ReadAllText(ScriptPath));

    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        // Evaluated rather than added as a <script>: the page's content security policy refuses inline scripts, and a test
        // must not weaken it (Playwright's evaluation is not subject to it).
        await page.EvaluateAsync(Script.Value);
        var json = await page.EvaluateAsync<string>(@"async () => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return JSON.stringify(result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')));
        }");
        return JsonSerializer.Deserialize<List<string>>(json) ?? [];
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return "";
    }

    public static string? SkipReason => ScriptPath.Length == 0
        ? "axe-core is not installed: run npm ci in tests/Rapport.BrowserTests (./test.sh does)"
        : null;
}
