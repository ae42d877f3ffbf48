using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "BreachedFor",
                table: "Tickets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DueFor",
                table: "Tickets",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "WarnAt",
                table: "Tickets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "WarnedFor",
                table: "Tickets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TimeZone",
                table: "Customers",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "AcknowledgementEnabled",
                table: "BusinessProfiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgementTemplate",
                table: "BusinessProfiles",
                type: "TEXT",
                maxLength: 4000,
                nullable: false,
                defaultValue: "Hello {customer},\n\nthanks for writing. You'll hear from {agent} by {due}.\n(Ticket {ticket})");

            migrationBuilder.AddColumn<bool>(
                name: "AssignNewCustomers",
                table: "BusinessProfiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "EscalateToAgentId",
                table: "BusinessProfiles",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SlaWarnPercent",
                table: "BusinessProfiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: 80);

            migrationBuilder.AddColumn<DateTime>(
                name: "AwayUntil",
                table: "AspNetUsers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BackupAgentId",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AgentId = table.Column<int>(type: "INTEGER", nullable: false),
                    TicketId = table.Column<long>(type: "INTEGER", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReadAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Promises",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TicketId = table.Column<long>(type: "INTEGER", nullable: false),
                    CustomerId = table.Column<long>(type: "INTEGER", nullable: false),
                    AgentId = table.Column<int>(type: "INTEGER", nullable: true),
                    Text = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    DueAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    SettledAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    SettledById = table.Column<int>(type: "INTEGER", nullable: true),
                    SettleNote = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RemindedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    OverdueNoticeAt = table.Column<DateTime>(type: "TEXT", nullable: true)
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
