using Microsoft.EntityFrameworkCore;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.BrowserTests.Features.Settings;

/// <summary>The owner gives a customer group (a tag) its own targets on the settings page, sees them listed, and removes them.</summary>
public abstract class SlaSettingsPageTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task Owner_GivesATagItsOwnTargets_AndRemovesThem()
    {
        var owner = await Factory.CreateAgentAsync(AgentRoles.Owner);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, owner);
        await page.GotoAsync("/settings");
        await BrowserApp.WaitForLiveAsync(page);
        var tag = $"VIP {Guid.NewGuid():N}"[..10];
        var normalized = TicketTag.NormalizeOne(tag);

        await page.Locator("#tag-policy-tag").FillAsync(tag);
        await page.Locator("#tag-policy-priority").SelectOptionAsync("High");
        await page.Locator("#tag-policy-first").FillAsync("0.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save tag targets" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"Targets for High tickets tagged “{normalized}” saved.");
        var row = page.GetByTestId("tag-policies").Locator("tr").Filter(new() { HasText = normalized });
        await Assertions.Expect(row).ToContainTextAsync("0.5 h");
        await using (var db = Factory.CreateDbContext())
        {
            var saved = await db.SlaPolicies.AsNoTracking().SingleAsync(p => p.Tag == normalized, Ct);
            saved.Priority.ShouldBe(TicketPriority.High);
            saved.FirstResponse.ShouldBe(TimeSpan.FromMinutes(30));
        }

        // A bad value is refused with the reason, and nothing changes.
        await page.Locator("#tag-policy-tag").FillAsync(tag);
        await page.Locator("#tag-policy-first").FillAsync("9000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save tag targets" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("between one minute and a year");

        await row.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("use the general targets again");
        await Assertions.Expect(row).ToHaveCountAsync(0);
    }
}

public sealed class SlaSettingsPageTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : SlaSettingsPageTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class SlaSettingsPageTests_Postgres(PostgresBrowserApp app, Chromium chromium) : SlaSettingsPageTests(app, chromium), IClassFixture<PostgresBrowserApp>;
