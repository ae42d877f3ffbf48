using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rapport.Data;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Data;

public abstract class MigrationTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task Start_up_applies_every_migration()
    {
        await using var db = App.CreateDbContext();

        var all = db.Database.GetMigrations().ToList();
        all.ShouldNotBeEmpty();
        (await db.Database.GetAppliedMigrationsAsync(Ct)).ShouldBe(all);
        (await db.Database.GetPendingMigrationsAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_migrations_match_the_model()
    {
        await using var db = App.CreateDbContext();

        db.Database.HasPendingModelChanges().ShouldBeFalse(
            "the model changed without a migration: add one for each provider (see README, Development)");
    }

    [Fact]
    public async Task Migrating_a_current_database_changes_nothing()
    {
        var migrator = App.Services.GetRequiredService<DatabaseMigrator>();

        var applied = await migrator.MigrateAsync(Ct);

        applied.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_app_uses_the_configured_provider()
    {
        await using var db = App.CreateDbContext();

        var expected = App.Provider switch
        {
            DatabaseProvider.Sqlite => typeof(SqliteRapportDb),
            DatabaseProvider.Postgres => typeof(PostgresRapportDb),
            _ => throw new ArgumentOutOfRangeException(nameof(App.Provider)),
        };
        db.ShouldBeOfType(expected);
        (App.Provider == DatabaseProvider.Sqlite ? db.Database.IsSqlite() : db.Database.IsNpgsql()).ShouldBeTrue();
    }
}

/// <summary>The app on an empty SQLite database, which start-up migrates (not a copy of the run's template).</summary>
public sealed class SqliteEmptyDatabaseFactory : SqliteRapportFactory
{
    protected override Task PrepareDatabaseAsync() => Task.CompletedTask;
}

/// <summary>The app on an empty PostgreSQL database, which start-up migrates (not a copy of the run's template).</summary>
public sealed class PostgresEmptyDatabaseFactory : PostgresRapportFactory
{
    protected override Task CreateDatabaseAsync() => CreateEmptyDatabaseAsync();
}

public sealed class MigrationTests_Sqlite(SqliteEmptyDatabaseFactory app) : MigrationTests(app), IClassFixture<SqliteEmptyDatabaseFactory>
{
    [Fact]
    public async Task The_database_is_a_file_in_the_data_directory_in_WAL_mode()
    {
        await using var db = App.CreateDbContext();
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;

        Path.GetFullPath(file).ShouldBe(Path.Combine(app.DataDirectory, "rapport.db"));
        File.Exists(file).ShouldBeTrue();
        (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(Ct)).ShouldBe(["wal"]);
    }
}

public sealed class MigrationTests_Postgres(PostgresEmptyDatabaseFactory app) : MigrationTests(app), IClassFixture<PostgresEmptyDatabaseFactory>
{
    [Fact]
    public async Task The_database_is_the_fixtures_own()
    {
        await using var db = App.CreateDbContext();

        db.Database.GetDbConnection().Database.ShouldBe(app.DatabaseName);
        (await db.Database.SqlQueryRaw<string>("SELECT current_database() AS \"Value\"").ToListAsync(Ct)).ShouldBe([app.DatabaseName]);
    }

    [Fact]
    public async Task Statements_run_again_and_again_are_prepared_on_the_server()
    {
        await using var db = App.CreateDbContext();
        await db.Database.OpenConnectionAsync(Ct);

        for (var i = 0; i < 6; i++)
        {
            await db.Tickets.Where(t => t.Id == i).Select(t => t.Subject).FirstOrDefaultAsync(Ct);
        }

        var prepared = await db.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync(Ct);
        prepared.ShouldContain(s => s.Contains("\"Subject\"") && s.Contains("\"Tickets\""));
    }

    [Fact]
    public async Task Raw_mail_is_compressed_with_lz4()
    {
        await using var db = App.CreateDbContext();

        var method = await db.Database.SqlQueryRaw<string>(
            "SELECT attcompression::text AS \"Value\" FROM pg_attribute WHERE attrelid = '\"RawMail\"'::regclass AND attname = 'Content'").ToListAsync(Ct);

        method.ShouldBe(["l"]);
    }

    [Theory]
    [InlineData("Host=db;Database=rapport", 200)]
    [InlineData("Host=db;Database=rapport;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Database=rapport;MaxAutoPrepare=20", 20)]
    public void Automatic_preparation_is_on_unless_the_connection_string_says_otherwise(string configured, int expected) =>
        new NpgsqlConnectionStringBuilder(DataSetup.PostgresConnectionString(configured)).MaxAutoPrepare.ShouldBe(expected);
}
