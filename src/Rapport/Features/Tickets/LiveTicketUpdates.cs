using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Tickets;

/// <summary>Reads the change record (<see cref="TicketFeed"/>) from the moment this node started and tells this node's
/// open screens what changed (<see cref="TicketChanges"/>): a ticket from mail, the portal, the contact form, the API, a
/// background job or another node shows up like one an agent made here. Woken when a write commits
/// (<see cref="CommitSignal"/>), reading at most every <see cref="MinimumInterval"/> so a burst of mail costs a few
/// reads, not one per message; polls every <see cref="Poll"/> in case a wake-up was lost. Screens that were not open
/// read the database when they open, so this keeps its place in memory only. Its waits are on the machine's clock, not the
/// business clock (<see cref="TimeProvider"/>): they pace reads and have nothing to do with deadlines.</summary>
public sealed partial class LiveTicketUpdates(IDbContextFactory<RapportDb> contexts, CommitSignal signal, TicketChanges changes,
    ILogger<LiveTicketUpdates> logger) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(50);
    public const int Batch = 1000;

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this node knows where the record stands: every change committed after that reaches its screens.</summary>
    public Task Listening => _listening.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        FeedPosition? position = null;
        return PacedLoop.RunAsync(new Pacing(TimeProvider.System, Poll) { Wake = () => signal.Next, MinimumInterval = MinimumInterval, AfterFailure = Poll },
            async ct =>
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                if (position is null)
                {
                    position = await TicketFeed.HeadAsync(db, ct);
                    _listening.TrySetResult();
                }
                while (true)
                {
                    var events = await TicketFeed.ReadAsync(db, position.Value, Batch, ct);
                    if (events.Count == 0)
                    {
                        break;
                    }
                    position = events[^1].Position;
                    foreach (var change in Changes(events))
                    {
                        changes.Deliver(change);
                    }
                    if (events.Count < Batch)
                    {
                        break;
                    }
                }
            },
            LogFailed, stoppingToken);
    }

    /// <summary>What screens need of a batch of events: one change per ticket, kind and agent, in order.</summary>
    internal static IEnumerable<TicketChange> Changes(IReadOnlyList<FeedEvent> events) =>
        events.Select(e => new TicketChange(e.TicketId, KindOf(e.Kind), e.AgentId)).Distinct();

    private static TicketChangeKind KindOf(TicketEventKind kind) => kind switch
    {
        TicketEventKind.Created => TicketChangeKind.Created,
        TicketEventKind.CustomerWrote => TicketChangeKind.CustomerMessage,
        TicketEventKind.Replied => TicketChangeKind.Reply,
        TicketEventKind.NoteAdded => TicketChangeKind.Note,
        _ => TicketChangeKind.Updated,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading ticket changes for live screens failed; trying again shortly")]
    private partial void LogFailed(Exception exception);
}
