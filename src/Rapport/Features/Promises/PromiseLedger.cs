using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;

namespace Rapport.Features.Promises;

/// <summary>Every commitment with a due instant: the promises agents wrote or entered (stored when made), and the SLA
/// deadlines (open ones read from the tickets' due instants, settled ones stored when met or missed). Makes, settles and
/// moves promises (write access needed); lists them; and counts the kept-rate.</summary>
public sealed class PromiseLedger(IDbContextFactory<RapportDb> contexts, AgentAccess access, SlaClock clock, TimeProvider time)
{
    public sealed record MakeRequest
    {
        /// <summary>reply, call or follow-up.</summary>
        public PromiseKind Kind { get; init; } = PromiseKind.FollowUp;

        [Required, StringLength(Promise.TextMaxLength)]
        public string Text { get; init; } = "";

        [Required]
        public DateTime? DueAt { get; init; }

        /// <summary>Who keeps it; defaults to the caller.</summary>
        public int? AgentId { get; init; }
    }

    public sealed record SettleRequest
    {
        /// <summary>kept, broken or cancelled.</summary>
        public PromiseStatus Status { get; init; }

        [StringLength(Promise.NoteMaxLength)]
        public string? Note { get; init; }
    }

    public sealed record Entry(long? Id, PromiseKind Kind, bool Sla, long TicketId, string TicketSubject, long CustomerId, int? AgentId,
        string Text, DateTime DueAt, PromiseStatus Status, DateTime? SettledAt, bool Overdue);

    public sealed record Query(int? AgentId = null, long? TicketId = null, long? CustomerId = null, PromiseStatus? Status = null,
        DateTime? DueBefore = null, int Limit = 100);

