using Microsoft.EntityFrameworkCore;
using Rapport.Features.Agents;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Tickets;

public abstract class TicketStorageTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task A_ticket_reads_back_with_its_customer_messages_tags_and_history()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var addresses = new[] { $"test+{Guid.NewGuid():N}@example.com", $"test+{Guid.NewGuid():N}@example.org" };
        var opened = App.Now;
        long ticketId, customerId;
        await using (var db = App.CreateDbContext())
        {
            var customer = Customer.Create("Ann Example", addresses, opened);
            customer.SetPhone("+49 30 1234567", opened);
            var first = Message.FromCustomer(customer, new MessageBody("Order 4711 has not arrived.", "<p>Order <b>4711</b> has not arrived.</p>"), opened);
            var ticket = Ticket.Open(customer, "Where is my order?", TicketChannel.Email, TicketPriority.High, first, Actor.System, opened,
                tags: ["Shipping", "VIP"]);
            db.Tickets.Add(ticket);
            await db.SaveChangesAsync(Ct);
            (ticketId, customerId) = (ticket.Id, customer.Id);
        }

        App.Time.Advance(TimeSpan.FromMinutes(5));
        var noted = App.Now;
        App.Time.Advance(TimeSpan.FromMinutes(10));
        var replied = App.Now;
        App.Time.Advance(TimeSpan.FromHours(3));
        var customerWrote = App.Now;
        int version;
        await using (var db = App.CreateDbContext())
        {
            var ticket = await db.Tickets.Include(t => t.Customer).SingleAsync(t => t.Id == ticketId, Ct);
            var by = Actor.ForHistory(agent.Id);
            ticket.AddNote(Message.Note(agent.Id, new MessageBody("Asked the warehouse.", null), noted), by, noted);
            ticket.AddReply(Message.Reply(agent.Id, new MessageBody("It is on its way.", null), replied), by, replied);
            ticket.AddCustomerMessage(Message.FromCustomer(ticket.Customer, new MessageBody("Still nothing.", null), customerWrote), ChangeChannel.Email, customerWrote);
            await db.SaveChangesAsync(Ct);
            version = ticket.Version;
        }

        await using (var db = App.CreateDbContext())
        {
            var ticket = await db.Tickets.AsNoTracking()
                .Include(t => t.Customer).ThenInclude(c => c.Emails)
                .Include(t => t.Tags).Include(t => t.Messages).Include(t => t.Events)
                .AsSplitQuery()
                .SingleAsync(t => t.Id == ticketId, Ct);

            ticket.Subject.ShouldBe("Where is my order?");
            ticket.Status.ShouldBe(TicketStatus.Open);
            ticket.Priority.ShouldBe(TicketPriority.High);
            ticket.Channel.ShouldBe(TicketChannel.Email);
            ticket.Version.ShouldBe(version);
            ticket.Tags.Select(t => t.Name).ShouldBe(["shipping", "vip"], ignoreOrder: true);

            ticket.CustomerId.ShouldBe(customerId);
            ticket.Customer.Name.ShouldBe("Ann Example");
            ticket.Customer.Phone.ShouldBe("+49 30 1234567");
            ticket.Customer.Emails.Select(e => e.Address).ShouldBe(addresses, ignoreOrder: true);
            ticket.Customer.PrimaryEmail.ShouldBe(addresses[0]);

            var messages = ticket.Messages.OrderBy(m => m.Id).ToList();
            messages.Select(m => m.Kind).ShouldBe([MessageKind.Customer, MessageKind.Note, MessageKind.Reply, MessageKind.Customer]);
            messages.Select(m => m.Text).ShouldBe(["Order 4711 has not arrived.", "Asked the warehouse.", "It is on its way.", "Still nothing."]);
            messages[0].Html.ShouldBe("<p>Order <b>4711</b> has not arrived.</p>");
            messages[1].Html.ShouldBeNull();
            messages.Select(m => m.AuthorCustomerId).ShouldBe([customerId, null, null, customerId]);
            messages.Select(m => m.AuthorAgentId).ShouldBe([null, agent.Id, agent.Id, null]);

            var events = ticket.Events.OrderBy(e => e.Id).ToList();
            events.Select(e => e.Kind).ShouldBe([TicketEventKind.Created, TicketEventKind.NoteAdded, TicketEventKind.Replied,
                TicketEventKind.StatusChanged, TicketEventKind.CustomerWrote, TicketEventKind.StatusChanged]);
            events[2].AgentId.ShouldBe(agent.Id);
            events[4].CustomerId.ShouldBe(customerId);
            events[5].Detail.ShouldBe("waiting-on-customer → open (customer wrote again)");

            AllUtc(ticket.CreatedAt, ticket.UpdatedAt, ticket.FirstResponseAt!.Value, ticket.Customer.CreatedAt);
            ticket.CreatedAt.ShouldBe(opened);
            ticket.UpdatedAt.ShouldBe(customerWrote);
            ticket.FirstResponseAt.ShouldBe(replied);
            ticket.ResolvedAt.ShouldBeNull();
            ticket.ClosedAt.ShouldBeNull();
            AllUtc([.. messages.Select(m => m.CreatedAt), .. events.Select(e => e.At)]);
            messages.Select(m => m.CreatedAt).ShouldBe([opened, noted, replied, customerWrote]);
            events.Select(e => e.At).ShouldBe([opened, noted, replied, replied, customerWrote, customerWrote]);
        }
    }

    [Fact]
    public async Task Tickets_filter_and_sort_by_time_in_the_database()
    {
        var times = new List<DateTime>();
        var ids = new List<long>();
        await using (var db = App.CreateDbContext())
        {
            var customer = NewCustomer();
            foreach (var step in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(1.5), TimeSpan.FromSeconds(1), TimeSpan.FromDays(40) })
            {
                App.Time.Advance(step);
                var ticket = NewTicket(customer);
                db.Tickets.Add(ticket);
                await db.SaveChangesAsync(Ct);
                times.Add(App.Now);
                ids.Add(ticket.Id);
            }
        }

        await using (var db = App.CreateDbContext())
        {
            var mine = db.Tickets.Where(t => ids.Contains(t.Id));

            (await mine.OrderByDescending(t => t.UpdatedAt).Select(t => t.Id).ToListAsync(Ct)).ShouldBe(ids.AsEnumerable().Reverse());
            (await mine.Where(t => t.UpdatedAt > times[0]).Select(t => t.Id).ToListAsync(Ct)).ShouldBe(ids.Skip(1), ignoreOrder: true);
            (await mine.Where(t => t.CreatedAt >= times[2]).Select(t => t.Id).ToListAsync(Ct)).ShouldBe(ids.Skip(2), ignoreOrder: true);
        }
    }

    [Fact]
    public async Task A_change_based_on_a_stale_version_is_refused()
    {
        long ticketId;
        int version;
        await using (var db = App.CreateDbContext())
        {
            var ticket = NewTicket(NewCustomer());
            db.Tickets.Add(ticket);
            await db.SaveChangesAsync(Ct);
            (ticketId, version) = (ticket.Id, ticket.Version);
        }

        await using var first = App.CreateDbContext();
        await using var second = App.CreateDbContext();
        var mine = await first.Tickets.SingleAsync(t => t.Id == ticketId, Ct);
        var theirs = await second.Tickets.SingleAsync(t => t.Id == ticketId, Ct);
        App.Time.Advance(TimeSpan.FromMinutes(1));
        mine.ChangePriority(TicketPriority.Urgent, Actor.System, App.Now);
        theirs.ChangeSubject("Changed by someone else", Actor.System, App.Now);

        await first.SaveChangesAsync(Ct);
        await Should.ThrowAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync(Ct));

        await using var check = App.CreateDbContext();
        var saved = await check.Tickets.AsNoTracking().Include(t => t.Events).SingleAsync(t => t.Id == ticketId, Ct);
        saved.Version.ShouldBe(version + 1);
        saved.Priority.ShouldBe(TicketPriority.Urgent);
        saved.Subject.ShouldBe("Where is my order?");
        saved.Events.Select(e => e.Kind).ShouldBe([TicketEventKind.Created, TicketEventKind.PriorityChanged], ignoreOrder: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task After_a_refused_stale_change_the_database_still_takes_writes()
    {
        long ticketId;
        await using (var db = App.CreateDbContext())
        {
            var ticket = NewTicket(NewCustomer());
            db.Tickets.Add(ticket);
            await db.SaveChangesAsync(Ct);
            ticketId = ticket.Id;
        }
        await using (var first = App.CreateDbContext())
        await using (var second = App.CreateDbContext())
        {
            var mine = await first.Tickets.SingleAsync(t => t.Id == ticketId, Ct);
            var theirs = await second.Tickets.SingleAsync(t => t.Id == ticketId, Ct);
            mine.ChangePriority(TicketPriority.High, Actor.System, App.Now);
            theirs.ChangePriority(TicketPriority.Low, Actor.System, App.Now);
            await first.SaveChangesAsync(Ct);
            await Should.ThrowAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync(Ct));
        }

        await using (var db = App.CreateDbContext())
        {
            db.Tickets.Add(NewTicket(NewCustomer()));
            (await db.SaveChangesAsync(Ct)).ShouldBeGreaterThan(0);
        }
    }

    private Customer NewCustomer() => Customer.Create("Ann Example", [$"test+{Guid.NewGuid():N}@example.com"], App.Now);

    private Ticket NewTicket(Customer customer) => Ticket.Open(customer, "Where is my order?", TicketChannel.Api, TicketPriority.Normal,
        Message.FromCustomer(customer, new MessageBody("Order 4711 has not arrived.", null), App.Now), Actor.System, App.Now);

    private static void AllUtc(params DateTime[] values)
    {
        foreach (var value in values)
        {
            value.Kind.ShouldBe(DateTimeKind.Utc);
        }
    }
}

public sealed class TicketStorageTests_Sqlite(SqliteRapportFactory app) : TicketStorageTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class TicketStorageTests_Postgres(PostgresRapportFactory app) : TicketStorageTests(app), IClassFixture<PostgresRapportFactory>;
