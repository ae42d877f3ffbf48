using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Mail;

/// <summary>What became of one inbound message.</summary>
public enum InboundOutcome { Ticket, Message, Duplicate, Ignored, Quarantined }

/// <summary>One line of a mailbox's ledger: every message seen, where it came from (IMAP UID or direct intake),
/// the raw MIME's key in the file store, and its outcome. Nothing is taken without a line here.</summary>
public sealed class InboundMail
{
    public const int MessageIdMaxLength = 250;
    public const int ReasonMaxLength = 1000;
    public const int SubjectMaxLength = 300;
    public const int AddressMaxLength = 254;
    public const int ParticipantsMaxLength = 4000;
    public const int FolderMaxLength = 200;

    private InboundMail() { }

    public long Id { get; private set; }
    /// <summary>Null for messages sent to the intake API without naming a mailbox.</summary>
    public int? MailboxId { get; private set; }
    public string? Folder { get; private set; }
    public long? UidValidity { get; private set; }
    public long? Uid { get; private set; }
    public string RawSha256 { get; private set; } = "";
    public long RawLength { get; private set; }
    /// <summary>The Message-ID header without brackets, or "sha256:&lt;raw hash&gt;" when the message had none.</summary>
    public string DedupKey { get; private set; } = "";
    public string? FromAddress { get; private set; }
    public string? Subject { get; private set; }
    /// <summary>Every address on the message (From, To, Cc, Reply-To), lower case, space separated: who was on the conversation.</summary>
    public string? Participants { get; private set; }
    public InboundOutcome Outcome { get; private set; }
    public string? Reason { get; private set; }
    public long? TicketId { get; private set; }
    public long? MessageId { get; private set; }
    public DateTime ReceivedAt { get; private set; }
    public DateTime ProcessedAt { get; private set; }
    public int Attempts { get; private set; }

    public static InboundMail Receive(int? mailboxId, MailSource source, string rawSha256, long rawLength, DateTime now) => new()
    {
        MailboxId = mailboxId,
        Folder = source.Folder,
        UidValidity = source.UidValidity,
        Uid = source.Uid,
        RawSha256 = rawSha256,
        RawLength = rawLength,
        DedupKey = "sha256:" + rawSha256,
        ReceivedAt = now,
    };

    public void Describe(string? messageId, string? from, string? subject, string? participants)
    {
        DedupKey = Cut(messageId, MessageIdMaxLength) ?? "sha256:" + RawSha256;
        FromAddress = Cut(from, AddressMaxLength);
        Subject = Cut(subject, SubjectMaxLength);
        Participants = Cut(participants, ParticipantsMaxLength);
    }

    public void Record(InboundOutcome outcome, string? reason, long? ticketId, long? messageId, DateTime now)
    {
        Outcome = outcome;
        Reason = Cut(reason, ReasonMaxLength);
        TicketId = ticketId;
        MessageId = messageId;
        ProcessedAt = now;
        Attempts++;
    }

    private static string? Cut(string? value, int max) => value is { Length: > 0 } ? value.Length > max ? value[..max] : value : null;
}

/// <summary>Where a message was read: an IMAP folder and UID, or nothing for direct intake.</summary>
public sealed record MailSource(string? Folder = null, long? UidValidity = null, long? Uid = null)
{
    public static readonly MailSource Direct = new();
}

internal sealed class InboundMailConfiguration : IEntityTypeConfiguration<InboundMail>
{
    public void Configure(EntityTypeBuilder<InboundMail> builder)
    {
        builder.ToTable("InboundMail");
        builder.Property(m => m.Folder).HasMaxLength(InboundMail.FolderMaxLength);
        builder.Property(m => m.RawSha256).HasMaxLength(64);
        builder.Property(m => m.DedupKey).HasMaxLength(InboundMail.MessageIdMaxLength);
        builder.Property(m => m.FromAddress).HasMaxLength(InboundMail.AddressMaxLength);
        builder.Property(m => m.Subject).HasMaxLength(InboundMail.SubjectMaxLength);
        builder.Property(m => m.Participants).HasMaxLength(InboundMail.ParticipantsMaxLength);
        builder.Property(m => m.Reason).HasMaxLength(InboundMail.ReasonMaxLength);
        builder.HasOne<Mailbox>().WithMany().HasForeignKey(m => m.MailboxId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Tickets.Ticket>().WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(m => new { m.MailboxId, m.Id });
        builder.HasIndex(m => m.DedupKey);
        builder.HasIndex(m => m.TicketId);
        // An IMAP message is taken once: a second insert for the same folder, UIDVALIDITY and UID fails.
        builder.HasIndex(m => new { m.MailboxId, m.Folder, m.UidValidity, m.Uid }).IsUnique();
        builder.HasIndex(m => new { m.Outcome, m.Id });
    }
}
