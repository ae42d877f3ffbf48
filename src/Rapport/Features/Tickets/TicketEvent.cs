namespace Rapport.Features.Tickets;

public enum TicketEventKind
{
    Created,
    StatusChanged,
    PriorityChanged,
    SubjectChanged,
    Assigned,
    Unassigned,
    TagsChanged,
    CustomerWrote,
    Replied,
    NoteAdded,
    CustomerMerged,
    Acknowledged,
    DeadlineMissed,
    DeadlineNear,
    PromiseMade,
    PromiseSettled,
    PromiseRescheduled,
    PromiseReminded,
    JobChanged,
}

/// <summary>One line of a ticket's history: who did what, when. Every change to a ticket writes one in the transaction
/// of the change, so the history is also the change record that everything reacting to changes reads
/// (<see cref="TicketFeed"/>).</summary>
public sealed class TicketEvent
{
    public const int DetailMaxLength = 500;

    private TicketEvent() { }

    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public TicketEventKind Kind { get; private set; }
    public int? AgentId { get; private set; }
    public int? ApiTokenId { get; private set; }
    public long? CustomerId { get; private set; }
    public string? Detail { get; private set; }
    public DateTime At { get; private set; }

    internal static TicketEvent Create(TicketEventKind kind, Actor actor, DateTime at, string? detail) => new()
    {
        Kind = kind,
        AgentId = actor.AgentId,
        ApiTokenId = actor.TokenId,
        CustomerId = actor.CustomerId,
        Detail = detail is { Length: > DetailMaxLength } ? detail[..DetailMaxLength] : detail,
        At = at,
    };

    /// <summary>An event written without loading the ticket (by a background job), so agents' edits are not disturbed.</summary>
    internal static TicketEvent ForTicket(long ticketId, TicketEventKind kind, DateTime at, string? detail) =>
        ForTicket(ticketId, kind, Actor.System, at, detail);

    /// <summary>An event for a change to something a ticket holds (its promises, its job) made without loading the ticket.</summary>
    internal static TicketEvent ForTicket(long ticketId, TicketEventKind kind, Actor actor, DateTime at, string? detail)
    {
        var created = Create(kind, actor, at, detail);
        created.TicketId = ticketId;
        return created;
    }
}
