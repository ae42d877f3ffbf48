using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Promises;

namespace Rapport.Features.Jobs;

/// <summary>Writes a job's dated commitments into the promise ledger with the change that made or settled them: a new
/// commitment opens a Start or Delivery promise for the job's owner, due at the end of its day in the business's time
/// zone; a settled or superseded commitment settles that promise (kept, broken, or cancelled), unless an agent already
/// settled it by hand. <see cref="UpdateJob"/> calls it for every change before saving.</summary>
internal static class JobPromises
{
    public static async Task ApplyAsync(RapportDb db, Job job, JobClock clock, CancellationToken ct)
    {
        // A commitment the change added hangs off the job: the tracker learns of it here.
        db.ChangeTracker.DetectChanges();
        foreach (var commitment in job.Commitments)
        {
            var state = db.Entry(commitment).State;
            if (state is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }
            if (state == EntityState.Added && commitment.Promise is null && commitment.PromiseId is null)
            {
                var what = commitment.Kind == CommitmentKind.Start ? "Start the work" : "Deliver the work";
                var promise = Promise.ForJob(commitment.Kind == CommitmentKind.Delivery, job.TicketId, job.CustomerId, job.OwnerId,
                    $"{what} by {commitment.DueOn:ddd d MMM yyyy} ({commitment.Source})", commitment.DueOn, clock.Zone, clock.Now);
                db.Promises.Add(promise);
                commitment.Track(promise);
            }
            if (commitment.Status == CommitmentStatus.Pending)
            {
                continue;
            }
            var linked = commitment.Promise ?? (commitment.PromiseId is { } id ? await db.Promises.FindAsync([id], ct) : null);
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
            linked.Settle(status, null, note, clock.Now);
        }
    }
}
