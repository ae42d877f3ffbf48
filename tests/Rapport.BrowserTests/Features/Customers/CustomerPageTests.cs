using Microsoft.EntityFrameworkCore;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Customers;

/// <summary>Agents find a customer, edit them, give them an owner, and merge a duplicate that keeps all its tickets.</summary>
public abstract class CustomerPageTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task CustomerPage_SearchEditAndMergeDuplicate_KeepsAllTickets()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var main = await Factory.OpenTicketAsync("Boiler service " + marker, $"lena.{marker}@example.org", text: "Book me in", name: $"Lena {marker}");
        var duplicate = await Factory.OpenTicketAsync("Invoice question " + marker, $"lena.work.{marker}@example.com", text: "Invoice?", name: $"L. {marker}");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync("/customers");
        await BrowserApp.WaitForLiveAsync(page);

        await page.Locator("#customer-search").FillAsync(marker);
        await Assertions.Expect(page.Locator("table.data tbody tr")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Link, new() { Name = $"Lena {marker}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Lena {marker}" })).ToBeVisibleAsync();

        await page.Locator("#c-phone").FillAsync("+49 30 1234567");
        await page.Locator("#c-owner").SelectOptionAsync(new SelectOptionValue { Label = agent.DisplayName });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Saved.");

        await page.Locator("#merge-email").FillAsync($"lena.work.{marker}@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Merge", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("1 tickets moved here");
        await Assertions.Expect(page.Locator("ul.tickets > li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#c-emails")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex($"lena.work.{marker}@example.com"));

        await using var db = Factory.CreateDbContext();
        var customer = await db.Customers.Include(c => c.Emails).SingleAsync(c => c.Id == main.Customer.Id, Ct);
        customer.Phone.ShouldBe("+49 30 1234567");
        customer.OwnerId.ShouldBe(agent.Id);
        (await db.Tickets.CountAsync(t => t.CustomerId == customer.Id, Ct)).ShouldBe(2);
        (await db.Tickets.SingleAsync(t => t.Id == duplicate.Id, Ct)).CustomerId.ShouldBe(customer.Id);
    }

    [Fact]
    public async Task Portal_CustomerRepliesWithAttachment_AndClosesTheRequest()
    {
        var ticket = await Factory.OpenTicketAsync("Close me " + Guid.NewGuid().ToString("N")[..6], $"p+{Guid.NewGuid():N}@example.org", text: "Hi");
        var page = await NewPageAsync();
        await page.GotoAsync(await Factory.PortalLinkAsync(ticket.Customer.Id, ticket.Id));
        var file = Path.Combine(Path.GetTempPath(), $"receipt-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "Receipt 42", Ct);

        await page.GetByLabel("Your message").FillAsync("Here is the receipt.");
        await page.Locator("input[type=file]").SetInputFilesAsync(file);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = Path.GetFileName(file), Exact = false })).ToBeVisibleAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = Path.GetFileName(file), Exact = false }).ClickAsync());
        (await File.ReadAllTextAsync(await download.PathAsync(), Ct)).ShouldBe("Receipt 42");

        await page.GetByRole(AriaRole.Button, new() { Name = "Close this request" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status")).ToHaveTextAsync("Closed");
        File.Delete(file);
    }
}

public sealed class CustomerPageTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : CustomerPageTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class CustomerPageTests_Postgres(PostgresBrowserApp app, Chromium chromium) : CustomerPageTests(app, chromium), IClassFixture<PostgresBrowserApp>;
