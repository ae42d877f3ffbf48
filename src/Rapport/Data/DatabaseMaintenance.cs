using Microsoft.EntityFrameworkCore;
using Rapport.Infrastructure;

namespace Rapport.Data;

/// <summary>Housekeeping every few hours: forgets idempotency keys older than a day (retries come within
/// minutes), and on SQLite refreshes the planner's statistics and folds the WAL back into the database file.</summary>
public sealed partial class DatabaseMaintenance(IDbContextFactory<RapportDb> contexts, TimeProvider time, ILogger<DatabaseMaintenance> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);
    public static readonly TimeSpan KeepIdempotencyKeys = TimeSpan.FromHours(24);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PacedLoop.RunAsync(new Pacing(time, Interval) { WaitFirst = true }, RunOnceAsync, LogFailed, stoppingToken);

    public async Task RunOnceAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var cutoff = time.GetUtcNow().UtcDateTime - KeepIdempotencyKeys;
        var forgotten = await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA optimize;", ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        }
        LogDone(forgotten);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database maintenance done; forgot {Count} idempotency keys")]
    private partial void LogDone(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Database maintenance failed")]
    private partial void LogFailed(Exception exception);
}
