using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Jobs;

/// <summary>The job of a ticket, opened when the ticket has none yet. Null when the ticket does not exist.</summary>
public sealed class OpenJob(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public async Task<(Job Job, bool Created)?> HandleAsync(long ticketId, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var existing = await db.Jobs.AsNoTracking().WithAll().FirstOrDefaultAsync(j => j.TicketId == ticketId, ct);
        if (existing is not null)
        {
            return (existing, false);
        }
        var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId, ct);
        if (ticket is null)
        {
            return null;
        }
        if (await db.WarrantyClaims.AnyAsync(c => c.TicketId == ticketId, ct))
        {
            throw new JobRuleException("warranty-ticket", "This ticket is warranty work on an earlier job; its work is part of that job.");
        }
        var job = Job.Open(ticket, time.GetUtcNow().UtcDateTime);
        db.Jobs.Add(job);
        await db.SaveChangesAsync(ct);
        return (job, true);
    }
}
