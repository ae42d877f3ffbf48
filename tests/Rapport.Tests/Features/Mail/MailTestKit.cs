using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using MimeKit;
using Rapport.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>Building messages as mail clients send them, and handing them to the intake API.</summary>
public static class MailTestKit
{
    public static string Unique(string prefix) => $"{prefix}+{Guid.NewGuid():N}@example.com";

    public static MimeMessage Mail(string from, string subject, string text, string? to = null, string? inReplyTo = null,
        string? messageId = null, Action<MimeMessage>? configure = null)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to ?? "support@shop.example"));
        message.Subject = subject;
        message.MessageId = messageId ?? $"{Guid.NewGuid():N}@client.example";
        if (inReplyTo is not null)
        {
            message.InReplyTo = inReplyTo;
            message.References.Add(inReplyTo);
        }
        message.Body = new TextPart("plain") { Text = text };
        configure?.Invoke(message);
        return message;
    }

    public static byte[] Bytes(this MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    public static async Task<HttpResponseMessage> PostMimeAsync(this HttpClient client, byte[] raw, string? mailbox = null, string contentType = "message/rfc822")
    {
        var content = new ByteArrayContent(raw);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await client.PostAsync("/api/v1/inbound/mime" + (mailbox is null ? "" : $"?mailbox={Uri.EscapeDataString(mailbox)}"), content);
    }

    public static async Task<IngestAnswer> IngestAsync(this HttpClient client, byte[] raw, string? mailbox = null)
    {
        var response = await client.PostMimeAsync(raw, mailbox);
        await response.ShouldHaveStatusAsync(System.Net.HttpStatusCode.OK);
        return await response.ReadAsync<IngestAnswer>();
    }

    public static Task<IngestAnswer> IngestAsync(this HttpClient client, MimeMessage message, string? mailbox = null) =>
        client.IngestAsync(message.Bytes(), mailbox);

    public static async Task<Mailbox> CreateMailboxAsync(this RapportFactory app, string? address = null)
    {
        var name = $"box-{Guid.NewGuid():N}"[..20];
        var mailbox = Mailbox.Create(name, address ?? $"{name}@shop.example", app.Now);
        await using var db = app.CreateDbContext();
        db.Mailboxes.Add(mailbox);
        await db.SaveChangesAsync();
        app.Services.GetRequiredService<MailboxDirectory>().Forget(); // as saving a mailbox in the app does
        return mailbox;
    }
}

public sealed record IngestAnswer(InboundOutcome Outcome, long? TicketId, string? Reason);
