using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Customers;
using Rapport.Features.Mail;

namespace Rapport.Features.Portal;

/// <summary>Mails a customer a fresh portal link when they ask for one (through <see cref="PortalLinkRequests"/>). Unknown
/// addresses get nothing, and the page says the same either way. The link starts with the desk's public address, never
/// with the request's Host. Without a mailbox that can send or a public address, nothing is made and the log says why
/// (never the link: it opens the customer's requests).</summary>
public sealed partial class PortalMail(IDbContextFactory<RapportDb> contexts, PortalSessions sessions, NoticeOutbox outbox,
    Settings.PublicAddress publicAddress, Microsoft.Extensions.Options.IOptions<PortalOptions> options, ILogger<PortalMail> logger)
{
    public async Task SendLinkAsync(string email, CancellationToken ct)
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
        if (await publicAddress.GetAsync(ct) is not { } baseUrl)
        {
            LogNoPublicAddress(customer.CustomerId);
            return;
        }
        if (!await outbox.CanSendAsync(ct))
        {
            LogNotMailed(customer.CustomerId);
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
            LogNotMailed(customer.CustomerId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A portal link was asked for an address that is not a customer's; nothing sent")]
    private partial void LogUnknown();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} asked for a portal link; none was mailed: no mailbox can send mail")]
    private partial void LogNotMailed(long customerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} asked for a portal link; none was mailed: the desk's public address is not set (Settings)")]
    private partial void LogNoPublicAddress(long customerId);
}
