using Rapport.Features.Reports;
using Rapport.Features.Sla;

namespace Rapport.Tests.Features.Reports;

/// <summary>The pieces of the report that need no database: the fast timeline against the business calendar it stands in
/// for, percentiles, the weeks of a range in a zone with DST, and CSV quoting.</summary>
public sealed class ReportMathTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Theory]
    [InlineData("Europe/Berlin", 1)]
    [InlineData("America/New_York", 2)]
    [InlineData("Australia/Lord_Howe", 3)]
    [InlineData("UTC", 4)]
    public void Timeline_RandomInstants_SameAsTheCalendar(string zoneId, int seed)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var calendar = new BusinessCalendar(zone,
        [
            new(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(12, 0)), new(DayOfWeek.Monday, new TimeOnly(13, 0), new TimeOnly(17, 30)),
            new(DayOfWeek.Tuesday, new TimeOnly(9, 0), new TimeOnly(17, 0)), new(DayOfWeek.Wednesday, new TimeOnly(22, 0), new TimeOnly(6, 0)),
            new(DayOfWeek.Thursday, new TimeOnly(9, 0), new TimeOnly(17, 0)), new(DayOfWeek.Friday, new TimeOnly(1, 30), new TimeOnly(3, 0)),
        ], [new DateOnly(2026, 3, 31), new DateOnly(2026, 10, 27)]);
        var from = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);
        var timeline = new BusinessTimeline(calendar, from, to);
        var random = new Random(seed);
        for (var i = 0; i < 400; i++)
        {
            // Some instants fall before or after the timeline's span, where it asks the calendar.
            var start = from.AddMinutes(random.Next(-20 * 1440, 290 * 1440)).AddSeconds(random.Next(60));
            var end = start.AddMinutes(random.Next(-600, 30 * 1440));
            var amount = TimeSpan.FromMinutes(random.Next(0, 80 * 60) + random.NextDouble());

            timeline.Between(start, end).ShouldBe(calendar.BusinessTimeBetween(start, end), $"{start:O} → {end:O}");
            timeline.Add(start, amount).ShouldBe(calendar.AddBusinessTime(start, amount), $"{start:O} + {amount}");
        }
    }

    [Fact]
    public void Timeline_CalendarHours_CountsEveryMinute()
    {
        var calendar = BusinessCalendar.AlwaysOpen(Berlin);
        var timeline = new BusinessTimeline(calendar, new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 4, 30, 0, 0, 0, DateTimeKind.Utc));
        var start = new DateTime(2026, 3, 28, 12, 0, 30, DateTimeKind.Utc);

        timeline.Between(start, start.AddHours(30)).ShouldBe(TimeSpan.FromHours(30));
        timeline.Add(start, TimeSpan.FromHours(8)).ShouldBe(new DateTime(2026, 3, 28, 20, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Percentile_InterpolatesBetweenRanks()
    {
        long[] hours = [.. new[] { 0, 2, 4, 9 }.Select(h => TimeSpan.FromHours(h).Ticks)];

        ReportBuilder.Percentile(hours, 0.5).ShouldBe(TimeSpan.FromHours(3));
        ReportBuilder.Percentile(hours, 0.9).ShouldBe(TimeSpan.FromHours(7.5));
        ReportBuilder.Percentile([TimeSpan.FromHours(11).Ticks], 0.9).ShouldBe(TimeSpan.FromHours(11));
        ReportBuilder.Percentile([], 0.5).ShouldBeNull();
    }

    [Fact]
    public void Range_WeeksStartOnLocalMonday_AcrossTheDstChange()
    {
        // Wednesday 18 March to Tuesday 7 April 2026; clocks in Berlin go forward on Sunday 29 March.
        var range = new ReportRange(new DateOnly(2026, 3, 18), new DateOnly(2026, 4, 7), Berlin);

        range.Weeks.ShouldBe([new DateOnly(2026, 3, 16), new DateOnly(2026, 3, 23), new DateOnly(2026, 3, 30), new DateOnly(2026, 4, 6)]);
        range.FromUtc.ShouldBe(new DateTime(2026, 3, 17, 23, 0, 0, DateTimeKind.Utc));
        range.ToUtc.ShouldBe(new DateTime(2026, 4, 7, 22, 0, 0, DateTimeKind.Utc));
        range.WeekIndex(new DateTime(2026, 3, 17, 22, 59, 0, DateTimeKind.Utc)).ShouldBe(-1);
        range.WeekIndex(new DateTime(2026, 3, 17, 23, 0, 0, DateTimeKind.Utc)).ShouldBe(0);
        // Sunday 29 March 23:30 in Berlin (CEST) is still the week of 23 March; Monday 00:00 CEST is 22:00 UTC.
        range.WeekIndex(new DateTime(2026, 3, 29, 21, 30, 0, DateTimeKind.Utc)).ShouldBe(1);
        range.WeekIndex(new DateTime(2026, 3, 29, 22, 0, 0, DateTimeKind.Utc)).ShouldBe(2);
        range.WeekIndex(new DateTime(2026, 4, 7, 21, 59, 0, DateTimeKind.Utc)).ShouldBe(3);
        range.WeekIndex(new DateTime(2026, 4, 7, 22, 0, 0, DateTimeKind.Utc)).ShouldBe(-1);
    }

    [Fact]
    public void Default_LastEightWeeks_EndingToday()
    {
        var range = ReportRange.Default(new DateTime(2026, 3, 4, 23, 30, 0, DateTimeKind.Utc), Berlin);

        range.To.ShouldBe(new DateOnly(2026, 3, 5));
        range.From.ShouldBe(new DateOnly(2026, 1, 12));
        range.Weeks.Count.ShouldBe(8);
    }

    [Fact]
    public void Csv_AgentNamesLikeFormulasOrWithCommas_DisarmedAndQuoted()
    {
        var none = new TimeFigure(0, null, null);
        var figures = new ReportFigures(new TimeFigure(2, TimeSpan.FromMinutes(90), TimeSpan.FromHours(26.5)), none, none,
            new Dictionary<string, RateFigure> { ["firstResponseSla"] = new(1, 3, 0.3333) });
        var week = new DateOnly(2026, 3, 2);
        var report = new SlaReport(week, week.AddDays(6), "UTC", null, new DateTime(2026, 3, 9, 0, 0, 0, DateTimeKind.Utc),
            [new ReportColumn("firstResponseSla", "First responses in time")], figures, [new WeekFigures(week, figures)],
            [new AgentFigures(7, "=HYPERLINK(\"http://x\")", figures), new AgentFigures(8, "Lee, \"Sam\"", figures)],
            [new CellFigures(week, 7, "=HYPERLINK(\"http://x\")", figures)]);

        var lines = ReportCsv.Write(report).Split("\r\n");

        lines[0].ShouldBe("week,agent_id,agent,first_response_count,first_response_median_hours,first_response_p90_hours,next_response_count," +
            "next_response_median_hours,next_response_p90_hours,resolution_count,resolution_median_hours,resolution_p90_hours," +
            "first_response_sla_met,first_response_sla_total,first_response_sla_percent");
        lines[1].ShouldBe("2026-03-02,7,\"'=HYPERLINK(\"\"http://x\"\")\",2,1.50,26.50,0,,,0,,,1,3,33.33");
        lines[2].ShouldBe("2026-03-02,,All agents,2,1.50,26.50,0,,,0,,,1,3,33.33");
        lines[4].ShouldStartWith("all,8,\"Lee, \"\"Sam\"\"\",2,");
        lines[5].ShouldStartWith("all,,All agents,");
        lines[^1].ShouldBe("");
    }
}
