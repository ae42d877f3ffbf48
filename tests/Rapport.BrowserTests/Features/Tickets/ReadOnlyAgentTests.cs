using Microsoft.EntityFrameworkCore;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>The pen test's finding: the ticket page only disabled its controls for a read-only agent, and re-enabling them in
/// the browser changed the ticket. The server refuses now, and the page says why.</summary>
public abstract class ReadOnlyAgentTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    private const string EnableEverything = "() => document.querySelectorAll('[disabled]').forEach(e => e.removeAttribute('disabled'))";

    [Fact]
    public async Task TicketPage_ReadOnlyAgentReenablesTheControls_StatusAndTagsStayUnchanged()
    {
        var ticket = await Factory.OpenTicketAsync("Read-only " + Guid.NewGuid().ToString("N")[..8], $"c+{Guid.NewGuid():N}@example.org", text: "Where is my order?");
        var viewer = await Factory.CreateAgentAsync(AgentRoles.ReadOnly);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, viewer);
        var refused = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "read-only" });

        await OpenAsync(page, ticket.Id);
        var status = page.GetByRole(AriaRole.Combobox, new() { Name = "Status", Exact = true });
        await Assertions.Expect(status).ToBeDisabledAsync();
        await page.EvaluateAsync(EnableEverything);
        await status.SelectOptionAsync(nameof(TicketStatus.Closed));
        await Assertions.Expect(refused).ToBeVisibleAsync();

        await OpenAsync(page, ticket.Id);
        await page.EvaluateAsync(EnableEverything);
        await page.Locator("#tags").FillAsync("refund, vip");
        await page.Locator("#tags").PressAsync("Tab");
        await Assertions.Expect(refused).ToBeVisibleAsync();

        await using var db = Factory.CreateDbContext();
        (await db.Tickets.Where(t => t.Id == ticket.Id).Select(t => t.Status).SingleAsync(Ct)).ShouldBe(TicketStatus.New);
        (await db.TicketTags.CountAsync(t => t.TicketId == ticket.Id, Ct)).ShouldBe(0);
        (await db.TicketEvents.CountAsync(e => e.TicketId == ticket.Id && e.AgentId == viewer.Id, Ct)).ShouldBe(0);
    }

    private static async Task OpenAsync(IPage page, long ticketId)
    {
        await page.GotoAsync($"/tickets/{ticketId}");
        await BrowserApp.WaitForLiveAsync(page);
    }
}

public sealed class ReadOnlyAgentTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : ReadOnlyAgentTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class ReadOnlyAgentTests_Postgres(PostgresBrowserApp app, Chromium chromium) : ReadOnlyAgentTests(app, chromium), IClassFixture<PostgresBrowserApp>;
