using Rapport.Data;

namespace Rapport.Features.Reports;

/// <summary>A further rate column in the SLA report (and its CSV and page), such as the share of promises kept: register
/// an implementation as a singleton (<c>services.AddSingleton&lt;IReportRate, PromisesKeptRate&gt;()</c>) and
/// <see cref="ReportBuilder"/> adds it after the built-in rates, per week and per agent like them.</summary>
public interface IReportRate
{
    /// <summary>Camel case, unique among the rates (<c>promisesKept</c>).</summary>
    string Key { get; }

    string Title { get; }

    /// <summary>One sample per decided item whose instant lies in the window: met or not, and the agent it counts for
    /// (null: nobody). Samples outside the window, or for another agent when the window names one, are ignored.</summary>
    Task<IReadOnlyList<RateSample>> LoadAsync(RapportDb db, ReportWindow window, CancellationToken ct);
}

/// <summary>One counted item of a rate: <paramref name="At"/> decides its week.</summary>
public readonly record struct RateSample(DateTime At, int? AgentId, bool Met);

/// <summary>What a rate loads: instants from <paramref name="FromUtc"/> up to (excluding) <paramref name="ToUtc"/>,
/// optionally for one agent; <paramref name="Now"/> decides what is overdue.</summary>
public sealed record ReportWindow(DateTime FromUtc, DateTime ToUtc, int? AgentId, DateTime Now);
