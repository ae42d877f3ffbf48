using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TicketFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConsumerPositions",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Tx = table.Column<long>(type: "bigint", nullable: false),
                    EventId = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsumerPositions", x => x.Name);
                });

            // Hand-written (the model does not know it): each ticket event carries the id of the transaction that wrote
            // it, so the change feed reads in commit order (TicketFeed); a trigger tells listening nodes at commit.
            migrationBuilder.Sql("""
                ALTER TABLE "TicketEvents" ADD COLUMN "Tx" bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
                CREATE INDEX "IX_TicketEvents_Tx_Id" ON "TicketEvents" ("Tx", "Id");
                CREATE FUNCTION rapport_ticket_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('rapport_ticket_events', '');
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER "TicketEvents_notify" AFTER INSERT ON "TicketEvents"
                    FOR EACH STATEMENT EXECUTE FUNCTION rapport_ticket_events_notify();
                """);
            // A database with history: acknowledgements start from now, as they did before (a new consumer starts at the beginning).
            migrationBuilder.Sql("""
                INSERT INTO "ConsumerPositions" ("Name", "Tx", "EventId")
                SELECT 'acknowledgements', COALESCE(MAX("Tx"), 0), COALESCE(MAX("Id"), 0) FROM "TicketEvents";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "TicketEvents_notify" ON "TicketEvents";
                DROP FUNCTION rapport_ticket_events_notify();
                DROP INDEX "IX_TicketEvents_Tx_Id";
                ALTER TABLE "TicketEvents" DROP COLUMN "Tx";
                """);
            migrationBuilder.DropTable(
                name: "ConsumerPositions");
        }
    }
}
