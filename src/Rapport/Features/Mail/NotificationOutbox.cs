using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;

namespace Rapport.Features.Mail;

/// <summary>Queues a plain-text mail that belongs to no ticket (a fresh portal link, say) in the same durable outbox as
/// replies, so it is delivered with the same retries. Marked Auto-Submitted, so well-behaved systems never answer it.</summary>
public sealed class NotificationOutbox(IDbContextFactory<RapportDb> contexts, FileStore files, ReplyOutbox replies, IOptions<MailOptions> options, TimeProvider time)
{
    /// <summary>Queues the mail from the mailbox the customer last wrote to (else the first that can send).</summary>
    /// <returns>False when no mailbox can send mail.</returns>
    public async Task<bool> SendAsync(long? customerId, string recipientName, string recipient, string subject, string text, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var usual = customerId is null ? null : await (
            from m in db.InboundMail
            join t in db.Tickets on m.TicketId equals t.Id
            where t.CustomerId == customerId && m.MailboxId != null
            orderby m.Id descending
            select m.MailboxId).FirstOrDefaultAsync(ct);
        var mailbox = await db.Mailboxes.AsNoTracking().Where(m => m.Enabled && m.SmtpHost != null)
            .OrderBy(m => m.Id == usual ? 0 : 1).ThenBy(m => m.Id).FirstOrDefaultAsync(ct);
        if (mailbox is null)
        {
            return false;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var domain = options.Value.MessageIdDomain is { Length: > 0 } configured ? configured : mailbox.Address.Split('@')[1];
        var messageId = $"rapport.notice.{Guid.NewGuid():N}@{domain}";
        var mail = new MimeMessage();
        mail.From.Add(new MailboxAddress(null, mailbox.Address));
        mail.To.Add(new MailboxAddress(string.IsNullOrWhiteSpace(recipientName) ? null : recipientName, recipient));
        mail.Subject = subject;
        mail.Date = new DateTimeOffset(now);
        mail.MessageId = messageId;
        mail.Headers.Add("Auto-Submitted", "auto-generated");
        mail.Body = new TextPart("plain") { Text = text };
        using var raw = new MemoryStream();
        await mail.WriteToAsync(raw, ct);
        raw.Position = 0;
        var stored = await files.SaveAsync(raw, long.MaxValue, ct) ?? throw new InvalidOperationException("The mail could not be stored.");
        db.OutboundMail.Add(OutboundMail.QueueNotification(mailbox.Id, messageId, recipient, stored.Sha256, now));
        await db.SaveChangesAsync(ct);
        replies.Notify();
        return true;
    }
}
