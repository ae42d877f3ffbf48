namespace Rapport.Features.Reports;

/// <summary>Response times, SLA attainment and owner continuity over a range of days: overall, per week (Monday, in the
/// business's time zone), per agent and per week × agent. <see cref="Rates"/> lists the rate columns every
/// <see cref="ReportFigures.Rates"/> holds, in display order.</summary>
public sealed record SlaReport(
    DateOnly From,
    DateOnly To,
    string TimeZone,
    int? AgentId,
    DateTime GeneratedAt,
    IReadOnlyList<ReportColumn> Rates,
    ReportFigures Total,
    IReadOnlyList<WeekFigures> Weeks,
    IReadOnlyList<AgentFigures> Agents,
    IReadOnlyList<CellFigures> Cells);

/// <summary>A rate column: its key in <see cref="ReportFigures.Rates"/> (and, in snake case, in the CSV) and its title.</summary>
public sealed record ReportColumn(string Key, string Title);

/// <summary>Times are business time (the business's opening hours); a rate counts what was decided: an answer given, or
/// still owed past its due instant.</summary>
public sealed record ReportFigures(TimeFigure FirstResponse, TimeFigure NextResponse, TimeFigure Resolution, IReadOnlyDictionary<string, RateFigure> Rates);

/// <summary>How many answers (or resolutions) there were and how long they took: median and 90th percentile.</summary>
public sealed record TimeFigure(int Count, TimeSpan? Median, TimeSpan? P90);

/// <summary><see cref="Met"/> of <see cref="Total"/>; <see cref="Share"/> is their ratio (0 to 1), null when there were none.</summary>
public sealed record RateFigure(int Met, int Total, double? Share);

public sealed record WeekFigures(DateOnly Week, ReportFigures Figures);

/// <summary>One agent's figures; <see cref="AgentId"/> null is work nobody owned (unassigned, or by a token without an agent).</summary>
public sealed record AgentFigures(int? AgentId, string Agent, ReportFigures Figures);

public sealed record CellFigures(DateOnly Week, int? AgentId, string Agent, ReportFigures Figures);
