using Rapport.Features.Sla;

namespace Rapport.Tests.Features.Sla;

/// <summary>Business-hours arithmetic against a brute-force minute-by-minute reference, over many random calendars and
/// instants around DST changes, with holidays, overnight ranges and distant zones (half-hour and 45-minute offsets).</summary>
public sealed class BusinessCalendarTests
{
    private static readonly string[] Zones =
        ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago", "UTC", "Europe/London"];

    private static readonly DateTime[] Around =
    [
        new(2026, 3, 8, 0, 0, 0, DateTimeKind.Utc), new(2026, 3, 29, 0, 0, 0, DateTimeKind.Utc), new(2026, 4, 5, 0, 0, 0, DateTimeKind.Utc),
        new(2026, 9, 6, 0, 0, 0, DateTimeKind.Utc), new(2026, 9, 27, 0, 0, 0, DateTimeKind.Utc), new(2026, 10, 4, 0, 0, 0, DateTimeKind.Utc),
        new(2026, 10, 25, 0, 0, 0, DateTimeKind.Utc), new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), new(2026, 12, 24, 0, 0, 0, DateTimeKind.Utc),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AddBusinessTimeAndBetween_MatchTheMinuteByMinuteReference(int seed)
    {
        var random = new Random(seed);
        for (var calendarNo = 0; calendarNo < 12; calendarNo++)
        {
            var calendar = RandomCalendar(random);
            for (var sample = 0; sample < 12; sample++)
            {
                var from = Around[random.Next(Around.Length)].AddMinutes(random.Next(-3 * 1440, 3 * 1440));
                var minutes = random.Next(0, 3 * 600);

                var due = calendar.AddBusinessTime(from, TimeSpan.FromMinutes(minutes));

                var reason = $"{calendar.Zone.Id}, ranges {string.Join("; ", calendar.Ranges)}, holidays {string.Join(",", calendar.Holidays)}, from {from:O} + {minutes} min";
                due.ShouldBe(ReferenceAdd(calendar, from, minutes), reason);
                var until = from.AddMinutes(random.Next(0, 4 * 1440));
                calendar.BusinessTimeBetween(from, until).ShouldBe(TimeSpan.FromMinutes(ReferenceBetween(calendar, from, until)), reason + $", until {until:O}");

                // Subtracting is the inverse: the latest instant with that much open time left before the due instant.
                var warn = calendar.SubtractBusinessTime(due, TimeSpan.FromMinutes(minutes), from.AddDays(-30));
                ReferenceBetween(calendar, warn, due).ShouldBe(minutes, reason + $", back from {due:O}");
                if (minutes > 0)
                {
                    ReferenceBetween(calendar, warn.AddMinutes(1), due).ShouldBeLessThan(minutes, reason + $", back from {due:O}");
                }
            }
        }
    }

    [Fact]
    public void OfficeHours_InBerlin_SkipsTheWeekendAndTheSpringForwardNight()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var calendar = BusinessCalendar.OfficeHours(berlin, [new DateOnly(2026, 3, 30)]);
        // Friday 27 March 2026, 16:00 Berlin (CET, UTC+1); DST starts Sunday 29 March; Monday 30 March is a holiday.
        var friday = new DateTime(2026, 3, 27, 15, 0, 0, DateTimeKind.Utc);

        var due = calendar.AddBusinessTime(friday, TimeSpan.FromHours(2));

        // One hour on Friday, one on Tuesday from 09:00 CEST (UTC+2): 10:00 CEST is 08:00 UTC.
        due.ShouldBe(new DateTime(2026, 3, 31, 8, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void OvernightRange_CountsPastMidnight()
    {
        var calendar = new BusinessCalendar(TimeZoneInfo.Utc, [new OpeningRange(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0))]);
        var mondayEvening = new DateTime(2026, 3, 2, 21, 0, 0, DateTimeKind.Utc);

        calendar.AddBusinessTime(mondayEvening, TimeSpan.FromHours(3)).ShouldBe(new DateTime(2026, 3, 3, 1, 0, 0, DateTimeKind.Utc));
        calendar.BusinessTimeBetween(mondayEvening, mondayEvening.AddDays(1)).ShouldBe(TimeSpan.FromHours(8));
    }

    private static BusinessCalendar RandomCalendar(Random random)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zones[random.Next(Zones.Length)]);
        var ranges = new List<OpeningRange>();
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var count = random.Next(0, 3);
            for (var i = 0; i < count; i++)
            {
                // Starts and ends on quarter hours and around the DST hours (01:00–03:30), some overnight.
                var start = new TimeOnly(random.Next(0, 24), random.Next(0, 4) * 15);
                var end = new TimeOnly(random.Next(0, 24), random.Next(0, 4) * 15);
                ranges.Add(new OpeningRange(day, start, end));
            }
        }
        if (ranges.Count == 0)
        {
            ranges.Add(new OpeningRange(DayOfWeek.Wednesday, new TimeOnly(2, 30), new TimeOnly(3, 15)));
        }
        var holidays = Enumerable.Range(0, random.Next(0, 5)).Select(_ => DateOnly.FromDateTime(Around[random.Next(Around.Length)]).AddDays(random.Next(-3, 4)));
        return new BusinessCalendar(zone, ranges, holidays);
    }

    private static bool OpenMinute(BusinessCalendar calendar, DateTime utcMinute) =>
        calendar.IsOpenLocal(TimeZoneInfo.ConvertTimeFromUtc(utcMinute, calendar.Zone));

    private static DateTime ReferenceAdd(BusinessCalendar calendar, DateTime from, int minutes)
    {
        if (minutes == 0)
        {
            return from;
        }
        var counted = 0;
        for (var minute = from; ; minute = minute.AddMinutes(1))
        {
            if (OpenMinute(calendar, minute) && ++counted == minutes)
            {
                return minute.AddMinutes(1);
            }
        }
    }

    private static int ReferenceBetween(BusinessCalendar calendar, DateTime from, DateTime until)
    {
        var counted = 0;
        for (var minute = from; minute < until; minute = minute.AddMinutes(1))
        {
            counted += OpenMinute(calendar, minute) ? 1 : 0;
        }
        return counted;
    }
}
