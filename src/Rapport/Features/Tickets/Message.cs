using Rapport.Features.Agents;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.ReplyCheck;

namespace Rapport.Features.Tickets;

public enum MessageKind { Customer, Reply, Note }

/// <summary>One entry in a ticket's thread: what the customer wrote, an agent's reply, or an internal note.</summary>
public sealed class Message
{
    public const int TextMaxLength = 1_000_000;
    public const int InternetMessageIdMaxLength = 250;

    private readonly List<Attachment> _attachments = [];

    private Message() { }

    public long Id { get; private set; }
    public long TicketId { get; private set; }
    public MessageKind Kind { get; private set; }
    public int? AuthorAgentId { get; private set; }
    public long? AuthorCustomerId { get; private set; }
    public Agent? AuthorAgent { get; private set; }
    public Customer? AuthorCustomer { get; private set; }
    /// <summary>Plain text, for display, search and quoting.</summary>
    public string Text { get; private set; } = "";
    /// <summary>HTML as received, already sanitized; null when the message was plain text, or when it arrived by mail
    /// and its HTML is shown from the raw message (<see cref="MailHtmlSha256"/>).</summary>
    public string? Html { get; private set; }
    /// <summary>A message that arrived by mail with an HTML part: the raw message (<c>RawMail.Sha256</c>) that HTML is
    /// read and sanitized from when the message is shown, so it is not stored twice and is always sanitized by the
    /// sanitizer of the day (docs/decisions/0044-mail-html-shown-from-the-raw-message.md). Null otherwise.</summary>
    public string? MailHtmlSha256 { get; private set; }
    public const int MailHtmlSha256Length = 64;
    public DateTime CreatedAt { get; private set; }
    /// <summary>The mail Message-ID (without angle brackets) this message arrived or left with; unique, so the
    /// same mail is stored once and replies to it thread here.</summary>
    public string? InternetMessageId { get; private set; }
    /// <summary>A customer's message: its sentiment, from -1 (angry) to +1 (happy), scored when it arrived.</summary>
    public double? Sentiment { get; private set; }
    /// <summary>A reply: the customer's questions the reply check found unanswered when the agent sent it anyway.</summary>
    public string? UnansweredAtSend { get; private set; }

    public const int UnansweredMaxLength = 4000;

    public IReadOnlyCollection<Attachment> Attachments => _attachments;

    /// <summary>A customer's message that reads as a complaint (see <see cref="ReplyCheck.ReplyChecker.IsComplaint"/>), decided on arrival.</summary>
    public bool IsComplaint { get; private set; }

    public static Message FromCustomer(Customer customer, MessageBody body, DateTime now) =>
        FromCustomer(customer, body, CustomerTone.Of(body.Text), null, now);

    /// <summary>Records that this reply went out although the reply check listed these questions as unanswered.</summary>
    public void RecordUnansweredAtSend(IEnumerable<string> questions)
    {
        var text = string.Join('\n', questions);
        UnansweredAtSend = text.Length == 0 ? null : text.Length > UnansweredMaxLength ? text[..UnansweredMaxLength] : text;
    }

    /// <summary>A customer's message that arrived by mail; <paramref name="tone"/> was read from <paramref name="body"/>
    /// before filing (<see cref="CustomerTone.Of"/>), so the writer does not score it;
    /// <paramref name="mailHtmlSha256"/> names the raw message when the mail has an HTML part to show from it.</summary>
    public static Message FromEmail(Customer customer, MessageBody body, CustomerTone tone, string? internetMessageId, string? mailHtmlSha256,
        DateTime now)
    {
        var message = FromCustomer(customer, body, tone, internetMessageId, now);
        message.MailHtmlSha256 = mailHtmlSha256;
        return message;
    }

    private static Message FromCustomer(Customer customer, MessageBody body, CustomerTone tone, string? internetMessageId, DateTime now) =>
        new()
        {
            Kind = MessageKind.Customer, AuthorCustomer = customer, AuthorCustomerId = customer.Id == 0 ? null : customer.Id,
            Text = body.Text, Html = body.Html, InternetMessageId = internetMessageId, CreatedAt = now,
            Sentiment = tone.Sentiment, IsComplaint = tone.IsComplaint,
        };

    public static Message Reply(int? agentId, MessageBody body, DateTime now) =>
        new() { Kind = MessageKind.Reply, AuthorAgentId = agentId, Text = body.Text, Html = body.Html, CreatedAt = now };

    public static Message Note(int? agentId, MessageBody body, DateTime now) =>
        new() { Kind = MessageKind.Note, AuthorAgentId = agentId, Text = body.Text, Html = body.Html, CreatedAt = now };

    /// <summary>Gives an outgoing reply the Message-ID it is mailed with, so the customer's answer threads here.</summary>
    public void AssignInternetMessageId(string internetMessageId)
    {
        if (InternetMessageId is not null && InternetMessageId != internetMessageId)
        {
            throw new InvalidOperationException($"Message {Id} already has the Message-ID {InternetMessageId}.");
        }
        InternetMessageId = internetMessageId;
    }

    public void Attach(Attachment attachment)
    {
        if (attachment.MessageId is not null && attachment.MessageId != Id)
        {
            throw new TicketRuleException("attachment-in-use", $"Attachment {attachment.Id} already belongs to another message.");
        }
        _attachments.Add(attachment);
    }
}

/// <summary>A message's content after sanitizing: text always, HTML when there was some.</summary>
public sealed record MessageBody(string Text, string? Html);
