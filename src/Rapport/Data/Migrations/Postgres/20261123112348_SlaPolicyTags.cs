using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SlaPolicyTags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SlaPolicies_Priority",
                table: "SlaPolicies");

            migrationBuilder.AddColumn<string>(
                name: "Tag",
                table: "SlaPolicies",
                type: "character varying(50)",
                maxLength: 50,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_SlaPolicies_Tag_Priority",
                table: "SlaPolicies",
                columns: new[] { "Tag", "Priority" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SlaPolicies_Tag_Priority",
                table: "SlaPolicies");

            migrationBuilder.DropColumn(
                name: "Tag",
                table: "SlaPolicies");

            migrationBuilder.CreateIndex(
                name: "IX_SlaPolicies_Priority",
                table: "SlaPolicies",
                column: "Priority",
                unique: true);
        }
    }
}
