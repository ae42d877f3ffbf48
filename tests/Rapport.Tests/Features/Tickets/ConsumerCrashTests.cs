using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
using Rapport.Tests.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Tickets;

/// <summary>Issue 24's crash test for the consumers of the change record (<see cref="FeedConsumer{TWork}"/>), on the
/// real app run as its own OS process: killed with SIGKILL once the tickets are committed and before their consumer
/// ran, then again while the consumer is catching up; each time started again on the same database. In the end every
/// ticket has exactly one acknowledgement queued and the consumer's position is at the head of the record. The class
/// fixture only supplies the throwaway database and data directory: the app under test is never hosted in the test process.</summary>
public abstract class ConsumerCrashTests(RapportFactory app) : DatabaseTests(app)
{
    /// <summary>Enough for several of the consumer's batches (each ticket from mail records a few events), so that the
    /// second kill can land between two of them.</summary>
    private const int Count = 600;
    private const string OwnerEmail = "owner@shop.example";
    private const string OwnerPassword = "owner-password-1234";

    /// <summary>Generous: the suite runs on a busy two-core machine.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ConsumerTimeout = TimeSpan.FromMinutes(5);

    public override ValueTask InitializeAsync()
    {
        Assert.SkipWhen(!File.Exists(RapportProcess.AppPath), $"The built app is missing at {RapportProcess.AppPath}");
        return base.InitializeAsync();
    }

