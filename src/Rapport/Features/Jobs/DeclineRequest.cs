using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Features.Jobs;

/// <summary>Says no honestly: the job is declined with a reason, the ticket closed, and the customer gets a courteous note,
/// with the partner who may help when there is one.</summary>
public sealed class DeclineRequest(IDbContextFactory<RapportDb> contexts, UpdateJob update, JobNotice notice, Sla.SlaClock sla, Agents.AgentAccess access)
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
        var mailed = await notice.SendAsync(jobId, "About your request", (business, link) => $"""
            Thank you for asking us. We are sorry, but we cannot take on this request: {declined.DeclineReason}{referral}

            We would rather tell you now than promise something we cannot do well. Your request stays readable here:
            {link}
            """, ct);
        return new Result(JobViews.ToDetails(declined), mailed);
    }
}
