using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>The composer shows, as the agent types, which of the customer's questions the draft leaves unanswered,
/// and what to fix in tone; sending anyway is allowed and says so.</summary>
public abstract class ReplyCheckTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task Composer_ShowsUnansweredQuestionsAsTheAgentTypes()
    {
        var ticket = await Factory.OpenTicketAsync("Order questions " + Guid.NewGuid().ToString("N")[..6], $"q+{Guid.NewGuid():N}@example.org",
            text: "Hi,\nWhen will my order arrive? Can you also send me the invoice?\nThanks, Ola", name: "Ola Berg");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(page);

        await page.Locator("#draft").FillAsync("Your order will arrive on Thursday.");
        var check = page.GetByRole(AriaRole.Region, new() { Name = "Reply check" });
        await Assertions.Expect(check.Locator("li[data-covered=yes]")).ToContainTextAsync("When will my order arrive?");
        await Assertions.Expect(check.Locator("li[data-covered=no]")).ToContainTextAsync("Can you also send me the invoice?");
        await Assertions.Expect(check.Locator("li[data-flag=no-greeting]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send anyway (1 unanswered)" })).ToBeVisibleAsync();

        await page.Locator("#draft").FillAsync("Hi Ola,\nYour order will arrive on Thursday, and I have sent you the invoice by email.\nBest regards,\nDana");
        await Assertions.Expect(check.Locator("li[data-covered=yes]")).ToHaveCountAsync(2);
        await Assertions.Expect(check.Locator("li[data-covered=no], li[data-flag]")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Assertions.Expect(page.Locator(".thread li[data-kind=reply]")).ToContainTextAsync("sent you the invoice");
    }
}

public sealed class ReplyCheckTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : ReplyCheckTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class ReplyCheckTests_Postgres(PostgresBrowserApp app, Chromium chromium) : ReplyCheckTests(app, chromium), IClassFixture<PostgresBrowserApp>;
