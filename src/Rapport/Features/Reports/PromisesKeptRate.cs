using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Promises;

namespace Rapport.Features.Reports;

/// <summary>The report's "promises kept" column: promises people made (written, follow-ups, a quote's dates; not the SLA deadlines, which have
/// their own columns) settled kept or broken in the range, in the week they were settled, for the agent who made them;
/// cancelled ones count neither way. The same figures as the ledger's kept-rate with kinds=written.</summary>
public sealed class PromisesKeptRate : IReportRate
{
    public string Key => "promisesKept";

    public string Title => "Promises kept (written, follow-ups, quoted dates)";

    public async Task<IReadOnlyList<RateSample>> LoadAsync(RapportDb db, ReportWindow window, CancellationToken ct)
    {
        var settled = db.Promises.AsNoTracking()
            .Where(p => p.SettledAt >= window.FromUtc && p.SettledAt < window.ToUtc)
            .Where(p => p.Status == PromiseStatus.Kept || p.Status == PromiseStatus.Broken)
            .Where(p => Promise.Made.Contains(p.Kind));
        if (window.AgentId is { } agent)
        {
            settled = settled.Where(p => p.AgentId == agent);
        }
        return await settled.Select(p => new RateSample(p.SettledAt!.Value, p.AgentId, p.Status == PromiseStatus.Kept)).ToListAsync(ct);
    }
}
