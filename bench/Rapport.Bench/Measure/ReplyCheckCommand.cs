using System.Diagnostics;
using System.Globalization;
using Rapport.Features.ReplyCheck;

namespace Rapport.Bench.Measure;

/// <summary>Times the reply check: a long customer thread (about 2,000 words) against a 300-word draft, in process.</summary>
internal static class ReplyCheckCommand
{
    public const string Usage = """
        reply-check [--corpus FILE] [--iterations N]
            Times ReplyChecker.Check on a ~2,000-word thread of real customer queries (the CSV of the reply-check
            evaluation set, by default tests/Rapport.Tests/Features/ReplyCheck/Evaluation/banking77-sample.csv)
            against a ~300-word draft; prints words, median and p99 in ms.
        """;

    public static int Run(Options options)
    {
        var corpus = options.Optional("corpus") ?? Path.Combine("tests", "Rapport.Tests", "Features", "ReplyCheck", "Evaluation", "banking77-sample.csv");
        var iterations = options.Int("iterations", 300);
        options.EnsureAllRead();
        var queries = File.ReadLines(corpus).Skip(1).Select(l => l[..l.LastIndexOf(',')].Trim('"')).ToList();

        // Eight customer messages of real queries, about 2,000 words in all, each with greeting and quoted history.
        var messages = new List<string>();
        var words = 0;
        for (var m = 0; words < 2000; m++)
        {
            var body = string.Join("\n", queries.Skip(m * 12).Take(12));
            var message = $"Hello,\n{body}\nThanks,\nAlex\n\nOn Mon, 2 Mar 2026 at 09:00, Support <help@example.com> wrote:\n> Earlier answer {m}";
            messages.Add(message);
            words += Words.Tokens(message).Count;
        }
        var draftSentences = queries.Skip(200).Take(40).Select(q => "About that: " + q.TrimEnd('?') + ", we have sorted it and you will hear from us by Friday.");
        var draft = "Hi Alex,\n\n" + string.Join(" ", draftSentences);
        var draftWords = Words.Tokens(draft).Count;
        while (draftWords > 300)
        {
            draft = draft[..draft.LastIndexOf(". ", StringComparison.Ordinal)] + ".";
            draftWords = Words.Tokens(draft).Count;
        }
        draft += "\n\nBest regards,\nDana";

        for (var i = 0; i < 20; i++)
        {
            ReplyChecker.Check(messages, draft);
        }
        var latencies = new Latencies();
        ReplyCheckResult? last = null;
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            last = ReplyChecker.Check(messages, draft);
            latencies.Add(Stopwatch.GetElapsedTime(start));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reply-check: thread {words} words in {messages.Count} messages, draft {draftWords} words, {last!.Questions.Count} questions; " +
            $"median {latencies.Percentile(50):F2} ms, p99 {latencies.Percentile(99):F2} ms over {iterations} checks"));
        return 0;
    }
}
