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
        var status = page.GetByRole(AriaRole.Combobox, new() { Name = "Status", Exact = true });
        var tags = page.GetByRole(AriaRole.Textbox, new() { Name = "Tags" });

        await OpenAndEnableEverythingAsync(page, ticket.Id);
        await status.SelectOptionAsync(nameof(TicketStatus.Closed));
        await Assertions.Expect(refused).ToBeVisibleAsync();

        await OpenAndEnableEverythingAsync(page, ticket.Id);
        await tags.FillAsync("refund, vip");
        await tags.PressAsync("Tab");
        await Assertions.Expect(refused).ToBeVisibleAsync();

        await using var db = Factory.CreateDbContext();
        (await db.Tickets.Where(t => t.Id == ticket.Id).Select(t => t.Status).SingleAsync(Ct)).ShouldBe(TicketStatus.New);
        (await db.TicketTags.CountAsync(t => t.TicketId == ticket.Id, Ct)).ShouldBe(0);
        (await db.TicketEvents.CountAsync(e => e.TicketId == ticket.Id && e.AgentId == viewer.Id, Ct)).ShouldBe(0);
    }

    /// <summary>Opens the ticket and, once the live page has rendered it (controls disabled, as for any read-only agent),
    /// removes every disabled attribute, as the pen tester did in the browser's console.</summary>
    private static async Task OpenAndEnableEverythingAsync(IPage page, long ticketId)
    {
        // The first view of a ticket in a fresh app compiles the page's queries: on a busy machine (this class has one
        // test, so it always comes first) that took longer than the default 15 s twice.
        await page.GotoAsync($"/tickets/{ticketId}", new() { Timeout = 60_000 });
        await BrowserApp.WaitForLiveAsync(page);
        var status = page.GetByRole(AriaRole.Combobox, new() { Name = "Status", Exact = true });
        await Assertions.Expect(status).ToBeDisabledAsync();
        await page.EvaluateAsync(EnableEverything);
        await Assertions.Expect(status).ToBeEnabledAsync();
    }
}

public sealed class ReadOnlyAgentTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : ReadOnlyAgentTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class ReadOnlyAgentTests_Postgres(PostgresBrowserApp app, Chromium chromium) : ReadOnlyAgentTests(app, chromium), IClassFixture<PostgresBrowserApp>;
