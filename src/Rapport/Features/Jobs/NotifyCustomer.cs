using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Features.Portal;

namespace Rapport.Features.Jobs;

/// <summary>Mails the customer of a job a short note with a portal link to their request, through the durable outbox.
/// Without a mailbox that can send, nothing is mailed and the portal is the only way they see it.</summary>
public sealed partial class NotifyCustomer(IDbContextFactory<RapportDb> contexts, PortalSessions sessions, NotificationOutbox outbox,
    ReplyOutbox replies, Settings.PublicAddress publicAddress, ILogger<NotifyCustomer> logger)
{
    /// <summary>Sends the note; <paramref name="body"/> gets the business name and the portal link and returns the text between greeting and signature.</summary>
    /// <returns>Whether a mail was queued.</returns>
    public async Task<bool> SendAsync(long jobId, string subject, Func<string, string, string> body, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await QueueAsync(db, jobId, subject, body, ct))
        {
            return false;
        }
        await db.SaveChangesAsync(ct);
        replies.Notify();
        return true;
    }

    /// <summary>As <see cref="SendAsync"/>, in the caller's unit of work: the portal link and the outbox row are added to
    /// <paramref name="db"/>, to commit with the change the note tells of; after the commit, call <see cref="ReplyOutbox.Notify"/>.</summary>
    /// <returns>Whether a mail was queued.</returns>
    public async Task<bool> QueueAsync(RapportDb db, long jobId, string subject, Func<string, string, string> body, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.TicketId, j.CustomerId }).FirstAsync(ct);
        var customer = await db.Customers.AsNoTracking().Include(c => c.Emails).FirstAsync(c => c.Id == job.CustomerId, ct);
        if (customer.PrimaryEmail is not { } address)
        {
            return false;
        }
        // Links in mail start with the desk's public address, never with the Host of the request that caused the mail.
        if (await publicAddress.GetAsync(ct) is not { } baseUrl)
        {
            LogNoPublicAddress(jobId);
            return false;
        }
        if (!await outbox.CanSendAsync(ct))
        {
            LogNotMailed(jobId);
            return false;
        }
        var business = await db.BusinessProfiles.AsNoTracking().Select(b => b.Name).FirstOrDefaultAsync(ct) ?? "Support";
        var link = baseUrl + sessions.AddLink(db, customer.Id, job.TicketId);
        var greeting = SavedReplies.SavedReply.FirstName(customer.Name) is { Length: > 0 } first ? $"Hello {first}," : "Hello,";
        var text = $"{greeting}\n\n{body(business, link)}\n\n{business}\n";
        return await outbox.QueueToCustomerAsync(db, customer.Id, customer.Name, address, $"{subject} ({business})", text, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: no mailbox can send mail; the customer sees the news in the portal only")]
    private partial void LogNotMailed(long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: not mailed, because the desk's public address (the base of links in mail) is not set: the owner sets it in Settings")]
    private partial void LogNoPublicAddress(long jobId);
}

/// <summary>Sends a draft quote to the customer: it appears in their portal and, when a mailbox can send, they get a mail
/// with a link. The quote, its link and its mail commit together: a quote is never marked sent without its mail.</summary>
public sealed class SendQuote(UpdateJob update, NotifyCustomer notify, ReplyOutbox replies)
{
    public sealed record Result(QuoteDetails Quote, bool Mailed);

    public async Task<Result?> HandleAsync(long jobId, long quoteId, Tickets.Actor actor, CancellationToken ct)
    {
        var mailed = false;
        var quote = await update.HandleAsync(jobId, actor, (job, clock) => job.SendQuote(quoteId, clock.Today, clock.Now),
            async (db, sent, token) => mailed = await notify.QueueAsync(db, jobId, $"Your quote: {Total(sent)}", (business, link) => $"""
                Here is our quote for your request: {Total(sent)}, work starting {sent.PromisedStartOn:d MMMM yyyy} and delivered by {sent.PromisedDeliveryOn:d MMMM yyyy}.
                It is valid until {sent.ValidUntil:d MMMM yyyy}. You can read it, print it, and approve or decline it here:

                {link}

                Nothing is billed beyond what you approve. If anything changes, we will ask you first.
                """, token), ct);
        if (quote is null)
        {
            return null;
        }
        if (mailed)
        {
            replies.Notify();
        }
        return new Result(JobViews.ToDetails(quote), mailed);
    }

    private static string Total(Quote quote) => Money.Format(quote.Totals.Total, quote.Currency);
}

/// <summary>Proposes a change order and tells the customer, who approves or declines it in the portal.</summary>
public sealed class ProposeChangeOrder(UpdateJob update, NotifyCustomer notify)
{
    public sealed record Request(IReadOnlyList<LineSpec> Lines, string Reason, DateOnly? NewStartOn, DateOnly? NewDeliveryOn);

    public sealed record Result(ChangeOrderDetails ChangeOrder, bool Mailed);

    public async Task<Result?> HandleAsync(long jobId, Request request, Tickets.Actor actor, CancellationToken ct)
    {
        var order = await update.HandleAsync(jobId, actor, (job, clock) => job.ProposeChangeOrder(request.Lines, request.Reason, request.NewStartOn, request.NewDeliveryOn, clock.Now), ct);
        if (order is null)
        {
            return null;
        }
        var difference = Money.Format(order.PriceDifference, order.Currency);
        var mailed = await notify.SendAsync(jobId, "A change to your job needs your approval", (business, link) => $"""
            The work on your request needs to change: {order.Reason}
            This changes the price by {difference}{(order.NewDeliveryOn is { } d ? $" and the delivery date to {d:d MMMM yyyy}" : "")}.
            Nothing changes unless you approve it here:

            {link}
            """, ct);
        return new Result(JobViews.ToDetails(order), mailed);
    }
}

/// <summary>Says no honestly: the job is declined with a reason, the ticket closed, and the customer gets a courteous note,
/// with the partner who may help when there is one.</summary>
public sealed class DeclineRequest(IDbContextFactory<RapportDb> contexts, UpdateJob update, NotifyCustomer notify, Sla.SlaClock sla, Agents.AgentAccess access)
{
    public sealed record Result(JobDetails Job, bool Mailed);

    public async Task<Result?> HandleAsync(long jobId, string reason, long? partnerId, Tickets.Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Agents.Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        Partner? partner = null;
        if (partnerId is { } id)
        {
            partner = await db.Partners.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.Active, ct)
                ?? throw new JobRuleException("partner-id-invalid", $"There is no active partner {id}.");
        }
        var declined = await db.Jobs.WithAll().FirstOrDefaultAsync(j => j.Id == jobId, ct);
        if (declined is null)
        {
            return null;
        }
        var clock = await update.ClockAsync(db, ct);
        declined.Decline(reason, partnerId, clock.Now);
        // The job and its ticket close together.
        var ticket = await db.Tickets.FirstAsync(t => t.Id == declined.TicketId, ct);
        if (ticket.Status != Tickets.TicketStatus.Closed)
        {
            var before = Sla.SlaClock.TicketBefore.Of(ticket);
            ticket.ChangeStatus(Tickets.TicketStatus.Closed, actor, clock.Now);
            await sla.ChangedAsync(db, ticket, before, retagged: false, ct);
        }
        await JobPromises.ApplyAsync(db, declined, clock, ct);
        db.TicketEvents.Add(Tickets.TicketEvent.ForTicket(ticket.Id, Tickets.TicketEventKind.JobChanged, actor, clock.Now, $"declined: {reason}"));
        await db.SaveChangesAsync(ct);
        var referral = partner is null ? "" : $"\n\nWe think {partner.Name} can help you{(partner.Services is { } s ? $" ({s})" : "")}. You can reach them at {partner.Contact}.";
        var mailed = await notify.SendAsync(jobId, "About your request", (business, link) => $"""
            Thank you for asking us. We are sorry, but we cannot take on this request: {declined.DeclineReason}{referral}

            We would rather tell you now than promise something we cannot do well. Your request stays readable here:
            {link}
            """, ct);
        return new Result(JobViews.ToDetails(declined), mailed);
    }
}
