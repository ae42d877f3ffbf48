using System.Globalization;
using System.Text;
using Rapport.Features.Sla;

namespace Rapport.Tests.Features.Sla;

/// <summary>Holiday files as owners have them (yearly rules, exceptions, multi-day closures) and as an attacker would
/// write them: every hostile file is refused with a reason, quickly.</summary>
public sealed class HolidayCalendarFileTests
{
    /// <summary>Imports on this day take 2025-01-01 to 2029-12-31.</summary>
    private static readonly DateOnly Today = new(2026, 3, 2);

    private const string Head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Holidays//EN\r\n";
    private const string Tail = "END:VCALENDAR\r\n";

    private static string Event(string lines) => "BEGIN:VEVENT\r\nUID:" + Guid.NewGuid().ToString("N") + "\r\n" + lines.Trim().ReplaceLineEndings("\r\n") + "\r\nEND:VEVENT\r\n";

    /// <summary>Parses on a worker with a time limit, so a file that would hang fails the test instead.</summary>
    private static async Task<string> RefusedAsync(string ics)
    {
        var parsing = Task.Run(() => HolidayCalendarFile.Parse(ics, Today), TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<FormatException>(() => parsing.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        return error.Message;
    }

    [Fact]
    public void Window_FromLastYearToThreeYearsOn() =>
        HolidayCalendarFile.Window(Today).ShouldBe((new DateOnly(2025, 1, 1), new DateOnly(2029, 12, 31)));

    [Fact]
    public void Parse_AllDayTimedFoldedAndMultiDayEvents_ReadsEachDate()
    {
        const string ics = Head
            + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\\, two days\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year\r\n  (folded)\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20261231T120000\r\nDTEND;TZID=Europe/Berlin:20261231T180000\r\nSUMMARY:Half day\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260601\r\nDURATION:P3D\r\nSUMMARY:Inventory\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;TZID=Mars/Olympus:20260720T100000\r\nSUMMARY:Landing day\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20310101\r\nSUMMARY:New Year 2031\r\nEND:VEVENT\r\n"
            + Tail;

        var holidays = HolidayCalendarFile.Parse(ics, Today);

        holidays.Select(h => h.Date).ShouldBe([new(2026, 6, 1), new(2026, 6, 2), new(2026, 6, 3), new(2026, 7, 20), new(2026, 12, 25), new(2026, 12, 26),
            new(2026, 12, 31), new(2027, 1, 1), new(2031, 1, 1)]);
        holidays[3].Name.ShouldBe("Landing day", "an unknown zone: the date as written");
        holidays[4].Name.ShouldBe("Christmas, two days");
        holidays[7].Name.ShouldBe("New Year (folded)");
        holidays[8].Name.ShouldBe("New Year 2031", "one-off events are taken whatever their date");
    }

    /// <summary>Shaped like the holiday calendars mail clients ship: LF line ends, a time zone block, fixed holidays as
    /// yearly rules since long ago (expanded from last year to three years on), moving feasts listed year by year, a
    /// rule that ended, one with an exception.</summary>
    [Fact]
    public void Parse_YearlyRulesWithExceptions_ExpandedOverTheWindow()
    {
        const string ics = """
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Harbour Heating//Holidays 1.0//EN
            CALSCALE:GREGORIAN
            X-WR-CALNAME:Shop holidays
            BEGIN:VTIMEZONE
            TZID:Europe/London
            BEGIN:STANDARD
            DTSTART:19701025T020000
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0000
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:19700329T010000
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
            TZOFFSETFROM:+0000
            TZOFFSETTO:+0100
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:christmas@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;VALUE=DATE:19951225
            DTEND;VALUE=DATE:19951226
            RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25
            SUMMARY:Christmas Day
            TRANSP:TRANSPARENT
            END:VEVENT
            BEGIN:VEVENT
            UID:christmas-eve@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;VALUE=DATE:20201224
            RRULE:FREQ=YEARLY
            EXDATE;VALUE=DATE:20271224
            SUMMARY:Christmas Eve (closed)
            END:VEVENT
            BEGIN:VEVENT
            UID:thanksgiving@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;VALUE=DATE:20101125
            RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH
            SUMMARY:Thanksgiving
            END:VEVENT
            BEGIN:VEVENT
            UID:old@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;VALUE=DATE:20180501
            RRULE:FREQ=YEARLY;UNTIL=20251231
            SUMMARY:Founders' Day (until 2025)
            END:VEVENT
            BEGIN:VEVENT
            UID:easter-2026@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;VALUE=DATE:20260406
            DTEND;VALUE=DATE:20260407
            SUMMARY:Easter Monday
            END:VEVENT
            BEGIN:VEVENT
            UID:easter-2010@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;VALUE=DATE:20100405
            SUMMARY:Easter Monday
            END:VEVENT
            BEGIN:VEVENT
            UID:closure@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;TZID=Europe/London:20260810T000000
            DTEND;TZID=Europe/London:20260813T000000
            SUMMARY:Summer closure
            END:VEVENT
            BEGIN:VEVENT
            UID:cancelled@holidays.example
            DTSTAMP:20240101T000000Z
            DTSTART;VALUE=DATE:20260704
            STATUS:CANCELLED
            SUMMARY:Staff party (cancelled)
            END:VEVENT
            END:VCALENDAR
            """;

        var holidays = HolidayCalendarFile.Parse(ics, Today);

        string Named(string name) => string.Join(" ", holidays.Where(h => h.Name == name).Select(h => h.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Named("Christmas Day").ShouldBe("2025-12-25 2026-12-25 2027-12-25 2028-12-25 2029-12-25");
        Named("Christmas Eve (closed)").ShouldBe("2025-12-24 2026-12-24 2028-12-24 2029-12-24");
        Named("Thanksgiving").ShouldBe("2025-11-27 2026-11-26 2027-11-25 2028-11-23 2029-11-22");
        Named("Founders' Day (until 2025)").ShouldBe("2025-05-01");
        Named("Easter Monday").ShouldBe("2010-04-05 2026-04-06", "one-off events are taken whatever their date");
        Named("Summer closure").ShouldBe("2026-08-10 2026-08-11 2026-08-12");
        holidays.ShouldNotContain(h => h.Name == "Staff party (cancelled)");
        holidays.Select(h => h.Date).ShouldBeInOrder();
        holidays.Count.ShouldBe(5 + 4 + 5 + 1 + 2 + 3);
    }

    [Fact]
    public void Parse_TwoEventsOnOneDay_OneHolidayWithTheFirstName()
    {
        var ics = Head + Event("DTSTART;VALUE=DATE:20261225\nSUMMARY:Christmas Day") + Event("DTSTART;VALUE=DATE:20261225\nSUMMARY:Shop closed") + Tail;

        HolidayCalendarFile.Parse(ics, Today).ShouldBe([new HolidayCalendarFile.Holiday(new(2026, 12, 25), "Christmas Day")]);
    }

    [Theory]
    [InlineData("hello", "not a readable iCalendar file")]
    [InlineData("", "not an iCalendar file")]
    [InlineData("<html><body>BEGIN:VCALENDAR</body></html>", "not a readable iCalendar file")]
    [InlineData(Head + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\n", "not a readable iCalendar file")]
    [InlineData(Head + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261345\r\nEND:VEVENT\r\n" + Tail, "not a readable iCalendar file")]
    [InlineData(Head + "BEGIN:VEVENT\r\nDTSTART:2026-12-25\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n" + Tail, "Event 1 (Christmas) has no start date that can be read")]
    public async Task Parse_NotACalendarOrUnreadable_RefusedWithTheReason(string ics, string reason) =>
        (await RefusedAsync(ics)).ShouldContain(reason);

    [Theory]
    [InlineData("DTSTART:19900101T000000Z\nRRULE:FREQ=SECONDLY", "repeats more often than daily (RRULE:FREQ=SECONDLY)")]
    [InlineData("DTSTART:19900101T000000Z\nRRULE:FREQ=MINUTELY;COUNT=1000000000", "repeats more often than daily (RRULE:FREQ=MINUTELY)")]
    [InlineData("DTSTART;VALUE=DATE:20000101\nRRULE:FREQ=YEARLY\nEXRULE:FREQ=SECONDLY", "repeats more often than daily (EXRULE:FREQ=SECONDLY)")]
    [InlineData("DTSTART:20250101T000000Z\nRRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23", "repeats more often than daily")]
    [InlineData("DTSTART;VALUE=DATE:20000101\nRRULE:FREQ=DAILY;COUNT=2000000000", "expands to more than 2000 occurrences and days (repeating events counted from 2025-01-01 to 2029-12-31)")]
    [InlineData("DTSTART;VALUE=DATE:00010101\nRRULE:FREQ=DAILY", "expands to more than 2000")]
    [InlineData("DTSTART;VALUE=DATE:19000101\nDTEND;VALUE=DATE:99990101", "lasts 2958099 days; a holiday or closure lasts at most 183")]
    [InlineData("DTSTART;VALUE=DATE:19000101\nDTEND;VALUE=DATE:19010101\nRRULE:FREQ=DAILY", "lasts 365 days")]
    [InlineData("DTSTART;VALUE=DATE:20000101\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "repeats by a rule that matches no day")]
    [InlineData("DTSTART;VALUE=DATE:20000101\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "repeats by a rule that matches no day")]
    public async Task Parse_RuleThatWouldRunAway_RefusedQuickly(string lines, string reason) =>
        (await RefusedAsync(Head + Event(lines + "\nSUMMARY:Hostile") + Tail)).ShouldContain(reason);

    [Fact]
    public async Task Parse_ThousandsOfEvents_RefusedBeforeParsing()
    {
        var ics = Head + string.Concat(Enumerable.Range(0, HolidayCalendarFile.MaxEvents + 1).Select(i => Event($"DTSTART;VALUE=DATE:20260101\nSUMMARY:Day {i}"))) + Tail;

        (await RefusedAsync(ics)).ShouldContain($"has {HolidayCalendarFile.MaxEvents + 1} events");
    }

    [Fact]
    public async Task Parse_DeeplyNestedOrFoldedComponents_RefusedBeforeParsing()
    {
        var nested = Head + string.Concat(Enumerable.Repeat("BEGIN:X-NEST\r\n", HolidayCalendarFile.MaxComponents)) + Tail;
        var folded = Head + string.Concat(Enumerable.Repeat("BEGIN:VEV\r\n ENT\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\n", HolidayCalendarFile.MaxEvents + 1)) + Tail;

        (await RefusedAsync(nested)).ShouldContain("components (BEGIN lines)");
        (await RefusedAsync(folded)).ShouldContain("events");
    }

    [Fact]
    public async Task Parse_LargerThanTheLimit_Refused()
    {
        var ics = new StringBuilder(Head);
        ics.Append("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:").Append('a', HolidayCalendarFile.MaxLength).Append("\r\nEND:VEVENT\r\n").Append(Tail);

        (await RefusedAsync(ics.ToString())).ShouldBe("The calendar is larger than 1 MB.");
    }
}
