using Rapport.Features.Search;
using Rapport.Features.Tickets;

namespace Rapport.Tests.Features.Search;

public sealed class SearchQueryTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    // 2026-03-29 00:30 UTC is 01:30 in Berlin, the night the clocks go forward (02:00 → 03:00).
    private static readonly DateTime Now = new(2026, 3, 29, 0, 30, 0, DateTimeKind.Utc);

    private static SearchQuery Parse(string text)
    {
        var parse = SearchQuery.Parse(text, Berlin, Now);
        parse.Error.ShouldBeNull();
        return parse.Query!;
    }

    private static string Error(string text)
    {
        var parse = SearchQuery.Parse(text, Berlin, Now);
        parse.Query.ShouldBeNull();
        return parse.Error!;
    }

    [Fact]
    public void Words_PhrasesPrefixesAndExclusions_AreTold()
    {
        var query = Parse("  refund \"broken  screen\" invoi* -spam -\"out of office\"  ");

        query.Words.ShouldBe([new SearchText("refund", false, false), new SearchText("broken screen", true, false), new SearchText("invoi", false, true)]);
        query.ExcludedWords.ShouldBe([new SearchText("spam", false, false), new SearchText("out of office", true, false)]);
        query.IsEmpty.ShouldBeFalse();
    }

    [Fact]
    public void ColonsThatAreNotFilters_StayWords()
    {
        var query = Parse("10:30 https://shop.example/orders a1:b re: RE:");

        query.Words.Select(w => w.Text).ShouldBe(["10:30", "https://shop.example/orders", "a1:b", "re:", "RE:"]);
    }

    [Fact]
    public void UnknownFilter_IsAnErrorNamingTheFiltersAndHowToSearchTheText()
    {
        var error = Error("invoice color:red");

        error.ShouldContain("Unknown filter \"color:\"");
        error.ShouldContain("status:");
        error.ShouldContain("\"color:red\"");
        Parse("invoice \"color:red\"").Words.Last().Text.ShouldBe("color:red");
    }

    [Fact]
    public void TicketNumber_IsTheHashAndDigits()
    {
        Parse("#1234").TicketNumber.ShouldBe(1234);
        Parse("#12a").Words.Single().Text.ShouldBe("#12a");
        Error("#1 #2").ShouldContain("one ticket number");
    }

    [Fact]
    public void Filters_TakeTheirValues_QuotedOrCommaSeparated()
    {
        var query = Parse("from:ann@example.com customer:\"Acme Ltd\" tag:billing tag:vip,urgent -tag:spam status:open,waiting -status:closed "
            + "priority:HIGH channel:mail -channel:api owner:me has:attachment is:complaint -is:late");

        query.From.ShouldBe(["ann@example.com"]);
        query.Customers.ShouldBe(["Acme Ltd"]);
        query.Tags.Count.ShouldBe(2);
        query.Tags[0].ShouldBe(["billing"]);
        query.Tags[1].ShouldBe(["vip", "urgent"]);
        query.ExcludedTags.ShouldBe(["spam"]);
        query.Statuses.ShouldBe([TicketStatus.Open, TicketStatus.WaitingOnCustomer]);
        query.ExcludedStatuses.ShouldBe([TicketStatus.Closed]);
        query.Priorities.ShouldBe([TicketPriority.High]);
        query.Channels.ShouldBe([TicketChannel.Email]);
        query.ExcludedChannels.ShouldBe([TicketChannel.Api]);
        query.Owner.ShouldBe(new OwnerFilter(true, false, null, false));
        query.HasAttachment.ShouldBe(true);
        query.IsComplaint.ShouldBe(true);
        query.IsLate.ShouldBe(false);
        query.Words.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("status:opened", "status: takes new, open, waiting, resolved or closed, not \"opened\"")]
    [InlineData("priority:p1", "priority: takes low, normal, high or urgent")]
    [InlineData("channel:fax", "channel: takes email, form, portal, api, phone or agent")]
    [InlineData("has:pictures", "has: takes attachment")]
    [InlineData("is:open", "is: takes complaint or late")]
    [InlineData("is:late -is:late", "cannot both hold")]
    [InlineData("owner:me owner:none", "one owner")]
    [InlineData("\"unclosed phrase", "no closing one")]
    [InlineData("from:\"Ann", "no closing one")]
    [InlineData("tag:,", "tag: needs a value")]
    [InlineData("x*", "at least two letters")]
    [InlineData("after:31.12.2026", "after: takes a day such as 2026-03-29")]
    [InlineData("after:2026-03-10 before:2026-03-11", "No day is both after and before")]
    [InlineData("-after:2026-03-10", "use before: instead")]
    public void BadValues_AreErrorsThatSayWhatWouldHaveWorked(string text, string expected)
    {
        Error(text).ShouldContain(expected);
    }

    [Fact]
    public void Dates_AreDaysInTheBusinessZone()
    {
        // Berlin is UTC+1 in March until the 29th at 02:00, then UTC+2.
        var on = Parse("on:2026-03-10");
        on.OpenedFrom.ShouldBe(new DateTime(2026, 3, 9, 23, 0, 0, DateTimeKind.Utc));
        on.OpenedBefore.ShouldBe(new DateTime(2026, 3, 10, 23, 0, 0, DateTimeKind.Utc));

        // after: is from the next day on; before: up to the day's start.
        var range = Parse("after:2026-03-01 before:2026-03-31");
        range.OpenedFrom.ShouldBe(new DateTime(2026, 3, 1, 23, 0, 0, DateTimeKind.Utc));
        range.OpenedBefore.ShouldBe(new DateTime(2026, 3, 30, 22, 0, 0, DateTimeKind.Utc));

        // "today" is the business's day (the 29th in Berlin at 01:30 local), which is 23 hours long.
        var today = Parse("on:today");
        today.OpenedFrom.ShouldBe(new DateTime(2026, 3, 28, 23, 0, 0, DateTimeKind.Utc));
        today.OpenedBefore.ShouldBe(new DateTime(2026, 3, 29, 22, 0, 0, DateTimeKind.Utc));
        Parse("on:yesterday").OpenedFrom.ShouldBe(new DateTime(2026, 3, 27, 23, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void TheNarrowestDatesWin()
    {
        var query = Parse("after:2026-03-01 after:2026-03-05 before:2026-03-20 before:2026-03-10");

        query.OpenedFrom.ShouldBe(new DateTime(2026, 3, 5, 23, 0, 0, DateTimeKind.Utc));
        query.OpenedBefore.ShouldBe(new DateTime(2026, 3, 9, 23, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void OwnerByName_AndNobody()
    {
        Parse("owner:\"Sam Agent\"").Owner.ShouldBe(new OwnerFilter(false, false, "Sam Agent", false));
        Parse("-owner:none").Owner.ShouldBe(new OwnerFilter(false, true, null, true));
    }

    [Fact]
    public void EmptyAndPunctuation_AreEmptyQueries()
    {
        Parse("").IsEmpty.ShouldBeTrue();
        Parse("   - * \"\" ").IsEmpty.ShouldBeTrue();
        SearchQuery.Parse(null, Berlin, Now).Query!.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void HostileInput_IsBounded()
    {
        Error(new string('a', SearchQuery.MaxLength + 1)).ShouldContain("at most 500 characters");
        Error(string.Join(' ', Enumerable.Repeat("w", SearchQuery.MaxParts + 1))).ShouldContain("at most 32");
        // Unicode words (no spaces in Chinese) are kept whole; the index decides how to match them.
        Parse("发票 退款").Words.Select(w => w.Text).ShouldBe(["发票", "退款"]);
    }
}
