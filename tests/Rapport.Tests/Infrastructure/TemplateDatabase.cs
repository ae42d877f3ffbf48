using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rapport.Data;

namespace Rapport.Tests.Infrastructure;

/// <summary>One migrated database per provider and test run, which fixtures start from instead of migrating their own:
/// SQLite copies the file, PostgreSQL creates the fixture's database with it as <c>TEMPLATE</c>. It is made by the
/// migrations (<c>MigrateAsync</c>), so they are still what every test runs on; the migration tests and the baseline
/// tests start from an empty or a committed database and migrate it at start-up. Set
/// <c>RAPPORT_TEST_TEMPLATE=0</c> to have every fixture migrate its own (to measure, or to rule the template out).</summary>
public static class TemplateDatabase
{
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("RAPPORT_TEST_TEMPLATE") != "0";

    private static readonly Lazy<Task<string>> Sqlite = new(CreateSqliteAsync);
    private static readonly Lazy<Task<string>> Postgres = new(CreatePostgresAsync);

    /// <summary>Copies the migrated SQLite template to <paramref name="file"/>.</summary>
    public static async Task CopySqliteToAsync(string file) => File.Copy(await Sqlite.Value, file);

    /// <summary>The migrated PostgreSQL template's name on the test server.</summary>
    public static Task<string> PostgresAsync() => Postgres.Value;

    private static async Task<string> CreateSqliteAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"rapport-template-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "rapport.db");
        // Unpooled: nothing keeps the file open once migrated, and the rollback journal leaves one self-contained file
        // (the app switches each copy to WAL at start-up).
        var options = new DbContextOptionsBuilder<SqliteRapportDb>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString).Options;
        await using (var db = new SqliteRapportDb(options))
        {
            await db.Database.MigrateAsync();
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        };
        return file;
    }

    private static async Task<string> CreatePostgresAsync()
    {
        var name = $"rapport_template_{Guid.NewGuid():N}";
        await PostgresRapportFactory.ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        // Unpooled: CREATE DATABASE … TEMPLATE refuses a template anyone is connected to.
        var connection = new NpgsqlConnectionStringBuilder(PostgresRapportFactory.ServerConnectionString) { Database = name, Pooling = false };
        var options = new DbContextOptionsBuilder<PostgresRapportDb>().UseNpgsql(connection.ConnectionString).Options;
        await using (var db = new PostgresRapportDb(options))
        {
            await db.Database.MigrateAsync();
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                PostgresRapportFactory.ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult();
            }
            catch (NpgsqlException)
            {
                // The server went first (test.sh stops its throwaway cluster); nothing is left to drop.
            }
        };
        return name;
    }
}
