using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

/// <summary>Mails the business's owners when a mailbox has failed to be read for longer than
/// <see cref="MailOptions.AlertAfter"/> (the in-app alert shows it too), once per outage across app nodes: the
/// outage is claimed by a conditional update in the same transaction that queues the mails. Sent from the first
/// mailbox that can send; when none can, the in-app alert is all there is.</summary>
public sealed partial class MailAlertMailer(IDbContextFactory<RapportDb> contexts, NoticeOutbox outbox, ReplyOutbox replies,
    IOptions<MailOptions> options, TimeProvider time, ILogger<MailAlertMailer> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.Value.BackgroundSync
        ? PacedLoop.RunAsync(new Pacing(time, options.Value.PollInterval), RunOnceAsync, LogFailed, stoppingToken)
        : Task.CompletedTask;

    /// <summary>One pass; returns how many mails this node queued.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var failingBefore = now - options.Value.AlertAfter;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var failing = await db.MailboxSyncs.AsNoTracking()
            .Where(s => s.FailingSince != null && s.FailingSince <= failingBefore && (s.OwnersMailedFor == null || s.OwnersMailedFor != s.FailingSince))
            .Join(db.Mailboxes, s => s.MailboxId, m => m.Id, (s, m) => new { s.MailboxId, s.Folder, s.FailingSince, s.LastError, m.Name })
            .ToListAsync(ct);
        if (failing.Count == 0)
        {
            return 0;
        }
        var owners = await AgentRoles.ActiveOwners(db).AsNoTracking().Where(a => a.Email != null)
            .Select(a => new { a.DisplayName, a.Email }).ToListAsync(ct);
        var queued = 0;
        foreach (var outage in failing)
        {
            await using var tx = await db.BeginWriteTransactionAsync(ct);
            var claimed = await db.MailboxSyncs
                .Where(s => s.MailboxId == outage.MailboxId && s.Folder == outage.Folder && s.FailingSince == outage.FailingSince
                    && (s.OwnersMailedFor == null || s.OwnersMailedFor != s.FailingSince))
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.OwnersMailedFor, s => s.FailingSince), ct);
            if (claimed == 0)
            {
                continue;
            }
            var since = outage.FailingSince!.Value;
            var text = $"""
                Rapport has not been able to read the mailbox "{outage.Name}" (folder {outage.Folder}) since {since:yyyy-MM-dd HH:mm} UTC.

                The last error: {outage.LastError}

                Mail sent to that address waits on the server and is taken in, once, as soon as reading works again;
                nothing is lost. Check the mailbox's settings (password, server, TLS) on the Mailboxes settings page and use
                "Test connection".
                """;
            foreach (var owner in owners)
            {
                queued += await outbox.QueueToTeamAsync(db, owner.DisplayName, owner.Email!, $"Rapport cannot read the mailbox {outage.Name}", text, ct) ? 1 : 0;
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        if (queued > 0)
        {
            replies.Notify();
        }
        return queued;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Mailing the owners about failing mailboxes failed; trying again on the next round")]
    private partial void LogFailed(Exception exception);
}
