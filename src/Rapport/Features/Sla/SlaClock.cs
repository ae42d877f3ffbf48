using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Promises;
using Rapport.Features.Settings;
using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>The business's calendar and SLA policies, cached briefly (other app nodes see a change within
/// <see cref="CacheFor"/>; this node at once, through <see cref="Forget"/>). Without saved hours the business keeps
/// office hours (Monday to Friday, 09:00–17:00); without saved policies, <see cref="SlaPolicy.Defaults"/>.</summary>
public sealed class SlaClock(TimeProvider time, OwnerRouting routing)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public sealed record Settings(BusinessCalendar Business, BusinessCalendar Calendar, IReadOnlyDictionary<TicketPriority, SlaPolicy> Policies,
        double WarnShare, bool AssignNewCustomers, IReadOnlyList<SlaPolicy>? TagPolicies = null)
    {
        public BusinessCalendar CalendarFor(SlaPolicy policy) => policy.BusinessHours ? Business : Calendar;

        public bool HasTagPolicies => TagPolicies is { Count: > 0 };

        /// <summary>The policy for a ticket of this priority with these tags: a tag's own one (the strictest first answer
        /// when several match), else the priority's.</summary>
        public SlaPolicy PolicyFor(TicketPriority priority, IEnumerable<string> tags)
        {
            SlaPolicy? best = null;
            if (TagPolicies is { Count: > 0 } tagged)
            {
                foreach (var tag in tags)
                {
                    foreach (var policy in tagged)
                    {
                        if (policy.Priority == priority && policy.Tag == tag && (best is null || policy.FirstResponse < best.FirstResponse))
                        {
                            best = policy;
                        }
                    }
                }
            }
            return best ?? Policies[priority];
        }
    }

    private readonly Lock _lock = new();
    private (Settings Settings, DateTime Until)? _cached;

    public void Forget()
    {
        lock (_lock)
        {
            _cached = null;
        }
    }

    public async Task<Settings> CurrentAsync(RapportDb db, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            if (_cached is { } cached && cached.Until > now)
            {
                return cached.Settings;
            }
        }
        var profile = await db.BusinessProfiles.AsNoTracking().Select(b => new { b.TimeZone, b.SlaWarnPercent, b.AssignNewCustomers }).FirstOrDefaultAsync(ct);
        var zoneId = profile?.TimeZone ?? "UTC";
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        var hours = await db.Set<OpeningHours>().AsNoTracking().ToListAsync(ct);
        var holidays = await db.Set<Holiday>().AsNoTracking().Select(h => h.Date).ToListAsync(ct);
        var business = hours.Count == 0 ? BusinessCalendar.OfficeHours(zone, holidays) : new BusinessCalendar(zone, hours.Select(h => h.ToRange()), holidays);
        var saved = await db.Set<SlaPolicy>().AsNoTracking().ToListAsync(ct);
        var policies = SlaPolicy.Defaults().ToDictionary(p => p.Priority);
        foreach (var policy in saved.Where(p => p.Tag.Length == 0))
        {
            policies[policy.Priority] = policy;
        }
        var settings = new Settings(business, BusinessCalendar.AlwaysOpen(zone), policies,
            (profile?.SlaWarnPercent ?? BusinessProfile.DefaultWarnPercent) / 100.0, profile?.AssignNewCustomers ?? false,
            [.. saved.Where(p => p.Tag.Length > 0).OrderBy(p => p.Tag).ThenByDescending(p => p.Priority)]);
        lock (_lock)
        {
            _cached = (settings, now + CacheFor);
        }
        return settings;
    }

    /// <summary>Starts the clocks of tickets being opened: routes each to its owner (or a backup) and sets its due
    /// instants. Every use case that opens tickets calls this before it writes them (the mail writer too, before its
    /// row writer inserts them).</summary>
    public async Task OpenAsync(RapportDb db, IReadOnlyList<Ticket> opened, CancellationToken ct)
    {
        if (opened.Count == 0)
        {
            return;
        }
        var settings = await CurrentAsync(db, ct);
        var now = Now;
        await routing.RouteAsync(db, opened, settings.AssignNewCustomers, now, ct);
        foreach (var ticket in opened)
        {
            var policy = settings.PolicyFor(ticket.Priority, ticket.Tags.Select(t => t.Name));
            ticket.ApplySla(policy, settings.CalendarFor(policy), now, statusBefore: null, recompute: true, settings.WarnShare);
        }
    }

    /// <summary>After a use case changed a stored ticket (read with <see cref="TicketBefore.Of(Ticket)"/> before the
    /// change): sets its due instants by its policy (from scratch when its priority or tags changed), adds to
    /// <paramref name="db"/> the SLA deadlines the change met or missed, and, when the change was a reply, settles the
    /// written "I'll get back to you" promises it keeps or breaks. The caller saves.</summary>
    public async Task ChangedAsync(RapportDb db, Ticket ticket, TicketBefore before, bool retagged, CancellationToken ct)
    {
        var settings = await CurrentAsync(db, ct);
        var now = Now;
        IEnumerable<string> tags = [];
        if (settings.HasTagPolicies)
        {
            tags = retagged || db.Entry(ticket).Collection(t => t.Tags).IsLoaded
                ? ticket.Tags.Select(t => t.Name).ToList()
                : await db.TicketTags.AsNoTracking().Where(t => t.TicketId == ticket.Id).Select(t => t.Name).ToListAsync(ct);
        }
        db.Promises.AddRange(Changed(settings, ticket, before, tags, retagged, now));
        if (before.LastReplyAt != ticket.LastReplyAt)
        {
            foreach (var promise in await db.Promises.Where(p => p.TicketId == ticket.Id && p.Status == PromiseStatus.Open && p.Kind == PromiseKind.Reply).ToListAsync(ct))
            {
                promise.Settle(now <= promise.DueAt ? PromiseStatus.Kept : PromiseStatus.Broken, null, "answered", now);
            }
        }
    }

    /// <summary>What the SLA rules read of a stored ticket as it was before a change.</summary>
    public sealed record TicketBefore(TicketStatus Status, TicketPriority Priority, DateTime? FirstResponseAt, DateTime? FirstResponseDueAt,
        DateTime? LastReplyAt, DateTime? NextResponseDueAt, DateTime? LastCustomerMessageAt, DateTime? ResolutionDueAt)
    {
        /// <summary>The ticket as it is now, taken before changing it.</summary>
        public static TicketBefore Of(Ticket t) => new(t.Status, t.Priority, t.FirstResponseAt, t.FirstResponseDueAt, t.LastReplyAt,
            t.NextResponseDueAt, t.LastCustomerMessageAt, t.ResolutionDueAt);

    }

    /// <summary>After a stored ticket changed: sets its due instants by its policy (from scratch when its priority or
    /// tags changed) and returns the SLA deadlines the change settled, as promise rows to add. The rule behind
    /// <see cref="ChangedAsync"/>; the mail writer, which writes a customer's message on a ticket without the change
    /// tracker (docs/decisions/0047), calls it itself. Written "reply" promises a reply keeps are the caller's.</summary>
    internal static List<Promise> Changed(Settings settings, Ticket ticket, TicketBefore before, IEnumerable<string> tags, bool retagged, DateTime now)
    {
        var policy = settings.PolicyFor(ticket.Priority, tags);
        ticket.ApplySla(policy, settings.CalendarFor(policy), now, before.Status, before.Priority != ticket.Priority || retagged, settings.WarnShare);
        var settled = new List<Promise>();
        if (before.FirstResponseAt is null && ticket.FirstResponseAt is not null && before.FirstResponseDueAt is { } firstDue)
        {
            settled.Add(Promise.SettledSla(SlaDeadline.FirstResponse, ticket, firstDue, ticket.CreatedAt, now));
        }
        var replied = before.LastReplyAt != ticket.LastReplyAt;
        if (before.NextResponseDueAt is { } nextDue && ticket.NextResponseDueAt is null && before.FirstResponseAt is not null)
        {
            var asked = before.LastCustomerMessageAt ?? now;
            settled.Add(Promise.SettledSla(SlaDeadline.NextResponse, ticket, nextDue, asked, now, cancelled: !replied && now <= nextDue));
        }
        var doneBefore = before.Status is TicketStatus.Resolved or TicketStatus.Closed;
        if (!doneBefore && ticket.Status is TicketStatus.Resolved or TicketStatus.Closed)
        {
            settled.Add(Promise.SettledSla(SlaDeadline.Resolution, ticket, before.ResolutionDueAt ?? now, ticket.CreatedAt, now));
        }
        return settled;
    }

    internal DateTime Now => time.GetUtcNow().UtcDateTime;
}
