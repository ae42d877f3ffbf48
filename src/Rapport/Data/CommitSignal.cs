namespace Rapport.Data;

/// <summary>Wakes whoever reads what was committed (the ticket change feed) soon after a write ends, instead of making
/// it poll often. On SQLite every write in this process passes <see cref="SqliteWriteGate"/>, which pulses this when a
/// writer leaves; on PostgreSQL <see cref="PostgresCommitListener"/> pulses it when the database announces new ticket
/// events, from this node or another. A pulse only says "look again"; readers still poll now and then, so a lost
/// pulse delays a reader and never loses anything.</summary>
public sealed class CommitSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next pulse. Take it before reading, so a write that ends while the caller reads still wakes it.</summary>
    public Task Next => Volatile.Read(ref _next).Task;
}
