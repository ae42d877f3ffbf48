using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;

namespace Rapport.Bench.Measure;

/// <summary>Times the deadline watch's query for tickets due for a warning (<see cref="SlaWatch.DueForWarning"/>, the
/// app's own LINQ through its DbContext) on a generated database, and shows the database's plan for it.</summary>
internal static class WarnScanCommand
{
    public const string Usage = """
        warn-scan --provider sqlite|postgres --connection "<connection string>" [--now INSTANT] [--at INSTANT[,INSTANT...]]
                  [--iterations N] [--warmup N]
            Runs the deadline watch's "due for a warning" query (SlaWatch.DueForWarning with the watch's projection)
            N times (default 200, after 20 warm-up runs) at each instant, by default 1 minute, 1 hour and 8 hours after
            --now (give the generator's --now: the watch kept up until then; default: when the newest ticket was
            created). Prints the tickets due for a warning, the rows read (the batch is 200),
            median and p99 in ms per instant and over all, and the plan (SQLite EXPLAIN QUERY PLAN, PostgreSQL
            EXPLAIN (ANALYZE, BUFFERS)) at the first instant. Target: 10 ms at 1M open tickets.
        """;

    private const double TargetMs = 10;

    public static async Task<int> RunAsync(Options options)
    {
        var provider = options.Required("provider").ToLowerInvariant();
        var connection = options.Required("connection");
        var reference = options.Optional("now") is { } nowText ? Instant(nowText) : (DateTime?)null;
        var at = options.Optional("at");
        var iterations = options.Int("iterations", 200);
        var warmup = options.Int("warmup", 20);
        options.EnsureAllRead();

        await using var db = new BenchContexts(provider, connection).CreateDbContext();
        var open = await db.Tickets.CountAsync(t => t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed);
        var total = await db.Tickets.CountAsync();
        var newest = reference ?? await db.Tickets.MaxAsync(t => (DateTime?)t.CreatedAt) ?? throw new UsageException("The database has no tickets.");
        var instants = at is null
            ? new[] { TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromHours(8) }.Select(d => newest + d).ToArray()
            : at.Split(',').Select(Instant).ToArray();
        var running = await db.Tickets.CountAsync(t => t.DueAt > instants[0]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warn-scan: {provider}, {total:N0} tickets, {open:N0} open, {running:N0} with a deadline after {instants[0]:yyyy-MM-dd HH:mm}Z"));
        Console.WriteLine(await PlanAsync(db, provider, instants[0]));

        var all = new Latencies();
        foreach (var now in instants)
        {
            var found = 0;
            for (var i = 0; i < warmup; i++)
            {
                found = (await QueryAsync(db, now)).Count;
            }
            var latencies = new Latencies();
            for (var i = 0; i < iterations; i++)
            {
                var start = Stopwatch.GetTimestamp();
                found = (await QueryAsync(db, now)).Count;
                latencies.Add(Stopwatch.GetElapsedTime(start));
            }
            var due = await db.Tickets.CountAsync(t => t.WarnAt <= now && t.DueAt > now && (t.WarnedFor == null || t.WarnedFor != t.DueAt));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warn-scan at {now:yyyy-MM-dd HH:mm}Z (+{now - newest:g}): due for a warning {due:N0}, batch read {found}; " +
                $"median_ms={latencies.Percentile(50):F2} p99_ms={latencies.Percentile(99):F2} max_ms={latencies.Percentile(100):F2} over {iterations} queries"));
            all.AddRange(latencies);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warn-scan: {provider} tickets={total} open={open} median_ms={all.Percentile(50):F2} p99_ms={all.Percentile(99):F2} " +
            $"ratio_to_target={all.Percentile(50) / TargetMs:F2} (target {TargetMs} ms; below 1 is within it)"));
        return 0;
    }

    /// <summary>The watch's query with the watch's projection (the same columns it reads).</summary>
    private static IQueryable<object> Query(RapportDb db, DateTime now) =>
        SlaWatch.DueForWarning(db.Tickets.AsNoTracking(), now).Select(t => new { t.Id, t.Subject, DueAt = t.DueAt!.Value, t.DueFor, t.OwnerId });

    private static Task<List<object>> QueryAsync(RapportDb db, DateTime now) => Query(db, now).ToListAsync();

    private static async Task<string> PlanAsync(RapportDb db, string provider, DateTime now)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            await using DbCommand command = Query(db, now).CreateDbCommand();
            var sql = command.CommandText;
            command.CommandText = (provider == "sqlite" ? "EXPLAIN QUERY PLAN " : "EXPLAIN (ANALYZE, BUFFERS) ") + sql;
            var plan = new StringBuilder();
            plan.AppendLine("query:").AppendLine(Indent(sql)).AppendLine("plan:");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                // SQLite: id, parent, notused, detail; PostgreSQL: one line of text per row.
                plan.Append("  ").AppendLine(reader.GetString(reader.FieldCount - 1));
            }
            return plan.ToString().TrimEnd();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static DateTime Instant(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new UsageException($"'{text}' is not an instant (e.g. 2026-11-01T00:00:00Z).");

    private static string Indent(string text) => "  " + text.ReplaceLineEndings("\n  ");
}
