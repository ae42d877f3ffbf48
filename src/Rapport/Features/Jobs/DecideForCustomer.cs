using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Portal;

namespace Rapport.Features.Jobs;

/// <summary>What a customer signed in to the portal may see of jobs, and their approvals and declines (with the name they
/// type as signature and the time). A job of another customer, or outside a one-ticket link, looks like no job at all.</summary>
public sealed class DecideForCustomer(IDbContextFactory<RapportDb> contexts, UpdateJob update)
{
    public sealed record Decision(bool Approve, string Name, string? Reason);

    /// <summary>The job behind a quote or change order the visitor may see (drafts are never shown), or null.</summary>
    public async Task<JobDetails?> VisibleJobAsync(PortalVisitor visitor, long? quoteId, long? changeOrderId, long? ticketId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Jobs.AsNoTracking().Where(j => j.CustomerId == visitor.CustomerId
            || db.Customers.Any(c => c.Id == j.CustomerId && c.MergedIntoId == visitor.CustomerId));
        if (visitor.TicketId is { } only)
        {
            query = query.Where(j => j.TicketId == only);
        }
        if (quoteId is { } q)
        {
            query = query.Where(j => j.Quotes.Any(x => x.Id == q && x.Status != QuoteStatus.Draft));
        }
        if (changeOrderId is { } c)
        {
            query = query.Where(j => j.ChangeOrders.Any(x => x.Id == c));
        }
        if (ticketId is { } t)
        {
            query = query.Where(j => j.TicketId == t);
        }
        var job = await query.WithAll().FirstOrDefaultAsync(ct);
        if (job is null)
        {
            return null;
        }
        var details = JobViews.ToDetails(job);
        // Drafts are the team's work in progress.
        return details with { Quotes = details.Quotes.Where(x => x.Status != QuoteStatus.Draft).ToList() };
    }

    /// <returns>Null when the visitor may not see this quote.</returns>
    public async Task<QuoteDetails?> QuoteAsync(PortalVisitor visitor, long quoteId, Decision decision, CancellationToken ct)
    {
        var job = await VisibleJobAsync(visitor, quoteId, null, null, ct);
        if (job is null)
        {
            return null;
        }
        var quote = await update.ApplyCustomerDecisionAsync(job.Id, visitor.Actor,
            $"quote {(decision.Approve ? "approved" : "declined")} by {decision.Name}", (j, clock) =>
        {
            if (decision.Approve)
            {
                j.ApproveQuote(quoteId, decision.Name, clock.Today, clock.Now);
            }
            else
            {
                j.DeclineQuote(quoteId, decision.Name, decision.Reason, clock.Today, clock.Now);
            }
            return j.Quotes.Single(x => x.Id == quoteId);
        }, ct);
        return quote is null ? null : JobViews.ToDetails(quote);
    }

    /// <returns>Null when the visitor may not see this change order.</returns>
    public async Task<ChangeOrderDetails?> ChangeOrderAsync(PortalVisitor visitor, long changeOrderId, Decision decision, CancellationToken ct)
    {
        var job = await VisibleJobAsync(visitor, null, changeOrderId, null, ct);
        if (job is null)
        {
            return null;
        }
        var order = await update.ApplyCustomerDecisionAsync(job.Id, visitor.Actor,
            $"change order {(decision.Approve ? "approved" : "declined")} by {decision.Name}", (j, clock) =>
        {
            if (decision.Approve)
            {
                j.ApproveChangeOrder(changeOrderId, decision.Name, clock.Now);
            }
            else
            {
                j.DeclineChangeOrder(changeOrderId, decision.Name, decision.Reason, clock.Now);
            }
            return j.ChangeOrders.Single(x => x.Id == changeOrderId);
        }, ct);
        return order is null ? null : JobViews.ToDetails(order);
    }
}
