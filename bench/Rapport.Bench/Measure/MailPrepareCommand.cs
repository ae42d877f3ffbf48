using System.Diagnostics;
using System.Globalization;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;

namespace Rapport.Bench.Measure;

/// <summary>Times, in process and on one thread, the work inbound mail needs before the database: parsing the raw
/// MIME, sanitizing the HTML body and folding quoted history away, on the intake benchmark's mix.</summary>
internal static class MailPrepareCommand
{
    public const string Usage = """
        mail-prepare [--messages N] [--rounds R]
            Parses N messages of the intake mix (default 2,000) with MimeKit, reads their text and folds its quoted
            history as intake does, R times (default 7); prints microseconds per message for each step and in all
            (medians), and what showing one HTML message costs (parsing it again and sanitizing its HTML, show_html_us).
        """;

    public static int Run(Options options)
    {
        var count = options.Int("messages", 2000);
        var rounds = options.Int("rounds", 7);
        options.EnsureAllRead();
        var mix = new MailMix("prep", 0, "help@bench.example", 7);
        var raws = Enumerable.Range(0, count).Select(_ => mix.Next().Raw).ToArray();
        var content = new MessageContent(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<MessageContent>.Instance);
        var html = 0;
        long checksum = 0;
        // Per message, one value a round; the median is Latencies' 50th percentile (in ms).
        Latencies parse = new(), body = new(), fold = new(), total = new(), show = new();
        for (var round = 0; round < rounds + 1; round++)
        {
            var messages = new MimeKit.MimeMessage?[raws.Length];
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < raws.Length; i++)
            {
                messages[i] = MailReader.Parse(raws[i]).Message;
            }
            var parsed = Stopwatch.GetTimestamp();
            // As intake reads the body: the text part (the HTML only when there is none, for its text); whether there
            // is HTML to show from the raw message later (0044).
            var texts = new string[raws.Length];
            html = 0;
            for (var i = 0; i < messages.Length; i++)
            {
                var message = messages[i]!;
                var text = message.TextBody;
                texts[i] = string.IsNullOrWhiteSpace(text) ? content.From(null, MailHtml.HtmlPartOf(message), CancellationToken.None).Text : text.Trim();
                html += MailHtml.MayHaveHtml(message) ? 1 : 0;
            }
            var sanitized = Stopwatch.GetTimestamp();
            // Showing the HTML of those that have it, as MailHtml does when a ticket is opened: parse again and sanitize.
            for (var i = 0; i < messages.Length; i++)
            {
                if (MailHtml.MayHaveHtml(messages[i]!))
                {
                    checksum += content.Sanitize(MailHtml.HtmlPartOf(MailReader.Parse(raws[i]).Message!), CancellationToken.None)?.Length ?? 0;
                }
            }
            var shown = Stopwatch.GetTimestamp();
            for (var i = 0; i < texts.Length; i++)
            {
                checksum += MailReader.FoldQuotedText(texts[i]).Length;
            }
            var folded = Stopwatch.GetTimestamp() - (shown - sanitized);
            if (round == 0)
            {
                continue; // warm-up
            }
            parse.Add(PerMessage(start, parsed));
            body.Add(PerMessage(parsed, sanitized));
            fold.Add(PerMessage(sanitized, folded));
            total.Add(PerMessage(start, folded));
            show.Add(Stopwatch.GetElapsedTime(sanitized, shown) / Math.Max(1, html));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mail-prepare messages={count} html={html} mean_kb={raws.Average(r => r.Length) / 1024.0:F1} rounds={rounds} " +
            $"parse_us={Median(parse):F1} body_us={Median(body):F1} fold_us={Median(fold):F1} total_us={Median(total):F1} " +
            $"per_second_one_thread={1_000_000 / Median(total):F0} show_html_us={Median(show):F1} checksum={checksum}"));
        return 0;

        TimeSpan PerMessage(long from, long to) => Stopwatch.GetElapsedTime(from, to) / raws.Length;
    }

    private static double Median(Latencies perMessage) => perMessage.Percentile(50) * 1000;
}
