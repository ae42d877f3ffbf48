using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Infrastructure;

namespace Rapport.Features.Reports;

/// <summary>The SLA report as CSV (<see cref="CsvWriter"/>): one row per week × agent, then each week for all agents,
/// each agent for all weeks, and the total. Times are business hours with two decimals; rates a percentage with two.</summary>
public static class ReportCsv
{
    public const string AllWeeks = "all";
    public const string AllAgents = "All agents";

    public static string Write(SlaReport report) => Writer(report).ToString();

    public static FileContentHttpResult File(SlaReport report) => Writer(report).ToFile(FileName(report));

    private static CsvWriter Writer(SlaReport report)
    {
        var csv = new CsvWriter();
        var header = new List<string> { "week", "agent_id", "agent" };
        foreach (var time in new[] { "first_response", "next_response", "resolution" })
        {
            header.AddRange([$"{time}_count", $"{time}_median_hours", $"{time}_p90_hours"]);
        }
        foreach (var rate in report.Rates)
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(rate.Key);
            header.AddRange([$"{name}_met", $"{name}_total", $"{name}_percent"]);
        }
        csv.Row(header);
        foreach (var cell in report.Cells)
        {
            Row(csv, report, Day(cell.Week), cell.AgentId, cell.Agent, cell.Figures);
        }
        foreach (var week in report.Weeks)
        {
            Row(csv, report, Day(week.Week), null, AllAgents, week.Figures);
        }
        foreach (var agent in report.Agents)
        {
            Row(csv, report, AllWeeks, agent.AgentId, agent.Agent, agent.Figures);
        }
        Row(csv, report, AllWeeks, null, AllAgents, report.Total);
        return csv;
    }

    public static string FileName(SlaReport report) => $"sla-report-{Day(report.From)}-to-{Day(report.To)}.csv";

    private static void Row(CsvWriter csv, SlaReport report, string week, int? agentId, string agent, ReportFigures figures)
    {
        var fields = new List<string> { week, agentId?.ToString(CultureInfo.InvariantCulture) ?? "", agent };
        foreach (var time in new[] { figures.FirstResponse, figures.NextResponse, figures.Resolution })
        {
            fields.AddRange([time.Count.ToString(CultureInfo.InvariantCulture), Hours(time.Median), Hours(time.P90)]);
        }
        foreach (var column in report.Rates)
        {
            var rate = figures.Rates[column.Key];
            fields.AddRange([rate.Met.ToString(CultureInfo.InvariantCulture), rate.Total.ToString(CultureInfo.InvariantCulture),
                rate.Share is { } share ? (share * 100).ToString("0.00", CultureInfo.InvariantCulture) : ""]);
        }
        csv.Row(fields);
    }

    private static string Hours(TimeSpan? value) => value is { } v ? v.TotalHours.ToString("0.00", CultureInfo.InvariantCulture) : "";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
