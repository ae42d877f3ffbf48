using Microsoft.EntityFrameworkCore;
using Rapport.Features.ApiTokens;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>The intake looks up a whole group's Message-IDs (duplicates, and the messages replies answer) in one query.
/// Most messages have no Message-ID (notes, web and API messages), and once the database has statistics that say so,
/// SQLite walked the whole Messages table for that query; the partial index keeps it a lookup. The other way round,
/// a ticket's thread (for a reply's References) must not be read through that partial index.</summary>
public abstract class IntakeIndexTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task MessageIdLookup_UsesTheIndex_WhenMostMessagesHaveNoMessageId()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var answer = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("stats"), "Statistics", "One message with an ID."));
        await using var db = App.CreateDbContext();
        // 512 messages without a Message-ID on that ticket (copies of its first), then fresh statistics.
        await DoubleWithoutMessageIdsAsync(db, answer.TicketId!.Value, times: 9);
        await db.Database.ExecuteSqlRawAsync("ANALYZE", Ct);

        var plan = await db.PlanAsync(() => KnownMail.ListCommand(db, KnownMail.MessageIdsSql, ["a@x", "b@x", "c@x"]), Ct);

        plan.ShouldContain("IX_Messages_InternetMessageId");
        plan.ShouldNotContain("SCAN Messages");
    }

    [Fact]
    public async Task ThreadOfATicket_ReadsByTicket_WhenStatisticsPredateMostMessageIds()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var bulk = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("bulk"), "Web era", "Copied many times."));
        var thread = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("thread"), "Mail era", "The thread we reply to."));
        await using var db = App.CreateDbContext();
        // Statistics taken while almost no message had a Message-ID (4,096 copies without one)...
        await DoubleWithoutMessageIdsAsync(db, bulk.TicketId!.Value, times: 12);
        await db.Database.ExecuteSqlRawAsync("ANALYZE", Ct);
        // ...then 2,000 messages with one arrive, on another ticket.
        var list = CopiedColumns(db);
        var copyWithIds = "INSERT INTO \"Messages\" (" + list + ", \"InternetMessageId\") SELECT " + list + ", 'later-' || \"Id\" || '@x' " +
            "FROM \"Messages\" WHERE \"Id\" IN (SELECT \"Id\" FROM \"Messages\" WHERE \"TicketId\" = {0} ORDER BY \"Id\" LIMIT 2000)";
        await db.Database.ExecuteSqlRawAsync(copyWithIds, [bulk.TicketId!.Value], Ct);

        var plan = await db.PlanAsync(ReplyOutbox.Thread(db.Messages.AsNoTracking(), thread.TicketId!.Value).Select(m => m.InternetMessageId), Ct);

        plan.ShouldContain("IX_Messages_TicketId_Id");
        plan.ShouldNotContain("IX_Messages_InternetMessageId");
    }

    /// <summary>The Messages columns but Id and InternetMessageId, quoted; from the model, so the SQL built with them
    /// carries no outside input.</summary>
    private static string CopiedColumns(RapportDb db) => string.Join(", ", db.Model.FindEntityType(typeof(Message))!.GetProperties()
        .Where(p => p.Name is not (nameof(Message.Id) or nameof(Message.InternetMessageId))).Select(p => $"\"{p.GetColumnName()}\""));

    /// <summary>Doubles the ticket's messages <paramref name="times"/> times, the copies without a Message-ID.</summary>
    private async Task DoubleWithoutMessageIdsAsync(RapportDb db, long ticketId, int times)
    {
        var list = CopiedColumns(db);
        var copy = "INSERT INTO \"Messages\" (" + list + ") SELECT " + list + " FROM \"Messages\" WHERE \"TicketId\" = {0}";
        for (var i = 0; i < times; i++)
        {
            await db.Database.ExecuteSqlRawAsync(copy, [ticketId], Ct);
        }
    }
}

public sealed class IntakeIndexTests_Sqlite(SqliteRapportFactory app) : IntakeIndexTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class IntakeIndexTests_Postgres(PostgresRapportFactory app) : IntakeIndexTests(app), IClassFixture<PostgresRapportFactory>;
