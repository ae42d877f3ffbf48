using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Data;
using Rapport.Features.Admin;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.Jobs;
using Rapport.Features.Mail;
using Rapport.Features.Promises;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Bench.Measure;

/// <summary>Times the app's inbound mail pipeline in process, without HTTP and without a load client on the same
/// CPUs: <see cref="IngestMail"/> from the app's own services, with C callers each handing it one message of the
/// intake mix at a time (parse, sanitize, then the one writer's group commit). Prints messages per second and the
/// process's CPU time per message, the figure that decides how far a small server can go.</summary>
internal static class MailFileCommand
{
    public const string Usage = """
        mail-file --provider sqlite|postgres --connection "..." [--data DIR] [--messages N] [--callers C] [--rounds R]
            Migrates the database (empty or the app's), then files N messages of the intake mix (default 3,000) through
            the app's IngestMail with C concurrent callers (default 8), R times (default 5, after one warm-up round);
            prints messages/s and CPU ms per message (medians). Attachments go under DIR (default: a temp folder).
        """;

    public static async Task<int> RunAsync(Options options)
    {
        var provider = options.Required("provider");
        var connection = options.Required("connection");
        var given = options.Optional("data");
        var data = given ?? Directory.CreateTempSubdirectory("rapport-mail-file-").FullName;
        var count = options.Int("messages", 3000);
        var callers = options.Int("callers", 8);
        var rounds = options.Int("rounds", 5);
        options.EnsureAllRead();

        try
        {
            return await MeasureAsync(provider, connection, data, count, callers, rounds);
        }
        finally
        {
            if (given is null)
            {
                Directory.Delete(data, recursive: true); // the attachments of every round, some 100 MB
            }
        }
    }

    private static async Task<int> MeasureAsync(string provider, string connection, string data, int count, int callers, int rounds)
    {
        await using var app = Build(provider, connection, data);
        if (await AdminCommands.RunAsync(app.Services, ["migrate"]) != 0)
        {
            throw new InvalidOperationException("Migrating the database failed.");
        }
        var ingest = app.Services.GetRequiredService<IngestMail>();
        var run = DateTime.UtcNow.Ticks.ToString("x", CultureInfo.InvariantCulture);
        List<double> rates = [], cpu = [];
        var outcomes = new Dictionary<InboundOutcome, int>();
        for (var round = 0; round <= rounds; round++)
        {
            // Each caller sends its own stream of the mix (replies thread to its own earlier messages), new every round.
            var streams = Enumerable.Range(0, callers)
                .Select(c => new MailMix($"{run}r{round}", c, "help@bench.example", 100 * round + c))
                .Select(mix => Enumerable.Range(0, count / callers).Select(_ => mix.Next().Raw).ToArray())
                .ToArray();
            var counted = new Dictionary<InboundOutcome, int>();
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            var results = await Task.WhenAll(streams.Select(messages => Task.Run(async () =>
            {
                var taken = new List<InboundOutcome>(messages.Length);
                foreach (var raw in messages)
                {
                    using var body = new MemoryStream(raw, writable: false);
                    var result = await ingest.HandleAsync(null, body, MailSource.Direct, CancellationToken.None);
                    taken.Add(result?.Outcome ?? InboundOutcome.Quarantined);
                }
                return taken;
            })));
            var elapsed = Stopwatch.GetElapsedTime(start);
            process.Refresh();
            var used = process.TotalProcessorTime - cpuBefore;
            var filed = results.Sum(r => r.Count);
            foreach (var outcome in results.SelectMany(r => r))
            {
                counted[outcome] = counted.GetValueOrDefault(outcome) + 1;
            }
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}{(round == 0 ? " (warm-up)" : "")}: {filed / elapsed.TotalSeconds:F0}/s, cpu {used.TotalMilliseconds / filed:F3} ms/message"));
            if (round == 0)
            {
                continue;
            }
            rates.Add(filed / elapsed.TotalSeconds);
            cpu.Add(used.TotalMilliseconds / filed);
            outcomes = counted;
        }
        var tally = string.Join(' ', outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key.ToString().ToLowerInvariant()}={o.Value}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mail-file provider={provider} callers={callers} messages={count / callers * callers} rounds={rounds} " +
            $"per_second={Median(rates):F0} cpu_ms={Median(cpu):F3} {tally}"));
        return 0;
    }

    /// <summary>The app's services as Program.cs registers them for the mail pipeline, without the web host running.</summary>
    private static WebApplication Build(string provider, string connection, string data)
    {
        // The content root is the tool's folder, as the app's is its own: a file watcher on a folder the attachments go to would add its own work.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Rapport"] = connection,
            ["Data:Directory"] = data,
        });
        builder.AddRapportLogging(isCommand: true);
        builder.AddRapportData();
        builder.AddRapportAuth();
        builder.AddTickets();
        builder.AddCustomers();
        builder.AddAttachments();
        builder.AddMail();
        builder.AddPromises();
        builder.AddJobs();
        return builder.Build();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
