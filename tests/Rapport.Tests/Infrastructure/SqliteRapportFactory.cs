using Microsoft.Data.Sqlite;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The app on SQLite, in a fresh temporary data directory that is deleted afterwards, starting from a copy of the
/// run's migrated template database.</summary>
public class SqliteRapportFactory : RapportFactory
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"rapport-test-{Guid.NewGuid():N}");

    /// <summary>Where the app keeps its database (the default for the data directory).</summary>
    public string DatabaseFile => Path.Combine(DataDirectory, "rapport.db");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string? SkipReason => null;

    public override IReadOnlyDictionary<string, string> DatabaseSettings => new Dictionary<string, string>
    {
        ["Data:Directory"] = DataDirectory,
        // A connection string in the environment would point elsewhere; empty means <Data:Directory>/rapport.db.
        ["ConnectionStrings:Rapport"] = "",
        ["KeyProtection:Key"] = KeyEncryptionKey,
    };

    public override async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        await PrepareDatabaseAsync();
    }

    /// <summary>Puts the database file in place before the app starts: a copy of the run's migrated template
    /// (<see cref="TemplateDatabase"/>), or none, and start-up creates and migrates it.</summary>
    protected virtual Task PrepareDatabaseAsync() => TemplateDatabase.Enabled ? TemplateDatabase.CopySqliteToAsync(DatabaseFile) : Task.CompletedTask;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // Pooled connections keep the file open, which stops the delete on Windows.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
