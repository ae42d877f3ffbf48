using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;

namespace Rapport.Features.Mail;

/// <summary>Queues a plain-text notification to a customer (a fresh portal link, an acknowledgement) in the same durable
/// outbox as replies, so it is delivered with the same retries. Marked Auto-Submitted, so well-behaved systems never answer it.</summary>
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
        if (!await QueueAsync(db, usual, null, recipientName, recipient, subject, text, [], ct))
        {
            return false;
        }
        await db.SaveChangesAsync(ct);
        replies.Notify();
        return true;
    }

    /// <summary>Queues a notice about a ticket in the caller's unit of work (commit, then <see cref="ReplyOutbox.Notify"/>):
    /// from the mailbox the ticket came in on, threaded under the customer's message, with the ticket's subject.</summary>
    /// <returns>False when no mailbox can send or the customer has no address.</returns>
    public async Task<bool> QueueForTicketAsync(RapportDb db, long ticketId, long customerId, string customerName, string ticketSubject, string text, CancellationToken ct)
    {
        var mailboxId = await db.InboundMail.AsNoTracking().Where(m => m.TicketId == ticketId && m.MailboxId != null)
            .OrderBy(m => m.Id).Select(m => m.MailboxId).FirstOrDefaultAsync(ct);
        var recipient = await db.CustomerEmails.AsNoTracking().Where(e => e.CustomerId == customerId)
            .OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => e.Address).FirstOrDefaultAsync(ct);
        if (recipient is null)
        {
            return false;
        }
        var thread = (await ReplyOutbox.Thread(db.Messages.AsNoTracking(), ticketId).Select(m => m.InternetMessageId).ToListAsync(ct))
            .OfType<string>().Take(20).ToList();
        return await QueueAsync(db, mailboxId, ticketId, customerName, recipient, MailReader.ReplySubject(ticketId, ticketSubject), text, thread, ct);
    }

    /// <summary>Queues a notice to someone of the team in the caller's unit of work (commit, then <see cref="ReplyOutbox.Notify"/>),
    /// from the first mailbox that can send. False when none can.</summary>
    public Task<bool> QueueToTeamAsync(RapportDb db, string recipientName, string recipient, string subject, string text, CancellationToken ct) =>
        QueueAsync(db, null, null, recipientName, recipient, subject, text, [], ct);

    private async Task<bool> QueueAsync(RapportDb db, int? preferredMailboxId, long? ticketId, string recipientName, string recipient,
        string subject, string text, IReadOnlyList<string> thread, CancellationToken ct)
    {
        var mailbox = await db.Mailboxes.AsNoTracking().Where(m => m.Enabled && m.SmtpHost != null)
            .OrderBy(m => m.Id == preferredMailboxId ? 0 : 1).ThenBy(m => m.Id).FirstOrDefaultAsync(ct);
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
        if (thread.Count > 0)
        {
            mail.InReplyTo = thread[0];
            foreach (var id in thread)
            {
                mail.References.Add(id);
            }
        }
        if (ticketId is { } number)
        {
            mail.Headers.Add("X-Rapport-Ticket", number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        mail.Headers.Add("Auto-Submitted", "auto-generated");
        mail.Body = new TextPart("plain") { Text = text };
        using var raw = new MemoryStream();
        await mail.WriteToAsync(raw, ct);
        raw.Position = 0;
        var stored = await files.SaveAsync(raw, long.MaxValue, ct) ?? throw new InvalidOperationException("The mail could not be stored.");
        db.OutboundMail.Add(OutboundMail.QueueNotification(mailbox.Id, messageId, recipient, stored.Sha256, now, ticketId));
        return true;
    }
}
