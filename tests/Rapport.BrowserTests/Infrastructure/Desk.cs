using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Utils;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Infrastructure;

/// <summary>Arranging a desk's state for browser tests through the app's own API and services.</summary>
public static class Desk
{
    /// <summary>Opens a ticket through the REST API, as an integration would.</summary>
    public static async Task<TicketDetails> OpenTicketAsync(this RapportFactory factory, string subject, string email, string? text = null, string? html = null, string name = "Sam Customer")
    {
        using var client = await factory.CreateTokenClientAsync(ApiTokenScope.Write);
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject,
            customer = new { email, name },
            message = new { text, html },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDetails>();
    }

    /// <summary>Opens a ticket by mail: a text and HTML message through the raw MIME intake, as a mail server pipe would.</summary>
    public static async Task<long> MailTicketAsync(this RapportFactory factory, string subject, string from, string text, string html)
    {
        var answer = await factory.MailAsync(subject, from, text, html);
        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        return answer.TicketId!.Value;
    }

    /// <summary>The customer answers by mail on their ticket (its number in the subject, as our replies carry it).</summary>
    public static async Task MailReplyAsync(this RapportFactory factory, long ticketId, string subject, string from, string text)
    {
        var answer = await factory.MailAsync($"Re: [#{ticketId}] {subject}", from, text, null);
        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(ticketId);
    }

    private static async Task<IngestMail.Result> MailAsync(this RapportFactory factory, string subject, string from, string text, string? html)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Sam Customer", from));
        message.To.Add(new MailboxAddress("Support", "support@shop.example"));
        message.Subject = subject;
        message.MessageId = MimeUtils.GenerateMessageId("client.example");
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        using var raw = new MemoryStream();
        await message.WriteToAsync(raw);
        using var client = await factory.CreateTokenClientAsync(ApiTokenScope.Write);
        using var content = new ByteArrayContent(raw.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("message/rfc822");
        using var response = await client.PostAsync("/api/v1/inbound/mime", content);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        return await response.ReadAsync<IngestMail.Result>();
    }

    /// <summary>A magic link (path and query) into the portal for the ticket's customer.</summary>
    public static Task<string> PortalLinkAsync(this RapportFactory factory, long customerId, long? ticketId = null) =>
        factory.Services.GetRequiredService<PortalSessions>().CreateLinkAsync(customerId, ticketId, CancellationToken.None);

    /// <summary>The customer writes again on their ticket (as from the portal).</summary>
    public static async Task CustomerWritesAsync(this RapportFactory factory, long ticketId, long customerId, string text)
    {
        var result = await factory.Services.GetRequiredService<AddTicketMessage>()
            .AddFromCustomerAsync(ticketId, new MessageInput { Text = text }, Actor.Customer(customerId, ChangeChannel.Portal), CancellationToken.None);
        result.Outcome.ShouldBe(AddTicketMessage.Outcome.Added);
    }
}
