using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PendingEscalationIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Tickets_DueAt_Unbreached",
                table: "Tickets",
                column: "DueAt",
                filter: "\"DueAt\" IS NOT NULL AND (\"BreachedFor\" IS NULL OR \"BreachedFor\" <> \"DueAt\" OR \"DueAt\" IS NULL)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_DueAt_Unbreached",
                table: "Tickets");
        }
    }
}
