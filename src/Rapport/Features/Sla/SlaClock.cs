using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rapport.Data;
using Rapport.Features.Promises;
using Rapport.Features.Settings;
using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>The business's calendar and SLA policies, cached briefly (other app nodes see a change within
/// <see cref="CacheFor"/>; this node at once, through <see cref="Forget"/>). Without saved hours the business keeps
/// office hours (Monday to Friday, 09:00–17:00); without saved policies, <see cref="SlaPolicy.Defaults"/>.</summary>
public sealed class SlaClock(TimeProvider time)
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

    public Settings Current(RapportDb db)
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            if (_cached is { } cached && cached.Until > now)
            {
                return cached.Settings;
            }
        }
        var profile = db.BusinessProfiles.AsNoTracking().Select(b => new { b.TimeZone, b.SlaWarnPercent, b.AssignNewCustomers }).FirstOrDefault();
        var zoneId = profile?.TimeZone ?? "UTC";
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        var hours = db.Set<OpeningHours>().AsNoTracking().ToList();
        var holidays = db.Set<Holiday>().AsNoTracking().Select(h => h.Date).ToList();
        var business = hours.Count == 0 ? BusinessCalendar.OfficeHours(zone, holidays) : new BusinessCalendar(zone, hours.Select(h => h.ToRange()), holidays);
        var saved = db.Set<SlaPolicy>().AsNoTracking().ToList();
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

    /// <summary>Sets each added or changed ticket's due instants before it is saved, whichever use case changed it;
    /// routes new tickets to their owner (or a backup); and records SLA deadlines that were met or missed in the
    /// promise ledger, with written "reply" promises kept by a reply in time.</summary>
    internal sealed class Interceptor(IServiceProvider services) : SaveChangesInterceptor
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Apply(eventData.Context);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
        {
            Apply(eventData.Context);
            return ValueTask.FromResult(result);
        }

        private void Apply(DbContext? context)
        {
            if (context is not RapportDb db)
            {
                return;
            }
            // One scan for changes (it also finds tickets added through a navigation); then the entries as it left them.
            db.ChangeTracker.DetectChanges();
            var tickets = db.ChangeTracker.WithoutDetecting<Ticket>().Where(e => e.State is EntityState.Added or EntityState.Modified).ToList();
            if (tickets.Count == 0)
            {
                return;
            }
            var clock = services.GetRequiredService<SlaClock>();
            var settings = clock.Current(db);
            var now = clock.Now;
            var opened = tickets.Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
            clock.Open(db, services.GetRequiredService<OwnerRouting>(), opened, settings, now);
            // What is left are changed stored tickets.
            tickets.RemoveAll(e => e.State == EntityState.Added);
            // Tickets whose tags change in this save: a tag may bring its own policy (or take it away).
            var retagged = settings.HasTagPolicies
                ? db.ChangeTracker.WithoutDetecting<TicketTag>().Where(e => e.State is EntityState.Added or EntityState.Deleted).Select(e => e.Entity.TicketId).ToHashSet()
                : [];
            // The tags that have targets, of changed tickets whose tags were not read with them: one query for all.
            var unloaded = settings.HasTagPolicies
                ? tickets.Where(e => !e.Collection(t => t.Tags).IsLoaded && !retagged.Contains(e.Entity.Id))
                    .Select(e => e.Entity.Id).ToList()
                : [];
            ILookup<long, string> storedTags = Enumerable.Empty<TicketTag>().ToLookup(t => t.TicketId, t => t.Name);
            if (unloaded.Count > 0)
            {
                var tagged = settings.TagPolicies!.Select(p => p.Tag).Distinct().ToList();
                storedTags = db.TicketTags.AsNoTracking().Where(t => unloaded.Contains(t.TicketId) && tagged.Contains(t.Name))
                    .ToList().ToLookup(t => t.TicketId, t => t.Name);
            }
            foreach (var entry in tickets)
            {
                var ticket = entry.Entity;
                var tags = unloaded.Contains(ticket.Id) ? storedTags[ticket.Id] : ticket.Tags.Select(t => t.Name);
                var settled = Changed(settings, ticket, TicketBefore.Of(entry), tags, retagged.Contains(ticket.Id), now);
                db.Promises.AddRange(settled);
                if (entry.Property(t => t.LastReplyAt).OriginalValue != ticket.LastReplyAt)
                {
                    // A reply keeps (or breaks) the written "I'll get back to you" promises.
                    foreach (var promise in db.Promises.Where(p => p.TicketId == ticket.Id && p.Status == PromiseStatus.Open && p.Kind == PromiseKind.Reply).ToList())
                    {
                        promise.Settle(now <= promise.DueAt ? PromiseStatus.Kept : PromiseStatus.Broken, null, "answered", now);
                    }
                }
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

        /// <summary>The tracked ticket's original values.</summary>
        public static TicketBefore Of(EntityEntry<Ticket> e) => new(e.Property(t => t.Status).OriginalValue, e.Property(t => t.Priority).OriginalValue,
            e.Property(t => t.FirstResponseAt).OriginalValue, e.Property(t => t.FirstResponseDueAt).OriginalValue, e.Property(t => t.LastReplyAt).OriginalValue,
            e.Property(t => t.NextResponseDueAt).OriginalValue, e.Property(t => t.LastCustomerMessageAt).OriginalValue, e.Property(t => t.ResolutionDueAt).OriginalValue);
    }

    /// <summary>After a stored ticket changed: sets its due instants by its policy (from scratch when its priority or
    /// tags changed) and returns the SLA deadlines the change settled, as promise rows to add. A save does this for
    /// every changed ticket it writes; the mail writer, which writes a customer's message on a ticket without the
    /// change tracker (docs/decisions/0047), calls it itself. Written "reply" promises a reply keeps are the caller's.</summary>
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

    /// <summary>Starts the clocks of tickets being opened: routes them to an owner (or a backup) and sets their due
    /// instants. A save does this for the tickets it adds; the mail writer, which inserts its new tickets without the
    /// change tracker (<see cref="Data.RowWriter"/>), calls it before inserting them.</summary>
    internal void Open(RapportDb db, OwnerRouting routing, IReadOnlyList<Ticket> opened) => Open(db, routing, opened, Current(db), Now);

    private void Open(RapportDb db, OwnerRouting routing, IReadOnlyList<Ticket> opened, Settings settings, DateTime now)
    {
        routing.Route(db, opened, settings.AssignNewCustomers, now);
        foreach (var ticket in opened)
        {
            var policy = settings.PolicyFor(ticket.Priority, ticket.Tags.Select(t => t.Name));
            ticket.ApplySla(policy, settings.CalendarFor(policy), now, statusBefore: null, recompute: true, settings.WarnShare);
        }
    }
}
