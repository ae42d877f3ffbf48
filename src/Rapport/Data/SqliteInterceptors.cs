using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rapport.Infrastructure;

namespace Rapport.Data;

/// <summary>Per-connection SQLite settings that do not persist in the file.</summary>
internal sealed class SqliteConnectionSetup(DatabaseOptions options) : DbConnectionInterceptor
{
    private readonly string _pragmas =
        $"PRAGMA busy_timeout = {(int)options.SqliteBusyTimeout.TotalMilliseconds}; " +
        $"PRAGMA synchronous = {options.SqliteSynchronous.ToString().ToUpperInvariant()}; " +
        "PRAGMA foreign_keys = ON; " +
        // Temporary tables and indices (sorting, grouping, IN lists) in memory instead of files that are made and
        // deleted at once: each such file cost a file creation, and ext4 makes those slower the more were deleted lately.
        "PRAGMA temp_store = MEMORY;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }
}

/// <summary>SQLite has one writer at a time. Writers in this process queue here instead of meeting in SQLite's
/// busy handler, which sleeps in steps of milliseconds and would dominate tail latency under load: a save outside a
/// transaction passes through here on its own, and a transaction that writes holds the gate from its start to its end
/// (<see cref="WriteTransactions.BeginWriteTransactionAsync"/>). A writer leaving pulses <see cref="CommitSignal"/>.</summary>
public sealed class SqliteWriteGate(CommitSignal? signal = null) : SaveChangesInterceptor
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DbContext, byte> _holders = new(ReferenceEqualityComparer.Instance);

    /// <summary>Waits for this process's turn to write; the caller must <see cref="Release"/> it.</summary>
    internal Task EnterAsync(CancellationToken ct) => _gate.WaitAsync(ct);

    internal void Release()
    {
        _gate.Release();
        signal?.Pulse();
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
        InterceptionResult<int> result, CancellationToken ct = default)
    {
        await EnterAsync(eventData.Context, ct);
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (ShouldGate(eventData.Context))
        {
            _gate.Wait();
            _holders[eventData.Context!] = 0;
        }
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        Exit(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Exit(eventData.Context);
        return result;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        Exit(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Exit(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken ct = default)
    {
        Exit(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Exit(eventData.Context);

    // A concurrency conflict is reported here, not through SaveChangesFailed.
    public override InterceptionResult ThrowingConcurrencyException(ConcurrencyExceptionEventData eventData, InterceptionResult result)
    {
        Exit(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData,
        InterceptionResult result, CancellationToken ct = default)
    {
        Exit(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private async Task EnterAsync(DbContext? context, CancellationToken ct)
    {
        if (ShouldGate(context))
        {
            await _gate.WaitAsync(ct);
            _holders[context!] = 0;
        }
    }

    // A context already inside an explicit transaction holds SQLite's write lock (BEGIN IMMEDIATE);
    // waiting here for a writer that waits on that lock would deadlock.
    private bool ShouldGate(DbContext? context) => context is not null && context.Database.CurrentTransaction is null;

    private void Exit(DbContext? context)
    {
        if (context is not null && _holders.TryRemove(context, out _))
        {
            Release();
        }
    }
}
