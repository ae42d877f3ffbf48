using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Features.Tickets;

/// <summary>Hand-written mapping from entities to read models, shared by the API and the UI.</summary>
public static class TicketMapping
{
    private static readonly Dictionary<string, TicketStatus> StatusByName =
        Enum.GetValues<TicketStatus>().ToDictionary(s => JsonNamingPolicy.KebabCaseLower.ConvertName(s.ToString()), StringComparer.OrdinalIgnoreCase);

    public static bool TryParseStatus(string value, out TicketStatus status) => StatusByName.TryGetValue(value.Trim(), out status);

    public static Task<Ticket?> LoadDetailsAsync(RapportDb db, long id, CancellationToken ct) =>
        db.Tickets.AsNoTracking()
            .Include(t => t.Customer).ThenInclude(c => c.Emails)
            .Include(t => t.Owner)
            .Include(t => t.Tags)
            .Include(t => t.Messages).ThenInclude(m => m.Attachments)
            .Include(t => t.Messages).ThenInclude(m => m.AuthorAgent)
            .AsSplitQuery()
            .FirstOrDefaultAsync(t => t.Id == id, ct);

    public static async Task<Dictionary<long, List<string>>> TagsOfAsync(RapportDb db, IReadOnlyCollection<long> ticketIds, CancellationToken ct)
    {
        if (ticketIds.Count == 0)
        {
            return [];
        }
        var rows = await db.TicketTags.AsNoTracking()
            .Where(t => ticketIds.Contains(t.TicketId))
            .OrderBy(t => t.TicketId).ThenBy(t => t.Name)
            .Select(t => new { t.TicketId, t.Name })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.TicketId).ToDictionary(g => g.Key, g => g.Select(r => r.Name).ToList());
    }

    /// <summary><paramref name="mailHtml"/>: the HTML of messages shown from their raw mail, by message id
    /// (<see cref="Mail.MailHtml.OfAsync"/>).</summary>
    public static TicketDetails ToDetails(Ticket t, IReadOnlyDictionary<long, string>? mailHtml = null)
    {
        var customer = new CustomerRef(t.CustomerId, t.Customer.Name, t.Customer.PrimaryEmail);
        return new TicketDetails(
            t.Id, t.Number, t.Subject, t.Status, t.Priority, t.Channel, customer,
            t.Owner is null ? null : new AgentRef(t.Owner.Id, t.Owner.DisplayName),
            t.Tags.Select(x => x.Name).Order(StringComparer.Ordinal).ToList(),
            t.CreatedAt, t.UpdatedAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, t.Version,
            t.Messages.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Select(m => ToDetails(m, customer, mailHtml?.GetValueOrDefault(m.Id))).ToList(),
            t.IsComplaint, t.DueAt, t.FirstResponseDueAt, t.NextResponseDueAt, t.ResolutionDueAt);
    }

    public static MessageDetails ToDetails(Message m, CustomerRef? ticketCustomer, string? mailHtml = null) => new(
        m.Id, m.Kind,
        m.AuthorAgent is null ? null : new AgentRef(m.AuthorAgent.Id, m.AuthorAgent.DisplayName),
        m.Kind == MessageKind.Customer ? ticketCustomer : null,
        m.Text, mailHtml ?? m.Html, m.CreatedAt,
        m.Attachments.OrderBy(a => a.Id).Select(AttachmentInfo.Of).ToList(),
        m.Sentiment, m.UnansweredAtSend);
}
