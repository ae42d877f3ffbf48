using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Rapport.Data;
using Rapport.Features.Search;

namespace Rapport.Bench.Measure;

/// <summary>`search-index`: builds the search index of a generated database in process, from an empty index, with
/// nothing else running, and prints what it cost per message: the indexer's own work apart from a busy app.</summary>
internal static class SearchIndexCommand
{
    public const string Usage =
        """
        search-index --provider sqlite|postgres --connection "<connection string>"
            Empties the search index, indexes the whole change record again and prints messages per second.
        """;

    public static async Task<int> RunAsync(Options options)
    {
        var factory = new BenchContexts(options.Required("provider").ToLowerInvariant(), options.Required("connection"));
        options.EnsureAllRead();
        await using (var db = factory.CreateDbContext())
        {
            await db.SearchEntries.ExecuteDeleteAsync();
            await db.ConsumerPositions.Where(p => p.Name == "search").ExecuteDeleteAsync();
        }
        var indexer = new SearchIndexer(factory, new CommitSignal(), TimeProvider.System, NullLogger<SearchIndexer>.Instance);
        var started = Stopwatch.GetTimestamp();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var indexed = await indexer.RunOnceAsync(CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"search-index messages={indexed} seconds={elapsed.TotalSeconds:F1} per_s={indexed / elapsed.TotalSeconds:F0} cpu_ms_per_message={cpuUsed.TotalMilliseconds / Math.Max(1, indexed):F3}"));
        return 0;
    }
}
