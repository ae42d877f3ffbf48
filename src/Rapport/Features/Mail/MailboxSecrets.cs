using Microsoft.AspNetCore.DataProtection;

namespace Rapport.Features.Mail;

/// <summary>Encrypts mailbox passwords at rest with ASP.NET Core Data Protection. Its keys are in the database, encrypted
/// with the key-encryption key from configuration (docs/decisions/0064), so the database alone does not reveal the
/// passwords; back up both.</summary>
public sealed class MailboxSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Rapport.Mail.MailboxPassword.v1");

    public string Protect(string password) => _protector.Protect(password);

    /// <summary>Null when nothing is stored; throws <see cref="System.Security.Cryptography.CryptographicException"/>
    /// when the keys that encrypted it are gone.</summary>
    public string? Unprotect(string? protectedPassword) => protectedPassword is null ? null : _protector.Unprotect(protectedPassword);
}
