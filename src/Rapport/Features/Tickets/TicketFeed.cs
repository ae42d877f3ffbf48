using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Features.Tickets;

/// <summary>A place in the feed: after the event <see cref="EventId"/> of the transaction <see cref="Tx"/>.</summary>
public readonly record struct FeedPosition(long Tx, long EventId)
{
    public static readonly FeedPosition Start = new(0, 0);
}

/// <summary>One event of the feed: a line of a ticket's history, as much as a consumer needs to decide what to read next.</summary>
public sealed record FeedEvent(long Id, long Tx, long TicketId, TicketEventKind Kind, int? AgentId, int? ApiTokenId, long? CustomerId)
{
    public FeedPosition Position => new(Tx, Id);
}

/// <summary>The ticket change record, read in the order its transactions committed. Every change to a ticket, whichever
/// channel made it, writes events into the ticket's history in the transaction of the change; whatever reacts to
/// changes (live screens, acknowledgements, and every consumer after them) reads them here, from a position it keeps.
/// <para>On SQLite one transaction writes at a time, so ids grow in commit order and the position is the last id read.
/// On PostgreSQL ids are handed out before commit, so a transaction that commits later may hold a smaller id: each event
/// carries the id of the transaction that wrote it (<c>Tx</c>, a column only the PostgreSQL migration knows), and the
/// feed reads in (Tx, Id) order only transactions older than every transaction still running; none can then appear
/// behind the position. A transaction left open holds the feed back until it ends; it never makes it skip an event
/// (docs/decisions/0053). The ids are the server's plus a shift that keeps a restored dump in order
/// (<see cref="FeedShift"/>).</para></summary>
public static class TicketFeed
{
    /// <summary>Up to <paramref name="limit"/> events after <paramref name="after"/>, in commit order.</summary>
    public static async Task<IReadOnlyList<FeedEvent>> ReadAsync(RapportDb db, FeedPosition after, int limit, CancellationToken ct)
    {
        var rows = db.Database.IsSqlite()
            ? await db.Database.SqlQuery<Row>($"""
                SELECT "Id", 0 AS "Tx", "TicketId", "Kind", "AgentId", "ApiTokenId", "CustomerId" FROM "TicketEvents"
                WHERE "Id" > {after.EventId} ORDER BY "Id" LIMIT {limit}
                """).ToListAsync(ct)
            : await db.Database.SqlQuery<Row>($"""
                SELECT "Id", "Tx", "TicketId", "Kind", "AgentId", "ApiTokenId", "CustomerId" FROM "TicketEvents"
                WHERE ("Tx", "Id") > ({after.Tx}, {after.EventId})
                  AND "Tx" < rapport_feed_xmin()
                ORDER BY "Tx", "Id" LIMIT {limit}
                """).ToListAsync(ct);
        var events = new List<FeedEvent>(rows.Count);
        foreach (var row in rows)
        {
            // A kind this build does not know (written by a newer node during an upgrade) still moves the position.
            var kind = Enum.TryParse<TicketEventKind>(row.Kind, out var known) ? known : (TicketEventKind)(-1);
            events.Add(new FeedEvent(row.Id, row.Tx, row.TicketId, kind, row.AgentId, row.ApiTokenId, row.CustomerId));
        }
        return events;
    }

    /// <summary>The position after the last event committed so far: where a reader that only cares about what happens
    /// from now on starts.</summary>
    public static async Task<FeedPosition> HeadAsync(RapportDb db, CancellationToken ct)
    {
        var rows = db.Database.IsSqlite()
            ? await db.Database.SqlQuery<Head>($"""
                SELECT 0 AS "Tx", COALESCE(MAX("Id"), 0) AS "Id" FROM "TicketEvents"
                """).ToListAsync(ct)
            : await db.Database.SqlQuery<Head>($"""
                SELECT "Tx", "Id" FROM "TicketEvents"
                WHERE "Tx" < rapport_feed_xmin()
                ORDER BY "Tx" DESC, "Id" DESC LIMIT 1
                """).ToListAsync(ct);
        return rows.Count == 0 ? FeedPosition.Start : new FeedPosition(rows[0].Tx, rows[0].Id);
    }

    /// <summary>On PostgreSQL, a mark every transaction that has committed by now is below (the next transaction id);
    /// <see cref="ReachedAsync"/> tells when all of them can be read. On SQLite every commit is readable at once.</summary>
    public static async Task<long> HorizonAsync(RapportDb db, CancellationToken ct) => db.Database.IsSqlite()
        ? 0
        : await db.Database.SqlQuery<long>($"""SELECT rapport_feed_xmax() AS "Value" """).SingleAsync(ct);

    /// <summary>Whether every transaction below <paramref name="horizon"/> has ended, so reading now sees what they wrote.</summary>
    public static async Task<bool> ReachedAsync(RapportDb db, long horizon, CancellationToken ct) => db.Database.IsSqlite()
        || await db.Database.SqlQuery<long>($"""SELECT rapport_feed_xmin() AS "Value" """).SingleAsync(ct) >= horizon;

    private sealed class Row
    {
        public long Id { get; set; }
        public long Tx { get; set; }
        public long TicketId { get; set; }
        public string Kind { get; set; } = "";
        public int? AgentId { get; set; }
        public int? ApiTokenId { get; set; }
        public long? CustomerId { get; set; }
    }

    private sealed class Head
    {
        public long Tx { get; set; }
        public long Id { get; set; }
    }
}
