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
}

/// <summary>One line of a ticket's history: who did what, when.</summary>
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
    internal static TicketEvent ForTicket(long ticketId, TicketEventKind kind, DateTime at, string? detail)
    {
        var created = Create(kind, Actor.System, at, detail);
        created.TicketId = ticketId;
        return created;
    }
}
