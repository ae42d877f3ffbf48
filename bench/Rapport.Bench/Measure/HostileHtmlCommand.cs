using System.Diagnostics;
using System.Globalization;
using Rapport.Features.Tickets;

namespace Rapport.Bench.Measure;

/// <summary>Times, in process and on one thread, what a message's HTML costs when it is hostile: each shape of
/// <see cref="HostileHtml"/> through <see cref="MessageContent.From"/> (sanitizing and reading its text, as an API
/// message or HTML-only mail is taken in) and <see cref="MessageContent.Sanitize"/> (as mail's HTML is shown).</summary>
internal static class HostileHtmlCommand
{
    public const string Usage = """
        hostile-html [--kb 960] [--shapes a,b,...] [--rounds 3]
            Builds each hostile shape at about --kb KB (default: just under the 1,000,000 characters sanitized at all)
            and 20,000 nested <div>s (the penetration test's case), and times MessageContent.From and Sanitize on it,
            --rounds times (median); prints ms per shape, whether HTML was kept and how much HTML and text.
        """;

    public static int Run(Options options)
    {
        var size = options.Int("kb", 960) * 1024;
        var only = options.Optional("shapes")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rounds = options.Int("rounds", 3);
        options.EnsureAllRead();
        var content = new MessageContent(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<MessageContent>.Instance);
        content.From(null, "<p>warm <b>up</b></p>", CancellationToken.None);
        var cases = new List<(string Name, string Html)> { ("div-nested-20k", string.Concat(Enumerable.Repeat("<div>", 20_000)) + "deep text") };
        cases.AddRange(HostileHtml.Shapes.Select(s => (s.Name, s.Make(size))));
        foreach (var (name, html) in cases.Where(c => only is null || only.Contains(c.Name)))
        {
            Latencies from = new(), sanitize = new();
            MessageBody? body = null;
            for (var round = 0; round < rounds; round++)
            {
                var start = Stopwatch.GetTimestamp();
                body = content.From(null, html, CancellationToken.None);
                from.Add(Stopwatch.GetElapsedTime(start));
                start = Stopwatch.GetTimestamp();
                content.Sanitize(html, CancellationToken.None);
                sanitize.Add(Stopwatch.GetElapsedTime(start));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hostile-html shape={name} kb={html.Length / 1024.0:F0} from_ms={from.Percentile(50):F1} sanitize_ms={sanitize.Percentile(50):F1} " +
                $"html_kept={(body!.Html is null ? "no" : "yes")} html_kb={(body.Html?.Length ?? 0) / 1024.0:F0} text_kb={body.Text.Length / 1024.0:F0}"));
        }
        return 0;
    }
}
