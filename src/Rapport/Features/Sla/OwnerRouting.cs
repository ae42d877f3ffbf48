using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>One point of contact: a new ticket goes to the customer's owner; while the owner is away (or can no longer
/// own tickets) to their named backup, else to the available agent with the fewest open tickets. A customer without an
/// owner gets one with their first ticket when the business asked for that. The team (who may own tickets, who is away,
/// who backs up whom) is cached briefly, so a ticket for a customer whose owner is in costs no query.</summary>
public sealed class OwnerRouting(TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public sealed record Member(int Id, string Name, DateTime? AwayUntil, int? BackupId)
    {
        public bool IsAwayAt(DateTime now) => AwayUntil is { } until && until > now;
    }

    private readonly Lock _lock = new();
    private (IReadOnlyDictionary<int, Member> Team, DateTime Until)? _cached;

    public void Forget()
    {
        lock (_lock)
        {
            _cached = null;
        }
    }

    /// <summary>Active agents who may own tickets (owners and agents, not read-only), by id.</summary>
    public async Task<IReadOnlyDictionary<int, Member>> TeamAsync(RapportDb db, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            if (_cached is { } cached && cached.Until > now)
            {
                return cached.Team;
            }
        }
        var team = await (from a in db.Users.AsNoTracking()
                    where a.IsActive
                    where (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == a.Id && (r.Name == AgentRoles.Owner || r.Name == AgentRoles.Agent)
                           select ur).Any()
                    select new Member(a.Id, a.DisplayName, a.AwayUntil, a.BackupAgentId)).ToDictionaryAsync(m => m.Id, ct);
        lock (_lock)
        {
            _cached = (team, now + CacheFor);
        }
        return team;
    }

    /// <summary>Routes tickets being opened, before they are written (<see cref="SlaClock.OpenAsync"/>).</summary>
    internal async Task RouteAsync(RapportDb db, IReadOnlyList<Ticket> opened, bool assignNewCustomers, DateTime now, CancellationToken ct)
    {
        if (opened.Count == 0)
        {
            return;
        }
        var team = await TeamAsync(db, ct);
        if (opened.Any(t => (t.Customer?.OwnerId ?? t.OwnerId) is { } id
            && (!team.TryGetValue(id, out var known) || known.BackupId is { } backup && !team.ContainsKey(backup))))
        {
            // An owner or backup the cached team does not know yet (a new agent, say): look again rather than route around them.
            Forget();
            team = await TeamAsync(db, ct);
        }
        Dictionary<int, int>? load = null;
        foreach (var ticket in opened)
        {
            var customerOwner = ticket.Customer?.OwnerId ?? ticket.OwnerId;
            if (customerOwner is { } ownerId && team.TryGetValue(ownerId, out var owner) && !owner.IsAwayAt(now))
            {
                continue;
            }
            if (customerOwner is null && !assignNewCustomers)
            {
                continue;
            }
            string reason;
            int? pick = null;
            if (customerOwner is { } absentId)
            {
                var absent = team.GetValueOrDefault(absentId);
                if (absent?.BackupId is { } backupId && team.TryGetValue(backupId, out var backup) && !backup.IsAwayAt(now))
                {
                    pick = backup.Id;
                    reason = $"backup for {absent.Name}, who is away";
                }
                else
                {
                    reason = absent is null ? "the customer's owner can no longer take tickets" : $"{absent.Name} is away";
                }
            }
            else
            {
                reason = "the customer's new point of contact";
            }
            if (pick is null)
            {
                load ??= await OpenLoadAsync(db, ct);
                pick = team.Values.Where(m => !m.IsAwayAt(now)).OrderBy(m => load.GetValueOrDefault(m.Id)).ThenBy(m => m.Id)
                    .Select(m => (int?)m.Id).FirstOrDefault();
                if (pick is null)
                {
                    continue;
                }
                reason += customerOwner is null ? "" : "; lightest load";
            }
            ticket.Route(pick.Value, reason, now);
            load ??= await OpenLoadAsync(db, ct);
            load[pick.Value] = load.GetValueOrDefault(pick.Value) + 1;
            if (customerOwner is null)
            {
                ticket.Customer?.SetOwner(pick, now);
            }
        }
    }

    private static Task<Dictionary<int, int>> OpenLoadAsync(RapportDb db, CancellationToken ct) =>
        db.Tickets.AsNoTracking()
            .Where(t => t.OwnerId != null && (t.Status == TicketStatus.New || t.Status == TicketStatus.Open))
            .GroupBy(t => t.OwnerId!.Value).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
}
