using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Rapport.Bench.Measure;

/// <summary>`imap-pull`: puts N messages of the <see cref="MailMix"/> into a fresh IMAP user's INBOX, adds a mailbox
/// reading it to the running app, and times until the app's ledger shows all N taken.</summary>
internal static class ImapPullCommand
{
    public const string Usage =
        """
        imap-pull --url http://127.0.0.1:5080 --token <read token> --owner-email E --owner-password P --imap 127.0.0.1:55790
                  [--imap-password rapport-test] [--messages 2000] [--timeout 600]
            APPENDs the messages to a new user's INBOX (any user name must sign in with --imap-password, as with a
            test Dovecot), adds a mailbox for that user (plain IMAP, no TLS), and polls /api/v1/inbound/counts until
            the mailbox's ledger holds them all. The app must read mailboxes in the background with a short
            Mail:PollInterval (it picks up new mailboxes at that interval). Prints messages/s from adding the mailbox
            (pickup included) and from its first ledger line to its last.
        """;

    private const int AppendBatch = 100;

    public static async Task<int> RunAsync(Options options)
    {
        var url = options.Required("url");
        var token = options.Required("token");
        var ownerEmail = options.Required("owner-email");
        var ownerPassword = options.Required("owner-password");
        var imap = options.Required("imap");
        var imapPassword = options.Optional("imap-password") ?? "rapport-test";
        var count = options.Int("messages", 2000);
        var timeout = options.Seconds("timeout", 600);
        options.EnsureAllRead();
        var (host, port) = imap.LastIndexOf(':') is var colon and > 0
            ? (imap[..colon], int.Parse(imap[(colon + 1)..], CultureInfo.InvariantCulture))
            : throw new UsageException("--imap must be host:port.");

        var run = Guid.NewGuid().ToString("N")[..8];
        var user = $"pull-{run}";
        var address = $"{user}@bench.example";
        var appendClock = Stopwatch.StartNew();
        long bytes = 0;
        using (var client = new ImapClient())
        {
            await client.ConnectAsync(host, port, SecureSocketOptions.None);
            await client.AuthenticateAsync(user, imapPassword);
            var mix = new MailMix(run, 0, address, run.GetHashCode(StringComparison.Ordinal));
            for (var done = 0; done < count;)
            {
                var batch = new List<IAppendRequest>();
                for (; batch.Count < AppendBatch && done < count; done++)
                {
                    var (raw, _) = mix.Next();
                    bytes += raw.Length;
                    batch.Add(new AppendRequest(MimeMessage.Load(new MemoryStream(raw))));
                }
                await client.Inbox.AppendAsync(batch);
            }
            await client.DisconnectAsync(true);
        }
        var appendSeconds = appendClock.Elapsed.TotalSeconds;

        using var owner = await OwnerSession.SignInAsync(url, ownerEmail, ownerPassword);
        using var http = ApiClient.Create(url, token, 1);
        var clock = Stopwatch.StartNew();
        await OwnerSession.EnsureMailboxAsync(owner, new
        {
            name = user,
            address,
            imap = new { host, port, security = "none", user, password = imapPassword, folder = "INBOX" },
        }, user);
        TimeSpan? first = null;
        var taken = 0;
        IReadOnlyDictionary<string, int> outcomes = new Dictionary<string, int>();
        while (clock.Elapsed < timeout)
        {
            var counts = await http.GetFromJsonAsync<List<Counts>>("api/v1/inbound/counts") ?? [];
            if (counts.FirstOrDefault(c => c.Mailbox == user) is { } mine)
            {
                first ??= clock.Elapsed;
                taken = mine.Total;
                outcomes = mine.Outcomes;
                if (taken >= count)
                {
                    break;
                }
            }
            await Task.Delay(50);
        }
        var total = clock.Elapsed;
        await DisableAsync(owner, user, address);
        var drain = total - (first ?? total);
        var outcomeText = string.Join(' ', outcomes.Where(o => o.Value > 0).Select(o => $"{o.Key}={o.Value}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imap-pull messages={count} taken={taken} mean_kb={bytes / 1024.0 / count:F1} append_s={appendSeconds:F1} seconds={total.TotalSeconds:F2} per_second={taken / total.TotalSeconds:F0} pickup_s={(first ?? total).TotalSeconds:F2} drain_per_second={(drain > TimeSpan.Zero ? taken / drain.TotalSeconds : 0):F0} {outcomeText}"));
        if (taken < count)
        {
            Console.Error.WriteLine($"Only {taken} of {count} messages were taken within {timeout.TotalSeconds:F0} s.");
            return 1;
        }
        return 0;
    }

    /// <summary>Stops the app reading the benchmark's mailbox, so later rounds measure only their own.</summary>
    private static async Task DisableAsync(HttpClient owner, string name, string address)
    {
        var mailboxes = await owner.GetFromJsonAsync<List<OwnerSession.MailboxRow>>("api/v1/mailboxes") ?? [];
        if (mailboxes.FirstOrDefault(m => m.Name == name) is { } mailbox)
        {
            using var response = await owner.PutAsJsonAsync($"api/v1/mailboxes/{mailbox.Id}", new { name, address, enabled = false });
        }
    }

    private sealed record Counts(string? Mailbox, int Total, Dictionary<string, int> Outcomes);
}
