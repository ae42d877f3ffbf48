using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Customers;

/// <summary>Folds a duplicate customer into the one that stays: its tickets, promises, jobs, addresses and details
/// move over in one transaction; the duplicate remains only as a pointer (MergedIntoId) so old links still resolve.
/// Write access needed.</summary>
public sealed class MergeCustomers(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public enum Outcome { Merged, NotFound }

    public sealed record Result(Outcome Outcome, int TicketsMoved = 0);

    public async Task<Result> HandleAsync(long keepId, long mergeId, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var customers = await db.Customers.Include(c => c.Emails).Where(c => c.Id == keepId || c.Id == mergeId).ToListAsync(ct);
        var keep = customers.FirstOrDefault(c => c.Id == keepId);
        var merge = customers.FirstOrDefault(c => c.Id == mergeId);
        if (keep is null || merge is null)
        {
            return new Result(Outcome.NotFound);
        }
        var now = time.GetUtcNow().UtcDateTime;
        keep.Absorb(merge, now);
        var tickets = await db.Tickets.Where(t => t.CustomerId == mergeId).ToListAsync(ct);
        foreach (var ticket in tickets)
        {
            // Only the customer changes: no deadline, owner or promise of the ticket depends on it, so no SLA rule applies.
            ticket.MoveToCustomer(keepId, actor, now);
        }
        await using var tx = await db.BeginWriteTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        // What else belongs to the customer follows their tickets: the promises made to them and their jobs (whose
        // warranty and history now count for the customer that stays).
        await db.Promises.Where(p => p.CustomerId == mergeId).ExecuteUpdateAsync(u => u.SetProperty(p => p.CustomerId, keepId), ct);
        await db.Jobs.Where(j => j.CustomerId == mergeId)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.CustomerId, keepId).SetProperty(j => j.Version, j => j.Version + 1), ct);
        await tx.CommitAsync(ct);
        return new Result(Outcome.Merged, tickets.Count);
    }
}
