using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class JobPromises : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "PromiseId",
                table: "JobCommitments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_JobCommitments_PromiseId",
                table: "JobCommitments",
                column: "PromiseId");

            migrationBuilder.AddForeignKey(
                name: "FK_JobCommitments_Promises_PromiseId",
                table: "JobCommitments",
                column: "PromiseId",
                principalTable: "Promises",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_JobCommitments_Promises_PromiseId",
                table: "JobCommitments");

            migrationBuilder.DropIndex(
                name: "IX_JobCommitments_PromiseId",
                table: "JobCommitments");

            migrationBuilder.DropColumn(
                name: "PromiseId",
                table: "JobCommitments");
        }
    }
}
