using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>A customer's mail shows what they wrote this time; what was folded away (the quote, the signature) is one
/// click away (docs/decisions/0067).</summary>
public abstract class WholeMessageTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task TicketPage_ReplyWithQuote_ShowsTheNewTextAndTheWholeMessageOnClick()
    {
        var subject = "Lid " + Guid.NewGuid().ToString("N")[..8];
        var from = $"lid+{Guid.NewGuid():N}@example.org";
        var ticketId = await Factory.MailTicketAsync(subject, from, "The lid rattles.", "<p>The lid rattles.</p>");
        await Factory.MailReplyAsync(ticketId, subject, from,
            "It is the X200.\n\nOn Mon, 3 Mar 2025 at 10:15, Shop <s@shop.example> wrote:\n> Which model do you have?");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);

        await page.GotoAsync($"/tickets/{ticketId}");
        await BrowserApp.WaitForLiveAsync(page);

        await Assertions.Expect(page.GetByText("It is the X200.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Which model do you have?")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Whole message" }).ClickAsync();
        await Assertions.Expect(page.GetByText("> Which model do you have?")).ToBeVisibleAsync();
    }
}

public sealed class WholeMessageTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : WholeMessageTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class WholeMessageTests_Postgres(PostgresBrowserApp app, Chromium chromium) : WholeMessageTests(app, chromium), IClassFixture<PostgresBrowserApp>;
