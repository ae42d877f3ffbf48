using Rapport.Features.ReplyCheck;

namespace Rapport.Tests.Features.ReplyCheck;

public sealed class ReplyCheckerTests
{
    private const string ThreeAsks = """
        Hi,

        I ordered a blue kettle last Monday. When will my order arrive?
        Also I was charged twice for it, please refund the second payment.
        And can you send me the invoice as a PDF?

        Thanks,
        Maya

        On Tue, 3 Mar 2026 at 10:00, Harbour Shop <help@harbour.example> wrote:
        > Can we help with anything else? Do you want a catalogue?
        """;

    [Fact]
    public void FindAsks_ExplicitAndImplicit_LeavesQuotedHistoryOut()
    {
        var asks = ReplyChecker.FindAsks(Words.OwnText(ThreeAsks));

        asks.Select(a => a.Text).ShouldBe([
            "When will my order arrive?",
            "Also I was charged twice for it, please refund the second payment.",
            "And can you send me the invoice as a PDF?",
        ]);
        asks[0].Wants.ShouldBe("date");
    }

    [Fact]
    public void Check_DraftAnsweringOneOfThree_ListsTheOtherTwo()
    {
        var result = ReplyChecker.Check([ThreeAsks], """
            Hi Maya,

            Your parcel left our warehouse today and will be delivered on Thursday.

            Best regards,
            Dana
            """);

        result.Questions.Count.ShouldBe(3);
        result.Questions[0].Covered.ShouldBeTrue(result.Questions[0].Why);
        result.Questions.Where(q => !q.Covered).Select(q => q.Text).ShouldBe([
            "Also I was charged twice for it, please refund the second payment.",
            "And can you send me the invoice as a PDF?",
        ]);
    }

    [Fact]
    public void Check_WhenAskedButNoDateGiven_IsNotCovered()
    {
        var result = ReplyChecker.Check(["When will my order arrive?"], "Hi,\nYour order is on its way to you.\nThanks,\nDana");

        result.Questions.Single().Covered.ShouldBeFalse();
        result.Questions.Single().Why.ShouldContain("no date");
    }

    [Fact]
    public void Check_AnswerWrittenUnderTheQuotedQuestion_Covers()
    {
        var result = ReplyChecker.Check(["Can you send me the invoice as a PDF?"], """
            Hi Maya,
            > Can you send me the invoice as a PDF?
            Attached.
            Best,
            Dana
            """);

        result.Questions.Single().Covered.ShouldBeTrue();
    }

    [Fact]
    public void Check_SavedReplySentUnedited_PastSpecificQuestions_IsAFormLetter()
    {
        const string saved = "Hi there,\n\nThank you for contacting us. We have received your message and will look into it as soon as possible.\n\nKind regards,\nThe team";

        var result = ReplyChecker.Check([ThreeAsks], saved, [saved]);

        var flag = result.Flags.Single(f => f.Kind == "form-letter");
        flag.Message.ShouldContain("When will my order arrive?");
    }

    [Fact]
    public void Check_BlameShoutingAndNoClosing_AreFlaggedWithThePhrase()
    {
        var result = ReplyChecker.Check(["Where is my refund?"], "Hi,\nAs I already said, you should have read the terms. The refund is NOT AUTOMATIC!!!");

        result.Flags.Select(f => f.Kind).ShouldBe(["blame", "blame", "shouting", "shouting", "no-closing"], ignoreOrder: true);
        result.Flags.First(f => f.Kind == "blame").Phrase.ShouldBe("As I already said");
    }

    [Fact]
    public void Check_OnAComplaint_AsksForEmpathy_AndAcceptsAnEmpatheticReply()
    {
        const string angry = "This is unacceptable. I have been waiting three weeks and nobody answers. Where is my money?";
        var cold = ReplyChecker.Check([angry], "Hello,\nRefunds take 10 days.\nRegards");
        var warm = ReplyChecker.Check([angry], "Hi Sam,\nI'm so sorry, I understand how frustrating three weeks of waiting is. I have refunded the money today; you'll see it by Friday.\nBest regards,\nDana");

        cold.Complaint.ShouldBeTrue();
        cold.Flags.Select(f => f.Kind).ShouldContain("no-apology");
        cold.Flags.Select(f => f.Kind).ShouldContain("no-acknowledgement");
        warm.Flags.Where(f => f.Kind.StartsWith("no-", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Thank you so much, the new kettle works perfectly!", false)]
    [InlineData("Can you tell me your opening hours on Saturday?", false)]
    [InlineData("This is the worst service ever. I am furious and I want my money back NOW.", true)]
    [InlineData("I'm really disappointed, the parcel arrived damaged and nobody replies.", true)]
    public void Sentiment_TellsComplaintsFromCalmMessages(string text, bool complaint)
    {
        var result = ReplyChecker.Check([text], "Hi,\nThanks!\nDana");

        result.Complaint.ShouldBe(complaint, $"score {Sentiment.Shared.Score(text)}");
    }
}
