using System.ComponentModel.DataAnnotations;

namespace Rapport.Infrastructure;

/// <summary>Where Rapport keeps its files: the SQLite database, attachments, keys. Section "Data".</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    [Required]
    public string Directory { get; set; } = "./data";

    public string FullPath => Path.GetFullPath(Directory);
}

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Section "Database". The connection string itself is ConnectionStrings:Rapport.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the app starts. Switch off to run `migrate` by hand.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>SQLite: copy the database file before applying migrations to an existing database.</summary>
    public bool BackupBeforeMigrating { get; set; } = true;

    /// <summary>SQLite: how long a writer waits for another to finish before failing.</summary>
    public TimeSpan SqliteBusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>SQLite synchronous mode: Full survives power loss at every commit; Normal may lose the last
    /// commits on power loss (never on an application crash) and writes faster.</summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Full;
}

public enum SqliteSynchronous { Normal, Full }
