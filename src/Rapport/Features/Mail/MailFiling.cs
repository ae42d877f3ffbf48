using Rapport.Features.Customers;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>Where an inbound message goes, decided from the prepared message and what the intake looked up, without
/// reading anything itself. The intake asks in this order and stops at the first answer: a duplicate, machine mail
/// (ignored), mail no one can be answered at (quarantined); else the message joins the ticket it answers or opens a
/// new one.</summary>
internal static class MailFiling
{
    /// <summary>What became of a message that is not filed onto a ticket: its outcome, the ticket it concerns (if any) and why.</summary>
    public sealed record Decision(InboundOutcome Outcome, long? TicketId, string Reason);

    /// <summary>One of our replies that the message reports as not delivered.</summary>
    public sealed record BouncedReply(long OutboxId, long? TicketId, string? Diagnostic);

    /// <summary>The stored ticket a customer's message answers, as the intake read it.</summary>
    public sealed record ReferencedTicket(long Number, TicketStatus Status, bool SenderOnConversation);

    /// <summary>A duplicate of a message taken in before (<paramref name="earlier"/>, the first ledger line with its dedup
    /// key) or of one already on a ticket (<paramref name="storedTicket"/>, the ticket holding its Message-ID); null when neither.</summary>
    public static Decision? Duplicate((long Id, long? TicketId)? earlier, long? storedTicket)
    {
        if (earlier is null && storedTicket is null)
        {
            return null;
        }
        var duplicateOf = earlier?.TicketId ?? storedTicket;
        var reason = earlier is null ? "This Message-ID is already on a ticket." : $"Already taken in (ledger {earlier.Value.Id}).";
        return new Decision(InboundOutcome.Duplicate, duplicateOf, reason);
    }

    /// <summary>Machine mail (<see cref="PreparedMail.Machine"/> says why) is ignored; a bounce of one of our replies says
    /// so, and concerns that reply's ticket when the message references none.</summary>
    public static Decision Ignore(string machine, long? referenced, BouncedReply? bounce) => bounce is null
        ? new Decision(InboundOutcome.Ignored, referenced, machine)
        : new Decision(InboundOutcome.Ignored, referenced ?? bounce.TicketId,
            $"bounce of our reply (outbox {bounce.OutboxId}): {bounce.Diagnostic ?? "not delivered"}");

    /// <summary>Why mail a person wrote cannot become a ticket (no sender address, or not a valid one), or null when it can.</summary>
    public static string? QuarantineReason(PreparedMail prepared)
    {
        var senderAddress = prepared.SenderAddress;
        if (senderAddress is not null && CustomerEmail.IsValid(senderAddress) && prepared.Body is not null)
        {
            return null;
        }
        var textHint = prepared.Mail?.TextBody is { Length: > 0 } ? " Its text is kept in the raw message." : "";
        return (senderAddress is null ? "The message has no sender address." : $"The sender address '{senderAddress}' is not valid.") + textHint;
    }

    /// <summary>Whether the message joins the ticket it answers (null) or opens a new ticket linked to it, with the note
    /// saying why: the ticket is closed, or the sender is not on its conversation.</summary>
    public static string? NewTicketNote(ReferencedTicket ticket, string senderAddress) =>
        ticket.Status == TicketStatus.Closed ? $"Reply to closed ticket #{ticket.Number}; opened a new ticket linked to it."
        : !ticket.SenderOnConversation ? $"Sender {senderAddress} is not on ticket #{ticket.Number}; opened a new ticket linked to it."
        : null;

    /// <summary>The ledger line's reason for a filed message: the note on a new linked ticket, then the notes from
    /// preparing it (attachments not kept); null when there are none.</summary>
    public static string? FiledReason(string? linkNote, IEnumerable<string> notes)
    {
        var reasonText = string.Join(" ", new[] { linkNote }.Concat(notes).Where(n => n is not null));
        return reasonText.Length == 0 ? null : reasonText;
    }
}
