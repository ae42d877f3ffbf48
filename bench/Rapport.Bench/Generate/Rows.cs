namespace Rapport.Bench.Generate;

// One record per table row the generator writes. Enum-valued columns hold the names the app stores
// (it maps enums to strings), e.g. Status "WaitingOnCustomer".

internal readonly record struct OrganizationRow(long Id, string Name, DateTime CreatedAt);

internal readonly record struct CustomerRow(long Id, string Name, string? Phone, long? OrganizationId, DateTime CreatedAt, DateTime UpdatedAt);

internal readonly record struct CustomerEmailRow(long Id, long CustomerId, string Address, bool IsPrimary);

internal readonly record struct TicketRow(
    long Id, string Subject, string Status, string Priority, string Channel, long CustomerId, int? OwnerId,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? FirstResponseAt, DateTime? ResolvedAt, DateTime? ClosedAt, int Version, TicketSla Sla);

/// <summary>A ticket's SLA columns, as the app's Ticket.ApplySla and its deadline watch would have left them.</summary>
internal readonly record struct TicketSla(
    DateTime? FirstResponseDueAt, DateTime? NextResponseDueAt, DateTime? ResolutionDueAt, TimeSpan? ResolutionTimeLeft,
    DateTime? LastCustomerMessageAt, DateTime? LastReplyAt, DateTime? DueAt, string? DueFor, DateTime? WarnAt, DateTime? WarnedFor,
    DateTime? BreachedFor);

internal readonly record struct MessageRow(long Id, long TicketId, string Kind, int? AuthorAgentId, long? AuthorCustomerId, string Text, DateTime CreatedAt);

internal readonly record struct TicketEventRow(long Id, long TicketId, string Kind, int? AgentId, int? ApiTokenId, long? CustomerId, string? Detail, DateTime At, string Via);

internal readonly record struct TicketTagRow(long TicketId, string Name);

/// <summary>Where generated rows go: a database loader, or a counter.</summary>
internal interface IRowSink
{
    void Add(in OrganizationRow row);
    void Add(in CustomerRow row);
    void Add(in CustomerEmailRow row);
    void Add(in TicketRow row);
    void Add(in MessageRow row);
    void Add(in TicketEventRow row);
    void Add(in TicketTagRow row);
}

/// <summary>The first free id of each table, so that data can be added to a database that already has some.</summary>
internal sealed record StartIds(long Organization, long Customer, long CustomerEmail, long Ticket, long Message, long TicketEvent);

/// <summary>How many rows of each kind were written.</summary>
internal sealed class RowCounts
{
    public long Organizations;
    public long Customers;
    public long CustomerEmails;
    public long Tickets;
    public long Messages;
    public long TicketEvents;
    public long TicketTags;

    public long Total => Organizations + Customers + CustomerEmails + Tickets + Messages + TicketEvents + TicketTags;

    public override string ToString() =>
        $"{Tickets:N0} tickets, {Messages:N0} messages, {TicketEvents:N0} events, {TicketTags:N0} tags, " +
        $"{Customers:N0} customers, {CustomerEmails:N0} emails, {Organizations:N0} organizations";
}
