using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Mail;

/// <summary>Where reading a mailbox's IMAP folder stands: the folder's UIDVALIDITY and the highest UID below
/// which every message has a ledger line, plus the last failure, for the owner's alert.</summary>
public sealed class MailboxSync
{
    public const int ErrorMaxLength = 1000;

    private MailboxSync() { }

    public int MailboxId { get; private set; }
    public string Folder { get; private set; } = "";
    public long UidValidity { get; private set; }
    public long LastUid { get; private set; }
    public DateTime? LastSyncAt { get; private set; }
    public string? LastError { get; private set; }
    public DateTime? FailingSince { get; private set; }
    /// <summary>The failure (by its <see cref="FailingSince"/>) the owners were mailed about, so each outage is mailed once.</summary>
    public DateTime? OwnersMailedFor { get; private set; }

    public static MailboxSync Start(int mailboxId, string folder) => new() { MailboxId = mailboxId, Folder = folder };

    /// <summary>A new UIDVALIDITY means the server renumbered the folder: every UID is new again. Message-IDs
    /// and the raw hash still keep messages already taken from being filed twice.</summary>
    public bool Validate(long uidValidity)
    {
        if (uidValidity == UidValidity)
        {
            return false;
        }
        UidValidity = uidValidity;
        LastUid = 0;
        return true;
    }

    public void Advance(long uid)
    {
        if (uid > LastUid)
        {
            LastUid = uid;
        }
    }

    public void Succeeded(DateTime now)
    {
        LastSyncAt = now;
        LastError = null;
        FailingSince = null;
    }

    public void Failed(string error, DateTime now)
    {
        LastError = error.Length > ErrorMaxLength ? error[..ErrorMaxLength] : error;
        FailingSince ??= now;
    }
}

internal sealed class MailboxSyncConfiguration : IEntityTypeConfiguration<MailboxSync>
{
    public void Configure(EntityTypeBuilder<MailboxSync> builder)
    {
        builder.ToTable("MailboxSyncs");
        builder.HasKey(s => new { s.MailboxId, s.Folder });
        builder.Property(s => s.Folder).HasMaxLength(Mailbox.FolderMaxLength);
        builder.Property(s => s.LastError).HasMaxLength(MailboxSync.ErrorMaxLength);
        builder.HasOne<Mailbox>().WithMany().HasForeignKey(s => s.MailboxId).OnDelete(DeleteBehavior.Cascade);
    }
}
