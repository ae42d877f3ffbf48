using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rapport.Data;
using Rapport.Features.ApiTokens;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Tests.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Tickets;

/// <summary>The change record: every channel's changes reach live screens from it, and a consumer of it acts on each
/// change once, whatever stopped the app in between.</summary>
public abstract class TicketFeedTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task MailTicket_AndTheCustomersNextMail_ReachLiveScreens()
    {
        var heard = new ConcurrentQueue<TicketChange>();
        var changes = App.Services.GetRequiredService<TicketChanges>();
        void Listen(TicketChange change) => heard.Enqueue(change);
        changes.Changed += Listen;
        try
        {
            await LiveUpdatesOf(App.Services).Listening.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
            var from = MailTestKit.Unique("live");
            var first = MailTestKit.Mail(from, "Live from mail", "My order has not arrived.");
            var opened = await client.IngestAsync(first);
            var ticketId = opened.TicketId!.Value;
            await WaitUntilAsync(() => heard.Any(c => c.TicketId == ticketId && c.Kind == TicketChangeKind.Created));

            await client.IngestAsync(MailTestKit.Mail(from, "Re: Live from mail", "Any news?", inReplyTo: first.MessageId));
            await WaitUntilAsync(() => heard.Any(c => c.TicketId == ticketId && c.Kind == TicketChangeKind.CustomerMessage));
        }
        finally
        {
            changes.Changed -= Listen;
        }
    }

    [Fact]
    public async Task Acknowledgements_AppStoppedBeforeTheyRan_GoOutOnceAfterRestart()
    {
        var ids = new List<long>();
        // The first run of the app takes the requests and stops before its acknowledgements run (in tests they run on demand).
        await using (var first = App.WithWebHostBuilder(_ => { }))
        {
            var (_, token) = await App.CreateTokenAsync(ApiTokenScope.Write, ct: Ct);
            using var client = first.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            for (var i = 0; i < 3; i++)
            {
                var response = await client.PostJsonAsync("/api/v1/tickets", new
                {
                    subject = $"Before the restart {i}",
                    channel = "webForm",
                    customer = new { email = $"restart+{Guid.NewGuid():N}@example.org", name = "Ada Restart" },
                    message = new { text = "Did you get this?" },
                });
                await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
                ids.Add((await response.ReadAsync<TicketDetails>()).Id);
            }
        }

        // The app again: two nodes catch up at once; then again, and nothing more happens.
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            ActivatorUtilities.CreateInstance<Acknowledgements>(App.Services).RunOnceAsync(Ct)));
        await ActivatorUtilities.CreateInstance<Acknowledgements>(App.Services).RunOnceAsync(Ct);

        await using var db = App.CreateDbContext();
        var acknowledged = await db.TicketEvents.AsNoTracking().Where(e => e.Kind == TicketEventKind.Acknowledged && ids.Contains(e.TicketId))
            .Select(e => e.TicketId).ToListAsync(Ct);
        acknowledged.Order().ShouldBe(ids.Order(), "each ticket acknowledged exactly once");
    }

    [Fact]
    public async Task Consumer_PassFailingBeforeItsCommit_LeavesNoTrace_AndTheNextDoesItOnce()
    {
        var ticket = await OpenTicketAsync("Consumed once " + Guid.NewGuid().ToString("N")[..6]);
        var consumer = ActivatorUtilities.CreateInstance<RecordingConsumer>(App.Services, $"test-{Guid.NewGuid():N}"[..30]);
        await using (var db = App.CreateDbContext())
        {
            var created = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticket.Id).Select(e => e.Id).ToListAsync(Ct);
            created.ShouldNotBeEmpty();
        }

        consumer.FailNextPass = true;
        await Should.ThrowAsync<InvalidOperationException>(() => consumer.RunOnceAsync(Ct));
        consumer.Handled.ShouldBeEmpty();

        var done = await consumer.RunOnceAsync(Ct);
        done.ShouldBeGreaterThan(0);
        (await consumer.RunOnceAsync(Ct)).ShouldBe(0, "nothing new since");
        consumer.Handled.ShouldBe(consumer.Handled.Distinct().ToList(), "no event handled twice");
        await using (var db = App.CreateDbContext())
        {
            var ofTicket = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticket.Id).Select(e => e.Id).ToListAsync(Ct);
            ofTicket.Except(consumer.Handled).ShouldBeEmpty("every event of the ticket handled");
        }
    }

    protected static LiveTicketUpdates LiveUpdatesOf(IServiceProvider services) =>
        services.GetServices<IHostedService>().OfType<LiveTicketUpdates>().Single();

    protected async Task<TicketDetails> OpenTicketAsync(string subject)
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject,
            customer = new { email = $"feed+{Guid.NewGuid():N}@example.org" },
            message = new { text = "Hello" },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDetails>();
    }

    protected static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("The change did not arrive within 15 s.");
            }
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Remembers which events it handled (after each commit), and can fail a pass after preparing it.</summary>
    public sealed class RecordingConsumer(string name, IDbContextFactory<RapportDb> contexts, CommitSignal signal, TimeProvider time,
        ILogger<RecordingConsumer> logger) : FeedConsumer<IReadOnlyList<long>>(contexts, signal, time, logger)
    {
        public bool FailNextPass { get; set; }

        public List<long> Handled { get; } = [];

        protected override string Name => name;

        protected override int Batch => 50;

        protected override Task<IReadOnlyList<long>> PrepareAsync(RapportDb db, IReadOnlyList<FeedEvent> events, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<long>>([.. events.Select(e => e.Id)]);

        protected override Task<int> ApplyAsync(RapportDb db, IReadOnlyList<long> work, CancellationToken ct)
        {
            if (FailNextPass)
            {
                FailNextPass = false;
                throw new InvalidOperationException("The app stopped here.");
            }
            return Task.FromResult(work.Count);
        }

        protected override void Committed(IReadOnlyList<long> work) => Handled.AddRange(work);
    }
}

