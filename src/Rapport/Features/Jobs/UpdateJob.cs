using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Infrastructure;
using Rapport.Features.Tickets;

namespace Rapport.Features.Jobs;

/// <summary>The instant of a change and the business's calendar day, which dated promises and validity are counted in.</summary>
public sealed record JobClock(DateTime Now, TimeZoneInfo Zone)
{
    public DateOnly Today => Job.DayIn(Zone, Now);
}

/// <summary>Loads a job with everything it owns, applies one change through the job's own methods and saves it. A rule the
/// change breaks throws <see cref="JobRuleException"/>; a concurrent change fails on the job's version. The team's changes
/// need write access; a customer's decision in the portal comes through <see cref="DecideForCustomer"/>.</summary>
public sealed class UpdateJob(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public async Task<T?> HandleAsync<T>(long jobId, Actor actor, Func<Job, JobClock, T> change, CancellationToken ct) where T : class
    {
        await access.RequireAsync(actor, Access.Write, ct);
        return await ApplyAsync(jobId, actor, null, change, null, ct);
    }

    /// <summary>As <see cref="HandleAsync{T}(long, Actor, Func{Job, JobClock, T}, CancellationToken)"/>, and
    /// <paramref name="alongside"/> adds to the same transaction what must commit with the change or not at all (its mail).</summary>
    public async Task<T?> HandleAsync<T>(long jobId, Actor actor, Func<Job, JobClock, T> change, Func<RapportDb, T, CancellationToken, Task> alongside,
        CancellationToken ct) where T : class
    {
        await access.RequireAsync(actor, Access.Write, ct);
        return await ApplyAsync(jobId, actor, null, change, alongside, ct);
    }

    /// <summary>A customer's approval or decline, applied without an agent's access check: only for
    /// <see cref="DecideForCustomer"/>, which has checked that the visitor may see the job.</summary>
    internal Task<T?> ApplyCustomerDecisionAsync<T>(long jobId, Actor customer, string what, Func<Job, JobClock, T> change, CancellationToken ct)
        where T : class =>
        ApplyAsync(jobId, customer, what, change, null, ct);

    /// <summary>Applies the change and records it in the ticket's history (so every open job panel shows it).</summary>
    private async Task<T?> ApplyAsync<T>(long jobId, Actor actor, string? what, Func<Job, JobClock, T> change,
        Func<RapportDb, T, CancellationToken, Task>? alongside, CancellationToken ct) where T : class
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var job = await db.Jobs.WithAll().FirstOrDefaultAsync(j => j.Id == jobId, ct);
        if (job is null)
        {
            return null;
        }
        var clock = await ClockAsync(db, ct);
        T result;
        try
        {
            result = change(job, clock);
        }
        catch (JobRuleException e) when (e.Code == "quote-expired")
        {
            // The quote is marked expired even though the approval was refused.
            await db.SaveChangesAsync(ct);
            throw;
        }
        await JobPromises.ApplyAsync(db, job, clock, ct);
        db.TicketEvents.Add(TicketEvent.ForTicket(job.TicketId, TicketEventKind.JobChanged, actor, clock.Now, what));
        if (alongside is not null)
        {
            await alongside(db, result, ct);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException && e.IsUniqueViolation())
        {
            // Two changes at once numbered a quote, change order or invoice the same: the one that lost is told
            // like any other concurrent change (409), and no rule (the invoice guard) was bypassed.
            throw new DbUpdateConcurrencyException("Someone else changed this job at the same time.", e);
        }
        return result;
    }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<JobClock> ClockAsync(RapportDb db, CancellationToken ct)
    {
        var zoneId = await db.BusinessProfiles.AsNoTracking().Where(b => b.Id == Settings.BusinessProfile.SingletonId).Select(b => b.TimeZone).FirstOrDefaultAsync(ct);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId ?? "UTC", out var found) ? found : TimeZoneInfo.Utc;
        return new JobClock(time.GetUtcNow().UtcDateTime, zone);
    }
}
