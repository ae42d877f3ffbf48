using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rapport.Data;
using Rapport.Features.Promises;
using Rapport.Features.Sla;

namespace Rapport.Features.Jobs;

/// <summary>Writes a job's dated commitments into the promise ledger in the same save: a new commitment opens a Start or
/// Delivery promise for the job's owner, due at the end of its day in the business's time zone; a settled or superseded
/// commitment settles that promise (kept, broken, or cancelled), unless an agent already settled it by hand.</summary>
internal sealed class JobPromises(IServiceProvider services) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Apply(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Apply(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Apply(DbContext? context)
    {
        if (context is not RapportDb db)
        {
            return;
        }
        // Most saves track no job at all: then there is nothing to scan for (a new commitment hangs off a tracked job).
        if (db.ChangeTracker.WithoutDetecting<Job>().Count == 0 && db.ChangeTracker.WithoutDetecting<JobCommitment>().Count == 0)
        {
            return;
        }
        db.ChangeTracker.DetectChanges();
        var commitments = db.ChangeTracker.WithoutDetecting<JobCommitment>().Where(e => e.State is EntityState.Added or EntityState.Modified).ToList();
        if (commitments.Count == 0)
        {
            return;
        }
        var clock = services.GetRequiredService<SlaClock>();
        var now = clock.Now;
        TimeZoneInfo? zone = null;
        foreach (var entry in commitments)
        {
            var commitment = entry.Entity;
            if (entry.State == EntityState.Added && commitment.Promise is null && commitment.PromiseId is null)
            {
                var job = db.ChangeTracker.WithoutDetecting<Job>().Select(j => j.Entity).FirstOrDefault(j => j.Commitments.Contains(commitment));
                if (job is null)
                {
                    continue;
                }
                zone ??= clock.Current(db).Business.Zone;
                var what = commitment.Kind == CommitmentKind.Start ? "Start the work" : "Deliver the work";
                var promise = Promise.ForJob(commitment.Kind == CommitmentKind.Delivery, job.TicketId, job.CustomerId, job.OwnerId,
                    $"{what} by {commitment.DueOn:ddd d MMM yyyy} ({commitment.Source})", commitment.DueOn, zone, now);
                db.Promises.Add(promise);
                commitment.Track(promise);
            }
            if (commitment.Status == CommitmentStatus.Pending)
            {
                continue;
            }
            var linked = commitment.Promise ?? (commitment.PromiseId is { } id ? db.Promises.Find(id) : null);
            if (linked is not { Status: PromiseStatus.Open })
            {
                continue;
            }
            var (status, note) = commitment.Status switch
            {
                CommitmentStatus.Kept => (PromiseStatus.Kept, $"Met on {commitment.MetOn:ddd d MMM yyyy}"),
                CommitmentStatus.Broken => (PromiseStatus.Broken, $"Met on {commitment.MetOn:ddd d MMM yyyy}, after the promised day"),
                _ => (PromiseStatus.Cancelled, "Replaced by newer dates the customer approved"),
            };
            linked.Settle(status, null, note, now);
        }
    }
}
