using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;

namespace Rapport.Features.Search;

/// <summary>Finds tickets for an agent (everything, notes included) or a customer in the portal (their own tickets,
/// never notes): words through the index, ranked by relevance and recency, with the message that matched and a
/// snippet of it; filters on the ticket; keyset paging (<see cref="Page.Next"/>).</summary>
public sealed class SearchTickets(IDbContextFactory<RapportDb> contexts, SearchIndexer indexer, AgentAccess access, Sla.SlaClock clock,
    TimeProvider time)
{
    public const int MaxLimit = 100;

    /// <summary>One ticket found: the message that matched best (none when only filters were given) and a snippet of it.</summary>
    public sealed record Hit(TicketSummary Ticket, long? MessageId, Snippet? Snippet);

    public sealed record Page(IReadOnlyList<Hit> Items, string? Next);

    public sealed record Result(Page? Page, string? Error);

    /// <summary>For an agent or API token that may read tickets; with <paramref name="customerId"/>, that customer's
    /// tickets only (the customer page).</summary>
    public async Task<Result> ForAgentAsync(string? text, Actor actor, long? customerId, int limit, string? after, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Read, ct);
        return await RunAsync(text, new Scope(Customer: false, customerId, TicketId: null, actor.AgentId), limit, after, ct);
    }

    /// <summary>For a customer in the portal: their own tickets (the one ticket when their link is for one), what was
    /// written to them or by them, never notes. Words, phrases and prefixes only: a filter or a left-out word would
    /// tell them about what they cannot see (a tag, the priority, a note's words).</summary>
    public Task<Result> ForCustomerAsync(string? text, PortalVisitor visitor, int limit, string? after, CancellationToken ct) =>
        RunAsync(text, new Scope(Customer: true, visitor.CustomerId, visitor.TicketId, AgentId: null), limit, after, ct);

    /// <summary>Whose search it is and which tickets it may reach: a customer's (no notes, words only) or an agent's.</summary>
    private sealed record Scope(bool Customer, long? CustomerId, long? TicketId, int? AgentId);

    private async Task<Result> RunAsync(string? text, Scope scope, int limit, string? after, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var zone = (await clock.CurrentAsync(db, ct)).Business.Zone;
        var now = time.GetUtcNow().UtcDateTime;
        var parse = SearchQuery.Parse(text, zone, now);
        if (parse.Query is not { } query)
        {
            return new Result(null, parse.Error);
        }
        if (scope.Customer && (query.HasFilters || query.ExcludedWords.Count > 0))
        {
            return new Result(null, "Search your requests by words or \"exact phrases\"; filters and left-out words are not available here.");
        }
        if (query.IsEmpty)
        {
            return new Result(null, "Type a word to look for, or a filter such as status:open.");
        }
        var byActivity = query.Words.Count == 0;
        if (!TryReadCursor(after, byActivity ? 'a' : 'r', out var cursor))
        {
            return new Result(null, "The after value is not one this search returned.");
        }
        await indexer.CatchUpAsync(ct);
        var tickets = Filter(db, query, scope, now);
        if (query.ExcludedWords.Count > 0)
        {
            var excluded = await SearchIndex.TicketsWithAnyAsync(db, query.ExcludedWords, ct);
            tickets = tickets.Where(t => !excluded.Contains(t.Id));
        }
        if (byActivity)
        {
            return new Result(await ByActivityAsync(db, tickets, limit, cursor, ct), null);
        }
        var matches = await SearchIndex.MatchAsync(db, query.Words, withNotes: !scope.Customer, ct);
        if (matches.Count == 0)
        {
            return new Result(new Page([], null), null);
        }
        var candidateIds = matches.Select(m => m.TicketId).Distinct().ToList();
        var allowed = (await tickets.Where(t => candidateIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct)).ToHashSet();
        // Relevance with recency: a match loses half its weight for every 90 days it is older than the newest match.
        var newest = matches.Max(m => m.At);
        double? afterScore = cursor is { } rc ? double.Parse(rc.Value, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
        var ranked = matches.Where(m => allowed.Contains(m.TicketId))
            .Select(m => (Match: m, Score: Math.Round(m.Relevance * Math.Pow(0.5, (newest - m.At).TotalDays / 90), 9)))
            .GroupBy(m => m.Match.TicketId)
            .Select(g => g.OrderByDescending(m => m.Score).ThenByDescending(m => m.Match.MessageId).First())
            .OrderByDescending(m => m.Score).ThenByDescending(m => m.Match.TicketId)
            .Where(m => afterScore is not { } score || m.Score < score || (m.Score == score && m.Match.TicketId < cursor!.Value.Id))
            .Take(limit + 1)
            .ToList();
        var pageIds = ranked.Take(limit).Select(m => m.Match.TicketId).ToList();
        var messageIds = ranked.Take(limit).Select(m => m.Match.MessageId).ToList();
        var loaded = await SummariesAsync(db, pageIds, ct);
        var texts = await db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).Select(m => new { m.Id, m.Text }).ToDictionaryAsync(m => m.Id, m => m.Text, ct);
        var items = ranked.Take(limit).Where(m => loaded.ContainsKey(m.Match.TicketId))
            .Select(m => new Hit(loaded[m.Match.TicketId], m.Match.MessageId, Snippet.Of(texts.GetValueOrDefault(m.Match.MessageId) ?? "", query.Words)))
            .ToList();
        var next = ranked.Count > limit ? WriteCursor('r', ranked[limit - 1].Score.ToString("R", CultureInfo.InvariantCulture), ranked[limit - 1].Match.TicketId) : null;
        return new Result(new Page(items, next), null);
    }

    private static async Task<Page> ByActivityAsync(RapportDb db, IQueryable<Ticket> tickets, int limit, (string Value, long Id)? cursor, CancellationToken ct)
    {
        if (cursor is { } c)
        {
            var at = new DateTime(long.Parse(c.Value, NumberStyles.None, CultureInfo.InvariantCulture), DateTimeKind.Utc);
            tickets = tickets.Where(t => t.UpdatedAt < at || (t.UpdatedAt == at && t.Id < c.Id));
        }
        var ids = await tickets.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id).Select(t => new { t.Id, t.UpdatedAt })
            .Take(limit + 1).ToListAsync(ct);
        var page = ids.Take(limit).Select(t => t.Id).ToList();
        var loaded = await SummariesAsync(db, page, ct);
        var items = page.Where(loaded.ContainsKey).Select(id => new Hit(loaded[id], null, null)).ToList();
        var next = ids.Count > limit ? WriteCursor('a', ids[limit - 1].UpdatedAt.Ticks.ToString(CultureInfo.InvariantCulture), ids[limit - 1].Id) : null;
        return new Page(items, next);
    }

    private static async Task<Dictionary<long, TicketSummary>> SummariesAsync(RapportDb db, IReadOnlyList<long> ids, CancellationToken ct)
    {
        var list = ids.ToList();
        var rows = await db.Tickets.AsNoTracking().Where(t => list.Contains(t.Id)).Select(TicketRow.Projection).ToListAsync(ct);
        var tags = await TicketMapping.TagsOfAsync(db, list, ct);
        return rows.ToDictionary(r => r.Id, r => r.ToSummary(tags.TryGetValue(r.Id, out var names) ? names : []));
    }

    private static IQueryable<Ticket> Filter(RapportDb db, SearchQuery query, Scope scope, DateTime now)
    {
        var tickets = db.Tickets.AsNoTracking();
        if (scope.CustomerId is { } customerId)
        {
            tickets = tickets.Where(t => t.CustomerId == customerId);
        }
        if (scope.TicketId is { } only)
        {
            tickets = tickets.Where(t => t.Id == only);
        }
        if (query.TicketNumber is { } number)
        {
            tickets = tickets.Where(t => t.Id == number);
        }
        if (query.Statuses.Count > 0)
        {
            var statuses = query.Statuses.ToList();
            tickets = tickets.Where(t => statuses.Contains(t.Status));
        }
        if (query.ExcludedStatuses.Count > 0)
        {
            var statuses = query.ExcludedStatuses.ToList();
            tickets = tickets.Where(t => !statuses.Contains(t.Status));
        }
        if (query.Priorities.Count > 0)
        {
            var priorities = query.Priorities.ToList();
            tickets = tickets.Where(t => priorities.Contains(t.Priority));
        }
        if (query.ExcludedPriorities.Count > 0)
        {
            var priorities = query.ExcludedPriorities.ToList();
            tickets = tickets.Where(t => !priorities.Contains(t.Priority));
        }
        if (query.Channels.Count > 0)
        {
            var channels = query.Channels.ToList();
            tickets = tickets.Where(t => channels.Contains(t.Channel));
        }
        if (query.ExcludedChannels.Count > 0)
        {
            var channels = query.ExcludedChannels.ToList();
            tickets = tickets.Where(t => !channels.Contains(t.Channel));
        }
        foreach (var anyOf in query.Tags)
        {
            var names = anyOf.ToList();
            tickets = tickets.Where(t => db.TicketTags.Any(x => x.TicketId == t.Id && names.Contains(x.Name)));
        }
        if (query.ExcludedTags.Count > 0)
        {
            var names = query.ExcludedTags.ToList();
            tickets = tickets.Where(t => !db.TicketTags.Any(x => x.TicketId == t.Id && names.Contains(x.Name)));
        }
        if (query.Owner is { } owner)
        {
            var name = owner.Name?.ToLowerInvariant();
            var me = scope.AgentId ?? -1;
            tickets = (owner.Me, owner.Nobody, owner.Negated) switch
            {
                (true, _, false) => tickets.Where(t => t.OwnerId == me),
                (true, _, true) => tickets.Where(t => t.OwnerId == null || t.OwnerId != me),
                (_, true, false) => tickets.Where(t => t.OwnerId == null),
                (_, true, true) => tickets.Where(t => t.OwnerId != null),
                (_, _, false) => tickets.Where(t => t.Owner != null && (t.Owner.DisplayName.ToLower().Contains(name!) || t.Owner.Email!.ToLower() == name)),
                _ => tickets.Where(t => t.Owner == null || !(t.Owner.DisplayName.ToLower().Contains(name!) || t.Owner.Email!.ToLower() == name)),
            };
        }
        foreach (var who in query.Customers)
        {
            var value = who.ToLowerInvariant();
            tickets = tickets.Where(t => t.Customer.Name.ToLower().Contains(value) || t.Customer.Emails.Any(e => e.Address.Contains(value))
                || (t.Customer.Organization != null && t.Customer.Organization.Name.ToLower().Contains(value)));
        }
        foreach (var who in query.From)
        {
            var value = who.ToLowerInvariant();
            tickets = tickets.Where(t => db.Messages.Any(m => m.TicketId == t.Id
                && ((m.AuthorCustomer != null && (m.AuthorCustomer.Name.ToLower().Contains(value) || m.AuthorCustomer.Emails.Any(e => e.Address == value)))
                    || (m.AuthorAgent != null && (m.AuthorAgent.DisplayName.ToLower().Contains(value) || m.AuthorAgent.Email!.ToLower() == value)))));
        }
        if (query.HasAttachment is { } attachment)
        {
            tickets = tickets.Where(t => db.Messages.Any(m => m.TicketId == t.Id && m.Attachments.Any()) == attachment);
        }
        if (query.IsComplaint is { } complaint)
        {
            tickets = tickets.Where(t => t.IsComplaint == complaint);
        }
        if (query.IsLate is { } late)
        {
            tickets = tickets.Where(t => (t.BreachedFor != null
                || (t.DueAt != null && t.DueAt < now && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)) == late);
        }
        if (query.OpenedFrom is { } from)
        {
            tickets = tickets.Where(t => t.CreatedAt >= from);
        }
        if (query.OpenedBefore is { } before)
        {
            tickets = tickets.Where(t => t.CreatedAt < before);
        }
        return tickets;
    }

    // A cursor names the kind of ordering it belongs to ('r': relevance, 'a': activity), the last item's place in it and its ticket.
    private static string WriteCursor(char kind, string value, long id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{kind}:{value}:{id}")));

    private static bool TryReadCursor(string? after, char kind, out (string Value, long Id)? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(after))
        {
            return true;
        }
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(after)).Split(':');
            if (parts.Length == 3 && parts[0].Length == 1 && parts[0][0] == kind
                && (kind == 'r' ? double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _) : long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                cursor = (parts[1], id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}
