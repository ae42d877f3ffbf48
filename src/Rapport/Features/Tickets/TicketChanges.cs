namespace Rapport.Features.Tickets;

public enum TicketChangeKind { Created, Updated, CustomerMessage, Reply, Note }

public sealed record TicketChange(long TicketId, TicketChangeKind Kind, int? ByAgentId);

/// <summary>Tells open screens that a ticket changed, so the inbox and ticket pages update without a reload. Fed by
/// <see cref="LiveTicketUpdates"/> from the change record, so a change made on any app node, through any channel,
/// reaches every screen; nothing else publishes here.</summary>
public sealed class TicketChanges(ILogger<TicketChanges> logger)
{
    /// <summary>Every committed change, made on this node or another.</summary>
    public event Action<TicketChange>? Changed;

    internal void Deliver(TicketChange change)
    {
        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<Action<TicketChange>>())
        {
            try
            {
                handler(change);
            }
            catch (Exception e)
            {
                // A broken screen must not fail the write that has already been committed.
                logger.LogWarning(e, "A listener to ticket changes failed");
            }
        }
    }
}

public enum PresenceState { Viewing, Replying }

public sealed record PresenceEntry(int AgentId, string AgentName, PresenceState State);

/// <summary>Which agents have a ticket open, and who is writing a reply, so two agents don't answer the same customer twice.</summary>
public sealed class TicketPresence
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Dictionary<string, PresenceEntry>> _byTicket = [];

    public event Action<long>? Changed;

    /// <summary>Records what one screen (<paramref name="screen"/>, unique per open page) is doing on a ticket.</summary>
    public void Set(long ticketId, string screen, PresenceEntry entry)
    {
        lock (_lock)
        {
            if (!_byTicket.TryGetValue(ticketId, out var screens))
            {
                _byTicket[ticketId] = screens = [];
            }
            if (screens.TryGetValue(screen, out var old) && old == entry)
            {
                return;
            }
            screens[screen] = entry;
        }
        Changed?.Invoke(ticketId);
    }

    public void Leave(long ticketId, string screen)
    {
        lock (_lock)
        {
            if (!_byTicket.TryGetValue(ticketId, out var screens) || !screens.Remove(screen))
            {
                return;
            }
            if (screens.Count == 0)
            {
                _byTicket.Remove(ticketId);
            }
        }
        Changed?.Invoke(ticketId);
    }

    /// <summary>Everyone on the ticket, one entry per agent (replying wins over viewing).</summary>
    public IReadOnlyList<PresenceEntry> On(long ticketId)
    {
        lock (_lock)
        {
            return _byTicket.TryGetValue(ticketId, out var screens)
                ? screens.Values.GroupBy(e => e.AgentId).Select(g => g.OrderByDescending(e => e.State).First()).OrderBy(e => e.AgentName).ToList()
                : [];
        }
    }
}
