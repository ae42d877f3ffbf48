using Npgsql;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The app on PostgreSQL, in a fresh database `rapport_test_…` on the server named by RAPPORT_TEST_POSTGRES
/// (a copy of the run's migrated template), dropped afterwards. Without the variable, tests using it are skipped.</summary>
public class PostgresRapportFactory : RapportFactory
{
    public const string ServerVariable = "RAPPORT_TEST_POSTGRES";

    internal static readonly string? ServerConnectionString = Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value ? value : null;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"rapport-test-{Guid.NewGuid():N}");

    public string DatabaseName { get; } = $"rapport_test_{Guid.NewGuid():N}";

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string? SkipReason => ServerConnectionString is null
        ? $"PostgreSQL not configured: set {ServerVariable} to a server's connection string (./test.sh does)"
        : null;

    /// <summary>The fixture's database on the server.</summary>
    public string DatabaseConnectionString => new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = DatabaseName }.ConnectionString;

    public override IReadOnlyDictionary<string, string> DatabaseSettings => new Dictionary<string, string>
    {
        ["ConnectionStrings:Rapport"] = DatabaseConnectionString,
        // Attachments still live in the data directory.
        ["Data:Directory"] = _dataDirectory,
        ["KeyProtection:Key"] = KeyEncryptionKey,
    };

    public override async ValueTask InitializeAsync()
    {
        if (ServerConnectionString is not null)
        {
            await CreateDatabaseAsync();
        }
    }

    /// <summary>Creates the fixture's database before the app starts: a copy of the run's migrated template
    /// (<see cref="TemplateDatabase"/>), or an empty one that start-up migrates.</summary>
    protected virtual async Task CreateDatabaseAsync()
    {
        if (!TemplateDatabase.Enabled)
        {
            await CreateEmptyDatabaseAsync();
            return;
        }
        var template = await TemplateDatabase.PostgresAsync();
        await ExecuteOnServerAsync($"CREATE DATABASE \"{DatabaseName}\" TEMPLATE \"{template}\"");
    }

    protected Task CreateEmptyDatabaseAsync() => ExecuteOnServerAsync($"CREATE DATABASE \"{DatabaseName}\"");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ServerConnectionString is not null)
        {
            // FORCE ends connections still open in the app's pool.
            await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)");
        }
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    internal static async Task ExecuteOnServerAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false };
        admin.Database ??= "postgres";
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
