using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SearchEntries",
                columns: table => new
                {
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    TicketId = table.Column<long>(type: "INTEGER", nullable: false),
                    Internal = table.Column<bool>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SearchEntries", x => x.MessageId);
                    table.ForeignKey(
                        name: "FK_SearchEntries_Messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "Messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SearchEntries_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SearchEntries_TicketId",
                table: "SearchEntries",
                column: "TicketId");

            // Hand-written: the words, in an FTS5 table keyed by message id that stores no copy of the text (written and
            // read by SearchIndex only). Its rows go with their entry.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "SearchText" USING fts5("Subject", "People", "Body", "Quoted", "Files",
                    content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "SearchEntries_Deleted" AFTER DELETE ON "SearchEntries"
                BEGIN DELETE FROM "SearchText" WHERE rowid = old."MessageId"; END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "SearchEntries_Deleted";""");
            migrationBuilder.Sql("""DROP TABLE "SearchText";""");
            migrationBuilder.DropTable(
                name: "SearchEntries");
        }
    }
}
