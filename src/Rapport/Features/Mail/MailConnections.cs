using System.Net.Sockets;
using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Rapport.Features.Mail;

/// <summary>Opens IMAP and SMTP connections for a mailbox with the TLS mode set explicitly, and turns what can go
/// wrong into a sentence an owner can act on.</summary>
public sealed class MailConnections(MailboxSecrets secrets)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task<ImapClient> OpenImapAsync(Mailbox mailbox, CancellationToken ct)
    {
        if (mailbox.ImapHost is null)
        {
            throw new MailConnectionException("No IMAP server is configured for this mailbox.");
        }
        var client = new ImapClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            // Decrypted first: a password whose key is missing is known without reaching the server.
            var password = mailbox.ImapUser is null ? null : secrets.Unprotect(mailbox.ImapPasswordProtected) ?? "";
            await client.ConnectAsync(mailbox.ImapHost, mailbox.ImapPort, Options(mailbox.ImapSecurity), ct);
            if (mailbox.ImapUser is not null)
            {
                await client.AuthenticateAsync(mailbox.ImapUser, password ?? "", ct);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async Task<SmtpClient> OpenSmtpAsync(Mailbox mailbox, CancellationToken ct)
    {
        if (mailbox.SmtpHost is null)
        {
            throw new MailConnectionException("No SMTP server is configured for this mailbox.");
        }
        var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            // Decrypted first: a password whose key is missing is known without reaching the server.
            var password = mailbox.SmtpUser is null ? null : secrets.Unprotect(mailbox.SmtpPasswordProtected) ?? "";
            await client.ConnectAsync(mailbox.SmtpHost, mailbox.SmtpPort, Options(mailbox.SmtpSecurity), ct);
            if (mailbox.SmtpUser is not null)
            {
                await client.AuthenticateAsync(mailbox.SmtpUser, password ?? "", ct);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>"Test connection": connects to both servers at once, signs in, opens the IMAP folder, and says for each
    /// side what it found or, in words, what went wrong. Used by the API and the mailboxes page.</summary>
    public async Task<ConnectionTest> TestAsync(Mailbox mailbox, CancellationToken ct)
    {
        var imap = TestImapAsync(mailbox, ct);
        var smtp = TestSmtpAsync(mailbox, ct);
        return new ConnectionTest(await imap, await smtp);
    }

    private async Task<ConnectionTest.Check> TestImapAsync(Mailbox mailbox, CancellationToken ct)
    {
        try
        {
            using var client = await OpenImapAsync(mailbox, ct);
            var folder = await client.GetFolderAsync(mailbox.ImapFolder, ct);
            await folder.OpenAsync(FolderAccess.ReadOnly, ct);
            var detail = $"{folder.FullName}: {folder.Count} messages, UIDVALIDITY {folder.UidValidity}" +
                (client.Capabilities.HasFlag(ImapCapabilities.Idle) ? ", IDLE supported" : ", no IDLE (polling)");
            await client.DisconnectAsync(true, ct);
            return new ConnectionTest.Check(true, null, detail);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ConnectionTest.Check(false, Describe(e, "IMAP", mailbox.ImapHost, mailbox.ImapPort), null);
        }
    }

    private async Task<ConnectionTest.Check> TestSmtpAsync(Mailbox mailbox, CancellationToken ct)
    {
        try
        {
            using var client = await OpenSmtpAsync(mailbox, ct);
            var detail = $"{mailbox.SmtpHost}:{mailbox.SmtpPort}" + (client.IsSecure ? " over TLS" : " without TLS")
                + (client.IsAuthenticated ? ", signed in" : "");
            await client.DisconnectAsync(true, ct);
            return new ConnectionTest.Check(true, null, detail);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ConnectionTest.Check(false, Describe(e, "SMTP", mailbox.SmtpHost, mailbox.SmtpPort), null);
        }
    }

    public static SecureSocketOptions Options(MailSecurity security) => security switch
    {
        MailSecurity.Tls => SecureSocketOptions.SslOnConnect,
        MailSecurity.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    /// <summary>What went wrong, in words, for the owner.</summary>
    public static string Describe(Exception e, string protocol, string? host, int port) => e switch
    {
        MailConnectionException m => m.Message,
        SocketException s when s.SocketErrorCode == SocketError.ConnectionRefused =>
            $"{host}:{port} refused the connection: no {protocol} server is listening there. Check the host and port.",
        SocketException s when s.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
            $"The host name '{host}' could not be found. Check the spelling.",
        SocketException s => $"Could not reach {host}:{port} ({s.SocketErrorCode}).",
        SslHandshakeException => $"The TLS handshake with {host}:{port} failed: the certificate is not trusted or the port does not use TLS from the start. " +
            "Try STARTTLS (usually 143 for IMAP, 587 for SMTP) or TLS (993, 465).",
        AuthenticationException => $"{host} refused the user name or password.",
        FolderNotFoundException f => $"The folder '{f.FolderName}' does not exist on {host}.",
        ImapProtocolException or SmtpProtocolException => $"{host}:{port} did not answer like an {protocol} server. Check the port and the TLS mode.",
        NotSupportedException n when n.Message.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase) =>
            $"{host}:{port} does not offer STARTTLS. Choose TLS or another port.",
        ImapCommandException or SmtpCommandException => $"{host} refused a command: {e.Message}",
        CryptographicException => "The key that encrypted this password is missing (Rapport runs with another key-encryption key than " +
            "when it was saved, see KeyProtection in the README): enter the password again, or start Rapport with that key.",
        TimeoutException or OperationCanceledException => $"{host}:{port} did not answer within {Timeout.TotalSeconds:0} seconds.",
        IOException io => $"The connection to {host}:{port} broke: {io.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

/// <summary>The result of "test connection": each side either works or says why not.</summary>
public sealed record ConnectionTest(ConnectionTest.Check Imap, ConnectionTest.Check Smtp)
{
    public sealed record Check(bool Ok, string? Error, string? Detail);
}

/// <summary>A mailbox cannot be connected for a reason we found ourselves (nothing configured).</summary>
public sealed class MailConnectionException(string message) : Exception(message);
