using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Accessibility;

/// <summary>axe-core finds no serious or critical violations on the pages agents and customers use most, in light and dark mode.</summary>
public abstract class AccessibilityTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    public override ValueTask InitializeAsync()
    {
        Assert.SkipWhen(Axe.SkipReason is not null, Axe.SkipReason ?? "");
        return base.InitializeAsync();
    }

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task WorkspaceAndPublicPages_HaveNoSeriousViolations(ColorScheme scheme)
    {
        var ticket = await Factory.OpenTicketAsync("Accessible " + Guid.NewGuid().ToString("N")[..6], $"ax+{Guid.NewGuid():N}@example.org",
            html: "<p>Hello, <b>my order</b> did not arrive.</p>", name: "Ada Customer");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Owner);
        var page = await NewPageAsync();
        await page.EmulateMediaAsync(new() { ColorScheme = scheme });
        var found = new List<string>();

        foreach (var url in new[] { "/account/login", "/contact", "/portal" })
        {
            await page.GotoAsync(url);
            found.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"{url}: {v}"));
        }
        await page.GotoAsync(await Factory.PortalLinkAsync(ticket.Customer.Id, ticket.Id));
        found.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"portal ticket: {v}"));
        await page.GotoAsync("/portal?q=order");
        await Assertions.Expect(page.Locator(".snippet mark").First).ToBeVisibleAsync();
        found.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"portal search: {v}"));

        await BrowserApp.SignInAsync(page, agent);
        foreach (var url in new[] { "/", $"/tickets/{ticket.Id}", "/customers", $"/customers/{ticket.Customer.Id}", "/settings", "/settings/mailboxes", "/promises", "/reports", "/search", "/search?q=order" })
        {
            await page.GotoAsync(url);
            await BrowserApp.WaitForLiveAsync(page);
            found.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"{url}: {v}"));
        }
        // The mailbox form, open with field errors shown.
        await page.GotoAsync("/settings/mailboxes");
        await BrowserApp.WaitForLiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add mailbox" }).ClickAsync();
        await page.Locator("#mailbox-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#mb-address-error")).Not.ToBeEmptyAsync();
        found.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"mailbox form: {v}"));

        found.ShouldBeEmpty();
    }
}

public sealed class AccessibilityTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : AccessibilityTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class AccessibilityTests_Postgres(PostgresBrowserApp app, Chromium chromium) : AccessibilityTests(app, chromium), IClassFixture<PostgresBrowserApp>;
