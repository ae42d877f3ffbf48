using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Features.SavedReplies;
using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>Sends the honest acknowledgement of a new ticket a customer opened (by mail, the web form or the portal):
/// who will answer and by when, from the first-response deadline, on the customer's clock when known. Mail from
/// machines never opens a ticket, so it is never acknowledged. Each ticket is acknowledged once, also with several app
/// nodes: a node claims it with a conditional update in the transaction that queues the mail.
/// A request from the public contact form also gets the link to follow it in the portal here, and only here: whoever
/// typed the address is not shown it, so only the owner of the mailbox reads what the desk answers (even when the
/// acknowledgement itself is switched off, this mail then carries just the link).</summary>
public sealed partial class Acknowledgements(IDbContextFactory<RapportDb> contexts, NotificationOutbox outbox, ReplyOutbox replies,
    Settings.PublicAddress publicAddress, Microsoft.Extensions.Options.IOptions<Portal.PortalOptions> portal,
    TimeProvider time, ILogger<Acknowledgements> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    /// <summary>A ticket older than this is not acknowledged any more (say the app was down for days): a late "we got it" helps nobody.</summary>
    public static readonly TimeSpan TooLate = TimeSpan.FromHours(12);
    /// <summary>Tickets read per pass; a run makes passes until one finds fewer.</summary>
    public const int Batch = 100;

    public sealed record Text(string Body, string AgentName, DateTime DueAt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One run: passes of <see cref="Batch"/> tickets until none is left, so after a burst of new tickets (an
    /// IMAP catch-up) every customer hears back at once rather than a hundred per tick. Returns how many acknowledgements
    /// this node queued.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var queued = 0;
        while (true)
        {
            var (found, mailed) = await PassAsync(ct);
            queued += mailed;
            if (found < Batch)
            {
                return queued;
            }
        }
    }

    /// <summary>One pass over at most <see cref="Batch"/> tickets: what they need is read and their mail composed and stored
    /// first, then one transaction claims each (another node may have taken it) and records its acknowledgement, so a
    /// pass costs one commit rather than one per ticket and holds the write lock only for the claims and rows.</summary>
    private async Task<(int Found, int Queued)> PassAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pending = await db.Tickets.AsNoTracking().Where(t => t.AcknowledgementPending).OrderBy(t => t.Id).Take(Batch)
            .Select(t => new { t.Id, t.Subject, t.Channel, t.CreatedAt, t.FirstResponseDueAt, t.FirstResponseAt, t.CustomerId, CustomerName = t.Customer.Name, CustomerZone = t.Customer.TimeZone, OwnerName = t.Owner!.DisplayName })
            .ToListAsync(ct);
        if (pending.Count == 0)
        {
            return (0, 0);
        }
        var profile = await db.BusinessProfiles.AsNoTracking().FirstOrDefaultAsync(ct);
        var baseUrl = pending.Any(t => t.Channel == TicketChannel.WebForm) ? await publicAddress.GetAsync(ct) : null;
        var details = new Dictionary<long, string>();
        var lines = new Dictionary<long, string>();
        var links = new Dictionary<long, Portal.PortalLink>();
        var notices = new List<NotificationOutbox.TicketNotice>();
        foreach (var ticket in pending)
        {
            string? body = null;
            if (profile is not { AcknowledgementEnabled: true })
            {
                details[ticket.Id] = "not sent: acknowledgements are switched off";
            }
            else if (ticket.FirstResponseAt is not null || ticket.FirstResponseDueAt is null)
            {
                details[ticket.Id] = "not sent: already answered";
            }
            else if (now - ticket.CreatedAt > TooLate)
            {
                details[ticket.Id] = "not sent: the ticket is too old for a timely acknowledgement";
            }
            else
            {
                var text = Compose(profile.AcknowledgementTemplate, profile.Name, profile.TimeZone, ticket.Id, ticket.CustomerName,
                    ticket.CustomerZone, ticket.OwnerName, ticket.FirstResponseDueAt.Value, now);
                body = text.Body;
                lines[ticket.Id] = FirstLine(text.Body, text.AgentName);
            }
            if (ticket.Channel == TicketChannel.WebForm && now - ticket.CreatedAt <= TooLate && baseUrl is not null)
            {
                var (link, secret) = Portal.PortalLink.Create(ticket.CustomerId, ticket.Id, now, portal.Value.TicketLinkLifetime);
                links[ticket.Id] = link;
                body = FollowLink(body, ticket.CustomerName, ticket.Id, $"{baseUrl}/portal/link/{secret}");
            }
            if (body is not null)
            {
                notices.Add(new NotificationOutbox.TicketNotice(ticket.Id, ticket.CustomerId, ticket.CustomerName, ticket.Subject, body));
            }
        }
        var mails = await outbox.PrepareForTicketsAsync(db, notices, ct);
        foreach (var (id, line) in lines)
        {
            details[id] = (mails.ContainsKey(id) ? "mailed: " : "not mailed (no mailbox can send): ") + line
                + (links.ContainsKey(id) && mails.ContainsKey(id) ? " (with the link to follow the request)" : "");
        }
        foreach (var id in links.Keys.Where(id => !lines.ContainsKey(id)))
        {
            details[id] = mails.ContainsKey(id) ? "mailed: the link to follow the request" : "not mailed (no mailbox can send): the link to follow the request";
        }

        var queued = 0;
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        foreach (var ticket in pending)
        {
            var claimed = await db.Tickets.Where(t => t.Id == ticket.Id && t.AcknowledgementPending)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.AcknowledgementPending, false), ct);
            if (claimed == 0)
            {
                continue; // another node's; a mail composed for it stays unused in the file store
            }
            if (mails.TryGetValue(ticket.Id, out var mail))
            {
                db.OutboundMail.Add(mail);
                if (links.TryGetValue(ticket.Id, out var link))
                {
                    db.PortalLinks.Add(link);
                }
                queued++;
            }
            db.TicketEvents.Add(TicketEvent.ForTicket(ticket.Id, TicketEventKind.Acknowledged, now, details[ticket.Id]));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (queued > 0)
        {
            replies.Notify();
        }
        return (pending.Count, queued);
    }

    /// <summary>The acknowledgement's text: who answers (the ticket's owner, else the team) and by when, on the customer's clock if known.</summary>
    public static Text Compose(string template, string business, string businessZone, long ticketId, string customerName, string? customerZone,
        string? ownerName, DateTime dueAt, DateTime now)
    {
        var zone = Zone(customerZone) ?? Zone(businessZone) ?? TimeZoneInfo.Utc;
        var agent = string.IsNullOrWhiteSpace(ownerName) ? $"the {business} team" : SavedReply.FirstName(ownerName) is { Length: > 0 } first ? first : ownerName;
        var customer = SavedReply.FirstName(customerName) is { Length: > 0 } name ? name : "there";
        var body = AcknowledgementTemplate.Render(template, new AcknowledgementTemplate.Values(customer, agent, $"#{ticketId}", dueAt, zone, now));
        return new Text(body, agent, dueAt);
    }

    /// <summary>The acknowledgement (or, when there is none, a short receipt) with the link to follow the request in the portal.</summary>
    private static string FollowLink(string? acknowledgement, string customerName, long ticketId, string url)
    {
        var receipt = acknowledgement ?? $"Hello {(SavedReply.FirstName(customerName) is { Length: > 0 } name ? name : "there")},\n\nthanks for writing. We have your request (ticket #{ticketId}).";
        return $"{receipt.TrimEnd()}\n\nFollow your request, read our answer and reply here:\n{url}\n\nKeep this link to yourself: anyone with it can read this request. "
            + "If you did not write to us, ignore this mail.";
    }

    private static TimeZoneInfo? Zone(string? id) => id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    private static string FirstLine(string body, string agent)
    {
        var line = body.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains(agent, StringComparison.Ordinal)) ?? body.Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending acknowledgements failed; trying again on the next round")]
    private partial void LogFailed(Exception error);
}
