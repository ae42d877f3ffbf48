using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

/// <summary>Hands due outbox mail to each mailbox's SMTP server. A mail is claimed before it is sent (status
/// sending, with a lease), and marked sent with the server's reply right after the server accepted it, so a
/// restart never sends a mail the server already took, except in the moment between the server's "250" and our
/// commit; a mail claimed by a process that died is retried when its lease runs out. Temporary failures (server
/// down, 4xx) retry with backoff; a 5xx refusal or too many attempts fails the mail for good.</summary>
public sealed partial class SendOutbox(IDbContextFactory<RapportDb> contexts, MailConnections connections, FileStore files,
    TimeProvider time, ILogger<SendOutbox> logger)
{
    public const int MaxAttempts = 30;
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);
    private const int Batch = 50;

    private readonly SemaphoreSlim _gate = new(1, 1);

    public sealed record Summary(int Sent, int Deferred, int Failed);

    public async Task<Summary> RunOnceAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await RunAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Summary> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<OutboundMail> due;
        Dictionary<int, Mailbox> mailboxes;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            due = await db.OutboundMail.AsNoTracking()
                .Where(o => (o.Status == OutboundStatus.Pending || o.Status == OutboundStatus.Sending) && o.NextAttemptAt <= now)
                .OrderBy(o => o.Id).Take(Batch).ToListAsync(ct);
            var ids = due.Select(o => o.MailboxId).Distinct().ToList();
            mailboxes = await db.Mailboxes.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        }
        int sent = 0, deferred = 0, failed = 0;
        foreach (var group in due.GroupBy(o => o.MailboxId))
        {
            var mailbox = mailboxes[group.Key];
            SmtpClient? client = null;
            try
            {
                foreach (var mail in group)
                {
                    if (!await ClaimAsync(mail, ct))
                    {
                        continue;
                    }
                    try
                    {
                        client ??= await connections.OpenSmtpAsync(mailbox, ct);
                        await using var stream = files.OpenRead(mail.RawSha256) ?? throw new MailConnectionException("The stored mail is missing.");
                        var message = await MimeMessage.LoadAsync(stream, ct);
                        var reply = await client.SendAsync(message, ct);
                        await FinishAsync(mail.Id, OutboundStatus.Sent, reply, null, null, ct);
                        LogSent(mail.Id, mail.TicketId);
                        sent++;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        var error = MailConnections.Describe(e, "SMTP", mailbox.SmtpHost, mailbox.SmtpPort);
                        var permanent = e is SmtpCommandException { StatusCode: >= (SmtpStatusCode)500 } || mail.Attempts + 1 >= MaxAttempts;
                        var retryAt = time.GetUtcNow().UtcDateTime + OutboundMail.Backoff(mail.Attempts + 1);
                        await FinishAsync(mail.Id, permanent ? OutboundStatus.Failed : OutboundStatus.Pending, null, error, permanent ? null : retryAt, ct);
                        LogNotSent(mail.Id, permanent, error);
                        if (permanent)
                        {
                            failed++;
                        }
                        else
                        {
                            deferred++;
                        }
                        if (client is { IsConnected: false })
                        {
                            client.Dispose();
                            client = null;
                        }
                    }
                }
            }
            finally
            {
                if (client is not null)
                {
                    if (client.IsConnected)
                    {
                        await client.DisconnectAsync(true, CancellationToken.None);
                    }
                    client.Dispose();
                }
            }
        }
        return new Summary(sent, deferred, failed);
    }

    /// <summary>Takes the mail only if nobody else did since it was read (same status and attempt count).</summary>
    private async Task<bool> ClaimAsync(OutboundMail mail, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var leaseUntil = time.GetUtcNow().UtcDateTime + Lease;
        var claimed = await db.OutboundMail
            .Where(o => o.Id == mail.Id && o.Status == mail.Status && o.Attempts == mail.Attempts)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OutboundStatus.Sending)
                .SetProperty(o => o.Attempts, mail.Attempts + 1)
                .SetProperty(o => o.NextAttemptAt, leaseUntil), ct);
        return claimed == 1;
    }

    private async Task FinishAsync(long id, OutboundStatus status, string? reply, string? error, DateTime? retryAt, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        var now = time.GetUtcNow().UtcDateTime;
        var cutReply = reply is { Length: > OutboundMail.ReplyMaxLength } ? reply[..OutboundMail.ReplyMaxLength] : reply;
        var cutError = error is { Length: > OutboundMail.ErrorMaxLength } ? error[..OutboundMail.ErrorMaxLength] : error;
        // Not cancellable: once the server took the mail, recording that must not be skipped.
        await db.OutboundMail.Where(o => o.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.Status, status)
            .SetProperty(o => o.ServerReply, o => cutReply ?? o.ServerReply)
            .SetProperty(o => o.LastError, o => cutError ?? o.LastError)
            .SetProperty(o => o.SentAt, o => status == OutboundStatus.Sent ? now : o.SentAt)
            .SetProperty(o => o.NextAttemptAt, o => retryAt ?? o.NextAttemptAt), CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail {OutboundId} for ticket {TicketId} handed to the SMTP server")]
    private partial void LogSent(long outboundId, long? ticketId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {OutboundId} not sent (permanent: {Permanent}): {Error}")]
    private partial void LogNotSent(long outboundId, bool permanent, string error);
}

/// <summary>Runs the outbox: right after a reply is queued, and every <see cref="MailOptions.OutboxInterval"/>
/// for retries and for mail left over from before a restart.</summary>
public sealed partial class OutboxSender(SendOutbox send, ReplyOutbox outbox, Microsoft.Extensions.Options.IOptions<MailOptions> options,
    TimeProvider time, ILogger<OutboxSender> logger) : BackgroundService
{
    /// <summary>Pulsed when mail is queued; armed before each pass, so mail queued during one is sent right after it.</summary>
    private readonly CommitSignal _queued = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.BackgroundSync)
        {
            return;
        }
        outbox.Queued += _queued.Pulse;
        try
        {
            await PacedLoop.RunAsync(new Pacing(time, options.Value.OutboxInterval) { Wake = () => _queued.Next },
                ct => send.RunOnceAsync(ct), LogRunFailed, stoppingToken);
        }
        finally
        {
            outbox.Queued -= _queued.Pulse;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending the outbox failed")]
    private partial void LogRunFailed(Exception exception);
}
