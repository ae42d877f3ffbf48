using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>Inbox views: counts, a tag filter saved as the agent's own view, and bulk actions on a selection.</summary>
public abstract class InboxViewsTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task Inbox_FilterByTag_SaveAsView_ShowsItWithItsCount()
    {
        var tag = "refund-" + Guid.NewGuid().ToString("N")[..6];
        var tagged = await Factory.OpenTicketAsync("Refund please " + tag, $"t+{Guid.NewGuid():N}@example.org", text: "Refund");
        await Factory.OpenTicketAsync("Other " + tag, $"o+{Guid.NewGuid():N}@example.org", text: "Other");
        using (var api = await Factory.CreateTokenClientAsync(ApiTokenScope.Write))
        {
            await (await api.PatchJsonAsync($"/api/v1/tickets/{tagged.Id}", new { addTags = new[] { tag } })).ShouldHaveStatusAsync(System.Net.HttpStatusCode.OK);
        }
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await BrowserApp.WaitForLiveAsync(page);

        await page.Locator("#tag-filter").FillAsync(tag);
        await page.Locator("#tag-filter").PressAsync("Enter");
        await Assertions.Expect(page.Locator("ul.tickets > li")).ToHaveCountAsync(1);
        await page.Locator("#view-name").FillAsync("Refunds");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save view" }).ClickAsync();

        var saved = page.GetByRole(AriaRole.Navigation, new() { Name = "Views" }).GetByRole(AriaRole.Link, new() { Name = "Refunds" });
        await Assertions.Expect(saved).ToHaveAttributeAsync("aria-current", "page");
        await Assertions.Expect(saved.Locator(".count")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Refunds" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("ul.tickets > li")).ToContainTextAsync(tagged.Subject);
    }

    [Fact]
    public async Task Inbox_BulkAssignToMe_MovesTicketsIntoMine()
    {
        // Not digits alone: a search of only digits looks for that ticket number (one hex marker in ~40 is all digits).
        var marker = "m" + Guid.NewGuid().ToString("N")[..8];
        var first = await Factory.OpenTicketAsync($"Bulk one {marker}", $"b1+{Guid.NewGuid():N}@example.org", text: "1");
        var second = await Factory.OpenTicketAsync($"Bulk two {marker}", $"b2+{Guid.NewGuid():N}@example.org", text: "2");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await BrowserApp.WaitForLiveAsync(page);
        await page.Locator("#filter").FillAsync(marker);
        await Assertions.Expect(page.Locator("ul.tickets > li")).ToHaveCountAsync(2);

        await page.GetByLabel($"Select ticket {first.Number}").CheckAsync();
        await page.GetByLabel($"Select ticket {second.Number}").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign to me" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("2 tickets assigned to you");
        await page.GetByRole(AriaRole.Link, new() { Name = "Mine" }).ClickAsync();
        await Assertions.Expect(page.Locator("ul.tickets > li")).ToHaveCountAsync(2);
    }
}

public sealed class InboxViewsTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : InboxViewsTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class InboxViewsTests_Postgres(PostgresBrowserApp app, Chromium chromium) : InboxViewsTests(app, chromium), IClassFixture<PostgresBrowserApp>;
