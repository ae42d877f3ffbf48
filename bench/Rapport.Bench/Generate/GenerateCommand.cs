using System.Diagnostics;
using System.Globalization;
using Rapport.Features.Sla;

namespace Rapport.Bench.Generate;

/// <summary>`generate`: fills a migrated Rapport database with a realistic desk of the requested size.</summary>
internal static class GenerateCommand
{
    public const string Usage =
        """
        generate --provider sqlite|postgres --connection "<connection string>" --tickets N
                 [--seed S] [--now 2026-11-01T00:00:00Z] [--years 2] [--open-share S] [--app path/to/Rapport.dll]
                 [--no-analyze] [--dry-run]
            Bulk-loads customers, organisations, tickets, messages, tags and events. With --app, first runs that
            app's `migrate` command against the database; otherwise the database must already be migrated.
            --open-share S keeps each ticket that would be resolved or closed by now open with probability S
            (0 to 1; 1 makes every ticket open). --dry-run generates without a database, to time the generator alone.
        """;

    public static int Run(Options options)
    {
        var dryRun = options.Flag("dry-run");
        var provider = dryRun ? options.Optional("provider") ?? "none" : options.Required("provider").ToLowerInvariant();
        var connection = dryRun ? "" : options.Required("connection");
        var tickets = options.Long("tickets", 0);
        var seed = options.Int("seed", 1);
        var now = options.Optional("now") is { } text
            ? DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
            : new DateTime(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var years = options.Int("years", 2);
        var app = options.Optional("app");
        var analyze = !options.Flag("no-analyze");
        var openShare = options.Optional("open-share") is { } shareText
            ? double.TryParse(shareText, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1
                ? share
                : throw new UsageException("--open-share must be a number from 0 to 1.")
            : (double?)null;
        options.EnsureAllRead();
        if (tickets <= 0)
        {
            throw new UsageException("--tickets must be at least 1.");
        }
        if (provider is not ("sqlite" or "postgres" or "none"))
        {
            throw new UsageException("--provider must be sqlite or postgres.");
        }

        if (dryRun)
        {
            var counter = new CountingSink();
            var clock = Stopwatch.StartNew();
            var dry = new DataGenerator(new DataGenerator.Settings(tickets, seed, now, TimeSpan.FromDays(365.25 * years), [1, 2, 3],
                new StartIds(1, 1, 1, 1, 1, 1), Calendar("Europe/Berlin"), openShare), counter);
            dry.Run();
            Report("generated (no database)", dry.Counts, clock.Elapsed, clock.Elapsed);
            return 0;
        }

        if (app is not null)
        {
            AppMigrator.Migrate(app, provider, connection);
        }

        using ILoader loader = provider == "sqlite" ? new SqliteLoader(connection) : new PostgresLoader(connection);
        Log($"loading into {loader.Describe}");
        loader.VerifySchema();
        var agents = loader.AgentIds();
        var start = loader.NextIds();
        if (agents.Count == 0)
        {
            Log("no agents in the database (run the app's `setup` first for owned tickets and agent replies); tickets stay unassigned");
        }
        var generator = new DataGenerator(new DataGenerator.Settings(tickets, seed, now, TimeSpan.FromDays(365.25 * years), agents, start,
            Calendar(loader.BusinessTimeZone()), openShare), loader);

        var total = Stopwatch.StartNew();
        loader.Begin();
        try
        {
            generator.Run(done => Log($"{done:N0} tickets ({done / total.Elapsed.TotalSeconds:N0}/s)"));
            var loaded = total.Elapsed;
            Log($"rows written in {loaded.TotalSeconds:N1} s");
            loader.Complete(Log);
            Log($"indexes rebuilt after {total.Elapsed.TotalSeconds:N1} s");
            if (analyze)
            {
                loader.Analyze();
                Log($"statistics gathered after {total.Elapsed.TotalSeconds:N1} s");
            }
            loader.Finish();
            Report($"loaded into {provider}", generator.Counts, loaded, total.Elapsed);
            return 0;
        }
        catch (Exception)
        {
            loader.Abort();
            throw;
        }
    }

    /// <summary>The calendar a freshly set-up desk counts SLA time in (SlaClock without saved hours or holidays).</summary>
    private static BusinessCalendar Calendar(string? zoneId) =>
        BusinessCalendar.OfficeHours(TimeZoneInfo.TryFindSystemTimeZoneById(zoneId ?? "UTC", out var zone) ? zone : TimeZoneInfo.Utc);

    private static void Report(string what, RowCounts counts, TimeSpan rowsTime, TimeSpan totalTime)
    {
        Console.WriteLine($"{what}: {counts}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows={counts.Total} tickets={counts.Tickets} rows_seconds={rowsTime.TotalSeconds:F1} total_seconds={totalTime.TotalSeconds:F1} " +
            $"rows_per_second={counts.Total / rowsTime.TotalSeconds:F0} tickets_per_second_overall={counts.Tickets / totalTime.TotalSeconds:F0}"));
    }

    private static void Log(string message) => Console.Error.WriteLine($"[generate {DateTime.UtcNow:HH:mm:ss}] {message}");

    private sealed class CountingSink : IRowSink
    {
        public void Add(in OrganizationRow row) { }
        public void Add(in CustomerRow row) { }
        public void Add(in CustomerEmailRow row) { }
        public void Add(in TicketRow row) { }
        public void Add(in MessageRow row) { }
        public void Add(in TicketEventRow row) { }
        public void Add(in TicketTagRow row) { }
    }
}
