using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.ApiTokens;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Features.Portal;

/// <summary>The portal shows a customer their own tickets only, never internal notes, and refuses expired or revoked links.</summary>
public abstract class PortalAccessTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task Portal_LinkOfCustomerA_CannotOpenCustomerBsTicket()
    {
        var a = await Factory.OpenTicketAsync("A's parcel " + Guid.NewGuid().ToString("N")[..6], $"a+{Guid.NewGuid():N}@example.org", text: "Where is it?");
        var b = await Factory.OpenTicketAsync("B's secret " + Guid.NewGuid().ToString("N")[..6], $"b+{Guid.NewGuid():N}@example.org", text: "My account number is 1234");
        var page = await NewPageAsync();

        await page.GotoAsync(await Factory.PortalLinkAsync(a.Customer.Id));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = a.Subject, Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(b.Subject)).ToHaveCountAsync(0);

        await page.GotoAsync($"/portal/tickets/{b.Id}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Request not found" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("1234")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Portal_NeverShowsInternalNotes()
    {
        var ticket = await Factory.OpenTicketAsync("Notes " + Guid.NewGuid().ToString("N")[..6], $"n+{Guid.NewGuid():N}@example.org", text: "Hi");
        using var api = await Factory.CreateTokenClientAsync(ApiTokenScope.Write);
        await (await api.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { text = "Internal: this customer is difficult" })).ShouldHaveStatusAsync(System.Net.HttpStatusCode.Created);
        await (await api.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Happy to help!" })).ShouldHaveStatusAsync(System.Net.HttpStatusCode.Created);
        var page = await NewPageAsync();

        await page.GotoAsync(await Factory.PortalLinkAsync(ticket.Customer.Id, ticket.Id));

        await Assertions.Expect(page.GetByText("Happy to help!")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("this customer is difficult")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Portal_RevokedLink_IsRefused_AndEndsTheOpenSession()
    {
        var ticket = await Factory.OpenTicketAsync("Revoked " + Guid.NewGuid().ToString("N")[..6], $"r+{Guid.NewGuid():N}@example.org", text: "Hi");
        var link = await Factory.PortalLinkAsync(ticket.Customer.Id);
        var page = await NewPageAsync();
        await page.GotoAsync(link);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your requests" })).ToBeVisibleAsync();

        using var api = await Factory.CreateTokenClientAsync(ApiTokenScope.Write);
        var revoke = await api.DeleteAsync($"/api/v1/customers/{ticket.Customer.Id}/portal-links");
        await revoke.ShouldHaveStatusAsync(System.Net.HttpStatusCode.OK);

        await page.GotoAsync($"/portal/tickets/{ticket.Id}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link no longer works" })).ToBeVisibleAsync();
        var fresh = await NewPageAsync();
        await fresh.GotoAsync(link);
        await Assertions.Expect(fresh.GetByRole(AriaRole.Alert)).ToContainTextAsync("expired or was withdrawn");
    }

    [Fact]
    public async Task Portal_ExpiredLink_IsRefused()
    {
        var ticket = await Factory.OpenTicketAsync("Expired " + Guid.NewGuid().ToString("N")[..6], $"e+{Guid.NewGuid():N}@example.org", text: "Hi");
        var link = await Factory.PortalLinkAsync(ticket.Customer.Id);

        Factory.Time.Advance(TimeSpan.FromDays(8));
        var page = await NewPageAsync();
        await page.GotoAsync(link);

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("expired or was withdrawn");
        await Assertions.Expect(page.GetByText(ticket.Subject)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Portal_AskForLink_SaysTheSameForKnownAndUnknownAddresses()
    {
        var ticket = await Factory.OpenTicketAsync("Known " + Guid.NewGuid().ToString("N")[..6], $"known+{Guid.NewGuid():N}@example.org", text: "Hi");
        var answers = new List<string>();
        foreach (var address in new[] { ticket.Customer.Email!, $"stranger+{Guid.NewGuid():N}@example.org" })
        {
            var page = await NewPageAsync();
            await page.GotoAsync("/portal");
            await page.GetByLabel("Your email").FillAsync(address);
            await page.GetByRole(AriaRole.Button, new() { Name = "Send me a link" }).ClickAsync();
            answers.Add((await page.GetByRole(AriaRole.Status).TextContentAsync())!);
        }
        answers[0].ShouldContain("If we have requests from that address");
        answers[1].ShouldBe(answers[0]);
    }
}

public sealed class PortalAccessTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : PortalAccessTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class PortalAccessTests_Postgres(PostgresBrowserApp app, Chromium chromium) : PortalAccessTests(app, chromium), IClassFixture<PostgresBrowserApp>;
