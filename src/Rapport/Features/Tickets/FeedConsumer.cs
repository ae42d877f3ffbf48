using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Tickets;

/// <summary>A consumer of the change record that must act on every change exactly once, across restarts, crashes and
/// app nodes (acknowledgements today; follow-ups, the search index and webhooks next). Each pass reads the events after
/// the consumer's stored position, prepares its work outside any transaction (it may read, compose mail, store files),
/// then in one write transaction moves the position from where it read to the last event, provided nobody moved it
/// meanwhile, and writes what it did. A crash before the commit leaves both as they were, so the next pass (on this node
/// after a restart, or on another) does the same work again from the same place; after the commit it never comes back.
/// A node that loses the race for a batch drops its prepared work and reads again (docs/decisions/0053).</summary>
public abstract partial class FeedConsumer<TWork>(IDbContextFactory<RapportDb> contexts, CommitSignal signal, TimeProvider time, ILogger logger)
    : BackgroundService
{
    /// <summary>The consumer's name in <see cref="ConsumerPosition"/>; never renamed (a new name starts from the beginning).</summary>
    protected abstract string Name { get; }

    protected DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Events read per pass.</summary>
    protected virtual int Batch => 200;

    /// <summary>How often it looks without being woken. Its waits are on the machine's clock (they pace reads), not the
    /// business clock that <see cref="Now"/> reads.</summary>
    protected virtual TimeSpan Poll => TimeSpan.FromSeconds(5);

    /// <summary>The least time between two passes of the background loop, so a burst of writes (mail intake) wakes it a
    /// few times a second rather than at every commit, and its write transactions do not crowd the writers'.</summary>
    protected virtual TimeSpan MinimumInterval => TimeSpan.FromSeconds(1);

    /// <summary>When a pass of the background loop finds a full batch waiting (history to work through, e.g. after an
    /// upgrade), the loop rests before the next pass so that its passes take at most this share of the time and the
    /// writers that serve people are not kept waiting. 1 means no rest. Passes asked for by a caller never rest.</summary>
    protected virtual double BacklogShare => 1.0;

    /// <summary>Outside a transaction: what the events need done.</summary>
    protected abstract Task<TWork> PrepareAsync(RapportDb db, IReadOnlyList<FeedEvent> events, CancellationToken ct);

    /// <summary>Inside the transaction that moves the position: writes what was done (tracked changes are saved after
    /// it). Returns how many things it did, for <see cref="RunOnceAsync"/>'s count.</summary>
    protected abstract Task<int> ApplyAsync(RapportDb db, TWork work, CancellationToken ct);

    /// <summary>After the commit: wake whoever sends what was written.</summary>
    protected virtual void Committed(TWork work)
    {
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PacedLoop.RunAsync(new Pacing(TimeProvider.System, Poll) { Wake = () => signal.Next, MinimumInterval = MinimumInterval, AfterFailure = Poll },
            ct => CatchUpAsync(wait: false, ct, background: true), e => LogFailed(logger, Name, e), stoppingToken);

    /// <summary>Passes until the consumer has handled everything committed before the call (on PostgreSQL it waits, at
    /// most <see cref="CatchUpWait"/>, for transactions that were still running to end). Returns how many things it did.</summary>
    public Task<int> RunOnceAsync(CancellationToken ct) => CatchUpAsync(wait: true, ct);

    /// <summary>Passes until the consumer has handled everything committed before the call, waiting at most
    /// <paramref name="maxWait"/> for transactions that were running then to end (PostgreSQL), or until it has made
    /// <paramref name="maxPasses"/> passes (the rest is left to the background loop).</summary>
    protected Task CatchUpNowAsync(int maxPasses, TimeSpan maxWait, CancellationToken ct)
    {
        var passes = 0;
        return CatchUpAsync(wait: true, ct, stopAfter: () => ++passes >= maxPasses, maxWait: maxWait);
    }

    public static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(10);

    private async Task<int> CatchUpAsync(bool wait, CancellationToken ct, bool background = false, Func<bool>? stopAfter = null, TimeSpan? maxWait = null)
    {
        var done = 0;
        long? horizon = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (wait)
            {
                horizon ??= await TicketFeed.HorizonAsync(db, ct);
            }
            // Asked before reading: a transaction that ends between an empty read and the question is then read next time.
            var reached = horizon is not { } mark || await TicketFeed.ReachedAsync(db, mark, ct);
            var from = await PositionAsync(db, ct);
            var events = await TicketFeed.ReadAsync(db, from, Batch, ct);
            if (events.Count == 0)
            {
                if (reached || System.Diagnostics.Stopwatch.GetElapsedTime(started) > (maxWait ?? CatchUpWait))
                {
                    return done;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, ct);
                continue;
            }
            var passStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var work = await PrepareAsync(db, events, ct);
            var prepared = System.Diagnostics.Stopwatch.GetElapsedTime(passStarted);
            db.ChangeTracker.Clear();
            var to = events[^1].Position;
            await using var tx = await db.BeginWriteTransactionAsync(ct);
            var claimed = await db.ConsumerPositions.Where(p => p.Name == Name && p.Tx == from.Tx && p.EventId == from.EventId)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Tx, to.Tx).SetProperty(p => p.EventId, to.EventId), ct);
            if (claimed == 0)
            {
                // Another node (or another pass) took these events first; read on from where it left.
                continue;
            }
            var did = await ApplyAsync(db, work, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            done += did;
            LogPass(logger, Name, events.Count, did, prepared.TotalMilliseconds, (System.Diagnostics.Stopwatch.GetElapsedTime(passStarted) - prepared).TotalMilliseconds);
            Committed(work);
            if (stopAfter?.Invoke() == true)
            {
                return done;
            }
            if (background && events.Count == Batch && BacklogShare < 1)
            {
                var pass = System.Diagnostics.Stopwatch.GetElapsedTime(passStarted);
                await Task.Delay(pass * ((1 - BacklogShare) / BacklogShare), TimeProvider.System, ct);
            }
        }
    }

    private async Task<FeedPosition> PositionAsync(RapportDb db, CancellationToken ct)
    {
        var stored = await db.ConsumerPositions.AsNoTracking().Where(p => p.Name == Name).Select(p => new FeedPosition(p.Tx, p.EventId))
            .ToListAsync(ct);
        if (stored.Count == 1)
        {
            return stored[0];
        }
        // A consumer reading for the first time starts at the beginning (a migration that adds a consumer to a database
        // with history stores its starting place). Two nodes may both try: the one that loses keeps the stored row.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "ConsumerPositions" ("Name", "Tx", "EventId") VALUES ({Name}, 0, 0) ON CONFLICT DO NOTHING
            """, ct);
        return await PositionAsync(db, ct);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The {Consumer} consumer read {Events} events and did {Done} things: prepared in {PrepareMs:F1} ms, written (with the wait for the write turn) in {WriteMs:F1} ms")]
    private static partial void LogPass(ILogger logger, string consumer, int events, int done, double prepareMs, double writeMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Consumer} consumer of ticket changes failed; trying again shortly")]
    private static partial void LogFailed(ILogger logger, string consumer, Exception exception);
}
