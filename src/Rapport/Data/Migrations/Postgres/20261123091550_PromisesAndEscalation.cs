using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Rapport.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PromisesAndEscalation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AcknowledgementPending",
                table: "Tickets",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "BreachedFor",
                table: "Tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DueFor",
                table: "Tickets",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "WarnAt",
                table: "Tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "WarnedFor",
                table: "Tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TimeZone",
                table: "Customers",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "AcknowledgementEnabled",
                table: "BusinessProfiles",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgementTemplate",
                table: "BusinessProfiles",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                defaultValue: "Hello {customer},\n\nthanks for writing. You'll hear from {agent} by {due}.\n(Ticket {ticket})");

            migrationBuilder.AddColumn<bool>(
                name: "AssignNewCustomers",
                table: "BusinessProfiles",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "EscalateToAgentId",
                table: "BusinessProfiles",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SlaWarnPercent",
                table: "BusinessProfiles",
                type: "integer",
                nullable: false,
                defaultValue: 80);

            migrationBuilder.AddColumn<DateTime>(
                name: "AwayUntil",
                table: "AspNetUsers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BackupAgentId",
                table: "AspNetUsers",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AgentId = table.Column<int>(type: "integer", nullable: false),
                    TicketId = table.Column<long>(type: "bigint", nullable: true),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ReadAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Promises",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TicketId = table.Column<long>(type: "bigint", nullable: false),
                    CustomerId = table.Column<long>(type: "bigint", nullable: false),
                    AgentId = table.Column<int>(type: "integer", nullable: true),
                    Text = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    DueAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SettledAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    SettledById = table.Column<int>(type: "integer", nullable: true),
                    SettleNote = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    RemindedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    OverdueNoticeAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Promises", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Promises_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_AcknowledgementPending",
                table: "Tickets",
                column: "AcknowledgementPending",
                filter: "\"AcknowledgementPending\"");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_WarnAt",
                table: "Tickets",
                column: "WarnAt");

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_AgentId_ReadAt_Id",
                table: "Notifications",
                columns: new[] { "AgentId", "ReadAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Promises_AgentId_Status_DueAt",
                table: "Promises",
                columns: new[] { "AgentId", "Status", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Promises_CustomerId_SettledAt",
                table: "Promises",
                columns: new[] { "CustomerId", "SettledAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Promises_SettledAt",
                table: "Promises",
                column: "SettledAt");

            migrationBuilder.CreateIndex(
                name: "IX_Promises_Status_DueAt",
                table: "Promises",
                columns: new[] { "Status", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Promises_TicketId_Id",
                table: "Promises",
                columns: new[] { "TicketId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "Promises");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_AcknowledgementPending",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_WarnAt",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "AcknowledgementPending",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "BreachedFor",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "DueFor",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "WarnAt",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "WarnedFor",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "TimeZone",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "AcknowledgementEnabled",
                table: "BusinessProfiles");

            migrationBuilder.DropColumn(
                name: "AcknowledgementTemplate",
                table: "BusinessProfiles");

            migrationBuilder.DropColumn(
                name: "AssignNewCustomers",
                table: "BusinessProfiles");

            migrationBuilder.DropColumn(
                name: "EscalateToAgentId",
                table: "BusinessProfiles");

            migrationBuilder.DropColumn(
                name: "SlaWarnPercent",
                table: "BusinessProfiles");

            migrationBuilder.DropColumn(
                name: "AwayUntil",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "BackupAgentId",
                table: "AspNetUsers");
        }
    }
}
