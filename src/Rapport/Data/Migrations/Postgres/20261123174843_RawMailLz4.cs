using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rapport.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RawMailLz4 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Raw mail compresses about 3:1; lz4 does it in a fifth of pglz's time (docs/decisions/0039). A server built
            // without lz4 keeps the default.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    ALTER TABLE "RawMail" ALTER COLUMN "Content" SET COMPRESSION lz4;
                EXCEPTION WHEN feature_not_supported THEN
                    RAISE NOTICE 'lz4 is not available on this server; raw mail keeps the default compression';
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "RawMail" ALTER COLUMN "Content" SET COMPRESSION default;""");
        }
    }
}
