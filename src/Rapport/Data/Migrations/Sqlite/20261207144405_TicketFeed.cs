using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Sqlite
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
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Tx = table.Column<long>(type: "INTEGER", nullable: false),
                    EventId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsumerPositions", x => x.Name);
                });

            // A database with history: acknowledgements start from now, as they did before (a new consumer starts at the beginning).
            migrationBuilder.Sql("""
                INSERT INTO "ConsumerPositions" ("Name", "Tx", "EventId")
                SELECT 'acknowledgements', 0, COALESCE(MAX("Id"), 0) FROM "TicketEvents";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ConsumerPositions");
        }
    }
}
