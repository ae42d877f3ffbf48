using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>Mail tests on the real app run as its own OS process against the test Dovecot (RAPPORT_TEST_IMAP, see
/// <see cref="MailboxSyncTests"/>), for what an in-process host cannot show: a SIGKILL, a restart, the background
/// reader. The class fixture only supplies the throwaway database and data directory: the app under test is never
/// hosted in the test process. Set up the way an operator would: the admin command line, then the REST API.</summary>
public abstract class MailProcessTests(RapportFactory app) : DatabaseTests(app)
{
    protected const int Count = 1000;
    protected const int Senders = 200;
    protected const int KillAfter = 100;
    protected const string OwnerEmail = "owner@shop.example";
    protected const string OwnerPassword = "owner-password-1234";

    /// <summary>Generous: the suite runs on a busy two-core machine.</summary>
    protected static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    protected static readonly TimeSpan SyncTimeout = TimeSpan.FromMinutes(5);

    protected static readonly string? Server = Environment.GetEnvironmentVariable(MailboxSyncTests.ServerVariable) is { Length: > 0 } value ? value : null;

    protected string Host => Server!.Split(':')[0];

    protected int Port => int.Parse(Server!.Split(':')[1]);

    public override ValueTask InitializeAsync()
    {
        Assert.SkipWhen(Server is null, $"IMAP server not configured: set {MailboxSyncTests.ServerVariable} to host:port of a test Dovecot (./test.sh does)");
        Assert.SkipWhen(!File.Exists(RapportProcess.AppPath), $"The built app is missing at {RapportProcess.AppPath}");
        return base.InitializeAsync();
    }


    /// <summary>Small messages as customers write them: 200 senders, unique Message-IDs, every fifth with a PDF.</summary>
    protected static List<MimeMessage> Messages() =>
        Enumerable.Range(1, Count).Select(i =>
        {
            var sender = i % Senders;
            var text = new TextPart("plain") { Text = $"Hello,\n\nmy order {10000 + i} has not arrived yet. Could you tell me where it is?\n\nThanks,\nCustomer {sender}" };
            var message = new MimeMessage
            {
                MessageId = $"kill-{i:D4}.{Guid.NewGuid():N}@customer.example",
                Subject = $"Where is order {10000 + i}?",
                Date = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero).AddMinutes(i),
            };
            message.From.Add(new MailboxAddress($"Customer {sender}", $"customer{sender:D3}@customer.example"));
            message.To.Add(new MailboxAddress("Support", "support@shop.example"));
            if (i % 5 == 0)
            {
                var pdf = new MimePart("application", "pdf")
                {
                    Content = new MimeContent(new MemoryStream(System.Text.Encoding.ASCII.GetBytes($"%PDF-1.4\n% receipt for order {10000 + i}\n%%EOF\n"))),
                    ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    ContentTransferEncoding = ContentEncoding.Base64,
                    FileName = $"receipt-{10000 + i}.pdf",
                };
                message.Body = new Multipart("mixed") { text, pdf };
            }
            else
            {
                message.Body = text;
            }
            return message;
        }).ToList();

    protected async Task<ImapClient> ConnectAsync(string user)
    {
        var client = new ImapClient();
        await client.ConnectAsync(Host, Port, SecureSocketOptions.None, Ct);
        await client.AuthenticateAsync(user, MailboxSyncTests.Password, Ct);
        return client;
    }

    protected async Task AppendAsync(string user, IReadOnlyList<MimeMessage> messages)
    {
        using var client = await ConnectAsync(user);
        await client.Inbox.AppendAsync(messages.Select(m => (IAppendRequest)new AppendRequest(m)).ToList(), Ct);
        await client.DisconnectAsync(true, Ct);
    }

    protected async Task<List<long>> ServerUidsAsync(string user)
    {
        using var client = await ConnectAsync(user);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        var uids = await client.Inbox.SearchAsync(SearchQuery.All, Ct);
        await client.DisconnectAsync(true, Ct);
        return uids.Select(u => (long)u.Id).ToList();
    }

    protected static async Task<string> CommandAsync(IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        var (exitCode, output, errors) = await RapportProcess.RunCommandAsync(settings, arguments, StartTimeout, Ct);
        exitCode.ShouldBe(0, $"`Rapport {arguments[0]} {arguments[1]}` failed:\n{output}\n{errors}");
        return output;
    }

    /// <summary>A client signed in as the owner through the login form, as a browser would be.</summary>
    protected static async Task<HttpClient> SignInAsync(RapportProcess app, CookieContainer cookies)
    {
        var owner = OwnerClient(app, cookies);
        using var login = await Http.SubmitFormAsync(owner, "/account/login", "login", new()
        {
            ["Input.Email"] = OwnerEmail,
            ["Input.Password"] = OwnerPassword,
        });
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect, await login.Content.ReadAsStringAsync());
        return owner;
    }

    protected static HttpClient OwnerClient(RapportProcess app, CookieContainer cookies) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies })
        {
            BaseAddress = app.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
            DefaultRequestHeaders = { { Http.CsrfHeader, "1" } },
        };

    protected async Task<MailboxDetails> CreateMailboxAsync(HttpClient owner, string user)
    {
        using var created = await owner.PostJsonAsync("/api/v1/mailboxes", new SaveMailbox.Request
        {
            Name = user,
            Address = $"{user}@shop.example",
            Imap = new SaveMailbox.ImapSettings { Host = Host, Port = Port, Security = MailSecurity.None, User = user, Password = MailboxSyncTests.Password },
        });
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await created.ReadAsync<MailboxDetails>();
    }

    protected static async Task<int> TakenAsync(HttpClient client, string mailbox)
    {
        var counts = await client.GetFromJsonAsync<List<MailApi.LedgerCounts>>("/api/v1/inbound/counts", Http.Json, Ct);
        return counts!.FirstOrDefault(c => c.Mailbox == mailbox)?.Total ?? 0;
    }

    protected static async Task<List<MailApi.LedgerEntry>> LedgerAsync(HttpClient client, string mailbox)
    {
        var entries = new List<MailApi.LedgerEntry>();
        long? before = null;
        do
        {
            var page = await client.GetFromJsonAsync<MailApi.LedgerPage>(
                $"/api/v1/inbound?mailbox={mailbox}&limit={MailApi.MaxPageSize}{(before is { } b ? $"&before={b}" : "")}", Http.Json, Ct);
            entries.AddRange(page!.Items);
            before = page.Next;
        }
        while (before is not null);
        return entries;
    }

    protected sealed record Progress(int Taken, long? LastUid, bool PassFinished, string? LastError);

    /// <summary>The ledger count the API shows, and the folder position, which only the database shows.</summary>
    protected async Task<Progress> ProgressAsync(HttpClient client, MailboxDetails mailbox)
    {
        var taken = await TakenAsync(client, mailbox.Name);
        await using var db = OpenDatabase();
        var state = await db.MailboxSyncs.AsNoTracking().FirstOrDefaultAsync(s => s.MailboxId == mailbox.Id, Ct);
        return new Progress(taken, state?.LastUid, state?.LastSyncAt is not null, state?.LastError);
    }

    /// <summary>The app's database, opened directly: the app runs in another process.</summary>
    protected RapportDb OpenDatabase() => App.OpenDatabase();

    /// <summary>Reads until <paramref name="done"/> or <see cref="SyncTimeout"/>; fails with the last value read and the apps' logs.</summary>
    protected static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, string waitingFor, RapportProcess[] apps)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (waited.Elapsed > SyncTimeout || apps[^1].HasExited)
            {
                throw new ShouldAssertException($"Waited {waited.Elapsed.TotalSeconds:0} s for {waitingFor}; last read: {value}" +
                    (apps[^1].HasExited ? $"; the app exited with code {apps[^1].ExitCode}" : "") + $"\n{Logs(apps)}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), Ct);
        }
    }

    protected static string Logs(params RapportProcess[] apps) =>
        string.Join('\n', apps.Select((a, i) => $"--- run {i + 1} (pid {a.Id}), last lines of its output:\n{string.Join('\n', a.Output.Split('\n').TakeLast(40))}"));
}
/// <summary>The email issue's crash test: the app is killed with SIGKILL while it takes in 1,000 messages, then started
/// again on the same data directory and database; in the end each message is in the desk exactly once.</summary>
public abstract class MailboxSyncKillTests(RapportFactory app) : MailProcessTests(app)
{
    [Fact]
    public async Task Sync_AppKilledWhileFetchingAThousandMessages_RestartTakesTheRestEachExactlyOnce()
    {
        var clock = Stopwatch.StartNew();
        var user = $"user{Guid.NewGuid():N}"[..16];
        var sent = Messages();
        var settings = new Dictionary<string, string>(App.DatabaseSettings)
        {
            ["Database:Provider"] = App.Provider.ToString(),
            // A new mailbox is picked up within a second, not the default minute.
            ["Mail:PollInterval"] = "00:00:01",
        };
        await Task.WhenAll(
            AppendAsync(user, sent),
            CommandAsync(settings, "setup", "--email", OwnerEmail, "--password", OwnerPassword, "--business", "Kill Test Shop", "--time-zone", "Europe/Berlin"));
        var configured = clock.Elapsed;

        var first = await RapportProcess.StartAsync(settings, StartTimeout, Ct);
        var started = clock.Elapsed;
        RapportProcess? second = null;
        try
        {
            var cookies = new CookieContainer();
            using var owner = await SignInAsync(first, cookies);
            var mailbox = await CreateMailboxAsync(owner, user);
            int takenBeforeKill;
            await PollAsync(() => TakenAsync(owner, mailbox.Name), taken => taken >= KillAfter, "the first run to take messages", [first]);
            await first.KillAsync(Ct);
            var killed = clock.Elapsed;
            first.ExitCode.ShouldBe(128 + 9, "the first run ends by SIGKILL");
            await using (var db = OpenDatabase())
            {
                takenBeforeKill = await db.InboundMail.CountAsync(m => m.MailboxId == mailbox.Id, Ct);
            }
            takenBeforeKill.ShouldBeInRange(1, Count - 1,
                $"the kill must land while the messages are being fetched; the first run had {takenBeforeKill} of {Count}. If it took all of them, append more.");

            second = await RapportProcess.StartAsync(settings, StartTimeout, Ct);
            var restarted = clock.Elapsed;
            // The owner's session cookie outlives the process, as a browser's would (cookies go by host, not port).
            using var ownerAgain = OwnerClient(second, cookies);
            await PollAsync(async () => await ProgressAsync(ownerAgain, mailbox),
                now => now.Taken >= Count && now.PassFinished,
                "the second run to take the rest and finish its pass", [first, second]);

            var finished = clock.Elapsed;
            var problems = first.Problems.Concat(second.Problems).ToList();
            var diagnosis = $"The first run was killed after {takenBeforeKill} messages.\n" +
                (problems.Count > 0 ? $"Errors in the app's logs:\n{string.Join('\n', problems)}\n" : "") + Logs(first, second);
            string Because(string what) => $"{what}\n{diagnosis}";

            var ledger = await LedgerAsync(ownerAgain, mailbox.Name);
            var serverUids = await ServerUidsAsync(user);
            ledger.Count.ShouldBe(Count, Because("1,000 lines in the ledger"));
            ledger.Select(e => e.Uid).Distinct().Count().ShouldBe(Count, Because("each UID once in the ledger"));
            ledger.Select(e => e.Uid!.Value).Order().ShouldBe(serverUids.Order(), Because("the ledger holds every UID on the server"));
            ledger.Select(e => e.MessageId).Order().ShouldBe(sent.Select(m => m.MessageId).Order(), Because("each Message-ID once in the ledger"));
            ledger.Where(e => e.Outcome != InboundOutcome.Ticket).ShouldBeEmpty(Because("every message opened a ticket"));
            ledger.Select(e => e.TicketId).Distinct().Count().ShouldBe(Count, Because("each message has a ticket of its own"));
            serverUids.Count.ShouldBe(Count, "nothing was deleted on the server");

            await using (var db = OpenDatabase())
            {
                var ids = sent.Select(m => m.MessageId).ToHashSet();
                var messages = (await db.Messages.AsNoTracking().Where(m => m.InternetMessageId != null)
                    .Select(m => new { m.Id, m.InternetMessageId, m.TicketId }).ToListAsync(Ct)).Where(m => ids.Contains(m.InternetMessageId!)).ToList();
                messages.Count.ShouldBe(Count, Because("1,000 messages in the desk"));
                messages.Select(m => m.InternetMessageId).Distinct().Count().ShouldBe(Count, Because("none twice"));
                (await db.Tickets.CountAsync(Ct)).ShouldBe(Count, Because("1,000 tickets"));
                var messageIds = messages.Select(m => m.Id).ToHashSet();
                var attached = (await db.Attachments.AsNoTracking().Where(a => a.MessageId != null).Select(a => a.MessageId!.Value).ToListAsync(Ct))
                    .Where(messageIds.Contains).ToList();
                attached.Count.ShouldBe(sent.Count(m => m.Attachments.Any()), Because("each attachment once"));
                attached.Distinct().Count().ShouldBe(attached.Count, Because("one attachment per message that had one"));
                var addresses = await db.CustomerEmails.AsNoTracking().Select(e => e.Address).ToListAsync(Ct);
                addresses.Order().ShouldBe(sent.Select(m => m.From.Mailboxes.Single().Address).Distinct().Order(), Because("each sender one customer"));
                var state = await db.MailboxSyncs.AsNoTracking().SingleAsync(s => s.MailboxId == mailbox.Id, Ct);
                state.LastUid.ShouldBe(serverUids.Max(), Because("the folder position is past the last message"));
                state.LastError.ShouldBeNull(Because("the last pass succeeded"));
            }
            problems.ShouldBeEmpty(diagnosis);
            var report = $"{App.Provider}: killed the first run (pid {first.Id}) after {takenBeforeKill} of {Count} messages; the second took the rest. " +
                $"Seconds from the start: messages appended and owner set up {configured.TotalSeconds:0.0}, listening {started.TotalSeconds:0.0}, " +
                $"killed {killed.TotalSeconds:0.0}, listening again {restarted.TotalSeconds:0.0}, all taken {finished.TotalSeconds:0.0}, checked {clock.Elapsed.TotalSeconds:0.0}";
            TestContext.Current.TestOutputHelper?.WriteLine(report);
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }
}

public sealed class MailboxSyncKillTests_Sqlite(SqliteRapportFactory app) : MailboxSyncKillTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class MailboxSyncKillTests_Postgres(PostgresRapportFactory app) : MailboxSyncKillTests(app), IClassFixture<PostgresRapportFactory>;
