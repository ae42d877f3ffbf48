using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.Mail;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Data;

/// <summary>The row writer (the mail writer's inserts without the change tracker) must write the rows SaveChanges writes.</summary>
public abstract class RowWriterTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task InsertAsync_NewTicketGraph_ReadsBackAsTheSameGraphSavedBySaveChanges()
    {
        var now = App.Now;
        var (savedTicket, savedCustomer) = Graph("saved", now);
        await using (var db = App.CreateDbContext())
        {
            db.Tickets.Add(savedTicket);
            await App.Services.GetRequiredService<SlaClock>().OpenAsync(db, [savedTicket], Ct);
            await db.SaveChangesAsync(Ct);
        }
        var (written, writtenCustomer) = Graph("written", now);
        await using (var db = App.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await App.Services.GetRequiredService<SlaClock>().OpenAsync(db, [written], Ct);
            await using var rows = new RowWriter(db);
            await rows.InsertAsync(written, Ct);
            await rows.InsertAsync(written, Ct); // already inserted: nothing happens
            await transaction.CommitAsync(Ct);
        }

        written.Id.ShouldBeGreaterThan(0);
        writtenCustomer.Id.ShouldBeGreaterThan(0);
        written.Messages.ShouldAllBe(m => m.Id > 0 && m.TicketId == written.Id);
        await using var check = App.CreateDbContext();
        var expected = await ReadAsync(check, savedTicket.Id);
        var actual = await ReadAsync(check, written.Id);
        actual.CustomerId.ShouldBe(writtenCustomer.Id);
        actual.Customer.Emails.Select(e => e.Address).Order().ShouldBe(writtenCustomer.Emails.Select(e => e.Address).Order());
        ShouldMatch(check.Model, expected.Customer, actual.Customer);
        ShouldMatchEach(check.Model, expected.Customer.Emails.OrderByDescending(e => e.IsPrimary), actual.Customer.Emails.OrderByDescending(e => e.IsPrimary));
        ShouldMatch(check.Model, expected, actual);
        ShouldMatchEach(check.Model, expected.Tags.OrderBy(t => t.Name), actual.Tags.OrderBy(t => t.Name));
        ShouldMatchEach(check.Model, expected.Events.OrderBy(e => e.Id), actual.Events.OrderBy(e => e.Id));
        var messages = actual.Messages.OrderBy(m => m.Id).ToList();
        ShouldMatchEach(check.Model, expected.Messages.OrderBy(m => m.Id), messages);
        messages[0].AuthorCustomerId.ShouldBe(writtenCustomer.Id);
        var attachments = await check.Attachments.AsNoTracking().Where(a => a.MessageId == messages[0].Id).ToListAsync(Ct);
        var savedAttachments = await check.Attachments.AsNoTracking().Where(a => a.MessageId == savedTicket.Messages.First().Id).ToListAsync(Ct);
        attachments.Count.ShouldBe(1);
        ShouldMatchEach(check.Model, savedAttachments, attachments);
    }

    [Fact]
    public async Task InsertAsync_AddressTakenByAnotherCustomer_FailsAsAUniqueViolationAndWritesNothing()
    {
        var address = $"taken+{Guid.NewGuid():N}@example.com";
        await using (var db = App.CreateDbContext())
        {
            db.Customers.Add(Customer.Create("First", [address], App.Now));
            await db.SaveChangesAsync(Ct);
        }
        var subject = $"Second {Guid.NewGuid():N}";
        await using (var db = App.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await using var rows = new RowWriter(db);
            var customer = Customer.Create("Second", [address], App.Now);
            var ticket = Ticket.Open(customer, subject, TicketChannel.Email, TicketPriority.Normal,
                Message.FromCustomer(customer, new MessageBody("Hello", null), App.Now), Actor.System, App.Now);

            var failure = await Should.ThrowAsync<DbUpdateException>(() => rows.InsertAsync(ticket, Ct));

            failure.IsUniqueViolation().ShouldBeTrue();
        }
        await using var check = App.CreateDbContext();
        (await check.Tickets.AnyAsync(t => t.Subject == subject, Ct)).ShouldBeFalse();
        (await check.CustomerEmails.CountAsync(e => e.Address == address, Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task UpdateAsync_WritesTheChangedColumns_AndRefusesARowChangedSinceItWasRead()
    {
        var (ticket, _) = Graph("update", App.Now);
        await using (var db = App.CreateDbContext())
        {
            db.Tickets.Add(ticket);
            await db.SaveChangesAsync(Ct);
        }
        await using (var db = App.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await using var rows = new RowWriter(db);
            var read = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticket.Id, Ct);
            var snapshot = rows.Snapshot(read);
            await rows.UpdateAsync(read, snapshot, Ct); // nothing changed: nothing written
            read.AddNote(Message.Note(null, new MessageBody("Checked.", null), App.Now), Actor.System, App.Now);
            read.ChangePriority(TicketPriority.Urgent, Actor.System, App.Now);
            await rows.InsertNewDependentsAsync(read, Ct);
            await rows.UpdateAsync(read, snapshot, Ct);
            await transaction.CommitAsync(Ct);
        }
        await using (var check = App.CreateDbContext())
        {
            var stored = await check.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticket.Id, Ct);
            stored.Priority.ShouldBe(TicketPriority.Urgent);
            stored.Version.ShouldBe(ticket.Version + 2);
            (await check.Messages.CountAsync(m => m.TicketId == ticket.Id, Ct)).ShouldBe(3);
        }

        // Read, then changed by someone else before the write: refused, and the other change stays.
        await using (var db = App.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await using var rows = new RowWriter(db);
            var read = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticket.Id, Ct);
            var snapshot = rows.Snapshot(read);
            await transaction.CommitAsync(Ct);
            await using (var other = App.CreateDbContext())
            {
                var tracked = await other.Tickets.SingleAsync(t => t.Id == ticket.Id, Ct);
                tracked.ChangePriority(TicketPriority.Low, Actor.System, App.Now);
                await other.SaveChangesAsync(Ct);
            }
            await using var again = await db.Database.BeginTransactionAsync(Ct);
            read.ChangePriority(TicketPriority.High, Actor.System, App.Now);

            await Should.ThrowAsync<DbUpdateConcurrencyException>(() => rows.UpdateAsync(read, snapshot, Ct));
        }
        await using var after = App.CreateDbContext();
        (await after.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticket.Id, Ct)).Priority.ShouldBe(TicketPriority.Low);
    }

    /// <summary>A new customer with two addresses, a tagged, angry ticket with an HTML message, an attachment and a note.</summary>
    private static (Ticket Ticket, Customer Customer) Graph(string who, DateTime now)
    {
        var customer = Customer.Create("Ann Example", [$"{who}+{Guid.NewGuid():N}@example.com", $"{who}+{Guid.NewGuid():N}@example.org"], now);
        customer.SetPhone("+49 30 1234567", now);
        var first = Message.FromCustomer(customer, new MessageBody("This is the third time I write. Unacceptable, I want a refund now!",
            "<p>This is the third time I write. <b>Unacceptable</b>, I want a refund now!</p>"), now);
        first.Attach(Attachment.Create("receipt.pdf", "application/pdf", new StoredFile(new string('a', 64), 1234), null, now));
        var ticket = Ticket.Open(customer, "Refund", TicketChannel.Email, TicketPriority.High, first, Actor.System, now, tags: ["billing", "vip"]);
        ticket.AddNote(Message.Note(null, new MessageBody("Linked to an earlier ticket.", null), now), Actor.System, now);
        return (ticket, customer);
    }

    private Task<Ticket> ReadAsync(RapportDb db, long id) => db.Tickets.AsNoTracking()
        .Include(t => t.Customer).ThenInclude(c => c.Emails).Include(t => t.Tags).Include(t => t.Messages).Include(t => t.Events)
        .AsSplitQuery().SingleAsync(t => t.Id == id, Ct);

    private static void ShouldMatchEach<T>(IModel model, IEnumerable<T> expected, IEnumerable<T> actual) where T : class
    {
        var (e, a) = (expected.ToList(), actual.ToList());
        a.Count.ShouldBe(e.Count, typeof(T).Name);
        for (var i = 0; i < e.Count; i++)
        {
            ShouldMatch(model, e[i], a[i]);
        }
    }

    /// <summary>Every mapped column equal, except keys and foreign keys (other rows) and addresses (unique per customer).</summary>
    private static void ShouldMatch<T>(IModel model, T expected, T actual) where T : class
    {
        var type = model.FindEntityType(typeof(T))!;
        foreach (var property in type.GetProperties().Where(p => !p.IsKey() && !p.IsForeignKey() && p.Name != nameof(CustomerEmail.Address)))
        {
            property.GetGetter().GetClrValue(actual).ShouldBe(property.GetGetter().GetClrValue(expected), $"{typeof(T).Name}.{property.Name}");
        }
    }
}

public sealed class RowWriterTests_Sqlite(SqliteRapportFactory app) : RowWriterTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class RowWriterTests_Postgres(PostgresRapportFactory app) : RowWriterTests(app), IClassFixture<PostgresRapportFactory>;
