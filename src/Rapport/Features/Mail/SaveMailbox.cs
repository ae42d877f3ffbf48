using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

/// <summary>Creates or changes a mailbox. Passwords are encrypted before they reach the database; a password
/// left out keeps the stored one, an empty one clears it. Owners only.</summary>
public sealed class SaveMailbox(IDbContextFactory<RapportDb> contexts, AgentAccess access, MailboxSecrets secrets, MailboxDirectory mailboxes, TimeProvider time)
{
    public sealed record Request
    {
        [Required, StringLength(Mailbox.NameMaxLength, MinimumLength = 1), RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]*$",
            ErrorMessage = "A mailbox name has letters, digits, dots, dashes and underscores, for example \"support\".")]
        public string Name { get; init; } = "";

        [Required, EmailAddress, StringLength(Mailbox.AddressMaxLength)]
        public string Address { get; init; } = "";

        public ImapSettings? Imap { get; init; }

        public SmtpSettings? Smtp { get; init; }

        public bool Enabled { get; init; } = true;
    }

    public sealed record ImapSettings
    {
        [StringLength(Mailbox.HostMaxLength)]
        public string? Host { get; init; }

        [Range(1, 65535)]
        public int Port { get; init; } = 993;

        public MailSecurity Security { get; init; } = MailSecurity.Tls;

        [StringLength(Mailbox.UserMaxLength)]
        public string? User { get; init; }

        [StringLength(500)]
        public string? Password { get; init; }

        [StringLength(Mailbox.FolderMaxLength)]
        public string Folder { get; init; } = "INBOX";

        public bool DeleteAfterFetch { get; init; }
    }

    public sealed record SmtpSettings
    {
        [StringLength(Mailbox.HostMaxLength)]
        public string? Host { get; init; }

        [Range(1, 65535)]
        public int Port { get; init; } = 587;

        public MailSecurity Security { get; init; } = MailSecurity.StartTls;

        [StringLength(Mailbox.UserMaxLength)]
        public string? User { get; init; }

        [StringLength(500)]
        public string? Password { get; init; }
    }

    public enum Outcome { Saved, NotFound, NameTaken }

    public static string NameTakenMessage(string name) => $"There is already a mailbox named '{name.Trim().ToLowerInvariant()}'.";

    public async Task<(Outcome Outcome, Mailbox? Mailbox)> HandleAsync(int? id, Request request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        Mailbox mailbox;
        if (id is null)
        {
            mailbox = Mailbox.Create(request.Name, request.Address, now);
            db.Mailboxes.Add(mailbox);
        }
        else
        {
            var found = await db.Mailboxes.FirstOrDefaultAsync(m => m.Id == id, ct);
            if (found is null)
            {
                return (Outcome.NotFound, null);
            }
            mailbox = found;
            mailbox.Rename(request.Name, request.Address, now);
        }
        var name = mailbox.Name;
        if (await db.Mailboxes.AnyAsync(m => m.Name == name && m.Id != mailbox.Id, ct))
        {
            return (Outcome.NameTaken, null);
        }
        var imap = request.Imap ?? new ImapSettings { Host = mailbox.ImapHost, Port = mailbox.ImapPort, Security = mailbox.ImapSecurity,
            User = mailbox.ImapUser, Folder = mailbox.ImapFolder, DeleteAfterFetch = mailbox.DeleteAfterFetch };
        mailbox.ConfigureImap(imap.Host, imap.Port, imap.Security, imap.User, ProtectOrKeep(imap.Password), imap.Folder, imap.DeleteAfterFetch, now);
        var smtp = request.Smtp ?? new SmtpSettings { Host = mailbox.SmtpHost, Port = mailbox.SmtpPort, Security = mailbox.SmtpSecurity, User = mailbox.SmtpUser };
        mailbox.ConfigureSmtp(smtp.Host, smtp.Port, smtp.Security, smtp.User, ProtectOrKeep(smtp.Password), now);
        mailbox.SetEnabled(request.Enabled, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return (Outcome.NameTaken, null);
        }
        mailboxes.Forget();
        return (Outcome.Saved, mailbox);
    }

    private string? ProtectOrKeep(string? password) => password switch
    {
        null => null,
        "" => "",
        _ => secrets.Protect(password),
    };
}
