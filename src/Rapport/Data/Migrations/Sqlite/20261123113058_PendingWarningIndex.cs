using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PendingWarningIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_WarnAt",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_WarnAt_DueAt_Pending",
                table: "Tickets",
                columns: new[] { "WarnAt", "DueAt" },
                filter: "\"WarnAt\" IS NOT NULL AND \"DueAt\" IS NOT NULL AND (\"WarnedFor\" IS NULL OR \"WarnedFor\" <> \"DueAt\" OR \"DueAt\" IS NULL)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_WarnAt_DueAt_Pending",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_WarnAt",
                table: "Tickets",
                column: "WarnAt");
        }
    }
}
