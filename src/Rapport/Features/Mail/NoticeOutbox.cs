using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;

namespace Rapport.Features.Mail;

/// <summary>Queues a notice: plain-text mail that is not a reply, to a customer (a fresh portal link, an acknowledgement)
/// or to someone of the team (a mail alert), in the same durable outbox as replies, so it is delivered with the same retries. Marked Auto-Submitted, so well-behaved systems never answer it.</summary>
public sealed class NoticeOutbox(IDbContextFactory<RapportDb> contexts, FileStore files, ReplyOutbox replies, IOptions<MailOptions> options, TimeProvider time)
{
    /// <summary>Queues the mail from the mailbox the customer last wrote to (else the first that can send).</summary>
    /// <returns>False when no mailbox can send mail.</returns>
    public async Task<bool> SendAsync(long? customerId, string recipientName, string recipient, string subject, string text, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await QueueToCustomerAsync(db, customerId, recipientName, recipient, subject, text, ct))
        {
            return false;
        }
        await db.SaveChangesAsync(ct);
        replies.Notify();
        return true;
    }

    /// <summary>As <see cref="SendAsync"/>, in the caller's unit of work: the outbox row is added to <paramref name="db"/>,
    /// to commit with the change the mail tells of (then <see cref="ReplyOutbox.Notify"/>). False when no mailbox can send.</summary>
    public async Task<bool> QueueToCustomerAsync(RapportDb db, long? customerId, string recipientName, string recipient, string subject, string text,
        CancellationToken ct)
    {
        var usual = customerId is null ? null : await (
            from m in db.InboundMail
            join t in db.Tickets on m.TicketId equals t.Id
            where t.CustomerId == customerId && m.MailboxId != null
            orderby m.Id descending
            select m.MailboxId).FirstOrDefaultAsync(ct);
        return await QueueAsync(db, usual, recipientName, recipient, subject, text, ct);
    }

    /// <summary>Whether any mailbox can send mail (is enabled and has an SMTP server).</summary>
    public async Task<bool> CanSendAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Mailboxes.AnyAsync(m => m.Enabled && m.SmtpHost != null, ct);
    }

    /// <summary>A notice about a ticket to its customer (an acknowledgement).</summary>
    public sealed record TicketNotice(long TicketId, long CustomerId, string CustomerName, string TicketSubject, string Text);

    /// <summary>Composes and stores the mail for each notice, reading what they need in a few queries for all of them:
    /// from the mailbox the ticket came in on (else the first that can send), to the customer's primary address,
    /// threaded under the ticket's messages, with the ticket's subject. The outbox rows are returned, not added: the
    /// caller adds those it still wants in its unit of work (commit, then <see cref="ReplyOutbox.Notify"/>). A notice is
    /// missing from the result when no mailbox can send or the customer has no address.</summary>
    public async Task<Dictionary<long, OutboundMail>> PrepareForTicketsAsync(RapportDb db, IReadOnlyList<TicketNotice> notices, CancellationToken ct)
    {
        var prepared = new Dictionary<long, OutboundMail>();
        if (notices.Count == 0)
        {
            return prepared;
        }
        var senders = await db.Mailboxes.AsNoTracking().Where(m => m.Enabled && m.SmtpHost != null).OrderBy(m => m.Id).ToListAsync(ct);
        if (senders.Count == 0)
        {
            return prepared;
        }
        var ticketIds = notices.Select(n => n.TicketId).ToList();
        var customerIds = notices.Select(n => n.CustomerId).Distinct().ToList();
        var cameIn = (await db.InboundMail.AsNoTracking().Where(m => m.TicketId != null && ticketIds.Contains(m.TicketId.Value) && m.MailboxId != null)
                .Select(m => new { TicketId = m.TicketId!.Value, m.Id, MailboxId = m.MailboxId!.Value }).ToListAsync(ct))
            .GroupBy(m => m.TicketId).ToDictionary(g => g.Key, g => g.MinBy(m => m.Id)!.MailboxId);
        var addresses = (await db.CustomerEmails.AsNoTracking().Where(e => customerIds.Contains(e.CustomerId))
                .Select(e => new { e.CustomerId, e.IsPrimary, e.Id, e.Address }).ToListAsync(ct))
            .GroupBy(e => e.CustomerId).ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).First().Address);
        var threads = (await db.Messages.AsNoTracking().Where(m => ticketIds.Contains(m.TicketId) && m.InternetMessageId != null)
                .Select(m => new { m.TicketId, m.Id, m.InternetMessageId }).ToListAsync(ct))
            .GroupBy(m => m.TicketId).ToDictionary(g => g.Key, g => g.OrderBy(m => m.Id).Select(m => m.InternetMessageId!).Take(20).ToList());
        foreach (var notice in notices)
        {
            if (!addresses.TryGetValue(notice.CustomerId, out var recipient))
            {
                continue;
            }
            var mailbox = cameIn.TryGetValue(notice.TicketId, out var preferred) && senders.Find(m => m.Id == preferred) is { } usual ? usual : senders[0];
            prepared[notice.TicketId] = await ComposeAsync(mailbox, notice.TicketId, notice.CustomerName, recipient,
                MailReader.ReplySubject(notice.TicketId, notice.TicketSubject), notice.Text, threads.GetValueOrDefault(notice.TicketId) ?? [], ct);
        }
        return prepared;
    }

    /// <summary>Queues a notice to someone of the team in the caller's unit of work (commit, then <see cref="ReplyOutbox.Notify"/>),
    /// from the first mailbox that can send. False when none can.</summary>
    public Task<bool> QueueToTeamAsync(RapportDb db, string recipientName, string recipient, string subject, string text, CancellationToken ct) =>
        QueueAsync(db, null, recipientName, recipient, subject, text, ct);

    /// <summary>A notice not about a ticket, from the preferred mailbox if it can send, else the first that can.</summary>
    private async Task<bool> QueueAsync(RapportDb db, int? preferredMailboxId, string recipientName, string recipient,
        string subject, string text, CancellationToken ct)
    {
        var mailbox = await db.Mailboxes.AsNoTracking().Where(m => m.Enabled && m.SmtpHost != null)
            .OrderBy(m => m.Id == preferredMailboxId ? 0 : 1).ThenBy(m => m.Id).FirstOrDefaultAsync(ct);
        if (mailbox is null)
        {
            return false;
        }
        db.OutboundMail.Add(await ComposeAsync(mailbox, null, recipientName, recipient, subject, text, [], ct));
        return true;
    }

    /// <summary>The mail, stored in the file store, and its outbox row (not added).</summary>
    private async Task<OutboundMail> ComposeAsync(Mailbox mailbox, long? ticketId, string recipientName, string recipient,
        string subject, string text, IReadOnlyList<string> thread, CancellationToken ct)
    {
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
        return OutboundMail.QueueNotice(mailbox.Id, messageId, recipient, stored.Sha256, now, ticketId);
    }
}
