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

/// <summary>The channel a change came through. Unlike <see cref="TicketChannel"/>, where a ticket was first opened, it is
/// recorded on every event: a ticket opened by email may be answered in the agent app and closed in the portal.</summary>
public enum ChangeChannel
{
    /// <summary>The app on its own: background jobs (deadlines, acknowledgements, routing), the command line, the demo seed.</summary>
    System,
    /// <summary>A signed-in agent in the app (its pages, or its cookie session calling the API).</summary>
    AgentApp,
    /// <summary>The REST API with an API token.</summary>
    Api,
    /// <summary>Incoming mail.</summary>
    Email,
    /// <summary>A customer signed in to the portal.</summary>
    Portal,
    /// <summary>The public contact form.</summary>
    ContactForm,
}

/// <summary>One line of a ticket's history: who did what, when, through which channel. Every change to a ticket writes one
/// in the transaction of the change, so the history is also the change record that everything reacting to changes reads
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
    public ChangeChannel Via { get; private set; }
    public string? Detail { get; private set; }
    public DateTime At { get; private set; }

    internal static TicketEvent Create(TicketEventKind kind, Actor actor, DateTime at, string? detail) => new()
    {
        Kind = kind,
        AgentId = actor.AgentId,
        ApiTokenId = actor.TokenId,
        CustomerId = actor.CustomerId,
        Via = actor.Via,
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
