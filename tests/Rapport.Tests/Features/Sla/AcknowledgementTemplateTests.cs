using Rapport.Features.Sla;

namespace Rapport.Tests.Features.Sla;

public sealed class AcknowledgementTemplateTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private static readonly DateTime Thursday = new(2026, 11, 19, 15, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Render_DueNextTuesday_NamesAgentDayAndTime()
    {
        var text = AcknowledgementTemplate.Render("You'll hear from {agent} by {due}.",
            new("Kim", "Dana", "#1042", new DateTime(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc), Berlin, Thursday));
        text.ShouldBe("You'll hear from Dana by Tuesday 10:00.");
    }

    [Fact]
    public void Render_CustomerInTokyo_ShowsTheirWallClock()
    {
        var text = AcknowledgementTemplate.Render("{customer}: {due_date} at {due_time} ({ticket})",
            new("Kim", "Dana", "#1042", new DateTime(2026, 11, 19, 16, 0, 0, DateTimeKind.Utc), Tokyo, Thursday.AddHours(-1)));
        var inBerlin = AcknowledgementTemplate.Render("{due}",
            new("Kim", "Dana", "#1042", new DateTime(2026, 11, 19, 16, 0, 0, DateTimeKind.Utc), Berlin, Thursday.AddHours(-1)));
        text.ShouldBe("Kim: tomorrow at 01:00 (#1042)"); // 23:00 Thursday in Tokyo now, due 01:00 Friday
        inBerlin.ShouldBe("today 17:00");
    }

    [Fact]
    public void Render_UnknownPlaceholder_IsRejected()
    {
        AcknowledgementTemplate.UnknownPlaceholders("Hi {custmer}, by {due}").ShouldBe(["custmer"]);
        Should.Throw<ArgumentException>(() => AcknowledgementTemplate.Render("{agnt}",
            new("Kim", "Dana", "#1", Thursday, Berlin, Thursday))).Message.ShouldContain("{agnt}");
    }
}