    [Fact]
    public async Task Acknowledgements_AppKilledBeforeAndDuringTheConsumer_EachTicketAcknowledgedOnce()
    {
        var clock = Stopwatch.StartNew();
        var settings = new Dictionary<string, string>(App.DatabaseSettings)
        {
            ["Database:Provider"] = App.Provider.ToString(),
            // Nothing is read or sent: the outbox keeps what the consumer queued.
            ["Mail:BackgroundSync"] = "false",
        };
        // The first run takes the mail with the consumer switched off, so the kill lands after every ticket's commit and
        // before its consumer saw it; the later runs have it on, as an operator runs the app.
        var consumerOff = new Dictionary<string, string>(settings) { ["Sla:Background"] = "false" };
        var (exitCode, output, errors) = await RapportProcess.RunCommandAsync(settings,
            ["setup", "--email", OwnerEmail, "--password", OwnerPassword, "--business", "Crash Test Shop", "--time-zone", "Europe/Berlin",
                "--public-url", RapportFactory.PublicUrl], StartTimeout, Ct);
        exitCode.ShouldBe(0, $"setup failed:\n{output}\n{errors}");

        var runs = new List<RapportProcess>();
        try
        {
            var first = await StartAsync(consumerOff, runs);
            var cookies = new CookieContainer();
            var tickets = new List<long>();
            using (var owner = await SignInAsync(first, cookies))
            {
                var mailbox = await CreateMailboxAsync(owner);
                tickets = await IngestAsync(owner, mailbox);
            }
            await first.KillAsync(Ct);
            first.ExitCode.ShouldBe(128 + 9, "the first run ends by SIGKILL");
            var taken = clock.Elapsed;
            var before = await ProgressAsync(tickets);
            before.ShouldBe(new Progress(Pending: Count, Acknowledged: 0, Mails: 0, AtHead: false), "committed, not yet consumed");

            // Second run: killed once the consumer has committed its first batch, before it caught up.
            await StartAsync(settings, runs);
            var during = await PollAsync(() => ProgressAsync(tickets), p => p.Acknowledged > 0, "the consumer's first batch", runs);
            await runs[^1].KillAsync(Ct);
            var killedDuring = await ProgressAsync(tickets);
            killedDuring.Acknowledged.ShouldBeInRange(1, Count - 1,
                $"the second kill must land while the consumer catches up (it had {during.Acknowledged} of {Count} when seen). If it did them all, add tickets.\n{Logs(runs)}");
            killedDuring.Mails.ShouldBe(killedDuring.Acknowledged, "a mail queued with each acknowledgement, in its transaction");

            // Third run: catches up from where the second committed.
            await StartAsync(settings, runs);
            var after = await PollAsync(() => ProgressAsync(tickets), p => p.AtHead && p.Pending == 0, "the consumer to catch up", runs);

            var diagnosis = $"Killed after the commits with {before}, then during the consumer with {killedDuring}.\n{Logs(runs)}";
            after.ShouldBe(new Progress(Pending: 0, Acknowledged: Count, Mails: Count, AtHead: true), diagnosis);
            await using (var db = App.OpenDatabase())
            {
                var mailed = await db.OutboundMail.AsNoTracking().Where(m => m.TicketId != null && tickets.Contains(m.TicketId.Value))
                    .Select(m => m.TicketId!.Value).ToListAsync(Ct);
                mailed.Order().ShouldBe(tickets.Order(), $"each ticket's acknowledgement queued exactly once\n{diagnosis}");
                var acknowledged = await db.TicketEvents.AsNoTracking().Where(e => e.Kind == TicketEventKind.Acknowledged && tickets.Contains(e.TicketId))
                    .Select(e => e.TicketId).ToListAsync(Ct);
                acknowledged.Order().ShouldBe(tickets.Order(), $"each ticket acknowledged exactly once in its history\n{diagnosis}");
            }
            runs.SelectMany(r => r.Problems).ShouldBeEmpty(diagnosis);
            TestContext.Current.TestOutputHelper?.WriteLine($"{App.Provider}: {Count} tickets taken in {taken.TotalSeconds:0.0} s; killed after the commits, " +
                $"then after {killedDuring.Acknowledged} acknowledgements; all {Count} acknowledged once after {clock.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var run in runs)
            {
                await run.DisposeAsync();
            }
        }
    }

    /// <param name="Pending">The test's tickets still waiting for their acknowledgement.</param>
    /// <param name="Acknowledged">"Acknowledged" events in their history.</param>
    /// <param name="Mails">Mails queued for them.</param>
    /// <param name="AtHead">Whether the consumer has read every event committed.</param>
    private sealed record Progress(int Pending, int Acknowledged, int Mails, bool AtHead);

    private async Task<Progress> ProgressAsync(List<long> tickets)
    {
        await using var db = App.OpenDatabase();
        var pending = await db.Tickets.CountAsync(t => tickets.Contains(t.Id) && t.AcknowledgementPending, Ct);
        var acknowledged = await db.TicketEvents.CountAsync(e => e.Kind == TicketEventKind.Acknowledged && tickets.Contains(e.TicketId), Ct);
        var mails = await db.OutboundMail.CountAsync(m => m.TicketId != null && tickets.Contains(m.TicketId.Value), Ct);
        var stored = await db.ConsumerPositions.AsNoTracking().FirstOrDefaultAsync(p => p.Name == "acknowledgements", Ct);
        var atHead = stored is not null && (await TicketFeed.ReadAsync(db, new FeedPosition(stored.Tx, stored.EventId), 1, Ct)).Count == 0;
        return new Progress(pending, acknowledged, mails, atHead);
    }

    private static async Task<RapportProcess> StartAsync(Dictionary<string, string> settings, List<RapportProcess> runs)
    {
        var run = await RapportProcess.StartAsync(settings, StartTimeout, Ct);
        runs.Add(run);
        return run;
    }

    /// <summary>A client signed in as the owner through the login form, as a browser would be.</summary>
    private static async Task<HttpClient> SignInAsync(RapportProcess app, CookieContainer cookies)
    {
        var owner = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies })
        {
            BaseAddress = app.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
            DefaultRequestHeaders = { { Http.CsrfHeader, "1" } },
        };
        using var login = await Http.SubmitFormAsync(owner, "/account/login", "login", new()
        {
            ["Input.Email"] = OwnerEmail,
            ["Input.Password"] = OwnerPassword,
        });
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect, await login.Content.ReadAsStringAsync());
        return owner;
    }

    /// <summary>A mailbox that can send (to a port nobody listens on: nothing is sent with background mail off).</summary>
    private static async Task<MailboxDetails> CreateMailboxAsync(HttpClient owner)
    {
        var name = $"crash-{Guid.NewGuid():N}"[..16];
        using var created = await owner.PostJsonAsync("/api/v1/mailboxes", new SaveMailbox.Request
        {
            Name = name,
            Address = $"{name}@shop.example",
            Smtp = new SaveMailbox.SmtpSettings { Host = "127.0.0.1", Port = 9, Security = MailSecurity.None },
        });
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await created.ReadAsync<MailboxDetails>();
    }

    /// <summary>Customers' mail through the raw intake API, a few at a time; returns the tickets it opened.</summary>
    private static async Task<List<long>> IngestAsync(HttpClient owner, MailboxDetails mailbox)
    {
        var tickets = new List<long>();
        foreach (var chunk in Enumerable.Range(0, Count).Chunk(8))
        {
            var answers = await Task.WhenAll(chunk.Select(i => owner.IngestAsync(MailTestKit.Mail($"Customer {i} <crash{i:D4}.{Guid.NewGuid():N}@customer.example>",
                $"Where is order {20000 + i}?", "Hello,\n\nmy order has not arrived yet.\n\nThanks"), mailbox.Name)));
            foreach (var answer in answers)
            {
                answer.Outcome.ShouldBe(InboundOutcome.Ticket, answer.Reason);
                tickets.Add(answer.TicketId!.Value);
            }
        }
        return tickets;
    }

    /// <summary>Reads until <paramref name="done"/> or <see cref="ConsumerTimeout"/>; fails with the last value read and the apps' logs.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, string waitingFor, List<RapportProcess> runs)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (waited.Elapsed > ConsumerTimeout || runs[^1].HasExited)
            {
                throw new ShouldAssertException($"Waited {waited.Elapsed.TotalSeconds:0} s for {waitingFor}; last read: {value}" +
                    (runs[^1].HasExited ? $"; the app exited with code {runs[^1].ExitCode}" : "") + $"\n{Logs(runs)}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), Ct);
        }
    }

    private static string Logs(List<RapportProcess> runs) =>
        string.Join('\n', runs.Select((r, i) => $"--- run {i + 1} (pid {r.Id}), last lines of its output:\n{string.Join('\n', r.Output.Split('\n').TakeLast(40))}"));
}

public sealed class ConsumerCrashTests_Sqlite(SqliteRapportFactory app) : ConsumerCrashTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class ConsumerCrashTests_Postgres(PostgresRapportFactory app) : ConsumerCrashTests(app), IClassFixture<PostgresRapportFactory>;
