using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Jobs;

/// <summary>Links a later ticket to a completed job as warranty work: it goes to the job's owner.</summary>
public sealed class LinkWarrantyTicket(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public async Task<WarrantyClaim?> HandleAsync(long jobId, long ticketId, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var job = await db.Jobs.WithAll().FirstOrDefaultAsync(j => j.Id == jobId, ct);
        var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId, ct);
        if (job is null || ticket is null)
        {
            return null;
        }
        if (await db.Jobs.AnyAsync(j => j.TicketId == ticketId, ct))
        {
            throw new JobRuleException("ticket-has-job", $"Ticket {ticketId} has its own job; a warranty ticket is one without.");
        }
        // The job's owner is whoever owns its ticket now (it may have changed hands since the job was opened).
        if (await db.Tickets.Where(t => t.Id == job.TicketId).Select(t => t.OwnerId).FirstAsync(ct) is { } owner && owner != job.OwnerId)
        {
            job.AssignOwner(owner);
        }
        var claim = job.LinkWarrantyTicket(ticket, actor, time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return claim;
    }
}
