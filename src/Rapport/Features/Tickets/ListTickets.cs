using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Features.Tickets;

/// <summary>The ticket list, newest activity first, with keyset paging: one query shared by the API and the inbox.</summary>
public static class ListTickets
{
    /// <summary>Which tickets: every part is optional and they combine with AND. <paramref name="Tag"/> is normalized.
    /// <paramref name="Search"/> matches a ticket number exactly, else part of the subject.</summary>
    public sealed record Filter(
        IReadOnlyCollection<TicketStatus>? Statuses = null,
        int? OwnerId = null,
        bool Unassigned = false,
        long? CustomerId = null,
        string? Tag = null,
        DateTime? UpdatedSince = null,
        string? Search = null,
        IReadOnlyCollection<long>? Ids = null,
        DateTime? DueBefore = null);

    public static IQueryable<Ticket> Apply(RapportDb db, Filter filter)
    {
        var query = db.Tickets.AsNoTracking();
        if (filter.Statuses is { Count: 1 })
        {
            var only = filter.Statuses.First();
            query = query.Where(t => t.Status == only);
        }
        else if (filter.Statuses is { Count: > 1 })
        {
            var statuses = filter.Statuses.ToList();
            query = query.Where(t => statuses.Contains(t.Status));
        }
        if (filter.OwnerId is { } ownerId)
        {
            query = query.Where(t => t.OwnerId == ownerId);
        }
        if (filter.Unassigned)
        {
            query = query.Where(t => t.OwnerId == null);
        }
        if (filter.CustomerId is { } customerId)
        {
            query = query.Where(t => t.CustomerId == customerId);
        }
        if (filter.Tag is { } name)
        {
            query = query.Where(t => db.TicketTags.Any(x => x.TicketId == t.Id && x.Name == name));
        }
        if (filter.DueBefore is { } dueBefore)
        {
            query = query.Where(t => t.DueAt != null && t.DueAt <= dueBefore);
        }
        if (filter.UpdatedSince is { } since)
        {
            query = query.Where(t => t.UpdatedAt >= since);
        }
        if (filter.Ids is { } ids)
        {
            var list = ids.ToList();
            query = query.Where(t => list.Contains(t.Id));
        }
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var text = filter.Search.Trim().TrimStart('#');
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                query = query.Where(t => t.Id == number);
            }
            else
            {
                var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
                query = query.Where(t => EF.Functions.Like(t.Subject, pattern, "\\"));
            }
        }
        return query;
    }

    /// <summary>The tickets whose deadline is nearest first (breached ones on top), then those without one; no paging cursor
    /// (views sorted this way are the open work, which is small).</summary>
    public static async Task<IReadOnlyList<TicketSummary>> ByDueAsync(RapportDb db, Filter filter, int limit, CancellationToken ct)
    {
        var rows = await Apply(db, filter)
            .OrderBy(t => t.DueAt == null).ThenBy(t => t.DueAt).ThenBy(t => t.Id)
            .Take(limit)
            .Select(TicketRow.Projection)
            .ToListAsync(ct);
        var tags = await TicketMapping.TagsOfAsync(db, rows.Select(r => r.Id).ToList(), ct);
        return rows.Select(r => r.ToSummary(tags.TryGetValue(r.Id, out var list) ? list : [])).ToList();
    }

    public static async Task<Page<TicketSummary>> PageAsync(RapportDb db, Filter filter, int pageSize, Cursor? cursor, CancellationToken ct)
    {
        var query = Apply(db, filter);
        if (cursor is { } c)
        {
            // Written so that the first condition is an index range on (UpdatedAt, Id) in both databases.
            query = query.Where(t => t.UpdatedAt <= c.UpdatedAt && (t.UpdatedAt < c.UpdatedAt || t.Id < c.Id));
        }
        var rows = await query
            .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id)
            .Take(pageSize + 1)
            .Select(TicketRow.Projection)
            .ToListAsync(ct);
        var page = rows.Take(pageSize).ToList();
        var tags = await TicketMapping.TagsOfAsync(db, page.Select(r => r.Id).ToList(), ct);
        var items = page.Select(r => r.ToSummary(tags.TryGetValue(r.Id, out var list) ? list : [])).ToList();
        var next = rows.Count > pageSize ? new Cursor(page[^1].UpdatedAt, page[^1].Id).ToString() : null;
        return new Page<TicketSummary>(items, next);
    }

    /// <summary>Keyset position: the last row's (UpdatedAt, Id), as URL-safe base64 of "ticks.id".</summary>
    public readonly record struct Cursor(DateTime UpdatedAt, long Id)
    {
        public override string ToString() =>
            Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{UpdatedAt.Ticks}.{Id}")));

        public static Cursor? Parse(string text)
        {
            try
            {
                var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
                if (parts.Length == 2
                    && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    && ticks is >= 0 and <= 3155378975999999999
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    return new Cursor(new DateTime(ticks, DateTimeKind.Utc), id);
                }
            }
            catch (FormatException)
            {
            }
            return null;
        }
    }
}