public sealed class TicketFeedTests_Sqlite(SqliteRapportFactory app) : TicketFeedTests(app), IClassFixture<SqliteRapportFactory>;

/// <summary>On PostgreSQL also: several app nodes, and transactions that commit in another order than they took their ids.</summary>
public sealed class TicketFeedTests_Postgres(PostgresRapportFactory app) : TicketFeedTests(app), IClassFixture<PostgresRapportFactory>
{
    [Fact]
    public async Task ChangeOnOneNode_IsHeardOnTheOther()
    {
        await using var other = App.WithWebHostBuilder(_ => { });
        using var otherClient = other.CreateClient();
        var heard = new ConcurrentQueue<TicketChange>();
        other.Services.GetRequiredService<TicketChanges>().Changed += heard.Enqueue;
        await LiveUpdatesOf(other.Services).Listening.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Relayed",
            customer = new { email = $"relay+{Guid.NewGuid():N}@example.org" },
            message = new { text = "Hello from node one" },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDetails>();

        await WaitUntilAsync(() => heard.Any(c => c.TicketId == ticket.Id && c.Kind == TicketChangeKind.Created));
    }

    [Fact]
    public async Task RestoredFromAServerAhead_NewChangesStillReachConsumers()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var before = await CreateWebFormTicketAsync(client, "Before the restore");
        await ActivatorUtilities.CreateInstance<Acknowledgements>(App.Services).RunOnceAsync(Ct);
        // A dump of a desk whose server had handed out far more transaction ids than this one has, restored here: the
        // record's Tx values and the readers' positions are then far ahead of this server's transaction ids.
        await using (var db = App.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("""
                UPDATE "TicketEvents" SET "Tx" = "Tx" + 1000000000;
                UPDATE "ConsumerPositions" SET "Tx" = "Tx" + 1000000000 WHERE "Tx" > 0;
                """, Ct);
        }

        // The app starts on the restored database, and the desk goes on.
        await App.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(Ct);
        var after = await CreateWebFormTicketAsync(client, "After the restore");
        await ActivatorUtilities.CreateInstance<Acknowledgements>(App.Services).RunOnceAsync(Ct);

        await using var check = App.CreateDbContext();
        var acknowledged = await check.TicketEvents.AsNoTracking()
            .Where(e => e.Kind == TicketEventKind.Acknowledged && (e.TicketId == before || e.TicketId == after)).Select(e => e.TicketId).ToListAsync(Ct);
        acknowledged.Order().ShouldBe(new[] { before, after }.Order(), "each ticket acknowledged once, the one after the restore too");
        (await TicketFeed.HeadAsync(check, Ct)).Tx.ShouldBeGreaterThan(1000000000, "the new events sort after the restored ones");
    }

    private static async Task<long> CreateWebFormTicketAsync(HttpClient client, string subject)
    {
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject,
            channel = "webForm",
            customer = new { email = $"restore+{Guid.NewGuid():N}@example.org", name = "Ada Restore" },
            message = new { text = "Did you get this?" },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (await response.ReadAsync<TicketDetails>()).Id;
    }

    [Fact]
    public async Task Feed_ATransactionThatCommitsLate_IsReadInItsPlace_NotSkipped()
    {
        var ticket = await OpenTicketAsync("Late commit " + Guid.NewGuid().ToString("N")[..6]);
        FeedPosition start;
        await using (var db = App.CreateDbContext())
        {
            start = await TicketFeed.HeadAsync(db, Ct);
        }

        // The slow transaction writes its event first (it holds the older transaction id) and commits last.
        await using var slow = App.CreateDbContext();
        await using var slowTx = await slow.Database.BeginTransactionAsync(Ct);
        var slowEvent = TicketEvent.ForTicket(ticket.Id, TicketEventKind.NoteAdded, App.Now, "slow");
        slow.TicketEvents.Add(slowEvent);
        await slow.SaveChangesAsync(Ct);
        var quickEvent = TicketEvent.ForTicket(ticket.Id, TicketEventKind.NoteAdded, App.Now, "quick");
        await using (var quick = App.CreateDbContext())
        {
            quick.TicketEvents.Add(quickEvent);
            await quick.SaveChangesAsync(Ct);
        }
        quickEvent.Id.ShouldBeGreaterThan(slowEvent.Id);

        // Until the slow one commits, a reader does not go past it, so it cannot miss it.
        await using (var reader = App.CreateDbContext())
        {
            var read = await TicketFeed.ReadAsync(reader, start, 1000, Ct);
            read.ShouldNotContain(e => e.Id == quickEvent.Id || e.Id == slowEvent.Id, "nothing after a transaction still running");
        }
        await slowTx.CommitAsync(Ct);

        List<long> order = [];
        await WaitUntilAsync(() =>
        {
            using var reader = App.CreateDbContext();
            order = [.. TicketFeed.ReadAsync(reader, start, 1000, Ct).GetAwaiter().GetResult()
                .Where(e => e.Id == quickEvent.Id || e.Id == slowEvent.Id).Select(e => e.Id)];
            return order.Count == 2;
        });
        order.ShouldBe([slowEvent.Id, quickEvent.Id], "read in the order the transactions began writing, both of them");
    }
}
