using Microsoft.EntityFrameworkCore;

namespace Rapport.Data;

/// <summary>The change record's transaction ids on PostgreSQL (the <c>Tx</c> of ticket events and readers' positions)
/// are the server's transaction ids plus a stored shift (table <c>FeedShift</c>, functions <c>rapport_feed_tx</c>,
/// <c>rapport_feed_xmin</c> and <c>rapport_feed_xmax</c>; docs/decisions/0053).</summary>
public static class FeedShift
{
    /// <summary>On PostgreSQL, makes sure every transaction from now on sorts after the record: a dump restored into
    /// another cluster (a restore, a move to a new server) brings <c>Tx</c> values from that cluster's transaction
    /// ids, which may be far ahead of this one's, and new events would sort before the readers' positions and never
    /// be read. The record's transaction ids are this cluster's plus a shift (<c>FeedShift</c>); when the record is
    /// ahead, the shift grows so the next transaction sorts after all of it. Order is kept and nothing is rewritten.
    /// Run at start-up, before anything writes. Returns the shift added (0 when none was needed).</summary>
    public static async Task<long> AlignAsync(RapportDb db, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            return 0;
        }
        var added = await db.Database.SqlQuery<long>($"""
            WITH ahead AS (
                SELECT GREATEST((SELECT MAX("Tx") FROM "TicketEvents"), (SELECT MAX("Tx") FROM "ConsumerPositions")) AS "Tx"),
            old AS (SELECT "Shift" FROM "FeedShift" WHERE "Id" = 1)
            UPDATE "FeedShift" SET "Shift" = ahead."Tx" + 1 - pg_current_xact_id()::text::bigint
            FROM ahead, old
            WHERE "FeedShift"."Id" = 1 AND ahead."Tx" >= pg_current_xact_id()::text::bigint + old."Shift"
            RETURNING "FeedShift"."Shift" - old."Shift" AS "Value"
            """).ToListAsync(ct);
        return added.Count == 0 ? 0 : added[0];
    }
}
