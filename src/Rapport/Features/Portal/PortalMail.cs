using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Customers;
using Rapport.Features.Mail;

namespace Rapport.Features.Portal;

/// <summary>Mails a customer a fresh portal link when they ask for one. Unknown addresses get nothing, and the page says
/// the same either way. Without a mailbox that can send, the link is written to the log for the operator.</summary>
public sealed partial class PortalMail(IDbContextFactory<RapportDb> contexts, PortalSessions sessions, NotificationOutbox outbox,
    Microsoft.Extensions.Options.IOptions<PortalOptions> options, ILogger<PortalMail> logger)
{
    public async Task SendLinkAsync(string email, string baseUrl, CancellationToken ct)
    {
        var address = CustomerEmail.Normalize(email);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var customer = await (from e in db.CustomerEmails
                                where e.Address == address
                                join c in db.Customers on e.CustomerId equals c.Id
                                select new { e.CustomerId, c.Name, c.MergedIntoId }).FirstOrDefaultAsync(ct);
        if (customer is null)
        {
            LogUnknown();
            return;
        }
        var business = await db.BusinessProfiles.Select(b => b.Name).FirstOrDefaultAsync(ct) ?? "Support";
        var url = baseUrl + await sessions.CreateLinkAsync(customer.MergedIntoId ?? customer.CustomerId, null, ct);
        var days = (int)Math.Round(options.Value.LinkLifetime.TotalDays);
        var greeting = SavedReplies.SavedReply.FirstName(customer.Name) is { Length: > 0 } first ? $"Hello {first}," : "Hello,";
        var text = $"""
            {greeting}

            Here is your link to your requests with {business}:

            {url}

            It works for {days} days. If you did not ask for it, you can ignore this mail: nobody else received the link.

            {business}
            """;
        if (!await outbox.SendAsync(customer.MergedIntoId ?? customer.CustomerId, customer.Name, address, $"Your requests with {business}", text, ct))
        {
            LogLink(customer.CustomerId, url);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A portal link was asked for an address that is not a customer's; nothing sent")]
    private partial void LogUnknown();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Portal link for customer {CustomerId} not mailed (no mailbox can send mail): {Url}")]
    private partial void LogLink(long customerId, string url);
}
