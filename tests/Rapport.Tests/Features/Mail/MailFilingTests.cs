using MimeKit;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;

namespace Rapport.Tests.Features.Mail;

public sealed class MailFilingTests
{
    [Fact]
    public void Duplicate_NothingKnown_IsNotADuplicate()
    {
        MailFiling.Duplicate(null, null).ShouldBeNull();
    }

    [Fact]
    public void Duplicate_EarlierLedgerLine_NamesTheLineAndItsTicket()
    {
        var decision = MailFiling.Duplicate((41, 7), storedTicket: 9).ShouldNotBeNull();

        decision.Outcome.ShouldBe(InboundOutcome.Duplicate);
        decision.TicketId.ShouldBe(7);
        decision.Reason.ShouldBe("Already taken in (ledger 41).");
    }

    [Fact]
    public void Duplicate_MessageIdOnATicketOnly_NamesThatTicket()
    {
        var decision = MailFiling.Duplicate(null, storedTicket: 9).ShouldNotBeNull();

        decision.TicketId.ShouldBe(9);
        decision.Reason.ShouldBe("This Message-ID is already on a ticket.");
    }

    [Fact]
    public void Ignore_BounceOfOurReply_ConcernsTheReplysTicketAndSaysWhy()
    {
        var decision = MailFiling.Ignore("delivery status notification", referenced: null, new MailFiling.BouncedReply(12, 5, "550 no such user"));

        decision.Outcome.ShouldBe(InboundOutcome.Ignored);
        decision.TicketId.ShouldBe(5);
        decision.Reason.ShouldBe("bounce of our reply (outbox 12): 550 no such user");
    }

    [Fact]
    public void Ignore_MachineMailReferencingATicket_KeepsTheMachineReason()
    {
        var decision = MailFiling.Ignore("auto-reply", referenced: 3, bounce: null);

        decision.TicketId.ShouldBe(3);
        decision.Reason.ShouldBe("auto-reply");
    }

    [Fact]
    public void QuarantineReason_NoSender_SaysSoAndKeepsTheTextHint()
    {
        var prepared = new PreparedMail { RawSha256 = "abc", Mail = new MimeMessage { Body = new TextPart("plain") { Text = "Hello" } } };

        MailFiling.QuarantineReason(prepared).ShouldBe("The message has no sender address. Its text is kept in the raw message.");
    }

    [Fact]
    public void QuarantineReason_InvalidSender_NamesTheAddress()
    {
        var prepared = new PreparedMail { RawSha256 = "abc", Mail = new MimeMessage(), SenderAddress = "not-an-address" };

        MailFiling.QuarantineReason(prepared).ShouldBe("The sender address 'not-an-address' is not valid.");
    }

    [Fact]
    public void QuarantineReason_PersonWithBody_IsNotQuarantined()
    {
        var prepared = new PreparedMail { RawSha256 = "abc", Mail = new MimeMessage(), SenderAddress = "ann@example.org", Body = new MessageBody("Hi", null) };

        MailFiling.QuarantineReason(prepared).ShouldBeNull();
    }

    [Fact]
    public void NewTicketNote_OpenTicketSenderOnConversation_JoinsTheTicket()
    {
        MailFiling.NewTicketNote(new MailFiling.ReferencedTicket(8, TicketStatus.Open, SenderOnConversation: true), "ann@example.org").ShouldBeNull();
    }

    [Fact]
    public void NewTicketNote_ClosedTicket_OpensALinkedTicket()
    {
        MailFiling.NewTicketNote(new MailFiling.ReferencedTicket(8, TicketStatus.Closed, SenderOnConversation: true), "ann@example.org")
            .ShouldBe("Reply to closed ticket #8; opened a new ticket linked to it.");
    }

    [Fact]
    public void NewTicketNote_SenderNotOnConversation_OpensALinkedTicket()
    {
        MailFiling.NewTicketNote(new MailFiling.ReferencedTicket(8, TicketStatus.Open, SenderOnConversation: false), "eve@example.org")
            .ShouldBe("Sender eve@example.org is not on ticket #8; opened a new ticket linked to it.");
    }

    [Fact]
    public void FiledReason_LinkNoteAndPreparationNotes_JoinedInOrder_NullWhenNone()
    {
        MailFiling.FiledReason("Linked.", ["Attachment 'a' was not kept."]).ShouldBe("Linked. Attachment 'a' was not kept.");
        MailFiling.FiledReason(null, []).ShouldBeNull();
    }
}
