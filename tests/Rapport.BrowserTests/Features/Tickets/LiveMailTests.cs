using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>Email is the main channel: what arrives by mail shows on open screens without a reload, as what agents do does.</summary>
public abstract class LiveMailTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task MailTicket_AppearsInTheOpenInbox_AndTheCustomersNextMail_OnTheOpenTicket()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All open" })).ToBeVisibleAsync();
        await BrowserApp.WaitForLiveAsync(page);

        var subject = $"Boiler makes a noise {Guid.NewGuid():N}"[..32];
        var from = $"live+{Guid.NewGuid():N}@example.org";
        var id = await Factory.MailTicketAsync(subject, from, "It started this morning.", "<p>It started this morning.</p>");

        var row = page.Locator($"li[data-ticket='{id}']");
        await Assertions.Expect(row).ToContainTextAsync(subject);
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = subject })).ToBeVisibleAsync();
        await BrowserApp.WaitForLiveAsync(page);
        await Assertions.Expect(page.Locator(".thread li[data-kind=customer]")).ToHaveCountAsync(1);

        await Factory.MailReplyAsync(id, subject, from, "Now it is leaking too.");

        await Assertions.Expect(page.Locator(".thread li[data-kind=customer]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".thread li[data-kind=customer]").Last).ToContainTextAsync("Now it is leaking too.");
    }
}

public sealed class LiveMailTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : LiveMailTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class LiveMailTests_Postgres(PostgresBrowserApp app, Chromium chromium) : LiveMailTests(app, chromium), IClassFixture<PostgresBrowserApp>;
