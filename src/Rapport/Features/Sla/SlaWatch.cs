using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Notifications;
using Rapport.Features.Promises;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Sla;

/// <summary>Watches deadlines: warns a ticket's owner when the business's share of a target has passed, escalates at
/// breach (tells the owner and the business's owners, reassigns to the lead when one is set), reminds agents of their
/// written promises shortly before they fall due and tells them when one is overdue. Each of these happens once, also
/// with several app nodes: a node claims it with a conditional update in the same transaction that writes the notices.</summary>
public sealed partial class SlaWatch(IDbContextFactory<RapportDb> contexts, TimeProvider time, ILogger<SlaWatch> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RemindBefore = TimeSpan.FromHours(1);
    private const int Batch = 200;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PacedLoop.RunAsync(new Pacing(time, Interval), RunOnceAsync, LogFailed, stoppingToken);

    /// <summary>One pass; returns how many notices this node sent.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var sent = 0;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var leads = await LeadsAsync(db, ct);
        var escalateTo = await db.BusinessProfiles.AsNoTracking().Select(b => b.EscalateToAgentId).FirstOrDefaultAsync(ct);

        var breached = await DueForEscalation(db.Tickets.AsNoTracking(), now)
            .Select(t => new Due(t.Id, t.Subject, t.DueAt!.Value, t.DueFor, t.OwnerId)).ToListAsync(ct);
        foreach (var due in breached)
        {
            sent += await EscalateAsync(db, due, leads, escalateTo, now, ct);
        }

        var near = await DueForWarning(db.Tickets.AsNoTracking(), now)
            .Select(t => new Due(t.Id, t.Subject, t.DueAt!.Value, t.DueFor, t.OwnerId)).ToListAsync(ct);
        foreach (var due in near)
        {
            sent += await WarnAsync(db, due, leads, now, ct);
        }

        sent += await RemindAsync(db, now, ct);
        return sent;
    }

    /// <summary>Tickets whose warning instant has come and whose deadline has not, not yet warned about it: the next
    /// batch, earliest warning first. Public for the benchmark, which times this query on a generated desk.</summary>
    public static IQueryable<Ticket> DueForWarning(IQueryable<Ticket> tickets, DateTime now) =>
        tickets.Where(t => t.WarnAt <= now && t.DueAt > now && (t.WarnedFor == null || t.WarnedFor != t.DueAt))
            .OrderBy(t => t.WarnAt).Take(Batch);

    /// <summary>Tickets past a deadline not yet escalated for it: the next batch, earliest deadline first.</summary>
    public static IQueryable<Ticket> DueForEscalation(IQueryable<Ticket> tickets, DateTime now) =>
        tickets.Where(t => t.DueAt <= now && (t.BreachedFor == null || t.BreachedFor != t.DueAt))
            .OrderBy(t => t.DueAt).Take(Batch);

    private sealed record Due(long Id, string Subject, DateTime DueAt, SlaDeadline? For, int? OwnerId);

    private async Task<int> WarnAsync(RapportDb db, Due due, IReadOnlyList<int> leads, DateTime now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var claimed = await db.Tickets.Where(t => t.Id == due.Id && t.DueAt == due.DueAt && (t.WarnedFor == null || t.WarnedFor != t.DueAt))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.WarnedFor, t => t.DueAt), ct);
        if (claimed == 0)
        {
            return 0;
        }
        var left = due.DueAt - now;
        var text = $"#{due.Id} {due.Subject}: {What(due.For)} is due in {Words(left)}.";
        var to = due.OwnerId is { } owner ? [owner] : leads;
        db.Notifications.AddRange(to.Select(a => AgentNotification.Create(a, due.Id, NotificationKind.DeadlineNear, text, now)));
        db.TicketEvents.Add(TicketEvent.ForTicket(due.Id, TicketEventKind.DeadlineNear, now,
            $"{What(due.For)} due {due.DueAt:yyyy-MM-dd HH:mm} UTC; told {(due.OwnerId is null ? "the leads" : "the owner")}"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return to.Count;
    }

    private async Task<int> EscalateAsync(RapportDb db, Due due, IReadOnlyList<int> leads, int? escalateTo, DateTime now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        var claimed = await db.Tickets.Where(t => t.Id == due.Id && t.DueAt == due.DueAt && (t.BreachedFor == null || t.BreachedFor != t.DueAt))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.BreachedFor, t => t.DueAt).SetProperty(t => t.WarnedFor, t => t.DueAt), ct);
        if (claimed == 0)
        {
            return 0;
        }
        var reassign = escalateTo is { } lead && lead != due.OwnerId && await CanOwnAsync(db, lead, ct);
        var detail = $"{What(due.For)} was due {due.DueAt:yyyy-MM-dd HH:mm} UTC" + (reassign ? $"; escalated to agent {escalateTo}" : "");
        db.TicketEvents.Add(TicketEvent.ForTicket(due.Id, TicketEventKind.DeadlineMissed, now, detail));
        if (reassign)
        {
            // Straight to the row: the agent who has the ticket open keeps a consistent page (their next save sees the new owner).
            await db.Tickets.Where(t => t.Id == due.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.OwnerId, escalateTo)
                .SetProperty(t => t.Version, t => t.Version + 1).SetProperty(t => t.UpdatedAt, now), ct);
            db.TicketEvents.Add(TicketEvent.ForTicket(due.Id, TicketEventKind.Assigned, now, $"→ agent {escalateTo} (deadline missed)"));
        }
        var text = $"#{due.Id} {due.Subject}: {What(due.For)} is overdue (was due {Words(now - due.DueAt)} ago)."
            + (reassign ? " Escalated to the lead." : "");
        var to = new HashSet<int>(leads);
        if (due.OwnerId is { } owner)
        {
            to.Add(owner);
        }
        if (reassign && escalateTo is { } newOwner)
        {
            to.Add(newOwner);
        }
        db.Notifications.AddRange(to.Select(a => AgentNotification.Create(a, due.Id,
            a == due.OwnerId ? NotificationKind.DeadlineMissed : NotificationKind.Escalated, text, now)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return to.Count;
    }

    private async Task<int> RemindAsync(RapportDb db, DateTime now, CancellationToken ct)
    {
        var sent = 0;
        var soon = now + RemindBefore;
        var written = Promise.Made;
        var due = await db.Promises.AsNoTracking()
            .Where(p => p.Status == PromiseStatus.Open && written.Contains(p.Kind) && p.DueAt <= soon
                && (p.RemindedAt == null || (p.DueAt <= now && p.OverdueNoticeAt == null)))
            .OrderBy(p => p.DueAt).Take(Batch)
            .Select(p => new { p.Id, p.TicketId, p.AgentId, p.Text, p.DueAt, p.RemindedAt }).ToListAsync(ct);
        foreach (var promise in due)
        {
            var overdue = promise.DueAt <= now;
            await using var tx = await db.BeginWriteTransactionAsync(ct);
            var claimed = overdue
                ? await db.Promises.Where(p => p.Id == promise.Id && p.Status == PromiseStatus.Open && p.OverdueNoticeAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.OverdueNoticeAt, now).SetProperty(p => p.RemindedAt, p => p.RemindedAt ?? now), ct)
                : await db.Promises.Where(p => p.Id == promise.Id && p.Status == PromiseStatus.Open && p.RemindedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.RemindedAt, now), ct);
            if (claimed == 0)
            {
                continue;
            }
            var to = promise.AgentId is { } agent ? [agent] : await LeadsAsync(db, ct);
            var text = overdue
                ? $"Overdue promise on #{promise.TicketId}: \"{promise.Text}\" was due {Words(now - promise.DueAt)} ago. Keep it now, or tell the customer."
                : $"Due in {Words(promise.DueAt - now)} on #{promise.TicketId}: \"{promise.Text}\"";
            db.Notifications.AddRange(to.Select(a => AgentNotification.Create(a, promise.TicketId,
                overdue ? NotificationKind.PromiseOverdue : NotificationKind.PromiseDueSoon, text, now)));
            db.TicketEvents.Add(TicketEvent.ForTicket(promise.TicketId, TicketEventKind.PromiseReminded, now,
                (overdue ? "overdue: " : "due soon: ") + promise.Text));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            sent += to.Count;
        }
        return sent;
    }

    /// <summary>The business's owners: they hear of breaches, and of deadlines on tickets nobody owns.</summary>
    private static async Task<IReadOnlyList<int>> LeadsAsync(RapportDb db, CancellationToken ct) =>
        await AgentRoles.ActiveOwners(db).Select(a => a.Id).ToListAsync(ct);

    private static Task<bool> CanOwnAsync(RapportDb db, int agentId, CancellationToken ct) => UpdateTicket.CanOwnTicketsAsync(db, agentId, ct);

    internal static string What(SlaDeadline? deadline) => deadline switch
    {
        SlaDeadline.FirstResponse => "the first answer",
        SlaDeadline.NextResponse => "an answer to the customer",
        SlaDeadline.Resolution => "resolution",
        _ => "a deadline",
    };

    internal static string Words(TimeSpan span) => span.TotalMinutes < 1 ? "under a minute"
        : span.TotalMinutes < 90 ? $"{Math.Round(span.TotalMinutes)} min"
        : span.TotalHours < 48 ? $"{Math.Round(span.TotalHours, 1)} h"
        : $"{Math.Round(span.TotalDays, 1)} days";

    [LoggerMessage(Level = LogLevel.Error, Message = "Watching deadlines failed; trying again on the next round")]
    private partial void LogFailed(Exception error);
}
