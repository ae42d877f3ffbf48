using System.Globalization;
using System.Text.Json;
using Rapport.Features.ReplyCheck;

namespace Rapport.Tests.Features.ReplyCheck;

/// <summary>How well the reply check finds unanswered questions and complaints, on a labelled set built from real customer
/// text (Evaluation/README.md says how). Prints the figures; fails when they drop below the floors reached.</summary>
public sealed class ReplyCheckEvaluationTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Features", "ReplyCheck", "Evaluation");

    [Fact]
    public void UnansweredQuestions_PrecisionAndRecall_StayAboveTheFloors()
    {
        var queries = ReadCsv("banking77-sample.csv").GroupBy(r => r[1]).ToDictionary(g => g.Key, g => g.Select(r => r[0]).ToList());
        var answers = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Folder, "answers.json")))!;
        var random = new Random(77);
        int truePositive = 0, falsePositive = 0, falseNegative = 0, trueNegative = 0, questions = 0;
        var intents = queries.Keys.Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < 200; i++)
        {
            // A customer message of 2 or 3 real queries on different subjects; a draft that answers some of them.
            var asked = intents.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).ToList();
            var texts = asked.Select(intent => queries[intent][random.Next(queries[intent].Count)]).ToList();
            var answered = asked.Where(_ => random.NextDouble() < 0.5).ToHashSet();
            var message = "Hello,\n" + string.Join("\n", texts) + "\nThanks, Alex";
            var draft = "Hi Alex,\n\n" + string.Join("\n", asked.Where(answered.Contains).Select(intent => answers[intent])) + "\n\nBest regards,\nDana";

            var result = ReplyChecker.Check([message], draft);
            for (var q = 0; q < asked.Count; q++)
            {
                questions++;
                var query = texts[q];
                var found = result.Questions.Where(x => query.Contains(x.Text.Trim(), StringComparison.Ordinal)).ToList();
                // One question may come out as several asks (sentences); the draft addresses it when it covers any of them.
                var flaggedUnanswered = found.Count > 0 && found.All(x => !x.Covered);
                var reallyUnanswered = !answered.Contains(asked[q]);
                if (Environment.GetEnvironmentVariable("REPLYCHECK_DIAG") is { } diag && flaggedUnanswered != reallyUnanswered)
                {
                    File.AppendAllText(diag, $"{(reallyUnanswered ? "MISSED" : "FALSE")}\t{asked[q]}\t{query}\t{(found.Count == 0 ? "not found" : string.Join(" | ", found.Select(x => x.Why)))}\n");
                }
                (truePositive, falsePositive, falseNegative, trueNegative) = (flaggedUnanswered, reallyUnanswered) switch
                {
                    (true, true) => (truePositive + 1, falsePositive, falseNegative, trueNegative),
                    (true, false) => (truePositive, falsePositive + 1, falseNegative, trueNegative),
                    (false, true) => (truePositive, falsePositive, falseNegative + 1, trueNegative),
                    _ => (truePositive, falsePositive, falseNegative, trueNegative + 1),
                };
            }
        }
        var precision = (double)truePositive / (truePositive + falsePositive);
        var recall = (double)truePositive / (truePositive + falseNegative);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"unanswered questions: {questions} questions in 200 messages; precision {precision:F3}, recall {recall:F3} (tp {truePositive}, fp {falsePositive}, fn {falseNegative}, tn {trueNegative})"));

        precision.ShouldBeGreaterThanOrEqualTo(PrecisionFloor);
        recall.ShouldBeGreaterThanOrEqualTo(RecallFloor);
    }

    [Fact]
    public void Complaints_PrecisionAndRecall_StayAboveTheFloors()
    {
        int truePositive = 0, falsePositive = 0, falseNegative = 0;
        foreach (var row in ReadCsv("complaints.csv"))
        {
            var detected = ReplyChecker.Check([row[0]], "Hi,\nThanks!\nDana").Complaint;
            var labelled = row[1] == "yes";
            if (Environment.GetEnvironmentVariable("REPLYCHECK_DIAG") is { } diag)
            {
                File.AppendAllText(diag, $"C\t{row[1]}\t{detected}\t{Sentiment.Shared.Score(row[0]):F3}\t{row[0]}\n");
            }
            truePositive += detected && labelled ? 1 : 0;
            falsePositive += detected && !labelled ? 1 : 0;
            falseNegative += !detected && labelled ? 1 : 0;
        }
        var precision = truePositive + falsePositive == 0 ? 0 : (double)truePositive / (truePositive + falsePositive);
        var recall = (double)truePositive / (truePositive + falseNegative);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"complaints: precision {precision:F3}, recall {recall:F3} (tp {truePositive}, fp {falsePositive}, fn {falseNegative})"));

        precision.ShouldBeGreaterThanOrEqualTo(ComplaintPrecisionFloor);
        recall.ShouldBeGreaterThanOrEqualTo(ComplaintRecallFloor);
    }

    // Floors: the figures reached, rounded down (README.md in Evaluation/ lists the measured values).
    private const double PrecisionFloor = 0.85;
    private const double RecallFloor = 0.83;
    private const double ComplaintPrecisionFloor = 0.80;
    private const double ComplaintRecallFloor = 0.92;

    private static List<string[]> ReadCsv(string name)
    {
        var rows = new List<string[]>();
        foreach (var line in File.ReadLines(Path.Combine(Folder, name)).Skip(1))
        {
            rows.Add(ParseCsvLine(line));
        }
        return rows;
    }

    private static string[] ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        fields.Add(current.ToString());
        return [.. fields];
    }
}
