using Rapport.Features.Tickets;

namespace Rapport.Features.Customers;

public sealed record OrganizationRef(long Id, string Name);

public sealed record CustomerDetails(
    long Id,
    string Name,
    IReadOnlyList<string> Emails,
    string? Phone,
    OrganizationRef? Organization,
    AgentRef? Owner,
    string? Notes,
    int TicketCount,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    long? MergedIntoId,
    string? TimeZone);

internal static class CustomerProjection
{
    public static IQueryable<CustomerDetails> SelectDetails(this IQueryable<Customer> customers, IQueryable<Ticket> tickets) =>
        customers.Select(c => new CustomerDetails(
            c.Id,
            c.Name,
            c.Emails.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => e.Address).ToList(),
            c.Phone,
            c.Organization == null ? null : new OrganizationRef(c.Organization.Id, c.Organization.Name),
            c.Owner == null ? null : new AgentRef(c.Owner.Id, c.Owner.DisplayName),
            c.Notes,
            tickets.Count(t => t.CustomerId == c.Id),
            c.CreatedAt,
            c.UpdatedAt,
            c.MergedIntoId,
            c.TimeZone));
}
