using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

/// <summary>Takes in one raw message: stores the bytes first (content-addressed), then parses and files it as a
/// new ticket, a message on an existing ticket, a duplicate, ignored machine mail, or a quarantined message with
/// the reason, and writes a ledger line in the same transaction. Whatever goes wrong with one message ends in
/// its ledger line, never in an exception for the caller.</summary>
public sealed partial class IngestMail(IDbContextFactory<RapportDb> contexts, FileStore files, MessageContent content,
    IOptions<MailOptions> mailOptions, IOptions<AttachmentOptions> attachmentOptions, TimeProvider time, ILogger<IngestMail> logger)
{
    /// <summary>What the intake API and the ingest command answer.</summary>
    public sealed record Result(
        InboundOutcome Outcome,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? TicketId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
        [property: JsonIgnore] long LedgerId);

    /// <summary>Null when the message is larger than <see cref="MailOptions.MaxMessageSize"/>.</summary>
    public async Task<Result?> HandleAsync(int? mailboxId, Stream raw, MailSource source, CancellationToken ct)
    {
        var stored = await files.SaveAsync(raw, mailOptions.Value.MaxMessageSize, ct);
        if (stored is null)
        {
            return null;
        }
        var bytes = await ReadStoredAsync(stored.Sha256, ct);
        var now = time.GetUtcNow().UtcDateTime;
        return await ProcessAsync(_ => Task.FromResult(InboundMail.Receive(mailboxId, source, stored.Sha256, stored.Length, now)), bytes, ct);
    }

    /// <summary>A ledger line for a message that could not be stored at all (too large), so it is still accounted for.</summary>
    public async Task<Result> RecordUnstorableAsync(int? mailboxId, MailSource source, string reason, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var entry = InboundMail.Receive(mailboxId, source, "", 0, now);
        entry.Record(InboundOutcome.Quarantined, reason, null, null, now);
        db.InboundMail.Add(entry);
        await db.SaveChangesAsync(ct);
        return new Result(InboundOutcome.Quarantined, null, reason, entry.Id);
    }

    /// <summary>Runs a quarantined (or any) ledger line through the pipeline again from its stored raw MIME.</summary>
    public async Task<Result?> ReprocessAsync(long ledgerId, CancellationToken ct)
    {
        string sha;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var found = await db.InboundMail.AsNoTracking().Where(m => m.Id == ledgerId).Select(m => m.RawSha256).FirstOrDefaultAsync(ct);
            if (found is not { Length: > 0 })
            {
                return null;
            }
            sha = found;
        }
        var bytes = await ReadStoredAsync(sha, ct);
        return await ProcessAsync(db => db.InboundMail.FirstAsync(m => m.Id == ledgerId, ct), bytes, ct);
    }

    private async Task<byte[]> ReadStoredAsync(string sha, CancellationToken ct)
    {
        await using var stream = files.OpenRead(sha) ?? throw new InvalidOperationException($"Raw message {sha} is missing from the file store.");
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private async Task<Result> ProcessAsync(Func<RapportDb, Task<InboundMail>> entryIn, byte[] raw, CancellationToken ct)
    {
        var (message, problem) = MailReader.Parse(raw);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var entry = await entryIn(db);
            if (entry.Id == 0)
            {
                db.InboundMail.Add(entry);
            }
            Result result;
            try
            {
                // Ticket, message and ledger line commit together: a crash leaves either all of them or none.
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                result = message is null || problem is not null
                    ? Quarantine(entry, problem ?? "The message could not be read.")
                    : await FileAsync(db, entry, message, ct);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation() && attempt < 3)
            {
                // Another intake stored the same Message-ID or created the same customer a moment ago; the next
                // attempt sees it and answers duplicate or uses that customer.
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFilingFailed(entry.RawSha256, e);
                await using var clean = await contexts.CreateDbContextAsync(ct);
                var again = await entryIn(clean);
                if (again.Id == 0)
                {
                    clean.InboundMail.Add(again);
                }
                Quarantine(again, $"Could not be filed: {e.GetType().Name}: {e.Message}");
                await clean.SaveChangesAsync(ct);
                return new Result(again.Outcome, null, again.Reason, again.Id);
            }
            return result with { LedgerId = entry.Id, TicketId = result.TicketId ?? entry.TicketId };
        }
    }

    private Result Quarantine(InboundMail entry, string reason)
    {
        entry.Record(InboundOutcome.Quarantined, reason, null, null, time.GetUtcNow().UtcDateTime);
        LogQuarantined(entry.RawSha256, reason);
        return new Result(InboundOutcome.Quarantined, null, reason, 0);
    }

    private async Task<Result> FileAsync(RapportDb db, InboundMail entry, MimeMessage mail, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var sender = mail.From.Mailboxes.FirstOrDefault() ?? mail.Sender ?? mail.ReplyTo.Mailboxes.FirstOrDefault();
        var senderAddress = sender?.Address?.Trim().ToLowerInvariant();
        var participants = mail.From.Mailboxes.Concat(mail.To.Mailboxes).Concat(mail.Cc.Mailboxes).Concat(mail.ReplyTo.Mailboxes)
            .Select(m => m.Address?.Trim().ToLowerInvariant()).Where(a => !string.IsNullOrEmpty(a)).Distinct();
        var messageId = mail.MessageId is { Length: > 0 and <= Message.InternetMessageIdMaxLength } id ? id : null;
        entry.Describe(messageId, senderAddress, mail.Subject, string.Join(' ', participants));

        var earlier = await db.InboundMail.AsNoTracking()
            .Where(m => m.DedupKey == entry.DedupKey && m.Id != entry.Id
                && (m.Outcome == InboundOutcome.Ticket || m.Outcome == InboundOutcome.Message || m.Outcome == InboundOutcome.Ignored))
            .OrderBy(m => m.Id).Select(m => new { m.Id, m.TicketId }).FirstOrDefaultAsync(ct);
        var storedMessage = messageId is null ? null : await db.Messages.AsNoTracking()
            .Where(m => m.InternetMessageId == messageId).Select(m => new { m.TicketId }).FirstOrDefaultAsync(ct);
        if (earlier is not null || storedMessage is not null)
        {
            var duplicateOf = earlier?.TicketId ?? storedMessage?.TicketId;
            var reason = earlier is null ? "This Message-ID is already on a ticket." : $"Already taken in (ledger {earlier.Id}).";
            entry.Record(InboundOutcome.Duplicate, reason, duplicateOf, null, now);
            return new Result(InboundOutcome.Duplicate, duplicateOf, reason, 0);
        }

        var referenced = await FindReferencedTicketAsync(db, mail, ct);
        var machine = MailReader.MachineReason(mail);
        var ourAddresses = await db.Mailboxes.AsNoTracking().Select(m => m.Address).ToListAsync(ct);
        if (machine is null && senderAddress is not null && ourAddresses.Contains(senderAddress))
        {
            machine = "sent from one of our own mailboxes (mail loop)";
        }
        if (machine is not null)
        {
            var (bouncedId, diagnostic) = MailReader.Bounce(mail);
            if (bouncedId is not null && await db.OutboundMail.FirstOrDefaultAsync(o => o.InternetMessageId == bouncedId, ct) is { } outbound)
            {
                // A bounce of one of our replies: shown on that reply's outbox row and in the owner's alerts.
                outbound.Bounce(diagnostic);
                referenced ??= outbound.TicketId;
                machine = $"bounce of our reply (outbox {outbound.Id}): {diagnostic ?? "not delivered"}";
            }
            entry.Record(InboundOutcome.Ignored, machine, referenced, null, now);
            LogIgnored(entry.RawSha256, machine);
            return new Result(InboundOutcome.Ignored, referenced, machine, 0);
        }
        if (senderAddress is null || !CustomerEmail.IsValid(senderAddress))
        {
            var textHint = mail.TextBody is { Length: > 0 } ? " Its text is kept in the raw message." : "";
            return Quarantine(entry, (senderAddress is null ? "The message has no sender address." : $"The sender address '{senderAddress}' is not valid.") + textHint);
        }

        var notes = new List<string>();
        var body = Body(mail);
        var customer = await db.Customers.Include(c => c.Emails)
            .FirstOrDefaultAsync(c => c.Emails.Any(e => e.Address == senderAddress), ct);
        if (customer is null)
        {
            customer = Customer.Create(sender?.Name ?? "", [senderAddress], now);
            db.Customers.Add(customer);
        }
        var message = Message.FromEmail(customer, body, messageId, now);
        await AttachAsync(mail, message, notes, now, ct);

        Ticket? ticket = null;
        string? linkNote = null;
        if (referenced is { } ticketId)
        {
            var candidate = await db.Tickets.FirstAsync(t => t.Id == ticketId, ct);
            if (candidate.Status == TicketStatus.Closed)
            {
                linkNote = $"Reply to closed ticket #{candidate.Number}; opened a new ticket linked to it.";
            }
            else if (!await IsOnConversationAsync(db, candidate, customer, senderAddress, ct))
            {
                linkNote = $"Sender {senderAddress} is not on ticket #{candidate.Number}; opened a new ticket linked to it.";
            }
            else
            {
                ticket = candidate;
            }
        }
        var reasonText = string.Join(" ", new[] { linkNote }.Concat(notes).Where(n => n is not null));
        if (ticket is not null)
        {
            ticket.AddCustomerMessage(message, now);
            await db.SaveChangesAsync(ct);
            entry.Record(InboundOutcome.Message, reasonText.Length == 0 ? null : reasonText, ticket.Id, message.Id, now);
            return new Result(InboundOutcome.Message, ticket.Id, null, 0);
        }
        ticket = Ticket.Open(customer, MailReader.CleanSubject(mail.Subject), TicketChannel.Email, TicketPriority.Normal, message, Actor.System, now);
        if (linkNote is not null)
        {
            ticket.AddNote(Message.Note(null, new MessageBody(linkNote, null), now), Actor.System, now);
        }
        db.Tickets.Add(ticket);
        await db.SaveChangesAsync(ct);
        entry.Record(InboundOutcome.Ticket, reasonText.Length == 0 ? null : reasonText, ticket.Id, message.Id, now);
        return new Result(InboundOutcome.Ticket, ticket.Id, null, 0);
    }

    private static async Task<long?> FindReferencedTicketAsync(RapportDb db, MimeMessage mail, CancellationToken ct)
    {
        var ids = MailReader.ReferencedIds(mail);
        if (ids.Count > 0)
        {
            var found = await db.Messages.AsNoTracking().Where(m => m.InternetMessageId != null && ids.Contains(m.InternetMessageId))
                .Select(m => new { m.InternetMessageId, m.TicketId }).ToListAsync(ct);
            var nearest = ids.Select(i => found.FirstOrDefault(f => f.InternetMessageId == i)).FirstOrDefault(f => f is not null);
            if (nearest is not null)
            {
                return nearest.TicketId;
            }
        }
        if (MailReader.TicketToken(mail) is { } number && await db.Tickets.AnyAsync(t => t.Id == number, ct))
        {
            return number;
        }
        return null;
    }

    /// <summary>The ticket's customer (any of their addresses), or someone who wrote on or was copied on its mail.</summary>
    private static async Task<bool> IsOnConversationAsync(RapportDb db, Ticket ticket, Customer sender, string address, CancellationToken ct)
    {
        if (sender.Id != 0 && sender.Id == ticket.CustomerId)
        {
            return true;
        }
        if (sender.Id != 0 && await db.Messages.AnyAsync(m => m.TicketId == ticket.Id && m.AuthorCustomerId == sender.Id, ct))
        {
            return true;
        }
        var participants = await db.InboundMail.AsNoTracking().Where(m => m.TicketId == ticket.Id && m.Participants != null)
            .Select(m => m.Participants!).ToListAsync(ct);
        return participants.Any(p => p.Split(' ').Contains(address));
    }

    private MessageBody Body(MimeMessage mail)
    {
        var text = mail.TextBody;
        var html = mail.HtmlBody;
        if (html is { Length: > Message.TextMaxLength * 2 })
        {
            html = null;
        }
        var body = content.From(text, html);
        var folded = MailReader.FoldQuotedText(body.Text);
        if (folded.Length == 0)
        {
            folded = "(no text)";
        }
        return new MessageBody(folded.Length > Message.TextMaxLength ? folded[..Message.TextMaxLength] : folded, body.Html);
    }

    private async Task AttachAsync(MimeMessage mail, Message message, List<string> notes, DateTime now, CancellationToken ct)
    {
        var maxSize = attachmentOptions.Value.MaxSize;
        var index = 0;
        foreach (var entity in mail.BodyParts)
        {
            var isBodyText = entity is TextPart text && !text.IsAttachment && (text.IsPlain || text.IsHtml);
            if (isBodyText || entity is MultipartReport || entity.ContentType.IsMimeType("message", "delivery-status"))
            {
                continue;
            }
            index++;
            if (message.Attachments.Count >= mailOptions.Value.MaxAttachments)
            {
                notes.Add($"More than {mailOptions.Value.MaxAttachments} attachments; the rest were not kept.");
                break;
            }
            var name = FileNameOf(entity, index);
            using var buffer = new MemoryStream();
            switch (entity)
            {
                case MessagePart part when part.Message is not null:
                    await part.Message.WriteToAsync(buffer, ct);
                    break;
                case MimePart part when part.Content is not null:
                    await part.Content.DecodeToAsync(buffer, ct);
                    break;
                default:
                    continue;
            }
            if (buffer.Length == 0)
            {
                continue;
            }
            if (buffer.Length > maxSize)
            {
                notes.Add($"Attachment '{name}' ({buffer.Length:N0} bytes) is over the limit of {maxSize:N0} bytes and was not kept.");
                continue;
            }
            var head = buffer.GetBuffer().AsSpan(0, (int)Math.Min(16, buffer.Length));
            var (contentType, error) = UploadPolicy.Check(name, entity.ContentType.MimeType, head);
            if (error is not null)
            {
                notes.Add($"Attachment '{name}' was not kept: {error}");
                continue;
            }
            buffer.Position = 0;
            var stored = await files.SaveAsync(buffer, maxSize, ct);
            if (stored is not null)
            {
                message.Attach(Attachment.Create(name, contentType!, stored, null, now));
            }
        }
    }

    private static string FileNameOf(MimeEntity entity, int index)
    {
        var name = entity is MimePart part ? part.FileName : entity.ContentType.Name ?? entity.ContentDisposition?.FileName;
        if (string.IsNullOrWhiteSpace(name) && entity is MessagePart forwarded)
        {
            name = (forwarded.Message?.Subject is { Length: > 0 } s ? s : "message") + ".eml";
        }
        name = Path.GetFileName((name ?? "").Replace('\\', '/').Trim());
        name = new string(name.Where(c => !char.IsControl(c) && c is not '/' and not ':').ToArray());
        if (name.Length == 0)
        {
            var extension = MimeTypes.TryGetExtension(entity.ContentType.MimeType, out var ext) ? ext : ".bin";
            name = $"part-{index}{extension}";
        }
        return name.Length > Attachment.FileNameMaxLength ? name[^Attachment.FileNameMaxLength..] : name;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound message {RawSha256} quarantined: {Reason}")]
    private partial void LogQuarantined(string rawSha256, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound message {RawSha256} ignored: {Reason}")]
    private partial void LogIgnored(string rawSha256, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Filing inbound message {RawSha256} failed; quarantined")]
    private partial void LogFilingFailed(string rawSha256, Exception exception);
}
