using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Features.Notifications;
using Rapport.Features.Promises;
using Rapport.Features.Settings;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Tests.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Promises;

/// <summary>The promise ledger end to end: deadlines warned about and escalated exactly once (two watchers racing),
/// SLA deadlines recorded as kept or broken, written promises kept by a reply or reminded, routing to the customer's
/// owner or their backup, and the honest acknowledgement. Office hours (Monday to Friday 09:00–17:00) in UTC; urgent
/// tickets owe a first answer within one business hour and resolution within eight.</summary>
public abstract class PromiseLedgerTests(RapportFactory app) : DatabaseTests(app)
{
    private DateTime _monday;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _monday = App.AdvanceToNext(DayOfWeek.Monday, new(9, 0));
        await using var db = App.CreateDbContext();
        if (!await db.BusinessProfiles.AnyAsync(Ct))
        {
            db.BusinessProfiles.Add(BusinessProfile.Create("Harbour Heating", "UTC", App.Now));
            await db.SaveChangesAsync(Ct);
        }
        App.Services.GetRequiredService<SlaClock>().Forget();
        App.Services.GetRequiredService<OwnerRouting>().Forget();
    }

    private void At(int hour, int minute = 0) => App.Time.Advance(_monday.AddHours(hour - 9).AddMinutes(minute) - App.Now);

    private async Task<(HttpClient Client, TicketDetails Ticket)> OpenAsync(Agent? owner = null, string channel = "api", string? email = null)
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, owner, Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "No hot water",
            priority = "urgent",
            channel,
            customer = new { email = email ?? $"promise+{Guid.NewGuid():N}@example.org", name = "Kim Lee" },
            message = new { text = "There is no hot water since this morning. Can someone come today?" },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDetails>();
        if (owner is not null)
        {
            (await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { ownerId = owner.Id })).EnsureSuccessStatusCode();
        }
        return (client, ticket);
    }

    private async Task<List<AgentNotification>> NotificationsAsync(long ticketId)
    {
        await using var db = App.CreateDbContext();
        return await db.Notifications.AsNoTracking().Where(n => n.TicketId == ticketId).OrderBy(n => n.Id).ToListAsync(Ct);
    }

    private async Task<int> RaceAsync<T>(Func<T, Task<int>> run) where T : class
    {
        var first = ActivatorUtilities.CreateInstance<T>(App.Services);
        var second = ActivatorUtilities.CreateInstance<T>(App.Services);
        var counts = await Task.WhenAll(Task.Run(() => run(first)), Task.Run(() => run(second)));
        return counts.Sum();
    }

    [Fact]
    public async Task Deadline_WarnedAtEightyPercent_ThenEscalatedOnce_EvenWithTwoWatchersRacing()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var lead = await App.CreateAgentAsync(AgentRoles.Owner);
        var (_, ticket) = await OpenAsync(agent);
        ticket.DueAt.ShouldBe(_monday.AddHours(1));

        At(9, 40);
        await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        (await NotificationsAsync(ticket.Id)).ShouldBeEmpty("40 of 60 minutes is under the 80 % warning share");

        At(9, 50);
        await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        var warned = (await NotificationsAsync(ticket.Id)).ShouldHaveSingleItem();
        warned.AgentId.ShouldBe(agent.Id);
        warned.Kind.ShouldBe(NotificationKind.DeadlineNear);
        warned.Text.ShouldContain("first answer is due in 10 min");

        await using (var db = App.CreateDbContext())
        {
            (await db.BusinessProfiles.SingleAsync(Ct)).SetEscalation(80, lead.Id, App.Now);
            await db.SaveChangesAsync(Ct);
        }
        try
        {
            At(10, 1);
            await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
            await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        }
        finally
        {
            await using var db = App.CreateDbContext();
            (await db.BusinessProfiles.SingleAsync(Ct)).SetEscalation(80, null, App.Now);
            await db.SaveChangesAsync(Ct);
        }

        var notices = await NotificationsAsync(ticket.Id);
        notices.Where(n => n.Kind == NotificationKind.DeadlineMissed).ShouldHaveSingleItem().AgentId.ShouldBe(agent.Id);
        notices.Where(n => n.Kind == NotificationKind.Escalated && n.AgentId == lead.Id).ShouldHaveSingleItem().Text.ShouldContain("overdue");
        await using (var db = App.CreateDbContext())
        {
            var stored = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticket.Id, Ct);
            stored.OwnerId.ShouldBe(lead.Id, "escalation hands the ticket to the lead");
            stored.DueAt.ShouldBe(_monday.AddHours(1), "a breached ticket keeps its due instant, so it stays first in the due order");
            (await db.TicketEvents.CountAsync(e => e.TicketId == ticket.Id && e.Kind == TicketEventKind.DeadlineMissed, Ct)).ShouldBe(1);
        }
    }

    [Fact]
    public async Task SlaDeadlines_AreSettledInTheLedger_AndCountInTheKeptRate()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var (client, ticket) = await OpenAsync(agent);
        var (lateClient, late) = await OpenAsync(agent);

        At(9, 30);
        (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Hello Kim, a technician is on the way.", status = "open" })).EnsureSuccessStatusCode();
        At(10, 30);
        (await lateClient.PostJsonAsync($"/api/v1/tickets/{late.Id}/replies", new { text = "Hello Kim, sorry for the wait.", status = "open" })).EnsureSuccessStatusCode();
        At(11, 0);
        (await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { status = "resolved" })).EnsureSuccessStatusCode();

        var settled = await (await client.GetAsync($"/api/v1/promises?agent={agent.Id}&status=kept", Ct)).ReadAsync<List<PromiseLedger.Entry>>();
        settled.Select(p => (p.TicketId, p.Kind)).ShouldBe([(ticket.Id, PromiseKind.Resolution), (ticket.Id, PromiseKind.FirstResponse)], ignoreOrder: true);
        var broken = await (await client.GetAsync($"/api/v1/promises?agent={agent.Id}&status=broken", Ct)).ReadAsync<List<PromiseLedger.Entry>>();
        broken.ShouldHaveSingleItem().ShouldSatisfyAllConditions(p => p.TicketId.ShouldBe(late.Id), p => p.Kind.ShouldBe(PromiseKind.FirstResponse));
        var open = await (await client.GetAsync($"/api/v1/promises?ticket={late.Id}&status=open", Ct)).ReadAsync<List<PromiseLedger.Entry>>();
        open.ShouldHaveSingleItem().ShouldSatisfyAllConditions(p => p.Sla.ShouldBeTrue(), p => p.Kind.ShouldBe(PromiseKind.Resolution), p => p.Id.ShouldBeNull());

        var day = DateOnly.FromDateTime(_monday);
        var rates = await (await client.GetAsync($"/api/v1/promises/kept-rate?from={day:yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}&by=agent", Ct))
            .ReadAsync<PromisesApi.RatesView>();
        var mine = rates.Rates.Single(r => r.Key == agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (mine.Kept, mine.Broken).ShouldBe((2, 1));
        mine.KeptRate.ShouldBe(0.6667);
        var csv = await (await client.GetAsync($"/api/v1/promises/kept-rate?from={day:yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}&by=agent&format=csv", Ct)).Content.ReadAsStringAsync(Ct);
        csv.ShouldContain($"{agent.Id},2,1,0,0.6667");
        (await client.GetAsync("/api/v1/promises/kept-rate?from=yesterday", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task WrittenPromises_ReplyKeepsThem_CallsAreRemindedOnce_AndSettledByHand()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var (client, ticket) = await OpenAsync(agent);

        var reply = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/promises", new { kind = "reply", text = "I'll send the quote by noon", dueAt = _monday.AddHours(3) });
        await reply.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var replyPromise = await reply.ReadAsync<PromisesApi.PromiseView>();
        replyPromise.AgentId.ShouldBe(agent.Id, "a token acts for its agent, who made the promise");
        var call = await (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/promises", new { kind = "call", text = "Call Kim back", dueAt = _monday.AddHours(5) }))
            .ReadAsync<PromisesApi.PromiseView>();

        (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/promises", new { kind = "call", text = "Too late", dueAt = _monday.AddHours(-1) })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/promises", new { kind = "firstResponse", text = "No", dueAt = _monday.AddHours(2) })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/promises", new { kind = "call", text = "", dueAt = _monday.AddHours(2) })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PostJsonAsync("/api/v1/tickets/999999999/promises", new { kind = "call", text = "x", dueAt = _monday.AddHours(2) })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        At(11, 0);
        (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Hello Kim, the quote is attached." })).EnsureSuccessStatusCode();
        await using (var db = App.CreateDbContext())
        {
            (await db.Promises.AsNoTracking().SingleAsync(p => p.Id == replyPromise.Id, Ct)).Status.ShouldBe(PromiseStatus.Kept);
            (await db.Promises.AsNoTracking().SingleAsync(p => p.Id == call.Id, Ct)).Status.ShouldBe(PromiseStatus.Open, "a reply does not make a call");
        }

        At(13, 15);
        await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        At(13, 30);
        await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        At(14, 5);
        await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        await RaceAsync<SlaWatch>(w => w.RunOnceAsync(Ct));
        var notices = (await NotificationsAsync(ticket.Id)).Where(n => n.Kind is NotificationKind.PromiseDueSoon or NotificationKind.PromiseOverdue).ToList();
        notices.Select(n => (n.Kind, n.AgentId)).ShouldBe([(NotificationKind.PromiseDueSoon, agent.Id), (NotificationKind.PromiseOverdue, agent.Id)]);
        notices[1].Text.ShouldContain("Call Kim back");

        var settle = await client.PostJsonAsync($"/api/v1/promises/{call.Id}/settle", new { status = "kept", note = "Called at 14:10" });
        (await settle.ReadAsync<PromisesApi.PromiseView>()).ShouldSatisfyAllConditions(p => p.Status.ShouldBe(PromiseStatus.Kept), p => p.SettledById.ShouldBe(agent.Id));
        (await client.PostJsonAsync($"/api/v1/promises/{call.Id}/settle", new { status = "broken" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await client.PostJsonAsync($"/api/v1/promises/{call.Id}/settle", new { status = "maybe" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var mine = await App.SignedInClientAsync(agent);
        var bell = await (await mine.GetAsync("/api/v1/notifications?unread=true", Ct)).ReadAsync<NotificationsApi.NotificationsView>();
        bell.Unread.ShouldBeGreaterThanOrEqualTo(2);
        (await mine.PostAsync("/api/v1/notifications/read-all", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await (await mine.GetAsync("/api/v1/notifications", Ct)).ReadAsync<NotificationsApi.NotificationsView>()).Unread.ShouldBe(0);
    }

    [Fact]
    public async Task NewTicket_GoesToTheOwner_OrTheirBackupWhileAway_OrTheLightestLoad()
    {
        await OpenAsync(); // the routing's cached team is filled before these agents exist: a new owner is still found
        var owner = await App.CreateAgentAsync(AgentRoles.Agent);
        var backup = await App.CreateAgentAsync(AgentRoles.Agent);
        var email = $"routing+{Guid.NewGuid():N}@example.org";
        var (_, first) = await OpenAsync(email: email);
        await using (var db = App.CreateDbContext())
        {
            var customer = await db.Customers.SingleAsync(c => c.Id == first.Customer.Id, Ct);
            customer.SetOwner(owner.Id, App.Now);
            await db.SaveChangesAsync(Ct);
        }
        (await OpenAsync(email: email)).Ticket.Owner?.Id.ShouldBe(owner.Id);

        await SetAwayAsync(owner.Id, App.Now.AddDays(3), backup.Id);
        (await OpenAsync(email: email)).Ticket.Owner?.Id.ShouldBe(backup.Id);

        await SetAwayAsync(backup.Id, App.Now.AddDays(1), null);
        // A colleague who is in, so that the lightest load has someone to choose (this test may run first in its class,
        // when owner and backup are the only agents: then the ticket stays with its owner rather than with nobody).
        await App.CreateAgentAsync(AgentRoles.Agent);
        App.Services.GetRequiredService<OwnerRouting>().Forget();
        var third = (await OpenAsync(email: email)).Ticket;
        third.Owner.ShouldNotBeNull();
        third.Owner.Id.ShouldNotBe(owner.Id);
        third.Owner.Id.ShouldNotBe(backup.Id);
        await using (var db = App.CreateDbContext())
        {
            (await db.Customers.AsNoTracking().SingleAsync(c => c.Id == first.Customer.Id, Ct)).OwnerId.ShouldBe(owner.Id, "the point of contact stays while they are away");
            (await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == third.Id && e.Kind == TicketEventKind.Assigned).Select(e => e.Detail).ToListAsync(Ct))
                .ShouldContain(d => d!.Contains("is away"));
        }

        // A new customer gets a point of contact with the first ticket once the business asks for that.
        await using (var db = App.CreateDbContext())
        {
            (await db.BusinessProfiles.SingleAsync(Ct)).SetRouting(true, App.Now);
            await db.SaveChangesAsync(Ct);
        }
        App.Services.GetRequiredService<SlaClock>().Forget();
        try
        {
            var fresh = (await OpenAsync()).Ticket;
            fresh.Owner.ShouldNotBeNull();
            await using var db = App.CreateDbContext();
            (await db.Customers.AsNoTracking().SingleAsync(c => c.Id == fresh.Customer.Id, Ct)).OwnerId.ShouldBe(fresh.Owner.Id);
            (await db.Users.AsNoTracking().SingleAsync(a => a.Id == fresh.Owner.Id, Ct)).AwayUntil.ShouldBeNull();
        }
        finally
        {
            await using var db = App.CreateDbContext();
            (await db.BusinessProfiles.SingleAsync(Ct)).SetRouting(false, App.Now);
            await db.SaveChangesAsync(Ct);
            App.Services.GetRequiredService<SlaClock>().Forget();
        }
    }

    private async Task SetAwayAsync(int agentId, DateTime? until, int? backupId)
    {
        await using var db = App.CreateDbContext();
        var agent = await db.Users.SingleAsync(a => a.Id == agentId, Ct);
        agent.AwayUntil = until;
        agent.BackupAgentId = backupId;
        await db.SaveChangesAsync(Ct);
        App.Services.GetRequiredService<OwnerRouting>().Forget();
    }

    [Fact]
    public async Task Acknowledgement_NamesWhoAnswersAndWhen_OnTheCustomersClock_Once()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var email = $"ack+{Guid.NewGuid():N}@example.org";
        var (_, first) = await OpenAsync(email: email, channel: "webForm");
        await using (var db = App.CreateDbContext())
        {
            var customer = await db.Customers.SingleAsync(c => c.Id == first.Customer.Id, Ct);
            customer.SetOwner(agent.Id, App.Now);
            customer.SetTimeZone("Asia/Tokyo", App.Now);
            await db.SaveChangesAsync(Ct);
        }
        await RaceAsync<Acknowledgements>(a => a.RunOnceAsync(Ct));
        var mailbox = await App.CreateMailboxAsync();
        await using (var db = App.CreateDbContext())
        {
            var box = await db.Mailboxes.SingleAsync(m => m.Id == mailbox.Id, Ct);
            box.ConfigureSmtp("127.0.0.1", 25, MailSecurity.None, null, null, App.Now);
            await db.SaveChangesAsync(Ct);
        }
        try
        {
            var second = (await OpenAsync(email: email, channel: "webForm")).Ticket;
            var api = (await OpenAsync(email: email, channel: "api")).Ticket;
            (await RaceAsync<Acknowledgements>(a => a.RunOnceAsync(Ct))).ShouldBeGreaterThanOrEqualTo(1);
            await RaceAsync<Acknowledgements>(a => a.RunOnceAsync(Ct));

            await using var db = App.CreateDbContext();
            var events = await db.TicketEvents.AsNoTracking().Where(e => e.Kind == TicketEventKind.Acknowledged && (e.TicketId == first.Id || e.TicketId == second.Id || e.TicketId == api.Id))
                .ToListAsync(Ct);
            events.Single(e => e.TicketId == first.Id).Detail.ShouldStartWith("not mailed (no mailbox can send)");
            // First answer due 10:00 UTC Monday = 19:00 in Tokyo, the customer's clock; the owner answers.
            var mailed = events.Single(e => e.TicketId == second.Id);
            mailed.Detail.ShouldBe($"mailed: thanks for writing. You'll hear from Test by today 19:00. (with the link to follow the request)");
            events.ShouldNotContain(e => e.TicketId == api.Id, "tickets opened through the API are not acknowledged");
            var outbound = await db.OutboundMail.AsNoTracking().SingleAsync(o => o.TicketId == second.Id, Ct);
            outbound.Recipient.ShouldBe(email);
            await using var stream = App.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>().OpenRead(outbound.RawSha256)!;
            var raw = await new StreamReader(stream).ReadToEndAsync(Ct);
            raw.ShouldContain("Auto-Submitted: auto-generated");
            raw.ShouldContain("You'll hear from Test by today 19:00.");
            // A request from the web form: the link to follow it goes to the address, from the desk's public address.
            MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)), Ct).TextBody!.ShouldContain($"{RapportFactory.PublicUrl}/portal/link/");
            raw.ShouldContain($"[#{second.Id}]");
        }
        finally
        {
            await using var db = App.CreateDbContext();
            (await db.Mailboxes.SingleAsync(m => m.Id == mailbox.Id, Ct)).SetEnabled(false, App.Now);
            await db.SaveChangesAsync(Ct);
        }
    }

    [Fact]
    public async Task Acknowledgements_AfterABurstOfNewTickets_AllGoOutInOneRun()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, null, Ct);
        var ids = new List<long>();
        for (var i = 0; i < Acknowledgements.EventsPerPass + 20; i++)
        {
            var response = await client.PostJsonAsync("/api/v1/tickets", new
            {
                subject = $"Burst {i}",
                channel = "webForm",
                customer = new { email = $"burst+{Guid.NewGuid():N}@example.org", name = "Sam Burst" },
                message = new { text = "Is my order on its way?" },
            });
            await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
            ids.Add((await response.ReadAsync<TicketDetails>()).Id);
        }

        // One run, not one pass of a hundred: every ticket of the burst is acknowledged (the app's own job may take some).
        await ActivatorUtilities.CreateInstance<Acknowledgements>(App.Services).RunOnceAsync(Ct);

        await using var db = App.CreateDbContext();
        var acknowledged = await db.TicketEvents.AsNoTracking().Where(e => e.Kind == TicketEventKind.Acknowledged && ids.Contains(e.TicketId))
            .Select(e => e.TicketId).ToListAsync(Ct);
        acknowledged.Order().ShouldBe(ids.Order(), "each ticket of the burst acknowledged exactly once");
        (await db.Tickets.CountAsync(t => ids.Contains(t.Id) && t.AcknowledgementPending, Ct)).ShouldBe(0);
    }
}

public sealed class PromiseLedgerTests_Sqlite(SqliteRapportFactory app) : PromiseLedgerTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class PromiseLedgerTests_Postgres(PostgresRapportFactory app) : PromiseLedgerTests(app), IClassFixture<PostgresRapportFactory>;
