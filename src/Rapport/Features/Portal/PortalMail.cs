using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Customers;

namespace Rapport.Features.Portal;

/// <summary>Sends a customer a fresh portal link when they ask for one. Unknown addresses get nothing, and the page says
/// the same either way. Until the email channel's outbox exists, the link is written to the log for the operator.</summary>
public sealed partial class PortalMail(IDbContextFactory<RapportDb> contexts, PortalSessions sessions, ILogger<PortalMail> logger)
{
    public async Task SendLinkAsync(string email, string baseUrl, CancellationToken ct)
    {
        var address = CustomerEmail.Normalize(email);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var customerId = await db.CustomerEmails.Where(e => e.Address == address).Select(e => (long?)e.CustomerId).FirstOrDefaultAsync(ct);
        if (customerId is null)
        {
            LogUnknown();
            return;
        }
        var path = await sessions.CreateLinkAsync(customerId.Value, null, ct);
        LogLink(customerId.Value, baseUrl + path);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A portal link was asked for an address that is not a customer's; nothing sent")]
    private partial void LogUnknown();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Portal link for customer {CustomerId} (no outgoing mail configured yet): {Url}")]
    private partial void LogLink(long customerId, string url);
}
