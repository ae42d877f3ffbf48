namespace Rapport.Features.Reports;

/// <summary>The days a report covers, whole local days in the business's time zone from <see cref="From"/> to
/// <see cref="To"/> (both included), cut into weeks that start on Monday (the first and last may be partial).</summary>
public sealed class ReportRange
{
    public const int MaxDays = 366;
    public const int DefaultWeeks = 8;

    private readonly DateTime[] _weekStartsUtc;

    public ReportRange(DateOnly from, DateOnly to, TimeZoneInfo zone)
    {
        if (to < from)
        {
            throw new ArgumentException("The range ends before it starts.", nameof(to));
        }
        From = from;
        To = to;
        Zone = zone;
        FromUtc = LocalMidnightUtc(from, zone);
        ToUtc = LocalMidnightUtc(to.AddDays(1), zone);
        var weeks = new List<DateOnly>();
        for (var monday = WeekOf(from); monday <= to; monday = monday.AddDays(7))
        {
            weeks.Add(monday);
        }
        Weeks = weeks;
        _weekStartsUtc = [.. weeks.Select(w => w <= from ? FromUtc : LocalMidnightUtc(w, zone))];
    }

    public DateOnly From { get; }
    public DateOnly To { get; }
    public TimeZoneInfo Zone { get; }
    public DateTime FromUtc { get; }
    /// <summary>The instant just after the range (local midnight after <see cref="To"/>).</summary>
    public DateTime ToUtc { get; }
    /// <summary>The Monday of each week the range touches, in order.</summary>
    public IReadOnlyList<DateOnly> Weeks { get; }

    /// <summary>The last <see cref="DefaultWeeks"/> weeks up to today (the current week included, so far).</summary>
    public static ReportRange Default(DateTime nowUtc, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone));
        return new ReportRange(WeekOf(today).AddDays(-7 * (DefaultWeeks - 1)), today, zone);
    }

    public static DateOnly WeekOf(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    /// <summary>Which of <see cref="Weeks"/> an instant falls in, or -1 outside the range.</summary>
    public int WeekIndex(DateTime utc)
    {
        if (utc < FromUtc || utc >= ToUtc)
        {
            return -1;
        }
        var index = Array.BinarySearch(_weekStartsUtc, utc);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>The instant a local day starts; where DST skips midnight, the first local time that exists.</summary>
    private static DateTime LocalMidnightUtc(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }
}
