using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;
using Rapport.Tests.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Tickets;

/// <summary>Every event says through which channel the change came, set where the request entered the app
/// (docs/decisions/0058): mail, the portal, the contact form, the API with a token, an agent in the app.</summary>
public abstract partial class ChangeChannelTests(RapportFactory app) : DatabaseTests(app)
{
    private async Task<List<(TicketEventKind Kind, ChangeChannel Via)>> EventsAsync(long ticketId)
    {
        await using var db = App.CreateDbContext();
        var events = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticketId).OrderBy(e => e.Id)
            .Select(e => new { e.Kind, e.Via }).ToListAsync(Ct);
        return [.. events.Select(e => (e.Kind, e.Via))];
    }

    private async Task<TicketDetails> CreateWithTokenAsync(HttpClient api)
    {
        var created = await api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Where is my parcel?",
            customer = new { email = $"channel+{Guid.NewGuid():N}@example.org", name = "Cleo Channel" },
            message = new { text = "It has been a week." },
        });
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await created.ReadAsync<TicketDetails>();
    }

    [Fact]
    public async Task IngestMail_NewTicketAndFollowUp_EventsAreByEmail()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var from = MailTestKit.Unique("mailer");
        var first = MailTestKit.Mail($"Mia Mailer <{from}>", "Dripping tap", "The tap drips.");

        var opened = await api.IngestAsync(first);
        var followUp = await api.IngestAsync(MailTestKit.Mail(from, "Re: Dripping tap", "Still dripping.", inReplyTo: first.MessageId));

        opened.Outcome.ShouldBe(InboundOutcome.Ticket);
        followUp.Outcome.ShouldBe(InboundOutcome.Message);
        followUp.TicketId.ShouldBe(opened.TicketId);
        var events = await EventsAsync(opened.TicketId!.Value);
        events.ShouldContain((TicketEventKind.Created, ChangeChannel.Email));
        events.ShouldContain((TicketEventKind.CustomerWrote, ChangeChannel.Email));
        events.Where(e => e.Kind is TicketEventKind.Created or TicketEventKind.CustomerWrote).ShouldAllBe(e => e.Via == ChangeChannel.Email);
        // Even though the mail came in through an API call: the channel is the mail's, not the intake's transport.
        events.ShouldNotContain(e => e.Via == ChangeChannel.Api);
    }

    [Fact]
    public async Task ApiToken_CreateTicket_EventsAreThroughTheApi_AndTheHistoryEndpointSaysSo()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

        var ticket = await CreateWithTokenAsync(api);

        (await EventsAsync(ticket.Id)).ShouldBe([(TicketEventKind.Created, ChangeChannel.Api)]);
        var history = await api.GetAsync($"/api/v1/tickets/{ticket.Id}/events", Ct);
        await history.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await history.Content.ReadAsStringAsync(Ct)).ShouldContain("\"via\":\"api\"");
        (await history.ReadAsync<List<TicketEventDetails>>()).ShouldHaveSingleItem().Via.ShouldBe(ChangeChannel.Api);
    }

    [Fact]
    public async Task Agent_CookieSessionCallingTheApi_EventsAreInTheAgentApp()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var ticket = await CreateWithTokenAsync(api);
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var signedIn = await App.SignedInClientAsync(agent);

        var reply = await signedIn.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "It left our warehouse today." });

        await reply.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var events = await EventsAsync(ticket.Id);
        events[0].ShouldBe((TicketEventKind.Created, ChangeChannel.Api));
        events.Skip(1).ShouldContain((TicketEventKind.Replied, ChangeChannel.AgentApp));
        events.Skip(1).Where(e => e.Kind is TicketEventKind.Replied or TicketEventKind.StatusChanged).ShouldAllBe(e => e.Via == ChangeChannel.AgentApp);
    }

    [Fact]
    public async Task Portal_CustomerWritesAndCloses_EventsAreInThePortal()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var ticket = await CreateWithTokenAsync(api);
        var link = await App.Services.GetRequiredService<PortalSessions>().CreateLinkAsync(ticket.Customer.Id, null, Ct);
        using var portal = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        (await portal.GetAsync(link, Ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var wrote = await Http.SubmitFormAsync(portal, $"/portal/tickets/{ticket.Id}", "portal-reply", new() { ["text"] = "Any news?" });
        var closed = await Http.SubmitFormAsync(portal, $"/portal/tickets/{ticket.Id}", "portal-close", []);

        wrote.StatusCode.ShouldBe(HttpStatusCode.OK);
        closed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = await EventsAsync(ticket.Id);
        events.Skip(1).ShouldBe([(TicketEventKind.CustomerWrote, ChangeChannel.Portal), (TicketEventKind.StatusChanged, ChangeChannel.Portal)]);
    }

    [Fact]
    public async Task ContactForm_Submit_EventsAreThroughTheContactForm()
    {
        using var browser = new Browser(App);

        var answer = await Http.SubmitFormAsync(browser.Client, "/contact", "contact", new()
        {
            ["Input.Name"] = "Finn Former",
            ["Input.Email"] = $"former+{Guid.NewGuid():N}@example.org",
            ["Input.Subject"] = "Opening hours",
            ["Input.Message"] = "Are you open on Saturdays?",
        });

        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        var number = long.Parse(TicketNumber().Match(await answer.Content.ReadAsStringAsync(Ct)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        (await EventsAsync(number)).ShouldBe([(TicketEventKind.Created, ChangeChannel.ContactForm)]);
    }

    [Theory]
    [InlineData(ChangeChannel.Email, true, "Customer: customer wrote by email")]
    [InlineData(ChangeChannel.Portal, true, "Customer: customer wrote in the portal")]
    [InlineData(ChangeChannel.ContactForm, false, "System: opened the ticket through the contact form")]
    [InlineData(ChangeChannel.AgentApp, false, "Ada: opened the ticket")]
    [InlineData(ChangeChannel.Api, false, "Ada: opened the ticket through the API")]
    [InlineData(ChangeChannel.System, false, "System: opened the ticket")]
    public void History_Line_NamesTheChannelWhereTheAuthorDoesNot(ChangeChannel via, bool byCustomer, string expected)
    {
        var agent = via is ChangeChannel.AgentApp or ChangeChannel.Api ? new AgentRef(1, "Ada") : null;
        var e = new TicketEventDetails(1, byCustomer ? TicketEventKind.CustomerWrote : TicketEventKind.Created, agent,
            via == ChangeChannel.Api ? 7 : null, byCustomer ? 3 : null, via, null, App.Now);

        TicketHistory.Line(e).ShouldBe(expected);
    }

    [GeneratedRegex("data-testid=\"ticket-number\">#(\\d+)<")]
    private static partial Regex TicketNumber();
}

public sealed class ChangeChannelTests_Sqlite(SqliteRapportFactory app) : ChangeChannelTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class ChangeChannelTests_Postgres(PostgresRapportFactory app) : ChangeChannelTests(app), IClassFixture<PostgresRapportFactory>;
