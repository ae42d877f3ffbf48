using Microsoft.Data.Sqlite;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The app on SQLite, in a fresh temporary data directory that is deleted afterwards.</summary>
public sealed class SqliteRapportFactory : RapportFactory
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"rapport-test-{Guid.NewGuid():N}");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string? SkipReason => null;

    public override IReadOnlyDictionary<string, string> DatabaseSettings => new Dictionary<string, string>
    {
        ["Data:Directory"] = DataDirectory,
        // A connection string in the environment would point elsewhere; empty means <Data:Directory>/rapport.db.
        ["ConnectionStrings:Rapport"] = "",
    };

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
