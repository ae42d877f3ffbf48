using Microsoft.Extensions.Options;
using MimeKit;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.ReplyCheck;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>A message after the work that needs no database, ready to file.</summary>
internal sealed class PreparedMail
{
    public required string RawSha256 { get; init; }
    public MimeMessage? Mail { get; init; }
    public string? Problem { get; init; }
    public string? MessageId { get; init; }
    public string? SenderAddress { get; init; }
    public string? SenderName { get; init; }
    public string? Participants { get; init; }
    public string? Machine { get; init; }
    public IReadOnlyList<string> ReferencedIds { get; init; } = [];
    public long? TicketToken { get; init; }
    /// <summary>For mail that reads as a reply (a reply prefix, Thread-Index, In-Reply-To): its subject without prefixes,
    /// to find the sender's ticket when no header names it (<see cref="KnownMail.SubjectTicketAsync"/>).</summary>
    public string? ReplyTopic { get; init; }
    /// <summary>Set only for mail that will become a ticket or message (a person wrote it, with a valid sender).</summary>
    public MessageBody? Body { get; init; }
    /// <summary>The mail has an HTML part, shown from the raw message (<see cref="MailHtml"/>).</summary>
    public bool HasHtml { get; init; }
    /// <summary>How <see cref="Body"/> reads (sentiment, complaint), scored here rather than on the writer.</summary>
    public CustomerTone Tone { get; init; }
    public List<(string Name, string ContentType, StoredFile File)> Attachments { get; } = [];
    public List<string> Notes { get; } = [];

    /// <summary>The ledger line's dedup key, as <see cref="InboundMail.Describe"/> sets it.</summary>
    public string DedupKey => MessageId is { } id
        ? id.Length > InboundMail.MessageIdMaxLength ? id[..InboundMail.MessageIdMaxLength] : id
        : "sha256:" + RawSha256;
}

/// <summary>Prepares a raw message on the caller's thread: parses it, says whether a person wrote it (else why it is
/// machine mail), reads its text and keeps its attachments in the file store.</summary>
public sealed class MailPreparer(FileStore files, MailboxDirectory mailboxes, TimeProvider time,
    IOptions<MailOptions> mailOptions, IOptions<AttachmentOptions> attachmentOptions)
{
    internal async Task<PreparedMail> PrepareAsync(string sha, byte[] raw, CancellationToken ct)
    {
        var (mail, problem) = MailReader.Parse(raw);
        if (mail is null || problem is not null)
        {
            return new PreparedMail { RawSha256 = sha, Mail = mail, Problem = problem ?? "The message could not be read." };
        }
        var sender = mail.From.Mailboxes.FirstOrDefault() ?? mail.Sender ?? mail.ReplyTo.Mailboxes.FirstOrDefault();
        var senderAddress = sender?.Address?.Trim().ToLowerInvariant();
        var participants = mail.From.Mailboxes.Concat(mail.To.Mailboxes).Concat(mail.Cc.Mailboxes).Concat(mail.ReplyTo.Mailboxes)
            .Select(m => m.Address?.Trim().ToLowerInvariant()).Where(a => !string.IsNullOrEmpty(a)).Distinct();
        var machine = MailReader.MachineReason(mail);
        if (machine is null && senderAddress is not null && (await mailboxes.OwnAddressesAsync(ct)).Contains(senderAddress))
        {
            machine = "sent from one of our own mailboxes (mail loop)";
        }
        var person = machine is null && senderAddress is not null && CustomerEmail.IsValid(senderAddress);
        var (body, hasHtml) = person ? Body(mail, ct) : (null, false);
        var prepared = new PreparedMail
        {
            RawSha256 = sha,
            Mail = mail,
            MessageId = mail.MessageId is { Length: > 0 and <= Message.InternetMessageIdMaxLength } id ? id : null,
            SenderAddress = senderAddress,
            SenderName = sender?.Name,
            Participants = string.Join(' ', participants),
            Machine = machine,
            ReferencedIds = MailReader.ReferencedIds(mail),
            TicketToken = MailReader.TicketToken(mail),
            ReplyTopic = MailReader.ReplyTopic(mail),
            Body = body,
            HasHtml = hasHtml,
            Tone = body is null ? default : CustomerTone.Of(body.Text),
        };
        if (person)
        {
            await AttachAsync(mail, prepared, ct);
        }
        return prepared;
    }

    /// <summary>The message's text as <see cref="MailText"/> shows it (the new text, interleaved answers under their
    /// quoted lines, forwarded messages with their sender); its HTML part is not kept here but shown from the raw message
    /// (<see cref="MailHtml"/>, 0044): <c>HasHtml</c> says whether it has one. Mail without a text part is read from its
    /// HTML's own quote markup.</summary>
    private (MessageBody Body, bool HasHtml) Body(MimeMessage mail, CancellationToken ct)
    {
        var text = mail.TextBody;
        var read = string.IsNullOrWhiteSpace(text) ? MailText.ReadHtml(MailHtml.HtmlPartOf(mail), mail.Subject, time, ct) : MailText.Read(text, mail.Subject);
        var folded = read.Shown();
        if (folded.Length == 0)
        {
            folded = "(no text)";
        }
        return (new MessageBody(folded.Length > Message.TextMaxLength ? folded[..Message.TextMaxLength] : folded, null), MailHtml.MayHaveHtml(mail));
    }

    private async Task AttachAsync(MimeMessage mail, PreparedMail prepared, CancellationToken ct)
    {
        var notes = prepared.Notes;
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
            if (prepared.Attachments.Count >= mailOptions.Value.MaxAttachments)
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
                prepared.Attachments.Add((name, contentType!, stored));
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
}
