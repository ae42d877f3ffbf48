using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Rapport.Data;

/// <summary>Transactions that write. On SQLite one begins only once this process's other writers are done
/// (<see cref="SqliteWriteGate"/>) and holds their turn until it ends: two writers that both began would otherwise meet
/// in SQLite's busy handler, where the one that waits sleeps 1, 2, 5, 10, 15… ms however soon the lock is free (the mail
/// writer lost about a tenth of its time so to the acknowledgement pass). Nothing inside such a transaction may wait for
/// another context's save: that would wait for this transaction's end. On PostgreSQL it is a plain transaction.</summary>
public static class WriteTransactions
{
    public static async Task<WriteTransaction> BeginWriteTransactionAsync(this RapportDb db, CancellationToken ct)
    {
        var gate = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<SqliteWriteGate>().FirstOrDefault();
        if (gate is null)
        {
            return new WriteTransaction(await db.Database.BeginTransactionAsync(ct), null);
        }
        await gate.EnterAsync(ct);
        try
        {
            return new WriteTransaction(await db.Database.BeginTransactionAsync(ct), gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }
}

/// <summary>A transaction begun by <see cref="WriteTransactions.BeginWriteTransactionAsync"/>: rolled back when disposed
/// uncommitted, and the write gate (if any) released either way.</summary>
public sealed class WriteTransaction(IDbContextTransaction transaction, SqliteWriteGate? gate) : IAsyncDisposable
{
    private SqliteWriteGate? _gate = gate;

    /// <summary>Commits, and lets the next writer in.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        await transaction.CommitAsync(ct);
        Interlocked.Exchange(ref _gate, null)?.Release();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await transaction.DisposeAsync();
        }
        finally
        {
            Interlocked.Exchange(ref _gate, null)?.Release();
        }
    }
}
