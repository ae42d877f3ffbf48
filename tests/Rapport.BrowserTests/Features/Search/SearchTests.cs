using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Features.Search;

/// <summary>Searching as agents and customers do: the top bar's box ("/" from anywhere) with results as you type on
/// /search?q=…, a customer's tickets on their page, and a customer's own requests in the portal.</summary>
public abstract class SearchTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    // A word no other test writes: letters only, so every index keeps it whole.
    private static string Unique() => "zq" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(10));

    [Fact]
    public async Task Agent_FindsATicketByABodyWordAndByTheCustomersAddress_WithTheWordHighlighted()
    {
        var word = Unique();
        var email = $"dana.{Unique()}@example.org";
        var ticket = await Factory.OpenTicketAsync("Kettle trouble", email, text: $"Hello, the kettle {word} stopped heating after a week.", name: "Dana Customer");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await BrowserApp.WaitForLiveAsync(page);

        await page.Keyboard.PressAsync("/");
        var box = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search all tickets" });
        await Assertions.Expect(box).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(word);

        await page.WaitForURLAsync(url => url.EndsWith($"/search?q={word}", StringComparison.Ordinal));
        var result = page.Locator($"ul.results > li[data-ticket='{ticket.Number}']");
        await Assertions.Expect(result.Locator(".snippet mark")).ToHaveTextAsync(word);
        await Assertions.Expect(result.Locator(".snippet")).ToContainTextAsync("stopped heating");
        await Assertions.Expect(result).ToContainTextAsync("Dana Customer");
        await Assertions.Expect(page.Locator("ul.results > li")).ToHaveCountAsync(1);
        await Assertions.Expect(box).ToBeFocusedAsync();

        await box.FillAsync(email);
        await page.WaitForURLAsync(url => url.Contains("/search?q=dana.", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("ul.results > li")).ToHaveCountAsync(1);
        await Assertions.Expect(result).ToContainTextAsync("Kettle trouble");

        // A result opens its ticket; Back returns to the search, query and results.
        await result.GetByRole(AriaRole.Link, new() { Name = "Kettle trouble" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Kettle trouble" })).ToBeVisibleAsync();
        await page.GoBackAsync();
        await Assertions.Expect(box).ToHaveValueAsync(email);
        await Assertions.Expect(result).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Agent_MoreResults_AddsTheNextPage()
    {
        var word = Unique();
        using (var api = await Factory.CreateTokenClientAsync(ApiTokenScope.Write))
        {
            for (var i = 0; i < 27; i++)
            {
                await (await api.PostJsonAsync("/api/v1/tickets", new { subject = $"Question {i}", customer = new { email = $"q{i}.{word}@example.org" }, message = new { text = $"About {word}, number {i}." } }))
                    .ShouldHaveStatusAsync(System.Net.HttpStatusCode.Created);
            }
        }
        var agent = await Factory.CreateAgentAsync(AgentRoles.ReadOnly);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);

        await page.GotoAsync($"/search?q={word}");
        await BrowserApp.WaitForLiveAsync(page);
        await Assertions.Expect(page.Locator("ul.results > li")).ToHaveCountAsync(25);
        await page.GetByRole(AriaRole.Button, new() { Name = "More results" }).ClickAsync();

        await Assertions.Expect(page.Locator("ul.results > li")).ToHaveCountAsync(27);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "More results" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Agent_BadQueries_ShowTheGrammarsMessage_AndRunNoScript()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.ReadOnly);
        var page = await NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync("/search");
        await BrowserApp.WaitForLiveAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What you can search for" })).ToBeVisibleAsync();

        var box = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search all tickets" });
        await box.FillAsync("refund color:red");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Unknown filter \"color:\"");

        await box.FillAsync("<script>alert(1)</script> <img src=x onerror=alert(2)>");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Search: <script>alert(1)</script>", Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("No tickets found.");

        await page.GotoAsync("/search?q=" + new string('a', 1_000));
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("at most 500 characters");
        await Assertions.Expect(page.Locator("img[src=x]")).ToHaveCountAsync(0);
        dialogs.ShouldBe(0);
    }

    [Fact]
    public async Task CustomerPage_SearchesThatCustomersTicketsOnly()
    {
        var word = Unique();
        var email = $"eli.{Unique()}@example.org";
        var theirs = await Factory.OpenTicketAsync("Broken hinge", email, text: $"The hinge {word} snapped.", name: "Eli Customer");
        await Factory.OpenTicketAsync("Broken hinge too", $"other.{Unique()}@example.org", text: $"My hinge {word} snapped too.");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync($"/customers/{theirs.Customer.Id}");
        await BrowserApp.WaitForLiveAsync(page);

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search this customer's tickets" }).FillAsync(word);

        await Assertions.Expect(page.Locator($"ul.results > li[data-ticket='{theirs.Number}'] .snippet mark")).ToHaveTextAsync(word);
        await Assertions.Expect(page.Locator("ul.results > li")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Portal_FindsTheCustomersOwnTicketByABodyWord_NotAnothersNorANotesWord()
    {
        var word = Unique();
        var noteWord = Unique();
        var mine = await Factory.OpenTicketAsync("Lost parcel", $"fay.{Unique()}@example.org", text: $"My parcel {word} never came.", name: "Fay Customer");
        var other = await Factory.OpenTicketAsync("Someone else's parcel", $"gus.{Unique()}@example.org", text: $"Parcel {word} is missing.");
        using (var api = await Factory.CreateTokenClientAsync(ApiTokenScope.Write))
        {
            await (await api.PostJsonAsync($"/api/v1/tickets/{mine.Id}/notes", new { text = $"Courier ref {noteWord}, internal." }))
                .ShouldHaveStatusAsync(System.Net.HttpStatusCode.Created);
        }
        var page = await NewPageAsync();
        await page.GotoAsync(await Factory.PortalLinkAsync(mine.Customer.Id));
        var box = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search your requests" });

        await box.FillAsync(word);
        await box.PressAsync("Enter");
        var found = page.GetByRole(AriaRole.List, new() { Name = "Requests found" }).Locator("li");
        await Assertions.Expect(found).ToHaveCountAsync(1);
        await Assertions.Expect(found.Locator(".snippet mark")).ToHaveTextAsync(word);
        await Assertions.Expect(found).ToContainTextAsync($"#{mine.Number} Lost parcel");
        await Assertions.Expect(page.GetByText(other.Subject)).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search your requests" }).FillAsync(noteWord);
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search your requests" }).PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("None of your requests mentions that");
        await Assertions.Expect(page.GetByText("Courier ref")).ToHaveCountAsync(0);

        await page.GotoAsync("/portal?q=" + Uri.EscapeDataString("parcel status:open"));
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("filters and left-out words are not available here");
    }
}

public sealed class SearchTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : SearchTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class SearchTests_Postgres(PostgresBrowserApp app, Chromium chromium) : SearchTests(app, chromium), IClassFixture<PostgresBrowserApp>;