    public async Task<Promise?> MakeAsync(long ticketId, MakeRequest request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        if (request.Kind is not (PromiseKind.Reply or PromiseKind.Call or PromiseKind.FollowUp))
        {
            throw new TicketRuleException("promise-kind-invalid", "Make a reply, call or follow-up promise; SLA deadlines come from the ticket's targets.");
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ticket = await db.Tickets.AsNoTracking().Where(t => t.Id == ticketId).Select(t => new { t.Id, t.CustomerId }).FirstOrDefaultAsync(ct);
        if (ticket is null)
        {
            return null;
        }
        var agentId = request.AgentId ?? actor.AgentId;
        if (agentId is { } agent && !await UpdateTicket.CanOwnTicketsAsync(db, agent, ct))
        {
            throw new TicketRuleException("promise-agent-invalid", $"Agent {agent} cannot keep promises: they are not an active agent or owner.");
        }
        var promise = Make(db, ticket.Id, ticket.CustomerId, request.Kind, agentId, request.Text, request.DueAt!.Value, actor, Now);
        await db.SaveChangesAsync(ct);
        return promise;
    }

    /// <summary>Adds a promise made on a ticket, and the history event that records it, to the caller's unit of work:
    /// the one way a promise is made, on its own (<see cref="MakeAsync"/>) or with the reply that makes it
    /// (<see cref="AddTicketMessage"/>). The caller has checked the kind and who keeps it.</summary>
    internal static Promise Make(RapportDb db, long ticketId, long customerId, PromiseKind kind, int? agentId, string text, DateTime dueAt,
        Actor actor, DateTime now)
    {
        var promise = Promise.Make(kind, ticketId, customerId, agentId, text, dueAt.Kind == DateTimeKind.Utc ? dueAt : dueAt.ToUniversalTime(), now);
        db.Promises.Add(promise);
        db.TicketEvents.Add(TicketEvent.ForTicket(ticketId, TicketEventKind.PromiseMade, actor, now,
            $"{promise.Kind.ToString().ToLowerInvariant()}, due {promise.DueAt:yyyy-MM-dd HH:mm} UTC: {promise.Text}"));
        return promise;
    }

    public async Task<Promise?> SettleAsync(long id, SettleRequest request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var promise = await db.Promises.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (promise is null)
        {
            return null;
        }
        promise.Settle(request.Status, actor.AgentId, request.Note, Now);
        db.TicketEvents.Add(TicketEvent.ForTicket(promise.TicketId, TicketEventKind.PromiseSettled, actor, Now,
            $"{request.Status.ToString().ToLowerInvariant()}: {promise.Text}"));
        await db.SaveChangesAsync(ct);
        return promise;
    }

    public async Task<Promise?> RescheduleAsync(long id, DateTime dueAt, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var promise = await db.Promises.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (promise is null)
        {
            return null;
        }
        promise.Reschedule(dueAt.Kind == DateTimeKind.Utc ? dueAt : dueAt.ToUniversalTime(), Now);
        db.TicketEvents.Add(TicketEvent.ForTicket(promise.TicketId, TicketEventKind.PromiseRescheduled, actor, Now,
            $"due {promise.DueAt:yyyy-MM-dd HH:mm} UTC: {promise.Text}"));
        await db.SaveChangesAsync(ct);
        return promise;
    }

    /// <summary>Promises matching the query, soonest due first for open ones, latest settled first otherwise.</summary>
    public async Task<IReadOnlyList<Entry>> ListAsync(Query query, CancellationToken ct)
    {
        var now = Now;
        var limit = Math.Clamp(query.Limit, 1, 500);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var stored = db.Promises.AsNoTracking().AsQueryable();
        if (query.AgentId is { } agent)
        {
            stored = stored.Where(p => p.AgentId == agent);
        }
        if (query.TicketId is { } ticketId)
        {
            stored = stored.Where(p => p.TicketId == ticketId);
        }
        if (query.CustomerId is { } customerId)
        {
            stored = stored.Where(p => p.CustomerId == customerId);
        }
        if (query.Status is { } status)
        {
            stored = stored.Where(p => p.Status == status);
        }
        if (query.DueBefore is { } before)
        {
            stored = stored.Where(p => p.DueAt <= before);
        }
        stored = query.Status is null or PromiseStatus.Open ? stored.OrderBy(p => p.Status).ThenBy(p => p.DueAt) : stored.OrderByDescending(p => p.SettledAt);
        var rows = await (from p in stored.Take(limit)
                          join t in db.Tickets on p.TicketId equals t.Id
                          select new Entry(p.Id, p.Kind, false, p.TicketId, t.Subject, p.CustomerId, p.AgentId, p.Text, p.DueAt, p.Status, p.SettledAt, false))
            .ToListAsync(ct);
        var entries = rows.Select(e => e with
        {
            Sla = e.Kind is PromiseKind.FirstResponse or PromiseKind.NextResponse or PromiseKind.Resolution,
            Overdue = e.Status == PromiseStatus.Open && e.DueAt < now,
        }).ToList();

        if (query.Status is null or PromiseStatus.Open)
        {
            // The SLA deadlines running now, straight from the tickets' due instants.
            var tickets = db.Tickets.AsNoTracking().Where(t => t.DueAt != null);
            if (query.AgentId is { } owner)
            {
                tickets = tickets.Where(t => t.OwnerId == owner);
            }
            if (query.TicketId is { } onlyTicket)
            {
                tickets = tickets.Where(t => t.Id == onlyTicket);
            }
            if (query.CustomerId is { } onlyCustomer)
            {
                tickets = tickets.Where(t => t.CustomerId == onlyCustomer);
            }
            if (query.DueBefore is { } dueBefore)
            {
                tickets = tickets.Where(t => t.DueAt <= dueBefore);
            }
            var running = await tickets.OrderBy(t => t.DueAt).Take(limit)
                .Select(t => new { t.Id, t.Subject, t.CustomerId, t.OwnerId, t.FirstResponseAt, t.FirstResponseDueAt, t.NextResponseDueAt, t.ResolutionDueAt })
                .ToListAsync(ct);
            foreach (var t in running)
            {
                if (t.FirstResponseAt is null && t.FirstResponseDueAt is { } first)
                {
                    entries.Add(new Entry(null, PromiseKind.FirstResponse, true, t.Id, t.Subject, t.CustomerId, t.OwnerId, "First answer", first, PromiseStatus.Open, null, first < now));
                }
                if (t.NextResponseDueAt is { } next)
                {
                    entries.Add(new Entry(null, PromiseKind.NextResponse, true, t.Id, t.Subject, t.CustomerId, t.OwnerId, "Answer to the customer's message", next, PromiseStatus.Open, null, next < now));
                }
                if (t.ResolutionDueAt is { } resolution)
                {
                    entries.Add(new Entry(null, PromiseKind.Resolution, true, t.Id, t.Subject, t.CustomerId, t.OwnerId, "Resolution", resolution, PromiseStatus.Open, null, resolution < now));
                }
            }
        }
        return [.. entries.OrderBy(e => e.Status == PromiseStatus.Open ? 0 : 1).ThenBy(e => e.Status == PromiseStatus.Open ? e.DueAt.Ticks : -(e.SettledAt?.Ticks ?? 0)).Take(limit)];
    }

    public enum RateBy { Overall, Agent, Customer, Week }

    /// <summary>Promises settled in a range (kept or broken; cancelled ones don't count either way).</summary>
    public sealed record Rate(string Key, int Kept, int Broken, int Cancelled)
    {
        public double? KeptRate => Kept + Broken == 0 ? null : Math.Round((double)Kept / (Kept + Broken), 4);
    }

    /// <summary>The kept-rate of promises settled in [from, to), grouped; weeks start on Monday in the business's time zone.</summary>
    public async Task<IReadOnlyList<Rate>> KeptRateAsync(DateTime from, DateTime to, RateBy by, bool slaOnly, bool writtenOnly, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var settled = db.Promises.AsNoTracking().Where(p => p.SettledAt >= from && p.SettledAt < to && p.Status != PromiseStatus.Open);
        if (slaOnly)
        {
            settled = settled.Where(p => p.Kind == PromiseKind.FirstResponse || p.Kind == PromiseKind.NextResponse || p.Kind == PromiseKind.Resolution);
        }
        if (writtenOnly)
        {
            settled = settled.Where(p => Promise.Made.Contains(p.Kind));
        }
        if (by == RateBy.Week)
        {
            var zone = (await clock.CurrentAsync(db, ct)).Business.Zone;
            var rows = await settled.Select(p => new { p.SettledAt, p.Status }).ToListAsync(ct);
            return [.. rows.GroupBy(r => WeekOf(r.SettledAt!.Value, zone))
                .OrderBy(g => g.Key)
                .Select(g => Count(g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), g.Select(r => r.Status)))];
        }
        var grouped = by switch
        {
            RateBy.Agent => settled.GroupBy(p => new { Key = (long?)p.AgentId, p.Status }),
            RateBy.Customer => settled.GroupBy(p => new { Key = (long?)p.CustomerId, p.Status }),
            _ => settled.GroupBy(p => new { Key = (long?)null, p.Status }),
        };
        var counts = await grouped.Select(g => new { g.Key.Key, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        return [.. counts.GroupBy(c => c.Key).OrderBy(g => g.Key)
            .Select(g => new Rate(g.Key?.ToString(CultureInfo.InvariantCulture) ?? (by == RateBy.Overall ? "all" : "team"),
                g.Where(c => c.Status == PromiseStatus.Kept).Sum(c => c.Count),
                g.Where(c => c.Status == PromiseStatus.Broken).Sum(c => c.Count),
                g.Where(c => c.Status == PromiseStatus.Cancelled).Sum(c => c.Count)))];
    }

    /// <summary>The Monday that starts the week of <paramref name="utc"/> on the business's wall clock.</summary>
    public static DateOnly WeekOf(DateTime utc, TimeZoneInfo zone)
    {
        var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, zone));
        return local.AddDays(-(((int)local.DayOfWeek + 6) % 7));
    }

    private static Rate Count(string key, IEnumerable<PromiseStatus> statuses)
    {
        var list = statuses.ToList();
        return new Rate(key, list.Count(s => s == PromiseStatus.Kept), list.Count(s => s == PromiseStatus.Broken), list.Count(s => s == PromiseStatus.Cancelled));
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
