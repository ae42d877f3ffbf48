using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Rapport.Bench.Measure;

/// <summary>`create`: a bounded, closed-loop client for POST /api/v1/tickets (each client sends its next request
/// when the previous one is answered), for machines without wrk. Payloads match bench/wrk/create-ticket.lua.</summary>
internal static class CreateCommand
{
    public const string Usage =
        """
        create --url http://127.0.0.1:5080 --token <write token> [--clients 8] [--duration 10] [--warmup 3]
            Closed-loop ticket creation; prints creates/s and p50/p90/p99 latency of the measured period.
        """;

    private static readonly string[] Subjects =
        ["Invoice {0} charged twice", "Can't log in since the update", "Where is my order #{0}?", "Refund for order #{0}", "Card declined on invoice {0}"];

    private static readonly string[] Tags = ["billing", "login", "shipping", "refund", "vip", "bug"];

    public static async Task<int> RunAsync(Options options)
    {
        var url = options.Required("url");
        var token = options.Required("token");
        var clients = options.Int("clients", 8);
        var duration = options.Seconds("duration", 10);
        var warmup = options.Seconds("warmup", 3);
        options.EnsureAllRead();

        using var http = ApiClient.Create(url, token, clients);
        var run = Guid.NewGuid().ToString("N")[..8];
        if (warmup > TimeSpan.Zero)
        {
            await RunPhaseAsync(http, clients, warmup, run + "w");
        }
        var (created, failed, elapsed, latencies) = await RunPhaseAsync(http, clients, duration, run);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"create clients={clients} seconds={elapsed.TotalSeconds:F1} created={created} failed={failed} per_second={created / elapsed.TotalSeconds:F0} {latencies.Summary()}"));
        return failed == 0 ? 0 : 1;
    }

    private static async Task<(long Created, long Failed, TimeSpan Elapsed, Latencies Latencies)> RunPhaseAsync(
        HttpClient http, int clients, TimeSpan duration, string run)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var latencies = new Latencies();
            long created = 0, failed = 0;
            var random = new Random(c);
            for (var i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
            {
                using var content = new StringContent(Payload(random, run, c, i), Encoding.UTF8, "application/json");
                var start = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync("api/v1/tickets", content);
                await response.Content.ReadAsByteArrayAsync();
                latencies.Add(Stopwatch.GetElapsedTime(start));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    created++;
                }
                else if (failed++ == 0)
                {
                    Console.Error.WriteLine($"POST returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
            return (created, failed, latencies);
        })).ToList();
        var results = await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        var all = new Latencies();
        foreach (var r in results)
        {
            all.AddRange(r.latencies);
        }
        return (results.Sum(r => r.created), results.Sum(r => r.failed), elapsed, all);
    }

    /// <summary>Two requests in three come from a new customer; the third from one this client created before.</summary>
    private static string Payload(Random random, string run, int client, int i)
    {
        var customer = i % 3 == 2 ? random.Next(0, i) / 3 * 3 : i;
        var number = random.Next(1000, 99999);
        var tags = Enumerable.Range(0, random.Next(0, 3)).Select(_ => Tags[random.Next(Tags.Length)]).Distinct().ToArray();
        return JsonSerializer.Serialize(new
        {
            subject = string.Format(CultureInfo.InvariantCulture, Subjects[number % Subjects.Length], number),
            customer = new { email = $"load-{run}-{client}-{customer}@load.example", name = $"Load Customer {client}-{customer}" },
            message = new { text = $"Hello,\n\nplease look into request {number}. It happened again this morning.\n\nThanks" },
            priority = "normal",
            tags,
        });
    }
}
