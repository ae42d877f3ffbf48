using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;

namespace Rapport.Features.Mail;

public enum MailAlertKind { MailboxFailing, Quarantined, NotDelivered }

/// <summary>Something about mail the owner must look at.</summary>
public sealed record MailAlert(MailAlertKind Kind, string? Mailbox, string Text, DateTime Since);

/// <summary>What the owner is alerted to in the app: a mailbox that has failed to be read for longer than
/// <see cref="MailOptions.AlertAfter"/>, messages quarantined and replies that could not be delivered in the last
/// <see cref="Window"/>.</summary>
public sealed class MailAlerts(IDbContextFactory<RapportDb> contexts, IOptions<MailOptions> options, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    public async Task<IReadOnlyList<MailAlert>> CurrentAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var failingBefore = now - options.Value.AlertAfter;
        var since = now - Window;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var names = await db.Mailboxes.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct);
        var alerts = new List<MailAlert>();

        var failing = await db.MailboxSyncs.AsNoTracking().Where(s => s.FailingSince != null && s.FailingSince <= failingBefore).ToListAsync(ct);
        alerts.AddRange(failing.Select(s => new MailAlert(MailAlertKind.MailboxFailing, names.GetValueOrDefault(s.MailboxId),
            $"Mailbox {names.GetValueOrDefault(s.MailboxId)} ({s.Folder}) cannot be read: {s.LastError}", s.FailingSince!.Value)));

        var quarantined = await db.InboundMail.AsNoTracking().Where(m => m.Outcome == InboundOutcome.Quarantined && m.ProcessedAt >= since)
            .GroupBy(m => m.MailboxId).Select(g => new { MailboxId = g.Key, Count = g.Count(), First = g.Min(m => m.ProcessedAt) }).ToListAsync(ct);
        alerts.AddRange(quarantined.Select(q => new MailAlert(MailAlertKind.Quarantined, q.MailboxId is { } id ? names.GetValueOrDefault(id) : null,
            $"{q.Count} message{(q.Count == 1 ? "" : "s")} quarantined{(q.MailboxId is { } mid ? $" in {names.GetValueOrDefault(mid)}" : "")}: see the ledger for the reasons; fix and reprocess, or leave them.",
            q.First)));

        var failed = await db.OutboundMail.AsNoTracking().Where(o => (o.Status == OutboundStatus.Failed || o.Status == OutboundStatus.Bounced) && o.CreatedAt >= since)
            .GroupBy(o => o.MailboxId).Select(g => new { MailboxId = g.Key, Count = g.Count(), First = g.Min(o => o.CreatedAt) }).ToListAsync(ct);
        alerts.AddRange(failed.Select(f => new MailAlert(MailAlertKind.NotDelivered, names.GetValueOrDefault(f.MailboxId),
            $"{f.Count} repl{(f.Count == 1 ? "y" : "ies")} from {names.GetValueOrDefault(f.MailboxId)} could not be delivered.", f.First)));
        return alerts.OrderBy(a => a.Since).ToList();
    }
}
