using System.Globalization;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.BrowserTests.Features.Jobs;

/// <summary>The job journey as people do it: the agent works in the ticket page's job panel, the customer decides in the portal
/// (a separate browser context opened by a magic link). Money and date rules are covered over HTTP in Rapport.Tests' JobJourneyTests;
/// here we check that the panel and the portal offer each step and say clearly what happened.</summary>
public abstract class JobJourneyTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    private const string CustomerName = "Sam Customer";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The panel's form behind a summary ("Raise an invoice", "Decline the request"…), opened.</summary>
    private static async Task<ILocator> OpenFormAsync(ILocator panel, string summary)
    {
        var form = panel.Locator("details", new() { Has = panel.Page.GetByText(summary, new() { Exact = true }) });
        await form.GetByText(summary, new() { Exact = true }).ClickAsync();
        return form;
    }

    private async Task<(Agent Agent, TicketDetails Ticket, IPage Desk, ILocator Panel)> TicketOnDeskAsync(string subject, string email, string text)
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var ticket = await Factory.OpenTicketAsync($"{subject} {Guid.NewGuid().ToString("N")[..6]}", email, text: text, name: CustomerName);
        var desk = await NewPageAsync();
        await BrowserApp.SignInAsync(desk, agent);
        await desk.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(desk);
        return (agent, ticket, desk, desk.GetByTestId("job-panel"));
    }

    /// <summary>Starts a job from the customer's message and sends a quote of 1,200 + 20 % tax = EUR 1,440.00, starting in 7 days, delivered in 14.</summary>
    private static async Task QuoteAsync(ILocator panel)
    {
        await panel.GetByRole(AriaRole.Button, new() { Name = "Start a job" }).ClickAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "+ from their message" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Requirement added");
        await panel.GetByRole(AriaRole.Button, new() { Name = "New quote" }).ClickAsync();
        await panel.GetByLabel("Unit price").FillAsync("1200");
        await panel.GetByLabel("Tax percent").FillAsync("20");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Draft saved");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Send to customer" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Sent");
    }

    private async Task<IPage> PortalAsync(TicketDetails ticket)
    {
        var customer = await NewPageAsync();
        await customer.GotoAsync(await Factory.PortalLinkAsync(ticket.Customer.Id, ticket.Id));
        return customer;
    }

    /// <summary>Signs the portal's approve or decline form ("Approve"/"Decline") with the customer's name.</summary>
    private static async Task DecideAsync(IPage customer, string decision, string? reason = null)
    {
        var form = customer.GetByRole(AriaRole.Form, new() { Name = decision, Exact = true });
        await form.GetByLabel("Your name").FillAsync(CustomerName);
        if (reason is not null)
        {
            await form.GetByLabel("Why?").FillAsync(reason);
        }
        await form.GetByRole(AriaRole.Button, new() { Name = decision, Exact = true }).ClickAsync();
    }

    private static async Task ReloadAsync(IPage desk)
    {
        await desk.ReloadAsync();
        await BrowserApp.WaitForLiveAsync(desk);
    }

    [Fact]
    public async Task Journey_ChangeOrderApprovedInPortal_InvoicesCappedAtAccepted_Completed_WarrantyWorkGoesToOwnerAndIsFree()
    {
        var email = $"gate+{Guid.NewGuid():N}@example.org";
        var (agent, ticket, desk, panel) = await TicketOnDeskAsync("Fence and gate", email, "Please build a fence of 12 m along the back of the garden.");
        var today = DateOnly.FromDateTime(Factory.Now);
        // The job's owner is the ticket's owner when the job starts: warranty work goes back to them.
        await desk.GetByRole(AriaRole.Combobox, new() { Name = "Owner" }).SelectOptionAsync(new SelectOptionValue { Label = agent.DisplayName });
        await Assertions.Expect(desk.GetByText("Owner changed.")).ToBeVisibleAsync();
        await QuoteAsync(panel);
        var customer = await PortalAsync(ticket);
        await customer.GetByRole(AriaRole.Link, new() { Name = "Quote v1", Exact = false }).ClickAsync();
        await DecideAsync(customer, "Approve");
        await Assertions.Expect(customer.GetByRole(AriaRole.Alert)).ToContainTextAsync("the quote is approved");

        // Extra scope after approval: a change order with its price, a later delivery and the reason.
        await ReloadAsync(desk);
        var change = await OpenFormAsync(panel, "Propose a change order");
        await change.GetByLabel("What changes").FillAsync("Garden gate");
        await change.GetByLabel("Price difference (net)").FillAsync("200");
        await change.GetByLabel("Tax %").FillAsync("20");
        await change.GetByLabel("Why").FillAsync("You asked for a gate as well.");
        await change.GetByLabel("New delivery date").FillAsync(Day(today.AddDays(21)));
        await change.GetByRole(AriaRole.Button, new() { Name = "Send to customer" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Change order");
        await Assertions.Expect(panel.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "#1" })).ToContainTextAsync("EUR 240.00 · proposed · You asked for a gate as well.");
        await Assertions.Expect(panel.GetByTestId("job-status")).ToContainTextAsync("accepted EUR 1,440.00");

        // The customer reads the change order in the portal and approves it.
        await customer.GotoAsync($"/portal/tickets/{ticket.Id}");
        await customer.GetByRole(AriaRole.Link, new() { Name = "Change order 1", Exact = false }).ClickAsync();
        await Assertions.Expect(customer.GetByTestId("difference")).ToHaveTextAsync("EUR 240.00");
        await Assertions.Expect(customer.GetByText(today.AddDays(21).ToString("d MMMM yyyy", CultureInfo.InvariantCulture))).ToBeVisibleAsync();
        (await Axe.SeriousViolationsAsync(customer)).ShouldBeEmpty();
        await DecideAsync(customer, "Approve");
        await Assertions.Expect(customer.GetByRole(AriaRole.Alert)).ToContainTextAsync("the change is approved");
        await Assertions.Expect(customer.GetByTestId("change-order-status")).ToContainTextAsync($"Approved by {CustomerName}");

        // Invoices: exactly what was accepted goes through; one cent more is refused, naming the gap and the way out.
        await ReloadAsync(desk);
        await Assertions.Expect(panel.GetByTestId("job-status")).ToContainTextAsync("accepted EUR 1,680.00");
        var invoice = await OpenFormAsync(panel, "Raise an invoice");
        await invoice.GetByLabel("Description").FillAsync("Fence and gate");
        await invoice.GetByLabel("Amount (net)").FillAsync("1400");
        await invoice.GetByLabel("Tax %").FillAsync("20");
        await invoice.GetByRole(AriaRole.Button, new() { Name = "Raise invoice" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invoice 1 raised: EUR 1,680.00.");
        await Assertions.Expect(panel.GetByTestId("job-status")).ToContainTextAsync("invoiced EUR 1,680.00 · left EUR 0.00");

        await invoice.GetByLabel("Description").FillAsync("One more screw");
        await invoice.GetByLabel("Amount (net)").FillAsync("0.01");
        await invoice.GetByLabel("Tax %").FillAsync("0");
        await invoice.GetByRole(AriaRole.Button, new() { Name = "Raise invoice" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            "This invoice of EUR 0.01 would bill EUR 0.01 more than the customer accepted (EUR 1,680.00 accepted, EUR 1,680.00 already invoiced). "
            + "Propose a change order for the extra work and invoice it once the customer approves, or record the overrun as absorbed.");
        await Assertions.Expect(panel.GetByRole(AriaRole.Link, new() { Name = "Invoice", Exact = false })).ToHaveCountAsync(1);

        // Work starts and is done before the promised dates: both promises kept (the first delivery date gave way to the change order's).
        await panel.GetByRole(AriaRole.Button, new() { Name = "Work started" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Work started.");
        await panel.GetByLabel("Warranty (days)").FillAsync("90");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Complete job" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Completed. The warranty runs 90 days.");
        await Assertions.Expect(panel.GetByTestId("job-status")).ToContainTextAsync("Job completed");
        await Assertions.Expect(panel.GetByTestId("commitments").GetByRole(AriaRole.Listitem))
            .ToHaveTextAsync([$"Start by {Day(today.AddDays(7))}: kept", $"Delivery by {Day(today.AddDays(21))}: kept"]);

        // The customer writes again about the gate; a colleague links the new ticket as warranty work and it goes to the job's owner.
        var complaint = await Factory.OpenTicketAsync($"The gate does not latch {Guid.NewGuid().ToString("N")[..6]}", email, text: "The new gate will not latch.", name: CustomerName);
        var colleague = await NewPageAsync();
        await BrowserApp.SignInAsync(colleague, await Factory.CreateAgentAsync(AgentRoles.Agent));
        await colleague.GotoAsync($"/tickets/{complaint.Id}");
        await BrowserApp.WaitForLiveAsync(colleague);
        var owner = colleague.GetByRole(AriaRole.Combobox, new() { Name = "Owner" });
        await Assertions.Expect(owner).ToHaveValueAsync("");
        var claimPanel = colleague.GetByTestId("job-panel");
        await Assertions.Expect(claimPanel.GetByRole(AriaRole.Heading, new() { Name = "Under warranty" })).ToBeVisibleAsync();
        await claimPanel.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"Job of ticket #{ticket.Id}" })
            .GetByRole(AriaRole.Button, new() { Name = "Link as warranty work" }).ClickAsync();
        await Assertions.Expect(claimPanel.GetByRole(AriaRole.Alert)).ToContainTextAsync("it goes to the job's owner and is free for the customer");
        await Assertions.Expect(claimPanel).ToContainTextAsync($"Warranty work on job of ticket #{ticket.Id}: free for the customer");
        await Assertions.Expect(owner).ToHaveValueAsync(agent.Id.ToString(CultureInfo.InvariantCulture));

        // Billing the warranty work is refused without an override reason; with one, it is still held to what the customer accepted.
        await ReloadAsync(desk);
        await Assertions.Expect(panel).ToContainTextAsync($"Warranty tickets: #{complaint.Id}");
        invoice = await OpenFormAsync(panel, "Raise an invoice");
        await invoice.GetByLabel("Description").FillAsync("Adjust gate latch");
        await invoice.GetByLabel("Amount (net)").FillAsync("40");
        await invoice.GetByLabel("Tax %").FillAsync("20");
        await invoice.GetByLabel("For warranty ticket").SelectOptionAsync(new SelectOptionValue { Label = $"#{complaint.Id}" });
        await invoice.GetByRole(AriaRole.Button, new() { Name = "Raise invoice" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            $"\"Adjust gate latch\" is work on warranty ticket {complaint.Id}, which is free for the customer. To bill it anyway, give an override reason.");
        await invoice.GetByLabel("Override reason").FillAsync("New latch the customer chose, not a defect");
        await invoice.GetByRole(AriaRole.Button, new() { Name = "Raise invoice" }).ClickAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("This invoice of EUR 48.00 would bill EUR 48.00 more than the customer accepted");
        await Assertions.Expect(panel.GetByRole(AriaRole.Link, new() { Name = "Invoice", Exact = false })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Quote_ApprovedByPhone_RecordedByTheAgent_LockedWithItsDatesPromised()
    {
        var (agent, _, _, panel) = await TicketOnDeskAsync("Gate", $"gate+{Guid.NewGuid():N}@example.org", "Could you fit a new garden gate?");
        await QuoteAsync(panel);

        await panel.GetByLabel("Answered outside the portal by").FillAsync(CustomerName);
        await panel.GetByLabel("via").SelectOptionAsync("phone");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Record approval" }).ClickAsync();

        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Approval recorded");
        await Assertions.Expect(panel.GetByTestId("quote-status")).ToHaveTextAsync("approved");
        await Assertions.Expect(panel.GetByText($"by {CustomerName} (by phone, recorded by {agent.Email}")).ToBeVisibleAsync();
        await Assertions.Expect(panel.GetByTestId("commitments")).ToContainTextAsync("Start by");
        await Assertions.Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Record approval" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Quote_DeclinedInPortalWithReason_AgentSeesItDeclinedAndWhy()
    {
        var (_, ticket, desk, panel) = await TicketOnDeskAsync("Shed", $"shed+{Guid.NewGuid():N}@example.org", "Could you build a garden shed, 3 by 2 m?");
        await QuoteAsync(panel);

        var customer = await PortalAsync(ticket);
        await customer.GetByRole(AriaRole.Link, new() { Name = "Quote v1", Exact = false }).ClickAsync();
        await DecideAsync(customer, "Decline", "Too expensive for us this year.");

        await Assertions.Expect(customer.GetByRole(AriaRole.Alert)).ToContainTextAsync("The quote is declined");
        await Assertions.Expect(customer.GetByTestId("quote-status")).ToContainTextAsync($"Declined by {CustomerName}");
        await Assertions.Expect(customer.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToHaveCountAsync(0);
        // The agent's panel shows the answer without a reload.
        await Assertions.Expect(panel.GetByTestId("quote-status")).ToHaveTextAsync("declined");
        await Assertions.Expect(panel.GetByRole(AriaRole.Group).Filter(new() { HasText = "v1 · EUR 1,440.00 · declined by Sam Customer" })).ToBeVisibleAsync();
        await Assertions.Expect(panel.GetByTestId("quote-decline-reason")).ToHaveTextAsync("The customer declined: Too expensive for us this year.");
        await Assertions.Expect(panel.GetByTestId("quote-decline-reason")).ToBeVisibleAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Revise (new version)" })).ToBeVisibleAsync();
        await desk.GotoAsync("/jobs");
        await BrowserApp.WaitForLiveAsync(desk);
        await Assertions.Expect(desk.GetByRole(AriaRole.Row).Filter(new() { Has = desk.GetByRole(AriaRole.Link, new() { Name = $"#{ticket.Id}", Exact = true }) }))
            .ToContainTextAsync("v1 declined");
    }

    [Fact]
    public async Task Request_DeclinedWithPartnerReferral_TicketClosed_PortalShowsCourteousNote()
    {
        var (_, ticket, desk, panel) = await TicketOnDeskAsync("Stone wall", $"wall+{Guid.NewGuid():N}@example.org", "Can you build us a dry stone wall instead of a fence?");
        var partner = $"Stone & Sons {Guid.NewGuid().ToString("N")[..6]}";
        await desk.GotoAsync("/jobs");
        await BrowserApp.WaitForLiveAsync(desk);
        await desk.GetByLabel("Name", new() { Exact = true }).FillAsync(partner);
        await desk.GetByLabel("What they do").FillAsync("dry stone walls");
        await desk.GetByLabel("Website, email or phone").FillAsync("https://stone.example");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Add partner" }).ClickAsync();
        await Assertions.Expect(desk.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Partner added.");
        await Assertions.Expect(desk.GetByRole(AriaRole.Listitem).Filter(new() { HasText = partner })).ToBeVisibleAsync();
        (await Axe.SeriousViolationsAsync(desk)).ShouldBeEmpty();

        await desk.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(desk);
        await panel.GetByRole(AriaRole.Button, new() { Name = "Start a job" }).ClickAsync();
        var decline = await OpenFormAsync(panel, "Decline the request");
        await decline.GetByLabel("Reason (the customer reads it)").FillAsync("We only build wooden fences.");
        await decline.GetByLabel("Refer to").SelectOptionAsync(new SelectOptionValue { Label = partner });
        await decline.GetByRole(AriaRole.Button, new() { Name = "Decline and tell the customer" }).ClickAsync();

        await Assertions.Expect(panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Declined;");
        await Assertions.Expect(panel.GetByTestId("job-status")).ToContainTextAsync("Job declined");
        await Assertions.Expect(panel).ToContainTextAsync($"Declined: We only build wooden fences. Referred to {partner}.");
        await Assertions.Expect(desk.GetByRole(AriaRole.Combobox, new() { Name = "Status" })).ToHaveValueAsync(nameof(TicketStatus.Closed));

        var customer = await PortalAsync(ticket);
        await Assertions.Expect(customer.GetByTestId("declined")).ToContainTextAsync("We are sorry, but we could not take on this request: We only build wooden fences.");
        await Assertions.Expect(customer.GetByTestId("referral")).ToHaveTextAsync(
            $"We think {partner} can help you (dry stone walls). You can reach them at https://stone.example.");
        (await Axe.SeriousViolationsAsync(customer)).ShouldBeEmpty();
    }
}

public sealed class JobJourneyTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : JobJourneyTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class JobJourneyTests_Postgres(PostgresBrowserApp app, Chromium chromium) : JobJourneyTests(app, chromium), IClassFixture<PostgresBrowserApp>;
