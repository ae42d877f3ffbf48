using System.Net;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Features.Reports;

/// <summary>An agent answers a ticket; the reports page shows it in the summary, the chart and the per-agent table, the CSV
/// it offers holds the same row, and another range shows nothing.</summary>
public abstract class ReportsPageTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task ReportsPage_AnsweredTicket_FiguresTableChartAndCsv()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var ticket = await Factory.OpenTicketAsync("Report " + Guid.NewGuid().ToString("N")[..6], $"rep+{Guid.NewGuid():N}@example.org", text: "Where is it?");
        Factory.Time.Advance(TimeSpan.FromMinutes(90));
        using (var client = await Factory.CreateTokenClientAsync(ApiTokenScope.Write, agent))
        {
            await (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Found it." })).ShouldHaveStatusAsync(HttpStatusCode.Created);
        }
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);

        await page.GotoAsync("/reports");
        await BrowserApp.WaitForLiveAsync(page);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reports", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".report-summary .card", new() { HasText = "First responses in time" })).ToContainTextAsync("100 %");
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "SLA attainment per week" })).ToBeVisibleAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = agent.DisplayName }) });
        await Assertions.Expect(row).ToContainTextAsync("100 % (1/1)");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), Ct);
        csv.ShouldStartWith("week,agent_id,agent,");
        csv.ShouldContain($"all,{agent.Id},{agent.DisplayName},1,");

        await page.GetByLabel("From").FillAsync("2020-01-06");
        await page.GetByLabel("To").FillAsync("2020-02-02");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Nothing to report in this range.")).ToBeVisibleAsync();
        await page.GetByLabel("To").FillAsync("2019-12-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The range ends before it starts");
    }
}

public sealed class ReportsPageTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : ReportsPageTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class ReportsPageTests_Postgres(PostgresBrowserApp app, Chromium chromium) : ReportsPageTests(app, chromium), IClassFixture<PostgresBrowserApp>;
