using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

public enum OutboundStatus { Pending, Sending, Sent, Failed, Bounced }

/// <summary>One mail in the outbox, written in the same transaction as the reply it carries. The MIME is built
/// once (with our Message-ID) and kept in the file store, so every attempt sends the same bytes.</summary>
public sealed class OutboundMail
{
    public const int ErrorMaxLength = 1000;
    public const int ReplyMaxLength = 500;

    private OutboundMail() { }

    public long Id { get; private set; }
    public int MailboxId { get; private set; }
    /// <summary>The ticket and reply this mail carries; both null for a notice (a portal link, say).</summary>
    public long? TicketId { get; private set; }
    public long? MessageId { get; private set; }
    public Message? Message { get; private set; }
    public string InternetMessageId { get; private set; } = "";
    public string Recipient { get; private set; } = "";
    public string RawSha256 { get; private set; } = "";
    public OutboundStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTime NextAttemptAt { get; private set; }
    public string? LastError { get; private set; }
    /// <summary>What the SMTP server answered when it took the mail (its queue id).</summary>
    public string? ServerReply { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? SentAt { get; private set; }

    public static OutboundMail Queue(int mailboxId, long ticketId, Message message, string internetMessageId, string recipient, string rawSha256, DateTime now) => new()
    {
        MailboxId = mailboxId,
        TicketId = ticketId,
        Message = message,
        InternetMessageId = internetMessageId,
        Recipient = recipient,
        RawSha256 = rawSha256,
        Status = OutboundStatus.Pending,
        NextAttemptAt = now,
        CreatedAt = now,
    };

    /// <summary>A notice, which carries no reply: a fresh portal link, an acknowledgement, a mail alert.</summary>
    public static OutboundMail QueueNotice(int mailboxId, string internetMessageId, string recipient, string rawSha256, DateTime now, long? ticketId = null) => new()
    {
        MailboxId = mailboxId,
        TicketId = ticketId,
        InternetMessageId = internetMessageId,
        Recipient = recipient,
        RawSha256 = rawSha256,
        Status = OutboundStatus.Pending,
        NextAttemptAt = now,
        CreatedAt = now,
    };

    /// <summary>The receiving side reported later that it could not deliver the mail (a DSN came back).</summary>
    public void Bounce(string? diagnostic)
    {
        Status = OutboundStatus.Bounced;
        var text = "Bounced: " + (diagnostic ?? "the receiving server could not deliver it");
        LastError = text.Length > ErrorMaxLength ? text[..ErrorMaxLength] : text;
    }

    /// <summary>Wait before attempt n+1: 30 s, doubling, at most an hour.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));
}

internal sealed class OutboundMailConfiguration : IEntityTypeConfiguration<OutboundMail>
{
    public void Configure(EntityTypeBuilder<OutboundMail> builder)
    {
        builder.ToTable("OutboundMail");
        builder.Property(o => o.InternetMessageId).HasMaxLength(Message.InternetMessageIdMaxLength);
        builder.Property(o => o.Recipient).HasMaxLength(InboundMail.AddressMaxLength);
        builder.Property(o => o.RawSha256).HasMaxLength(64);
        builder.Property(o => o.LastError).HasMaxLength(OutboundMail.ErrorMaxLength);
        builder.Property(o => o.ServerReply).HasMaxLength(OutboundMail.ReplyMaxLength);
        builder.HasOne(o => o.Message).WithMany().HasForeignKey(o => o.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Mailbox>().WithMany().HasForeignKey(o => o.MailboxId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(o => o.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(o => new { o.Status, o.NextAttemptAt });
        builder.HasIndex(o => o.TicketId);
    }
}
