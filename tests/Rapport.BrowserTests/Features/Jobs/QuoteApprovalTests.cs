using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Jobs;

/// <summary>An agent quotes from the ticket page; the customer reads, prints and approves it in the portal; the agent sees it approved.</summary>
public abstract class QuoteApprovalTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task Quote_BuiltOnTicketPage_ApprovedInPortal_PrintsAsPdf()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var ticket = await Factory.OpenTicketAsync("Fence " + Guid.NewGuid().ToString("N")[..6], $"fence+{Guid.NewGuid():N}@example.org",
            text: "Please build a fence of 12 m along the back of the garden.");
        var desk = await NewPageAsync();
        await BrowserApp.SignInAsync(desk, agent);
        await desk.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(desk);
        var panel = desk.GetByTestId("job-panel");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Start a job" }).ClickAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "+ from their message" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "fence of 12 m" })).ToBeVisibleAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "New quote" }).ClickAsync();
        await panel.GetByLabel("Unit price").FillAsync("1200");
        await panel.GetByLabel("Tax percent").FillAsync("20");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Draft saved");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Send to customer" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Sent");

        var customer = await NewPageAsync();
        await customer.GotoAsync(await Factory.PortalLinkAsync(ticket.Customer.Id, ticket.Id));
        await customer.GetByRole(AriaRole.Link, new() { Name = "Quote v1", Exact = false }).ClickAsync();
        await Assertions.Expect(customer.GetByTestId("total")).ToHaveTextAsync("EUR 1,440.00");
        (await Axe.SeriousViolationsAsync(customer)).ShouldBeEmpty();

        // Printed, the quote keeps its lines and total and drops the forms and navigation.
        await customer.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(customer.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeHiddenAsync();
        await Assertions.Expect(customer.GetByTestId("total")).ToBeVisibleAsync();
        var pdf = await customer.PdfAsync();
        System.Text.Encoding.ASCII.GetString(pdf, 0, 4).ShouldBe("%PDF");
        await customer.EmulateMediaAsync(new() { Media = Media.Screen });

        await customer.GetByLabel("Your name").First.FillAsync("Sam Customer");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Assertions.Expect(customer.GetByRole(AriaRole.Alert)).ToContainTextAsync("the quote is approved");
        await Assertions.Expect(customer.GetByTestId("quote-status")).ToContainTextAsync("Approved by Sam Customer");

        await desk.ReloadAsync();
        await BrowserApp.WaitForLiveAsync(desk);
        await Assertions.Expect(desk.GetByTestId("job-panel").GetByTestId("quote-status")).ToHaveTextAsync("approved");
    }
}

public sealed class QuoteApprovalTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : QuoteApprovalTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class QuoteApprovalTests_Postgres(PostgresBrowserApp app, Chromium chromium) : QuoteApprovalTests(app, chromium), IClassFixture<PostgresBrowserApp>;
