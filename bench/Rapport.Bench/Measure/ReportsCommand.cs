using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Reports;
using Rapport.Features.Sla;

namespace Rapport.Bench.Measure;

/// <summary>Times the SLA report (<see cref="ReportBuilder"/>) in process against a generated database: the queries,
/// business-hours arithmetic and percentiles, without HTTP.</summary>
internal static class ReportsCommand
{
    public const string Usage = """
        reports --provider sqlite|postgres --connection "<connection string>" [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                [--agent ID] [--iterations N] [--warmup N]
            Builds the SLA report N times (default 5, after 1 warm-up) over the range (default: the last eight weeks;
            with --from only, 366 days from there) and prints the tickets and messages it read and the median time in ms.
        """;

    public static async Task<int> RunAsync(Options options)
    {
        var provider = options.Required("provider").ToLowerInvariant();
        var connection = options.Required("connection");
        var from = Day(options.Optional("from"));
        var to = Day(options.Optional("to"));
        var agent = options.Optional("agent") is { } a ? int.Parse(a, CultureInfo.InvariantCulture) : (int?)null;
        var iterations = options.Int("iterations", 5);
        var warmup = options.Int("warmup", 1);
        options.EnsureAllRead();
        if (from is not null && to is null)
        {
            to = from.Value.AddDays(ReportRange.MaxDays - 1);
        }

        var factory = new BenchContexts(provider, connection);
        var clock = new SlaClock(TimeProvider.System, new OwnerRouting(TimeProvider.System));
        var builder = new ReportBuilder(factory, clock, TimeProvider.System, []);
        SlaReport? report = null;
        for (var i = 0; i < warmup; i++)
        {
            report = await BuildAsync(builder, from, to, agent);
        }
        var latencies = new Latencies();
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            report = await BuildAsync(builder, from, to, agent);
            latencies.Add(Stopwatch.GetElapsedTime(start));
        }
        var range = new ReportRange(report!.From, report.To, TimeZoneInfo.FindSystemTimeZoneById(report.TimeZone));
        await using var db = factory.CreateDbContext();
        var (fromUtc, toUtc) = (range.FromUtc, range.ToUtc);
        var opened = await db.Tickets.CountAsync(t => t.CreatedAt >= fromUtc && t.CreatedAt < toUtc);
        var read = await db.Tickets.CountAsync(t => t.UpdatedAt >= fromUtc && t.CreatedAt < toUtc);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reports: {report.From:yyyy-MM-dd} to {report.To:yyyy-MM-dd} ({report.Weeks.Count} weeks, {report.TimeZone}), tickets opened in range {opened}, " +
            $"tickets read {read}, first responses {report.Total.FirstResponse.Count}, next responses {report.Total.NextResponse.Count}, " +
            $"resolutions {report.Total.Resolution.Count}, agents {report.Agents.Count}; " +
            $"median_ms={latencies.Percentile(50):F0} max_ms={latencies.Percentile(100):F0} over {iterations} builds"));
        return 0;
    }

    private static async Task<SlaReport> BuildAsync(ReportBuilder builder, DateOnly? from, DateOnly? to, int? agent)
    {
        var result = await builder.BuildAsync(from, to, agent, CancellationToken.None);
        return result.Report ?? throw new UsageException(string.Join(" ", result.Errors!.SelectMany(e => e.Value)));
    }

    private static DateOnly? Day(string? text) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new UsageException($"'{text}' is not a date (YYYY-MM-DD).");
}
