using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Account;

/// <summary>The sign-out buttons (plain form posts that must carry the page's antiforgery token) work from the live workspace
/// and from the portal.</summary>
public abstract class SignOutTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task SignOut_FromTheWorkspace_EndsTheSession()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await BrowserApp.WaitForLiveAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        await page.GotoAsync("/");
        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Leave_FromThePortal_EndsTheCustomersSession()
    {
        var ticket = await Factory.OpenTicketAsync("Leaving " + Guid.NewGuid().ToString("N")[..6], $"leave+{Guid.NewGuid():N}@example.org", text: "Hi");
        var page = await NewPageAsync();
        await page.GotoAsync(await Factory.PortalLinkAsync(ticket.Customer.Id));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your requests" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send me a link" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(ticket.Subject)).ToHaveCountAsync(0);
        await page.GotoAsync("/portal");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send me a link" })).ToBeVisibleAsync();
    }
}

public sealed class SignOutTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : SignOutTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class SignOutTests_Postgres(PostgresBrowserApp app, Chromium chromium) : SignOutTests(app, chromium), IClassFixture<PostgresBrowserApp>;
