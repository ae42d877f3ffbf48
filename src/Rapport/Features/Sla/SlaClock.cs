using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rapport.Data;
using Rapport.Features.Settings;
using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>The business's calendar and SLA policies, cached briefly (other app nodes see a change within
/// <see cref="CacheFor"/>; this node at once, through <see cref="Forget"/>). Without saved hours the business keeps
/// office hours (Monday to Friday, 09:00–17:00); without saved policies, <see cref="SlaPolicy.Defaults"/>.</summary>
public sealed class SlaClock(TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public sealed record Settings(BusinessCalendar Business, BusinessCalendar Calendar, IReadOnlyDictionary<TicketPriority, SlaPolicy> Policies)
    {
        public BusinessCalendar CalendarFor(SlaPolicy policy) => policy.BusinessHours ? Business : Calendar;
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
        var zoneId = db.BusinessProfiles.AsNoTracking().Select(b => b.TimeZone).FirstOrDefault() ?? "UTC";
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        var hours = db.Set<OpeningHours>().AsNoTracking().ToList();
        var holidays = db.Set<Holiday>().AsNoTracking().Select(h => h.Date).ToList();
        var business = hours.Count == 0 ? BusinessCalendar.OfficeHours(zone, holidays) : new BusinessCalendar(zone, hours.Select(h => h.ToRange()), holidays);
        var saved = db.Set<SlaPolicy>().AsNoTracking().ToList();
        var policies = SlaPolicy.Defaults().ToDictionary(p => p.Priority);
        foreach (var policy in saved)
        {
            policies[policy.Priority] = policy;
        }
        var settings = new Settings(business, BusinessCalendar.AlwaysOpen(zone), policies);
        lock (_lock)
        {
            _cached = (settings, now + CacheFor);
        }
        return settings;
    }

    /// <summary>Sets each added or changed ticket's due instants before it is saved, whichever use case changed it.</summary>
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
            db.ChangeTracker.DetectChanges();
            var tickets = db.ChangeTracker.Entries<Ticket>().Where(e => e.State is EntityState.Added or EntityState.Modified).ToList();
            if (tickets.Count == 0)
            {
                return;
            }
            var clock = services.GetRequiredService<SlaClock>();
            var settings = clock.Current(db);
            var now = clock.Now;
            foreach (var entry in tickets)
            {
                var ticket = entry.Entity;
                var policy = settings.Policies[ticket.Priority];
                var added = entry.State == EntityState.Added;
                var statusBefore = added ? (TicketStatus?)null : entry.Property(t => t.Status).OriginalValue;
                var priorityChanged = !added && entry.Property(t => t.Priority).OriginalValue != ticket.Priority;
                ticket.ApplySla(policy, settings.CalendarFor(policy), now, statusBefore, added || priorityChanged);
            }
        }
    }

    internal DateTime Now => time.GetUtcNow().UtcDateTime;
}
