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
            Parses N messages of the intake mix (default 2,000) with MimeKit, sanitizes their HTML and folds their
            quoted text, R times (default 7); prints microseconds per message for each step and in all (medians).
        """;

    public static int Run(Options options)
    {
        var count = options.Int("messages", 2000);
        var rounds = options.Int("rounds", 7);
        options.EnsureAllRead();
        var mix = new MailMix("prep", 0, "help@bench.example", 7);
        var raws = Enumerable.Range(0, count).Select(_ => mix.Next().Raw).ToArray();
        var content = new MessageContent();
        var html = 0;
        long checksum = 0;
        // Per message, one value a round; the median is Latencies' 50th percentile (in ms).
        Latencies parse = new(), body = new(), fold = new(), total = new();
        for (var round = 0; round < rounds + 1; round++)
        {
            var messages = new MimeKit.MimeMessage?[raws.Length];
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < raws.Length; i++)
            {
                messages[i] = MailReader.Parse(raws[i]).Message;
            }
            var parsed = Stopwatch.GetTimestamp();
            var texts = new string[raws.Length];
            html = 0;
            for (var i = 0; i < messages.Length; i++)
            {
                var message = messages[i]!;
                var htmlBody = message.HtmlBody;
                html += htmlBody is null ? 0 : 1;
                var result = content.From(message.TextBody, htmlBody);
                texts[i] = result.Text;
                checksum += result.Html?.Length ?? 0;
            }
            var sanitized = Stopwatch.GetTimestamp();
            for (var i = 0; i < texts.Length; i++)
            {
                checksum += MailReader.FoldQuotedText(texts[i]).Length;
            }
            var folded = Stopwatch.GetTimestamp();
            if (round == 0)
            {
                continue; // warm-up
            }
            parse.Add(PerMessage(start, parsed));
            body.Add(PerMessage(parsed, sanitized));
            fold.Add(PerMessage(sanitized, folded));
            total.Add(PerMessage(start, folded));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mail-prepare messages={count} html={html} mean_kb={raws.Average(r => r.Length) / 1024.0:F1} rounds={rounds} " +
            $"parse_us={Median(parse):F1} body_us={Median(body):F1} fold_us={Median(fold):F1} total_us={Median(total):F1} " +
            $"per_second_one_thread={1_000_000 / Median(total):F0} checksum={checksum}"));
        return 0;

        TimeSpan PerMessage(long from, long to) => Stopwatch.GetElapsedTime(from, to) / raws.Length;
    }

    private static double Median(Latencies perMessage) => perMessage.Percentile(50) * 1000;
}
