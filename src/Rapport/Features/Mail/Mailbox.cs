using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Mail;

/// <summary>How a connection is secured: TLS from the first byte (IMAPS 993, SMTPS 465), STARTTLS upgrade
/// (143, 587), or none (only for a server on the same machine).</summary>
public enum MailSecurity { Tls, StartTls, None }

/// <summary>A support address the desk reads (IMAP) and answers from (SMTP). Passwords are stored encrypted
/// with ASP.NET Core Data Protection; see <see cref="MailboxSecrets"/>.</summary>
public sealed class Mailbox
{
    public const int NameMaxLength = 100;
    public const int HostMaxLength = 253;
    public const int AddressMaxLength = 254;
    public const int UserMaxLength = 254;
    public const int FolderMaxLength = 200;
    public const int SecretMaxLength = 2000;

    private Mailbox() { }

    public int Id { get; private set; }
    /// <summary>Short unique name used by the ingest command and the ledger ("support").</summary>
    public string Name { get; private set; } = "";
    /// <summary>The address customers write to and replies come from.</summary>
    public string Address { get; private set; } = "";

    public string? ImapHost { get; private set; }
    public int ImapPort { get; private set; }
    public MailSecurity ImapSecurity { get; private set; }
    public string? ImapUser { get; private set; }
    public string? ImapPasswordProtected { get; private set; }
    public string ImapFolder { get; private set; } = "INBOX";
    /// <summary>Delete fetched messages on the server (off unless the owner asks for it).</summary>
    public bool DeleteAfterFetch { get; private set; }

    public string? SmtpHost { get; private set; }
    public int SmtpPort { get; private set; }
    public MailSecurity SmtpSecurity { get; private set; }
    public string? SmtpUser { get; private set; }
    public string? SmtpPasswordProtected { get; private set; }

    public bool Enabled { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    public static Mailbox Create(string name, string address, DateTime now) => new()
    {
        Name = name.Trim().ToLowerInvariant(),
        Address = address.Trim().ToLowerInvariant(),
        ImapPort = 993,
        ImapSecurity = MailSecurity.Tls,
        SmtpPort = 587,
        SmtpSecurity = MailSecurity.StartTls,
        Enabled = true,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Rename(string name, string address, DateTime now)
    {
        Name = name.Trim().ToLowerInvariant();
        Address = address.Trim().ToLowerInvariant();
        UpdatedAt = now;
    }

    /// <summary>A null protected password keeps the stored one; an empty string clears it.</summary>
    public void ConfigureImap(string? host, int port, MailSecurity security, string? user, string? passwordProtected,
        string folder, bool deleteAfterFetch, DateTime now)
    {
        ImapHost = string.IsNullOrWhiteSpace(host) ? null : host.Trim();
        ImapPort = port;
        ImapSecurity = security;
        ImapUser = string.IsNullOrWhiteSpace(user) ? null : user.Trim();
        if (passwordProtected is not null)
        {
            ImapPasswordProtected = passwordProtected.Length == 0 ? null : passwordProtected;
        }
        ImapFolder = string.IsNullOrWhiteSpace(folder) ? "INBOX" : folder.Trim();
        DeleteAfterFetch = deleteAfterFetch;
        UpdatedAt = now;
    }

    public void ConfigureSmtp(string? host, int port, MailSecurity security, string? user, string? passwordProtected, DateTime now)
    {
        SmtpHost = string.IsNullOrWhiteSpace(host) ? null : host.Trim();
        SmtpPort = port;
        SmtpSecurity = security;
        SmtpUser = string.IsNullOrWhiteSpace(user) ? null : user.Trim();
        if (passwordProtected is not null)
        {
            SmtpPasswordProtected = passwordProtected.Length == 0 ? null : passwordProtected;
        }
        UpdatedAt = now;
    }

    public void SetEnabled(bool enabled, DateTime now)
    {
        Enabled = enabled;
        UpdatedAt = now;
    }
}

internal sealed class MailboxConfiguration : IEntityTypeConfiguration<Mailbox>
{
    public void Configure(EntityTypeBuilder<Mailbox> builder)
    {
        builder.Property(m => m.Name).HasMaxLength(Mailbox.NameMaxLength);
        builder.Property(m => m.Address).HasMaxLength(Mailbox.AddressMaxLength);
        builder.Property(m => m.ImapHost).HasMaxLength(Mailbox.HostMaxLength);
        builder.Property(m => m.ImapUser).HasMaxLength(Mailbox.UserMaxLength);
        builder.Property(m => m.ImapPasswordProtected).HasMaxLength(Mailbox.SecretMaxLength);
        builder.Property(m => m.ImapFolder).HasMaxLength(Mailbox.FolderMaxLength);
        builder.Property(m => m.SmtpHost).HasMaxLength(Mailbox.HostMaxLength);
        builder.Property(m => m.SmtpUser).HasMaxLength(Mailbox.UserMaxLength);
        builder.Property(m => m.SmtpPasswordProtected).HasMaxLength(Mailbox.SecretMaxLength);
        builder.HasIndex(m => m.Name).IsUnique();
    }
}
