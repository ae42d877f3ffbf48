using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Infrastructure;

namespace Rapport.Data;

/// <summary>Brings the schema up to date: called once at start-up (unless Database:MigrateOnStartup is false)
/// and by the `migrate` command. On SQLite it switches the file to WAL and copies an existing database aside
/// before changing its schema.</summary>
public sealed partial class DatabaseMigrator(
    IDbContextFactory<RapportDb> contexts,
    IOptions<DatabaseOptions> options,
    IOptions<DataOptions> data,
    TimeProvider time,
    ILogger<DatabaseMigrator> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", ct);
            var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
            if (pending.Count > 0 && applied.Count > 0 && options.Value.BackupBeforeMigrating)
            {
                await BackupSqliteAsync(db, pending[0], ct);
            }
        }
        foreach (var migration in pending)
        {
            LogPending(migration);
        }
        if (pending.Count > 0)
        {
            await db.Database.MigrateAsync(ct);
            LogMigrated(pending.Count);
        }
        if (await FeedShift.AlignAsync(db, ct) is > 0 and var shift)
        {
            LogAligned(shift);
        }
        return pending;
    }

    private async Task BackupSqliteAsync(RapportDb db, string firstPending, CancellationToken ct)
    {
        var backups = Path.Combine(data.Value.FullPath, "backups");
        Directory.CreateDirectory(backups);
        var file = Path.Combine(backups, $"rapport-{time.GetUtcNow():yyyyMMddTHHmmssZ}-before-{firstPending}.db");
        // VACUUM INTO writes a consistent copy even while WAL holds uncheckpointed pages.
        await db.Database.ExecuteSqlRawAsync("VACUUM INTO {0}", [file], ct);
        LogBackup(file);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying database migration {Migration}")]
    private partial void LogPending(string migration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The change record's transaction ids were ahead of this PostgreSQL server's (a dump restored into another cluster?); new changes now sort after them (shift raised by {Shift})")]
    private partial void LogAligned(long shift);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} database migrations")]
    private partial void LogMigrated(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Copied the database to {BackupFile} before migrating")]
    private partial void LogBackup(string backupFile);
}
