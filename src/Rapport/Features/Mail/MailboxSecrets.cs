using Microsoft.AspNetCore.DataProtection;

namespace Rapport.Features.Mail;

/// <summary>Encrypts mailbox passwords at rest with ASP.NET Core Data Protection. The keys live in the data
/// directory (keys/), so a copy of the database alone does not reveal the passwords; back up both together.</summary>
public sealed class MailboxSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Rapport.Mail.MailboxPassword.v1");

    public string Protect(string password) => _protector.Protect(password);

    /// <summary>Null when nothing is stored; throws <see cref="System.Security.Cryptography.CryptographicException"/>
    /// when the keys that encrypted it are gone.</summary>
    public string? Unprotect(string? protectedPassword) => protectedPassword is null ? null : _protector.Unprotect(protectedPassword);
}
