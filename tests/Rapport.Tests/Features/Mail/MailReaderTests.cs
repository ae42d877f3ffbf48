using System.Text;
using MimeKit;
using Rapport.Features.Mail;

namespace Rapport.Tests.Features.Mail;

public sealed class MailReaderTests
{
    [Fact]
    public void FoldQuotedText_AttributionAndQuote_KeepsOnlyTheNewText()
    {
        var text = "Thanks, that fixed it.\n\nOn Mon, 2 Mar 2026 at 09:00, Shop Support <support@shop.example> wrote:\n> Try restarting.\n> Regards";

        MailReader.FoldQuotedText(text).ShouldBe("Thanks, that fixed it.");
    }

    [Fact]
    public void FoldQuotedText_Signature_IsFoldedAway()
    {
        MailReader.FoldQuotedText("Where is my parcel?\n-- \nAnn Example\nPhone 123").ShouldBe("Where is my parcel?");
    }

    [Fact]
    public void FoldQuotedText_OutlookOriginalMessage_IsFoldedAway()
    {
        var text = "Still broken.\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nSent: Monday\r\nOld text";

        MailReader.FoldQuotedText(text).ShouldBe("Still broken.");
    }

    [Fact]
    public void FoldQuotedText_InlineAnswersBetweenQuotes_AreKeptUnderTheirQuestions()
    {
        var text = "> What is your order number?\n4711\n> And your address?\nMain Street 1";

        MailReader.FoldQuotedText(text).ShouldBe("> What is your order number?\n4711\n\n> And your address?\nMain Street 1");
    }

    [Fact]
    public void FoldQuotedText_OnlyQuotes_KeepsEverythingRatherThanNothing()
    {
        MailReader.FoldQuotedText("> forwarded\n> text").ShouldBe("> forwarded\n> text");
    }

    [Theory]
    [InlineData("Auto-Submitted", "auto-replied")]
    [InlineData("Precedence", "bulk")]
    [InlineData("X-Autoreply", "yes")]
    [InlineData("List-Id", "<news.shop.example>")]
    [InlineData("Return-Path", "<>")]
    public void MachineReason_MachineHeader_IsRecognised(string header, string value)
    {
        var message = MailTestKit.Mail("ann@example.com", "Hello", "text");
        message.Headers.Add(header, value);

        MailReader.MachineReason(message).ShouldNotBeNull();
    }

    [Fact]
    public void MachineReason_PersonsMailWithAutoSubmittedNo_IsNotMachineMail()
    {
        var message = MailTestKit.Mail("ann@example.com", "Where is my order?", "text");
        message.Headers.Add("Auto-Submitted", "no");

        MailReader.MachineReason(message).ShouldBeNull();
    }

    [Theory]
    [InlineData("Out of Office: Where is my order?")]
    [InlineData("Automatic reply: Order 4711")]
    [InlineData("Undeliverable: Re: [#12] Order")]
    public void MachineReason_AutoReplySubject_IsRecognised(string subject)
    {
        MailReader.MachineReason(MailTestKit.Mail("ann@example.com", subject, "text")).ShouldNotBeNull();
    }

    [Fact]
    public void TicketToken_SubjectOrPlusAddress_GivesTheNumber()
    {
        MailReader.TicketToken(MailTestKit.Mail("a@example.com", "Re: [#1042] Broken lamp", "x")).ShouldBe(1042);
        MailReader.TicketToken(MailTestKit.Mail("a@example.com", "Broken lamp", "x", to: "support+t77@shop.example")).ShouldBe(77);
        MailReader.TicketToken(MailTestKit.Mail("a@example.com", "Order #1042", "x")).ShouldBeNull();
    }

    [Fact]
    public void ReplySubject_ReplyOfReply_KeepsOneTokenAndOnePrefix()
    {
        MailReader.ReplySubject(12, "Re: AW: [#12] Broken lamp").ShouldBe("Re: [#12] Broken lamp");
        MailReader.CleanSubject("Fwd: Re: [#12] Broken lamp").ShouldBe("Broken lamp");
        MailReader.CleanSubject("  ").ShouldBe("(no subject)");
    }

    [Fact]
    public void Parse_WhiteSpaceBeforeFirstHeader_IsReadAfterSkippingIt()
    {
        var raw = Encoding.ASCII.GetBytes("\r\n  \r\nFrom: Ann <ann@example.com>\r\nSubject: Hi\r\n\r\nHello there\r\n");

        var (message, problem) = MailReader.Parse(raw);

        problem.ShouldBeNull();
        message.ShouldNotBeNull();
        message.From.Mailboxes.Single().Address.ShouldBe("ann@example.com");
        message.TextBody!.Trim().ShouldBe("Hello there");
    }

    [Fact]
    public void Parse_NoHeaderBlock_ReportsAProblem()
    {
        var (_, problem) = MailReader.Parse(Encoding.ASCII.GetBytes("just some text\nwithout any headers\n"));

        problem.ShouldNotBeNull();
    }

    [Fact]
    public void ReferencedIds_InReplyToFirstThenReferencesNewestFirst()
    {
        var message = new MimeMessage { InReplyTo = "c@x" };
        message.References.Add("a@x");
        message.References.Add("b@x");
        message.References.Add("c@x");

        MailReader.ReferencedIds(message).ShouldBe(["c@x", "b@x", "a@x"]);
    }
}
