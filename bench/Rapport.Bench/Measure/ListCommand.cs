using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Rapport.Bench.Measure;

/// <summary>`list`: latency of GET /api/v1/tickets, one request at a time, for the first page and for a deep page.
/// The deep page's cursor comes from walking the list once; then that same page is fetched repeatedly.</summary>
internal static class ListCommand
{
    public const string Usage =
        """
        list --url http://127.0.0.1:5080 --token <read token> [--limit 50] [--requests 2000] [--warmup 8 (seconds)]
             [--deep-page 1000] [--filter "status=open"]
            Sequential requests (one client); prints p50/p90/p99 for page 1 and for page --deep-page (0 to skip).
        """;

    public static async Task<int> RunAsync(Options options)
    {
        var url = options.Required("url");
        var token = options.Required("token");
        var limit = options.Int("limit", 50);
        var requests = options.Int("requests", 2000);
        var warmup = options.Seconds("warmup", 8);
        var deepPage = options.Int("deep-page", 1000);
        var filter = options.Optional("filter");
        options.EnsureAllRead();

        using var http = ApiClient.Create(url, token, 1);
        var basePath = string.Create(CultureInfo.InvariantCulture, $"api/v1/tickets?limit={limit}") + (filter is null ? "" : "&" + filter);
        var label = filter is null ? "" : $" filter={filter}";

        // Warm up first, for a while rather than a number of requests: the JIT recompiles hot methods in the
        // background over several seconds, and until then latencies are about twice as high. Both query shapes
        // (without and with a cursor) are exercised.
        var (_, second) = await FetchAsync(http, basePath);
        var warm = Stopwatch.StartNew();
        for (var i = 0; warm.Elapsed < warmup; i++)
        {
            await FetchAsync(http, i % 2 == 0 || second is null ? basePath : $"{basePath}&after={second}", parse: false);
        }
        string? deepPath = null;
        var reached = 1;
        if (deepPage > 1)
        {
            var walk = Stopwatch.StartNew();
            string? cursor = null;
            while (reached < deepPage)
            {
                var (_, next) = await FetchAsync(http, cursor is null ? basePath : $"{basePath}&after={cursor}");
                if (next is null)
                {
                    break;
                }
                cursor = next;
                reached++;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"walk pages={reached} seconds={walk.Elapsed.TotalSeconds:F1} per_page_ms={walk.Elapsed.TotalMilliseconds / Math.Max(1, reached - 1):F2}{label}"));
            deepPath = cursor is null ? null : $"{basePath}&after={cursor}";
        }
        await MeasureAsync(http, basePath, "1" + label, limit, requests, 100);
        if (deepPath is not null)
        {
            await MeasureAsync(http, deepPath, reached.ToString(CultureInfo.InvariantCulture) + label, limit, requests, 100);
        }
        return 0;
    }

    private static async Task MeasureAsync(HttpClient http, string path, string page, int limit, int requests, int warmup)
    {
        var (items, _) = await FetchAsync(http, path);
        for (var i = 0; i < warmup; i++)
        {
            await FetchAsync(http, path, parse: false);
        }
        var latencies = new Latencies();
        for (var i = 0; i < requests; i++)
        {
            var clock = Stopwatch.StartNew();
            await FetchAsync(http, path, parse: false);
            latencies.Add(clock.Elapsed);
        }
        Console.WriteLine($"list page={page} items={items} limit={limit} requests={requests} {latencies.Summary()}");
    }

    private static async Task<(int Items, string? Next)> FetchAsync(HttpClient http, string path, bool parse = true)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        if (!parse)
        {
            return (0, null);
        }
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        var root = json.RootElement;
        var next = root.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        return (root.GetProperty("items").GetArrayLength(), next);
    }
}
