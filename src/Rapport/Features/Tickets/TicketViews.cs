using System.Linq.Expressions;
using Rapport.Features.Attachments;

namespace Rapport.Features.Tickets;

public sealed record CustomerRef(long Id, string Name, string? Email);

public sealed record AgentRef(int Id, string Name);

public sealed record AttachmentInfo(long Id, string FileName, string ContentType, long Size, string Url)
{
    public static AttachmentInfo Of(Attachment a) => new(a.Id, a.FileName, a.ContentType, a.Length, UrlOf(a.Id));

    public static string UrlOf(long id) => $"/api/v1/attachments/{id}/content";
}

/// <summary>A ticket as lists show it.</summary>
public sealed record TicketSummary(
    long Id,
    long Number,
    string Subject,
    TicketStatus Status,
    TicketPriority Priority,
    TicketChannel Channel,
    CustomerRef Customer,
    AgentRef? Owner,
    IReadOnlyList<string> Tags,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? FirstResponseAt,
    DateTime? ResolvedAt,
    int Version,
    bool IsComplaint = false,
    DateTime? DueAt = null);

/// <summary>A ticket with its whole thread.</summary>
public sealed record TicketDetails(
    long Id,
    long Number,
    string Subject,
    TicketStatus Status,
    TicketPriority Priority,
    TicketChannel Channel,
    CustomerRef Customer,
    AgentRef? Owner,
    IReadOnlyList<string> Tags,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? FirstResponseAt,
    DateTime? ResolvedAt,
    DateTime? ClosedAt,
    int Version,
    IReadOnlyList<MessageDetails> Messages,
    bool IsComplaint = false,
    DateTime? DueAt = null,
    DateTime? FirstResponseDueAt = null,
    DateTime? NextResponseDueAt = null,
    DateTime? ResolutionDueAt = null);

public sealed record MessageDetails(
    long Id,
    MessageKind Kind,
    AgentRef? AuthorAgent,
    CustomerRef? AuthorCustomer,
    string Text,
    string? Html,
    DateTime CreatedAt,
    IReadOnlyList<AttachmentInfo> Attachments,
    double? Sentiment = null,
    string? UnansweredAtSend = null);

public sealed record TicketEventDetails(long Id, TicketEventKind Kind, AgentRef? Agent, int? ApiTokenId, long? CustomerId, ChangeChannel Via, string? Detail, DateTime At);

public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>A row of the ticket list before tags are attached (tags come from a second, keyed query).</summary>
internal sealed record TicketRow(
    long Id, string Subject, TicketStatus Status, TicketPriority Priority, TicketChannel Channel,
    long CustomerId, string CustomerName, string? CustomerEmail, int? OwnerId, string? OwnerName,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? FirstResponseAt, DateTime? ResolvedAt, DateTime? ClosedAt, int Version, bool IsComplaint, DateTime? DueAt)
{
    public static readonly Expression<Func<Ticket, TicketRow>> Projection = t => new TicketRow(
        t.Id, t.Subject, t.Status, t.Priority, t.Channel,
        t.CustomerId, t.Customer.Name,
        t.Customer.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => e.Address).FirstOrDefault(),
        t.OwnerId, t.Owner != null ? t.Owner.DisplayName : null,
        t.CreatedAt, t.UpdatedAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, t.Version, t.IsComplaint, t.DueAt);

    public TicketSummary ToSummary(IReadOnlyList<string> tags) => new(
        Id, Id, Subject, Status, Priority, Channel, new CustomerRef(CustomerId, CustomerName, CustomerEmail),
        OwnerId is { } owner ? new AgentRef(owner, OwnerName ?? "") : null, tags,
        CreatedAt, UpdatedAt, FirstResponseAt, ResolvedAt, Version, IsComplaint, DueAt);
}
