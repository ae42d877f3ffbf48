using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Features.SavedReplies;
using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>Sends the honest acknowledgement of a new ticket a customer opened (by mail, the web form or the portal):
/// who will answer and by when, from the first-response deadline, on the customer's clock when known. Mail from
/// machines never opens a ticket, so it is never acknowledged. A consumer of the change record: it reads each ticket's
/// "created" event once, across restarts and app nodes (<see cref="FeedConsumer{TWork}"/>), and queues the mail in the
/// transaction that moves its place, so a customer hears back once, however the app stopped in between.
/// A request from the public contact form also gets the link to follow it in the portal here, and only here: whoever
/// typed the address is not shown it, so only the owner of the mailbox reads what the desk answers (even when the
/// acknowledgement itself is switched off, this mail then carries just the link).</summary>
public sealed class Acknowledgements(IDbContextFactory<RapportDb> contexts, CommitSignal signal, NoticeOutbox outbox, ReplyOutbox replies,
    Settings.PublicAddress publicAddress, Microsoft.Extensions.Options.IOptions<Portal.PortalOptions> portal,
    TimeProvider time, ILogger<Acknowledgements> logger) : FeedConsumer<Acknowledgements.Work>(contexts, signal, time, logger)
{
    /// <summary>A ticket older than this is not acknowledged any more (say the app was down for days): a late "we got it" helps nobody.</summary>
    public static readonly TimeSpan TooLate = TimeSpan.FromHours(12);
    /// <summary>Change events read per pass; a run makes passes until it has caught up.</summary>
    public const int EventsPerPass = 500;

    public sealed record Text(string Body, string AgentName, DateTime DueAt);

    /// <summary>What a pass does: for each ticket to acknowledge, what its history says, and the mail and link if any.</summary>
    public sealed record Work(DateTime Now, IReadOnlyList<(long TicketId, string Detail, OutboundMail? Mail, Portal.PortalLink? Link)> Tickets);

    protected override string Name => "acknowledgements";

    protected override int Batch => EventsPerPass;

    protected override TimeSpan Poll => TimeSpan.FromSeconds(5);

    /// <summary>Reads the tickets the events opened that wait for an acknowledgement, and composes and stores their mail
    /// (outside the transaction, which then holds the write lock only for the rows).</summary>
    protected override async Task<Work> PrepareAsync(RapportDb db, IReadOnlyList<FeedEvent> events, CancellationToken ct)
    {
        var now = Now;
        var opened = events.Where(e => e.Kind == TicketEventKind.Created).Select(e => e.TicketId).Distinct().ToList();
        if (opened.Count == 0)
        {
            return new Work(now, []);
        }
        var pending = await db.Tickets.AsNoTracking().Where(t => opened.Contains(t.Id) && t.AcknowledgementPending).OrderBy(t => t.Id)
            .Select(t => new { t.Id, t.Subject, t.Channel, t.CreatedAt, t.FirstResponseDueAt, t.FirstResponseAt, t.CustomerId, CustomerName = t.Customer.Name, CustomerZone = t.Customer.TimeZone, OwnerName = t.Owner!.DisplayName })
            .ToListAsync(ct);
        if (pending.Count == 0)
        {
            return new Work(now, []);
        }
        var profile = await db.BusinessProfiles.AsNoTracking().FirstOrDefaultAsync(ct);
        var baseUrl = pending.Any(t => t.Channel == TicketChannel.WebForm) ? await publicAddress.GetAsync(ct) : null;
        var details = new Dictionary<long, string>();
        var lines = new Dictionary<long, string>();
        var links = new Dictionary<long, Portal.PortalLink>();
        var notices = new List<NoticeOutbox.TicketNotice>();
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
                notices.Add(new NoticeOutbox.TicketNotice(ticket.Id, ticket.CustomerId, ticket.CustomerName, ticket.Subject, body));
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
        return new Work(now, [.. pending.Select(t => (t.Id, details[t.Id], mails.GetValueOrDefault(t.Id),
            mails.ContainsKey(t.Id) ? links.GetValueOrDefault(t.Id) : null))]);
    }

    /// <summary>Records each acknowledgement (or why none went) and queues its mail. Returns how many mails it queued.</summary>
    protected override async Task<int> ApplyAsync(RapportDb db, Work work, CancellationToken ct)
    {
        if (work.Tickets.Count == 0)
        {
            return 0;
        }
        var ids = work.Tickets.Select(t => t.TicketId).ToList();
        await db.Tickets.Where(t => ids.Contains(t.Id) && t.AcknowledgementPending)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.AcknowledgementPending, false), ct);
        var queued = 0;
        foreach (var (ticketId, detail, mail, link) in work.Tickets)
        {
            if (mail is not null)
            {
                db.OutboundMail.Add(mail);
                if (link is not null)
                {
                    db.PortalLinks.Add(link);
                }
                queued++;
            }
            db.TicketEvents.Add(TicketEvent.ForTicket(ticketId, TicketEventKind.Acknowledged, work.Now, detail));
        }
        return queued;
    }

    protected override void Committed(Work work)
    {
        if (work.Tickets.Any(t => t.Mail is not null))
        {
            replies.Notify();
        }
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
}
