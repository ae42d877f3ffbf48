using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>Puts an agent's reply into the outbox, in the caller's unit of work, so the reply and its mail commit
/// together. The mail gets our own Message-ID, In-Reply-To and References from the ticket's thread, and a stable
/// subject carrying the ticket number, so the customer's mail client threads it and their answer finds the ticket.</summary>
public sealed class ReplyOutbox(FileStore files, IOptions<MailOptions> options)
{
    private const int MaxReferences = 20;

    public event Action? Queued;

    /// <summary>A ticket's messages in order, for the Message-IDs its mail threads under. "Has a Message-ID" is left to
    /// the caller on purpose: in SQL it lets the database choose the partial Message-ID index, and read all of it, when
    /// its statistics are older than most of the mail (a desk that took mail only later); by ticket it reads this ticket's rows.</summary>
    internal static IQueryable<Message> Thread(IQueryable<Message> messages, long ticketId) =>
        messages.Where(m => m.TicketId == ticketId).OrderBy(m => m.Id);

    /// <returns>False when the reply is not mailed: no mailbox can send, or the customer has no address.</returns>
    public async Task<bool> EnqueueAsync(RapportDb db, Ticket ticket, Message reply, DateTime now, CancellationToken ct)
    {
        var mailboxId = await db.InboundMail.AsNoTracking().Where(m => m.TicketId == ticket.Id && m.MailboxId != null)
            .OrderBy(m => m.Id).Select(m => m.MailboxId).FirstOrDefaultAsync(ct);
        var mailbox = await db.Mailboxes.AsNoTracking()
            .Where(m => m.Enabled && m.SmtpHost != null)
            .OrderBy(m => m.Id == mailboxId ? 0 : 1).ThenBy(m => m.Id).FirstOrDefaultAsync(ct);
        var recipient = await db.CustomerEmails.AsNoTracking().Where(e => e.CustomerId == ticket.CustomerId)
            .OrderByDescending(e => e.IsPrimary).ThenBy(e => e.Id).Select(e => e.Address).FirstOrDefaultAsync(ct);
        if (mailbox is null || recipient is null)
        {
            return false;
        }
        var thread = (await Thread(db.Messages.AsNoTracking(), ticket.Id).Select(m => new { m.InternetMessageId, m.Kind }).ToListAsync(ct))
            .Where(m => m.InternetMessageId is not null).ToList();
        var domain = options.Value.MessageIdDomain is { Length: > 0 } configured ? configured : mailbox.Address.Split('@')[1];
        var messageId = $"rapport.{ticket.Id}.{Guid.NewGuid():N}@{domain}";
        reply.AssignInternetMessageId(messageId);

        var mail = new MimeMessage();
        mail.From.Add(new MailboxAddress(null, mailbox.Address));
        mail.To.Add(new MailboxAddress(ticket.Customer?.Name, recipient));
        mail.Subject = MailReader.ReplySubject(ticket.Number, ticket.Subject);
        mail.Date = new DateTimeOffset(now);
        mail.MessageId = messageId;
        var answered = thread.LastOrDefault(m => m.Kind == MessageKind.Customer) ?? thread.LastOrDefault();
        if (answered is not null)
        {
            mail.InReplyTo = answered.InternetMessageId;
        }
        foreach (var id in thread.TakeLast(MaxReferences))
        {
            mail.References.Add(id.InternetMessageId!);
        }
        mail.Headers.Add("X-Rapport-Ticket", ticket.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var body = new BodyBuilder { TextBody = reply.Text, HtmlBody = reply.Html };
        foreach (var attachment in reply.Attachments)
        {
            await using var stream = files.OpenRead(attachment.Sha256);
            if (stream is not null)
            {
                await body.Attachments.AddAsync(attachment.FileName, stream, ContentType.Parse(attachment.ContentType), ct);
            }
        }
        mail.Body = body.ToMessageBody();

        using var raw = new MemoryStream();
        await mail.WriteToAsync(raw, ct);
        raw.Position = 0;
        var stored = await files.SaveAsync(raw, long.MaxValue, ct) ?? throw new InvalidOperationException("The reply could not be stored.");
        db.OutboundMail.Add(OutboundMail.Queue(mailbox.Id, ticket.Id, reply, messageId, recipient, stored.Sha256, now));
        return true;
    }

    /// <summary>Wakes the sender once the reply is committed.</summary>
    public void Notify() => Queued?.Invoke();
}
