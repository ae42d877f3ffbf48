using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Search;
using Rapport.Features.Tickets;

namespace Rapport.Bench.Measure;

/// <summary>`search`: waits until the running app's search index has caught up with the change record (how long that
/// took since the app started indexing is the index build time), reports the index's size, then times
/// GET /api/v1/search, one request at a time, for the query shapes issue 25 sets targets for, with words picked from
/// the desk's own messages. Last it checks results against a plain scan: every ticket whose messages hold a sampled
/// rare word must be found.</summary>
internal static class SearchCommand
{
    public const string Usage =
        """
        search --url http://127.0.0.1:5080 --token <read token> --provider sqlite|postgres --connection "<connection string>"
               [--requests 200] [--warmup 3 (seconds)] [--wait 3600 (seconds)] [--checks 5] [--seed 1]
            Waits for the index, prints its size, then p50/p99 per query shape and the scan check's recall.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(Options options)
    {
        var url = options.Required("url");
        var token = options.Required("token");
        var factory = new BenchContexts(options.Required("provider").ToLowerInvariant(), options.Required("connection"));
        var requests = options.Int("requests", 200);
        var warmup = options.Seconds("warmup", 3);
        var wait = options.Seconds("wait", 3600);
        var checks = options.Int("checks", 5);
        var random = new Random(options.Int("seed", 1));
        options.EnsureAllRead();

        var waited = Stopwatch.StartNew();
        while (await BehindAsync(factory))
        {
            if (waited.Elapsed > wait)
            {
                Console.Error.WriteLine($"The index had not caught up after {wait.TotalSeconds:F0} s.");
                return 1;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        await using (var db = factory.CreateDbContext())
        {
            var entries = await db.SearchEntries.CountAsync();
            var messages = await db.Messages.CountAsync();
            var size = await IndexSizeMbAsync(db);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"search index caught_up_after_s={waited.Elapsed.TotalSeconds:F1} entries={entries} messages={messages} size_mb={size}"));
        }

        var queries = await PickQueriesAsync(factory, random);
        using var http = ApiClient.Create(url, token, 1);
        foreach (var (shape, q) in queries)
        {
            var path = "api/v1/search?limit=25&q=" + Uri.EscapeDataString(q);
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed < warmup)
            {
                await FetchAsync(http, path);
            }
            var latencies = new Latencies();
            var found = 0;
            for (var i = 0; i < requests; i++)
            {
                var start = Stopwatch.GetTimestamp();
                found = (await FetchAsync(http, path)).Items.Count;
                latencies.Add(Stopwatch.GetElapsedTime(start));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"search shape={shape} p50_ms={latencies.Percentile(50):F2} p99_ms={latencies.Percentile(99):F2} first_page={found} q={q}"));
        }

        var (words, expected, missed) = (0, 0, 0);
        foreach (var word in await RareWordsAsync(factory, random, checks))
        {
            var scanned = await ScanAsync(factory, word);
            var returned = new HashSet<long>();
            string? next = null;
            do
            {
                var page = await FetchAsync(http, "api/v1/search?limit=100&q=" + Uri.EscapeDataString(word) + (next is null ? "" : "&after=" + next));
                returned.UnionWith(page.Items.Select(i => i.Ticket.Id));
                next = page.Next;
            }
            while (next is not null && returned.Count < 5000);
            words++;
            expected += scanned.Count;
            missed += scanned.Count(id => !returned.Contains(id));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"search check words={words} tickets_by_scan={expected} missed={missed} recall={(expected == 0 ? 1 : 1 - (double)missed / expected):F3}"));
        return missed == 0 ? 0 : 1;
    }

    private static async Task<bool> BehindAsync(IDbContextFactory<RapportDb> factory)
    {
        await using var db = factory.CreateDbContext();
        var position = await db.ConsumerPositions.AsNoTracking().Where(p => p.Name == "search").Select(p => new FeedPosition(p.Tx, p.EventId)).ToListAsync();
        return position.Count == 0 || (await TicketFeed.ReadAsync(db, position[0], 1, CancellationToken.None)).Count > 0;
    }

    private static async Task<string> IndexSizeMbAsync(RapportDb db)
    {
        try
        {
            var bytes = db.Database.IsSqlite()
                ? await db.Database.SqlQuery<long>($"""
                    SELECT COALESCE(SUM("pgsize"), 0) AS "Value" FROM "dbstat" WHERE "name" LIKE 'SearchText%' OR "name" LIKE '%SearchEntries%'
                    """).SingleAsync()
                : await db.Database.SqlQuery<long>($"""SELECT pg_total_relation_size('"SearchEntries"') AS "Value" """).SingleAsync();
            return (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException)
        {
            return "unknown"; // a SQLite build without the dbstat table
        }
    }

    /// <summary>The query shapes of issue 25's targets, with words from a sample of the desk's messages.</summary>
    private static async Task<List<(string Shape, string Query)>> PickQueriesAsync(IDbContextFactory<RapportDb> factory, Random random)
    {
        var sample = await SampleTextsAsync(factory, random, 400);
        var frequency = sample.SelectMany(t => SearchTerms.Words(t).Distinct()).Where(w => w.Length >= 5 && !w.Any(char.IsDigit))
            .CountBy(w => w).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var common = frequency[0].Key;
        var rare = (await RareWordsAsync(factory, random, 1)).FirstOrDefault() ?? frequency[^1].Key;
        var phraseSource = SearchTerms.Words(sample.First(t => SearchTerms.Words(t).Length >= 6));
        var at = random.Next(phraseSource.Length - 2);
        await using var db = factory.CreateDbContext();
        var address = await db.CustomerEmails.AsNoTracking().OrderBy(e => e.Id).Skip(random.Next(Math.Max(1, await db.CustomerEmails.CountAsync())))
            .Select(e => e.Address).FirstAsync();
        var tag = await db.TicketTags.AsNoTracking().GroupBy(t => t.Name).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefaultAsync() ?? "billing";
        var newest = await db.Tickets.MaxAsync(t => t.UpdatedAt);
        return
        [
            ("rare-word", rare),
            ("common-word", common),
            ("phrase", $"\"{phraseSource[at]} {phraseSource[at + 1]}\""),
            ("from-address", $"from:{address}"),
            ("word-and-filters", string.Create(CultureInfo.InvariantCulture, $"{common} status:open tag:{tag} after:{newest.AddDays(-60):yyyy-MM-dd}")),
            ("prefix", frequency[Math.Min(5, frequency.Count - 1)].Key[..4] + "*"),
        ];
    }

    /// <summary>Words (order and invoice numbers and the like, with digits) that stand in only a few messages.</summary>
    private static async Task<List<string>> RareWordsAsync(IDbContextFactory<RapportDb> factory, Random random, int count)
    {
        var sample = await SampleTextsAsync(factory, random, 50);
        return sample.SelectMany(SearchTerms.Words).Where(w => w.Length >= 4 && w.Any(char.IsDigit))
            .Distinct().OrderBy(_ => random.Next()).Take(count).ToList();
    }

    private static async Task<List<string>> SampleTextsAsync(IDbContextFactory<RapportDb> factory, Random random, int count)
    {
        await using var db = factory.CreateDbContext();
        var max = await db.Messages.MaxAsync(m => m.Id);
        var ids = Enumerable.Range(0, count * 2).Select(_ => random.NextInt64(1, max + 1)).ToList();
        return await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id) && m.Kind != MessageKind.Note).Select(m => m.Text).Take(count).ToListAsync();
    }

    /// <summary>The tickets with a message whose folded words hold <paramref name="word"/>, by reading the messages.</summary>
    private static async Task<HashSet<long>> ScanAsync(IDbContextFactory<RapportDb> factory, string word)
    {
        await using var db = factory.CreateDbContext();
        var pattern = "%" + word + "%";
        var candidates = db.Database.IsSqlite()
            ? await db.Messages.AsNoTracking().Where(m => EF.Functions.Like(m.Text, pattern)).Select(m => new { m.TicketId, m.Text }).ToListAsync()
            : await db.Messages.AsNoTracking().Where(m => EF.Functions.ILike(m.Text, pattern)).Select(m => new { m.TicketId, m.Text }).ToListAsync();
        return candidates.Where(c => SearchTerms.Words(c.Text).Contains(word)).Select(c => c.TicketId).ToHashSet();
    }

    private static async Task<SearchPage> FetchAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        if (!response.IsSuccessStatusCode)
        {
            throw new UsageException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return await response.Content.ReadFromJsonAsync<SearchPage>(Json) ?? throw new UsageException($"GET {path} returned nothing.");
    }

    private sealed record SearchPage(List<SearchItem> Items, string? Next);

    private sealed record SearchItem(TicketRef Ticket);

    private sealed record TicketRef(long Id);
}
