using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Rapport.Bench.Measure;

/// <summary>`intake`: a closed-loop client for POST /api/v1/inbound/mime (raw MIME, one message per request) with
/// the <see cref="MailMix"/> of typical support mail.</summary>
internal static class IntakeCommand
{
    public const string Usage =
        """
        intake --url http://127.0.0.1:5080 --token <write token> [--mailbox bench] [--clients 8] [--duration 10] [--warmup 3]
               [--owner-email E --owner-password P] [--ring 500] [--app-pid PID] [--hostile-percent 0]
            Closed-loop raw MIME intake into the named mailbox; prints messages/s, p50/p90/p99 latency, the outcomes and
            this client's CPU time per message (with --app-pid, the app's too, read from /proc over the measured phase).
            Each client makes --ring messages of the mix before the clock starts and sends them in laps, each lap
            under new Message-IDs and senders (see MailRing).
            With the owner's sign-in it first creates the mailbox (address <mailbox>@bench.example) if it is missing.
            With --hostile-percent P, P% of the messages are HTML-only mail with ~100 KB of hostile HTML (deep nesting,
            mis-nested formatting, thousands of attributes: see HostileHtml); their latency is printed apart
            (hostile_p50_ms, hostile_max_ms) from the others' (p50_ms … of all, other_p99_ms).
        """;

    public static async Task<int> RunAsync(Options options)
    {
        var url = options.Required("url");
        var token = options.Required("token");
        var mailbox = options.Optional("mailbox") ?? "bench";
        var clients = options.Int("clients", 8);
        var duration = options.Seconds("duration", 10);
        var warmup = options.Seconds("warmup", 3);
        var ownerEmail = options.Optional("owner-email");
        var ownerPassword = options.Optional("owner-password");
        var ring = options.Int("ring", 500);
        var appPid = options.Optional("app-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : (int?)null;
        var hostilePercent = options.Int("hostile-percent", 0);
        options.EnsureAllRead();

        var address = $"{mailbox}@bench.example";
        if (ownerEmail is not null)
        {
            using var owner = await OwnerSession.SignInAsync(url, ownerEmail, ownerPassword ?? throw new UsageException("--owner-password is required with --owner-email."));
            await OwnerSession.EnsureMailboxAsync(owner, new { name = mailbox, address }, mailbox);
        }
        using var http = ApiClient.Create(url, token, clients);
        var rings = Enumerable.Range(0, clients).Select(c => new MailRing("m", c, address, ring, hostilePercent)).ToArray();
        if (warmup > TimeSpan.Zero)
        {
            await RunPhaseAsync(http, mailbox, [.. Enumerable.Range(0, clients).Select(c => new MailRing("w", c, address, Math.Min(ring, 100), hostilePercent))], warmup, appPid);
        }
        var phase = await RunPhaseAsync(http, mailbox, rings, duration, appPid);
        var outcomes = string.Join(' ', phase.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}"));
        var app = phase.AppCpu is { } a ? string.Create(CultureInfo.InvariantCulture, $" app_cpu_ms={a.TotalMilliseconds / Math.Max(1, phase.Taken):F2}") : "";
        var hostile = hostilePercent == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $" hostile={phase.Hostile.Count} hostile_p50_ms={phase.Hostile.Percentile(50):F1} hostile_max_ms={phase.Hostile.Percentile(100):F1} other_p99_ms={phase.Others.Percentile(99):F2}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"intake clients={clients} seconds={phase.Elapsed.TotalSeconds:F1} taken={phase.Taken} failed={phase.Failed} per_second={phase.Taken / phase.Elapsed.TotalSeconds:F0} mean_kb={phase.Bytes / 1024.0 / Math.Max(1, phase.Taken + phase.Failed):F1} {phase.Latencies.Summary()} client_cpu_ms={phase.ClientCpu.TotalMilliseconds / Math.Max(1, phase.Taken):F2}{app}{hostile} {outcomes}"));
        return phase.Failed == 0 ? 0 : 1;
    }

    private sealed record Phase(long Taken, long Failed, long Bytes, TimeSpan Elapsed, Latencies Latencies, Latencies Hostile, Latencies Others,
        Dictionary<string, long> Outcomes, TimeSpan ClientCpu, TimeSpan? AppCpu);

    /// <summary>User and system CPU time of a process, from /proc (Linux); null where it cannot be read.</summary>
    private static TimeSpan? CpuOf(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat"))
        {
            return null;
        }
        // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static async Task<Phase> RunPhaseAsync(HttpClient http, string mailbox, MailRing[] rings, TimeSpan duration, int? appPid)
    {
        var self = System.Diagnostics.Process.GetCurrentProcess();
        var clientCpu = self.TotalProcessorTime;
        var appCpu = CpuOf(appPid);
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var path = "api/v1/inbound/mime?mailbox=" + Uri.EscapeDataString(mailbox);
        var clock = Stopwatch.StartNew();
        var workers = rings.Select(ring => Task.Run(async () =>
        {
            Latencies latencies = new(), hostile = new(), others = new();
            var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
            long taken = 0, failed = 0, bytes = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var (raw, isHostile) = ring.Next();
                bytes += raw.Length;
                using var content = new ByteArrayContent(raw);
                content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
                var start = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(path, content);
                var answer = await response.Content.ReadAsByteArrayAsync();
                var elapsed = Stopwatch.GetElapsedTime(start);
                latencies.Add(elapsed);
                (isHostile ? hostile : others).Add(elapsed);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    taken++;
                    var outcome = JsonDocument.Parse(answer).RootElement.GetProperty("outcome").ToString();
                    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                }
                else if (failed++ == 0)
                {
                    Console.Error.WriteLine($"POST returned {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
                }
            }
            return (taken, failed, bytes, latencies, hostile, others, outcomes);
        })).ToList();
        var results = await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        self.Refresh();
        clientCpu = self.TotalProcessorTime - clientCpu;
        var appCpuAfter = CpuOf(appPid);
        Latencies all = new(), allHostile = new(), allOthers = new();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            all.AddRange(r.latencies);
            allHostile.AddRange(r.hostile);
            allOthers.AddRange(r.others);
            foreach (var (key, value) in r.outcomes)
            {
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        }
        return new Phase(results.Sum(r => r.taken), results.Sum(r => r.failed), results.Sum(r => r.bytes), elapsed, all, allHostile, allOthers, counts,
            clientCpu, appCpuAfter - appCpu);
    }
}
