using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.ApiTokens;
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

    /// <summary>A magic link (path and query) into the portal for the ticket's customer.</summary>
    public static Task<string> PortalLinkAsync(this RapportFactory factory, long customerId, long? ticketId = null) =>
        factory.Services.GetRequiredService<PortalSessions>().CreateLinkAsync(customerId, ticketId, CancellationToken.None);

    /// <summary>The customer writes again on their ticket (as from the portal).</summary>
    public static async Task CustomerWritesAsync(this RapportFactory factory, long ticketId, long customerId, string text)
    {
        var result = await factory.Services.GetRequiredService<AddTicketMessage>()
            .AddFromCustomerAsync(ticketId, new MessageInput { Text = text }, customerId, CancellationToken.None);
        result.Outcome.ShouldBe(AddTicketMessage.Outcome.Added);
    }
}
