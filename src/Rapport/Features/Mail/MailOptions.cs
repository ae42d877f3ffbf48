using System.ComponentModel.DataAnnotations;

namespace Rapport.Features.Mail;

/// <summary>Section "Mail".</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>Largest raw message taken in, in bytes (default 50 MiB).</summary>
    [Range(1024, 1L << 32)]
    public long MaxMessageSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>Attachments kept per message; the rest are listed in the ledger's reason.</summary>
    [Range(0, 1000)]
    public int MaxAttachments { get; set; } = 50;

    /// <summary>Read the mailboxes in the background (tests switch this off and sync on demand).</summary>
    public bool BackgroundSync { get; set; } = true;

    /// <summary>How often a mailbox without IDLE, or after a failure, is read again; also how soon a new mailbox is picked up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the outbox is checked for retries when nothing new was queued.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan OutboxInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a mailbox may fail to be read before the owner is alerted (a short outage is normal).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan AlertAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The domain of the Message-IDs we make (default: the first mailbox's domain).</summary>
    public string? MessageIdDomain { get; set; }
}
