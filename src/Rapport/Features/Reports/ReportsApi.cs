using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Infrastructure;

namespace Rapport.Features.Reports;

public static class ReportsApi
{
    public static IHostApplicationBuilder AddReports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IReportRate, PromisesKeptRate>();
        builder.Services.AddSingleton<ReportBuilder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(Policies.Read);
        reports.MapGet("/sla", GetAsync)
            .WithSummary("Response and resolution times (median, 90th percentile, business hours), SLA attainment and owner continuity")
            .WithDescription("from and to are local days (YYYY-MM-DD, both included) in the business's time zone; the default is the " +
                "last eight weeks. agent limits the report to one agent. Figures come overall, per week (from Monday), per agent and per week × agent.");
        reports.MapGet("/sla.csv", GetCsvAsync).WithSummary("The same report as CSV: one row per week × agent, then the totals");
        return app;
    }

    private static async Task<Results<Ok<SlaReport>, ValidationProblem>> GetAsync(ReportBuilder reports, CancellationToken ct,
        string? from = null, string? to = null, string? agent = null)
    {
        var result = await BuildAsync(reports, from, to, agent, ct);
        return result.Report is { } report ? TypedResults.Ok(report) : TypedResults.ValidationProblem(result.Errors!);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> GetCsvAsync(ReportBuilder reports, CancellationToken ct,
        string? from = null, string? to = null, string? agent = null)
    {
        var result = await BuildAsync(reports, from, to, agent, ct);
        if (result.Report is not { } report)
        {
            return TypedResults.ValidationProblem(result.Errors!);
        }
        return ReportCsv.File(report);
    }

    private static async Task<ReportBuilder.Result> BuildAsync(ReportBuilder reports, string? from, string? to, string? agent, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var fromDay = Day(from, "from", errors);
        var toDay = Day(to, "to", errors);
        int? agentId = null;
        if (!string.IsNullOrEmpty(agent))
        {
            if (int.TryParse(agent, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                agentId = id;
            }
            else
            {
                errors["agent"] = ["Give an agent's id (a positive whole number)."];
            }
        }
        return errors.Count > 0 ? new ReportBuilder.Result(null, errors) : await reports.BuildAsync(fromDay, toDay, agentId, ct);
    }

    private static DateOnly? Day(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        errors[name] = ["Give a date as YYYY-MM-DD, for example 2026-03-02."];
        return null;
    }
}
