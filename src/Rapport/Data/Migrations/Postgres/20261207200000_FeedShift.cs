using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Postgres
{
    /// <summary>The change record's transaction ids become this cluster's plus a stored shift, so a dump restored into
    /// another cluster (whose transaction ids may be far behind the old one's) keeps new events after the old ones
    /// (TicketFeed.AlignAsync raises the shift at start-up when it must; hand-written, nothing of it is in the model).</summary>
    public partial class FeedShift : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The snapshot functions are STABLE so that they read the calling statement's snapshot (as the expressions
            // they replace did), never a later one that would let the feed pass a transaction its read could not see.
            migrationBuilder.Sql("""
                CREATE TABLE "FeedShift" ("Id" integer PRIMARY KEY CHECK ("Id" = 1), "Shift" bigint NOT NULL);
                INSERT INTO "FeedShift" ("Id", "Shift") VALUES (1, 0);
                CREATE FUNCTION rapport_feed_tx() RETURNS bigint LANGUAGE sql VOLATILE
                    AS $$ SELECT pg_current_xact_id()::text::bigint + (SELECT "Shift" FROM "FeedShift" WHERE "Id" = 1) $$;
                CREATE FUNCTION rapport_feed_xmin() RETURNS bigint LANGUAGE sql STABLE
                    AS $$ SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint + (SELECT "Shift" FROM "FeedShift" WHERE "Id" = 1) $$;
                CREATE FUNCTION rapport_feed_xmax() RETURNS bigint LANGUAGE sql STABLE
                    AS $$ SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint + (SELECT "Shift" FROM "FeedShift" WHERE "Id" = 1) $$;
                ALTER TABLE "TicketEvents" ALTER COLUMN "Tx" SET DEFAULT rapport_feed_tx();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE "TicketEvents" ALTER COLUMN "Tx" SET DEFAULT (pg_current_xact_id()::text::bigint);
                DROP FUNCTION rapport_feed_xmax();
                DROP FUNCTION rapport_feed_xmin();
                DROP FUNCTION rapport_feed_tx();
                DROP TABLE "FeedShift";
                """);
        }
    }
}
