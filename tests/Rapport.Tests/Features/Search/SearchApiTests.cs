using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.ApiTokens;
using Rapport.Features.Portal;
using Rapport.Features.Search;
using Rapport.Features.Tickets;
using Rapport.Tests.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Search;

public abstract class SearchApiTests(RapportFactory app) : DatabaseTests(app)
{
    private sealed record Item(TicketSummary Ticket, long? MessageId, string? Snippet, IReadOnlyList<SnippetMark> Marks);

    private sealed record Results(IReadOnlyList<Item> Items, string? Next);

    // A word no other test writes: letters only, so every index keeps it whole.
    private static string Unique() => "zq" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(10));

    private static PortalVisitor Visitor(long customerId) => new(customerId, LinkId: 0, TicketId: null, "Kim");

    private Task<HttpClient> ClientAsync() => App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

    private static async Task<TicketDetails> CreateAsync(HttpClient client, string subject, string text, string? email = null, string[]? tags = null)
    {
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject,
            customer = new { email = email ?? MailTestKit.Unique("ann"), name = "Ann Example" },
            message = new { text },
            tags,
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDetails>();
    }

    private static async Task<Results> SearchAsync(HttpClient client, string q, int? limit = null, string? after = null)
    {
        var url = $"/api/v1/search?q={Uri.EscapeDataString(q)}" + (limit is null ? "" : $"&limit={limit}") + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");
        var response = await client.GetAsync(url);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        return await response.ReadAsync<Results>();
    }

    [Fact]
    public async Task AWordTheCustomerWrote_FindsTheTicketAtOnce_WithTheWordMarkedInASnippet()
    {
        var client = await ClientAsync();
        var word = Unique();
        var ticket = await CreateAsync(client, "Parcel question", $"Hello, my parcel {word} never arrived and the courier says nothing.");

        var found = await SearchAsync(client, word);

        var item = found.Items.ShouldHaveSingleItem();
        item.Ticket.Id.ShouldBe(ticket.Id);
        item.MessageId.ShouldBe(ticket.Messages.Single().Id);
        var mark = item.Marks.ShouldHaveSingleItem();
        item.Snippet!.Substring(mark.Start, mark.Length).ShouldBe(word);
        (await SearchAsync(client, Unique())).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task StemsAccentsPrefixesAndPhrases_Match()
    {
        var client = await ClientAsync();
        var word = Unique();
        var ticket = await CreateAsync(client, $"Crème brûlée order {word}", "The invoices you sent were charged twice to my card.");

        foreach (var q in new[] { $"{word} creme", $"{word} BRULEE", $"{word} invoice", $"{word} invoi*", $"{word} \"charged twice\"", $"{word} charge" })
        {
            (await SearchAsync(client, q)).Items.ShouldHaveSingleItem($"searching {q}").Ticket.Id.ShouldBe(ticket.Id);
        }
        (await SearchAsync(client, $"{word} \"twice charged\"")).Items.ShouldBeEmpty();
        (await SearchAsync(client, $"{word} -invoice")).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheCustomersAddress_FindsTheirTickets_AsWordsAndAsFrom()
    {
        var client = await ClientAsync();
        var email = MailTestKit.Unique("jo.lee");
        var ticket = await CreateAsync(client, "Login trouble", "I cannot sign in.", email);

        (await SearchAsync(client, email)).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(ticket.Id);
        (await SearchAsync(client, $"from:{email}")).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(ticket.Id);
        (await SearchAsync(client, $"from:{email} status:closed")).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task MailAndNotes_AreFound_NotesByAgentsOnly()
    {
        var client = await ClientAsync();
        var mailWord = Unique();
        var from = MailTestKit.Unique("kim");
        var answer = await client.IngestAsync(MailTestKit.Mail(from, "Broken kettle", $"The kettle {mailWord} stopped heating."));
        var ticketId = answer.TicketId!.Value;
        var noteWord = Unique();
        (await client.PostJsonAsync($"/api/v1/tickets/{ticketId}/notes", new { text = $"Supplier code {noteWord}, do not tell the customer." }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);

        (await SearchAsync(client, mailWord)).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(ticketId);
        (await SearchAsync(client, noteWord)).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(ticketId);

        var customerId = (await SearchAsync(client, mailWord)).Items.Single().Ticket.Customer.Id;
        var search = App.Services.GetRequiredService<SearchTickets>();
        (await search.ForCustomerAsync(mailWord, Visitor(customerId), 10, null, Ct)).Page!.Items.ShouldHaveSingleItem();
        (await search.ForCustomerAsync(noteWord, Visitor(customerId), 10, null, Ct)).Page!.Items.ShouldBeEmpty();
        // Another customer does not find this customer's ticket.
        (await search.ForCustomerAsync(mailWord, Visitor(customerId + 100_000), 10, null, Ct)).Page!.Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Filters_NarrowWordsAndStandAlone()
    {
        var client = await ClientAsync();
        var word = Unique();
        var billing = await CreateAsync(client, $"Refund {word}", "Please refund me.", tags: ["billing"]);
        var other = await CreateAsync(client, $"Refund {word}", "Please refund me too.", tags: ["shipping"]);

        (await SearchAsync(client, $"{word} tag:billing")).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(billing.Id);
        (await SearchAsync(client, $"{word} -tag:billing")).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(other.Id);
        (await SearchAsync(client, $"{word} #{other.Id}")).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(other.Id);
        (await SearchAsync(client, $"#{billing.Id}")).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(billing.Id);
        (await SearchAsync(client, $"{word} status:new")).Items.Count.ShouldBe(2);
        (await SearchAsync(client, $"{word} status:resolved")).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task BadQueries_Are400sThatSayWhy()
    {
        var client = await ClientAsync();

        var unknown = await client.GetAsync("/api/v1/search?q=refund%20color:red");
        await unknown.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).ShouldContain("Unknown filter");
        await (await client.GetAsync("/api/v1/search?q=")).ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/v1/search?q=refund&after=bm90IGEgY3Vyc29y")).ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/v1/search?q=refund&limit=1000")).ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        var anonymous = App.CreateClient();
        (await anonymous.GetAsync("/api/v1/search?q=refund")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Pages_CoverEveryMatchOnce()
    {
        var client = await ClientAsync();
        var word = Unique();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CreateAsync(client, $"Question {i}", $"About {word}, number {i}.")).Id);
        }

        var seen = new List<long>();
        string? after = null;
        do
        {
            var page = await SearchAsync(client, word, limit: 2, after: after);
            page.Items.Count.ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(page.Items.Select(i => i.Ticket.Id));
            after = page.Next;
        }
        while (after is not null);
        seen.Order().ShouldBe(ids.Order());

        var filtered = new List<long>();
        after = null;
        do
        {
            var page = await SearchAsync(client, $"status:new tag:none-such-{word}", limit: 2, after: after);
            filtered.AddRange(page.Items.Select(i => i.Ticket.Id));
            after = page.Next;
        }
        while (after is not null);
        filtered.ShouldBeEmpty();
    }

    [Fact]
    public async Task ANewSubject_IsFoundAfterTheChange()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, "Old subject", "Something is wrong.");
        var word = Unique();

        (await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { subject = $"Printer {word} jams" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await SearchAsync(client, word)).Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(ticket.Id);
    }
}

public sealed class SearchApiTests_Sqlite(SqliteRapportFactory app) : SearchApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SearchApiTests_Postgres(PostgresRapportFactory app) : SearchApiTests(app), IClassFixture<PostgresRapportFactory>;
