using Rapport.Features.Sla;

namespace Rapport.Tests.Features.Sla;

public sealed class HolidayCalendarFileTests
{
    [Fact]
    public void Parse_AllDayTimedFoldedAndMultiDayEvents_ReadsEachDate()
    {
        const string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\\, two days\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year\r\n  (folded)\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20261231T120000\r\nDTEND;TZID=Europe/Berlin:20261231T180000\r\nSUMMARY:Half day\r\nEND:VEVENT\r\n"
            + "END:VCALENDAR\r\n";

        var holidays = HolidayCalendarFile.Parse(ics);

        holidays.Select(h => h.Date).ShouldBe([new(2026, 12, 25), new(2026, 12, 26), new(2026, 12, 31), new(2027, 1, 1)]);
        holidays[0].Name.ShouldBe("Christmas, two days");
        holidays[3].Name.ShouldBe("New Year (folded)");
    }

    [Fact]
    public void Parse_BadDate_ThrowsWithLineNumber()
    {
        var error = Should.Throw<FormatException>(() => HolidayCalendarFile.Parse("BEGIN:VEVENT\nDTSTART:2026-12-25\nEND:VEVENT\n"));
        error.Message.ShouldStartWith("Line 2:");
    }
}
