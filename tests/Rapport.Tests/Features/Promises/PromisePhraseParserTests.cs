using Rapport.Features.Promises;

namespace Rapport.Tests.Features.Promises;

public sealed class PromisePhraseParserTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    // Wednesday 18 November 2026, 10:30 in Berlin (09:30 UTC).
    private static readonly DateTime Now = new(2026, 11, 18, 9, 30, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("I'll call you tomorrow.", "Call", "2026-11-19T16:00:00Z")]
    [InlineData("I will ring you tomorrow morning to check.", "Call", "2026-11-19T08:00:00Z")]
    [InlineData("We'll get back to you by Friday.", "Reply", "2026-11-20T16:00:00Z")]
    [InlineData("I'll send the refund details within 2 hours.", "Reply", "2026-11-18T11:30:00Z")]
    [InlineData("You'll hear from me within an hour.", "Reply", "2026-11-18T10:30:00Z")]
    [InlineData("I'll look into it first thing Monday.", "Reply", "2026-11-23T08:00:00Z")]
    [InlineData("I'll have an answer for you by end of day.", "Reply", "2026-11-18T16:00:00Z")]
    [InlineData("We will follow up next week.", "Reply", "2026-11-27T16:00:00Z")]
    [InlineData("I'm going to phone the courier and call you back in 30 minutes.", "Call", "2026-11-18T10:00:00Z")]
    [InlineData("Thanks! I'll update you on Wednesday.", "Reply", "2026-11-18T16:00:00Z")]
    [InlineData("I'll be back to you next Wednesday.", "Reply", "2026-11-25T16:00:00Z")]
    [InlineData("Expect a reply from our warehouse team today.", "Reply", "2026-11-18T16:00:00Z")]
    public void Propose_Commitment_ReadsKindAndDue(string draft, string kind, string dueAt)
    {
        var proposal = PromisePhraseParser.Propose(draft, Now, Berlin).ShouldHaveSingleItem();
        proposal.Kind.ShouldBe(kind);
        proposal.DueAt.ShouldBe(DateTime.Parse(dueAt, null, System.Globalization.DateTimeStyles.AdjustToUniversal));
    }

    [Theory]
    [InlineData("I called you yesterday but nobody answered.")]
    [InlineData("We shipped it on Monday.")]
    [InlineData("Our office is closed on Friday.")]
    [InlineData("I'll attach the invoice.")]
    [InlineData("The courier said it takes 2 days.")]
    public void Propose_NoPromise_ProposesNothing(string draft) =>
        PromisePhraseParser.Propose(draft, Now, Berlin).ShouldBeEmpty();

    [Fact]
    public void Propose_CustomerInTokyo_ReadsTheirWallClock()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        PromisePhraseParser.Propose("I'll call you tomorrow morning.", Now, tokyo).ShouldHaveSingleItem()
            .DueAt.ShouldBe(new DateTime(2026, 11, 19, 0, 0, 0, DateTimeKind.Utc)); // 09:00 JST Thursday
    }
}
