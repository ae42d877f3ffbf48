using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>Two agents on one ticket see each other, and a customer message that arrives while an agent types stops the send until read.</summary>
public abstract class CollaborationTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task TicketPage_SecondAgentOpensIt_BothSeeEachOther_AndTyping()
    {
        var ticket = await Factory.OpenTicketAsync("Two agents " + Guid.NewGuid().ToString("N")[..8], $"c+{Guid.NewGuid():N}@example.org", text: "Help please");
        var first = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var second = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var firstPage = await NewPageAsync();
        var secondPage = await NewPageAsync();
        await BrowserApp.SignInAsync(firstPage, first);
        await BrowserApp.SignInAsync(secondPage, second);

        await firstPage.GotoAsync($"/tickets/{ticket.Id}");
        await Assertions.Expect(firstPage.Locator("#draft")).ToBeVisibleAsync();
        await secondPage.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(secondPage);

        await Assertions.Expect(secondPage.Locator($"[data-presence='{first.DisplayName}']")).ToHaveTextAsync($"{first.DisplayName} is viewing");
        await Assertions.Expect(firstPage.Locator($"[data-presence='{second.DisplayName}']")).ToHaveTextAsync($"{second.DisplayName} is viewing");

        await secondPage.Locator("#draft").FillAsync("I'll take this one");
        await Assertions.Expect(firstPage.Locator($"[data-presence='{second.DisplayName}']")).ToHaveTextAsync($"{second.DisplayName} is replying");

        await secondPage.CloseAsync();
        await Assertions.Expect(firstPage.Locator($"[data-presence='{second.DisplayName}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Composer_CustomerWritesWhileAgentTypes_ShowsItBeforeTheReplyCanGo()
    {
        var ticket = await Factory.OpenTicketAsync("While typing " + Guid.NewGuid().ToString("N")[..8], $"c+{Guid.NewGuid():N}@example.org", text: "My order is late");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(page);
        await page.Locator("#draft").FillAsync("Sorry about that, it ships tomorrow.");
        // The server has the draft once it enables Send (typing reaches it as an event; a customer message that
        // arrives before any draft is simply shown, with nothing to warn about). Failed CI once without this wait.
        var send = page.Locator(".composer button.primary");
        await Assertions.Expect(send).ToBeEnabledAsync();

        await Factory.CustomerWritesAsync(ticket.Id, ticket.Customer.Id, "Actually, please cancel it instead.");

        await Assertions.Expect(page.Locator(".thread li[data-kind=customer]").Last).ToContainTextAsync("please cancel it");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "wrote again" })).ToBeVisibleAsync();
        await Assertions.Expect(send).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#draft")).ToHaveValueAsync("Sorry about that, it ships tomorrow.");

        await page.GetByRole(AriaRole.Button, new() { Name = "I've read it" }).ClickAsync();
        await page.Locator("#draft").FillAsync("Cancelled, and refunded in full.");
        await send.ClickAsync();
        await Assertions.Expect(page.Locator(".thread li[data-kind=reply]")).ToContainTextAsync("Cancelled, and refunded in full.");
    }

    [Fact]
    public async Task Inbox_KeyboardOnly_MovesOpensRepliesAndSends()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var subject = "Keyboard " + Guid.NewGuid().ToString("N")[..8];
        var ticket = await Factory.OpenTicketAsync(subject, $"k+{Guid.NewGuid():N}@example.org", text: "Is the shop open on Sunday?");
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator($"li[data-ticket='{ticket.Number}']")).ToBeVisibleAsync();
        await BrowserApp.WaitForLiveAsync(page, shortcuts: true);

        await page.Keyboard.PressAsync("?");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        // The newest ticket is first: j selects it, Enter opens it.
        await page.Keyboard.PressAsync("j");
        await Assertions.Expect(page.Locator($"li[data-ticket='{ticket.Number}']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("current"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = subject })).ToBeVisibleAsync();
        await BrowserApp.WaitForLiveAsync(page, shortcuts: true);

        await page.Keyboard.PressAsync("r");
        await Assertions.Expect(page.Locator("#draft")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Yes, from 10:00 to 16:00.");
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator(".thread li[data-kind=reply]")).ToContainTextAsync("from 10:00 to 16:00");

        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All open" })).ToBeVisibleAsync();
        await BrowserApp.WaitForLiveAsync(page, shortcuts: true);
        await page.Keyboard.PressAsync("/");
        await Assertions.Expect(page.Locator("#global-search")).ToBeFocusedAsync();
    }
}

public sealed class CollaborationTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : CollaborationTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class CollaborationTests_Postgres(PostgresBrowserApp app, Chromium chromium) : CollaborationTests(app, chromium), IClassFixture<PostgresBrowserApp>;
