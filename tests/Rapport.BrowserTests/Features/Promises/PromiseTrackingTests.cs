using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Promises;

/// <summary>A promise written in a reply is proposed as the agent types, tracked when sent, and shown on the ticket and in
/// the agent's due list; a follow-up added by hand joins it, and marking one kept settles it.</summary>
public abstract class PromiseTrackingTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task Reply_WithAPromise_IsTracked_AndShowsOnTheTicketAndInTheDueList()
    {
        var subject = "Boiler " + Guid.NewGuid().ToString("N")[..8];
        var ticket = await Factory.OpenTicketAsync(subject, $"c+{Guid.NewGuid():N}@example.org", text: "The boiler makes a loud noise. Can someone look at it?");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(page);

        await page.Locator("#draft").FillAsync("Hello, sorry about the noise. I'll call you tomorrow morning to book a visit.");
        var proposed = page.Locator(".promises-proposed");
        await Assertions.Expect(proposed).ToContainTextAsync("A call by");
        await Assertions.Expect(proposed).ToContainTextAsync("I'll call you tomorrow morning");
        await page.Locator(".composer button.primary").ClickAsync();
        await Assertions.Expect(page.GetByText("1 promise tracked")).ToBeVisibleAsync();

        var sidebar = page.Locator("[data-testid=promises]");
        await Assertions.Expect(sidebar.Locator("li[data-status=open]").Filter(new() { HasText = "I'll call you tomorrow morning" })).ToHaveCountAsync(1);

        await page.Locator("#follow-up-text").FillAsync("Send the visit confirmation");
        await page.Locator("#follow-up-due").FillAsync(TimeProvider.System.GetUtcNow().AddDays(2).ToString("yyyy-MM-dd'T'10:00", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add follow-up" }).ClickAsync();
        var followUp = sidebar.Locator("li").Filter(new() { HasText = "Send the visit confirmation" });
        await Assertions.Expect(followUp).ToHaveCountAsync(1);

        await page.GotoAsync("/promises");
        await BrowserApp.WaitForLiveAsync(page);
        var due = page.Locator("#due-title + table");
        await Assertions.Expect(due).ToContainTextAsync("I'll call you tomorrow morning");
        await Assertions.Expect(due).ToContainTextAsync("Send the visit confirmation");

        await page.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(page);
        await followUp.GetByRole(AriaRole.Button, new() { Name = "Kept" }).ClickAsync();
        await Assertions.Expect(sidebar.Locator("li[data-status=kept]").Filter(new() { HasText = "Send the visit confirmation" })).ToHaveCountAsync(1);
    }
}

public sealed class PromiseTrackingTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : PromiseTrackingTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class PromiseTrackingTests_Postgres(PostgresBrowserApp app, Chromium chromium) : PromiseTrackingTests(app, chromium), IClassFixture<PostgresBrowserApp>;
