using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Portal;
using Rapport.Features.Search;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;
using Rapport.Tests.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Search;

/// <summary>The search use case as the pages call it: an agent's search within one customer's tickets (the customer
/// page), and a customer's search in the portal (their tickets, or the one ticket of their link; words only).</summary>
public abstract class SearchTicketsTests(RapportFactory app) : DatabaseTests(app)
{
    private SearchTickets Search => App.Services.GetRequiredService<SearchTickets>();

    private static string Unique() => "zq" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(10));

    private async Task<TicketDetails> CreateAsync(string subject, string text, string? email = null)
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new { subject, customer = new { email = email ?? MailTestKit.Unique("cy"), name = "Cy Example" }, message = new { text } });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDetails>();
    }

    private async Task<Actor> AgentAsync(string role = AgentRoles.ReadOnly)
    {
        var agent = await App.CreateAgentAsync(role);
        await using var scope = App.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<Agent>>().CreateAsync(agent)).ToActor();
    }

    private static IEnumerable<long> Ids(SearchTickets.Result result) => result.Page.ShouldNotBeNull(result.Error).Items.Select(i => i.Ticket.Id);

    [Fact]
    public async Task ForAgentAsync_WithACustomer_FindsThatCustomersTicketsOnly()
    {
        var word = Unique();
        var email = MailTestKit.Unique("ida");
        var first = await CreateAsync("Heater", $"The heater {word} is cold.", email);
        var second = await CreateAsync("Heater again", $"Still {word}.", email);
        var someoneElse = await CreateAsync("Heater", $"Mine {word} too.");
        var actor = await AgentAsync();

        Ids(await Search.ForAgentAsync(word, actor, first.Customer.Id, 10, null, Ct)).Order().ShouldBe([first.Id, second.Id]);
        Ids(await Search.ForAgentAsync(word, actor, null, 10, null, Ct)).ShouldContain(someoneElse.Id);
        // Filters alone list the customer's tickets, newest activity first.
        Ids(await Search.ForAgentAsync("status:new", actor, first.Customer.Id, 10, null, Ct)).ShouldBe([second.Id, first.Id]);
        Ids(await Search.ForAgentAsync(word, actor, someoneElse.Customer.Id, 10, null, Ct)).ShouldBe([someoneElse.Id]);
    }

    [Fact]
    public async Task ForAgentAsync_WithoutAccess_IsRefused()
    {
        await Should.ThrowAsync<NotAllowedException>(() => Search.ForAgentAsync("refund", default, null, 10, null, Ct));
    }

    [Fact]
    public async Task ForCustomerAsync_ALinkForOneTicket_FindsThatTicketOnly()
    {
        var word = Unique();
        var email = MailTestKit.Unique("jon");
        var first = await CreateAsync("Lamp", $"The lamp {word} flickers.", email);
        var second = await CreateAsync("Lamp again", $"Another {word}.", email);
        var customerId = first.Customer.Id;

        Ids(await Search.ForCustomerAsync(word, new PortalVisitor(customerId, 0, null, "Jon"), 10, null, Ct)).Order().ShouldBe([first.Id, second.Id]);
        Ids(await Search.ForCustomerAsync(word, new PortalVisitor(customerId, 0, second.Id, "Jon"), 10, null, Ct)).ShouldBe([second.Id]);
    }

    [Theory]
    [InlineData("status:open")]
    [InlineData("tag:vip")]
    [InlineData("is:complaint")]
    [InlineData("owner:me")]
    [InlineData("#1")]
    [InlineData("lamp -supplier")]
    public async Task ForCustomerAsync_FiltersAndLeftOutWords_AreRefusedWithAMessage(string q)
    {
        var result = await Search.ForCustomerAsync(q, new PortalVisitor(1, 0, null, "Jon"), 10, null, Ct);

        result.Page.ShouldBeNull();
        result.Error.ShouldNotBeNull().ShouldContain("words");
    }

    [Fact]
    public async Task ForCustomerAsync_ANotesWord_NeitherFindsNorHidesTheTicket()
    {
        var word = Unique();
        var noteWord = Unique();
        var ticket = await CreateAsync("Boiler", $"The boiler {word} leaks.");
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        await (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { text = $"Supplier {noteWord} is late." })).ShouldHaveStatusAsync(HttpStatusCode.Created);
        var visitor = new PortalVisitor(ticket.Customer.Id, 0, null, "Cy");

        Ids(await Search.ForCustomerAsync(noteWord, visitor, 10, null, Ct)).ShouldBeEmpty();
        Ids(await Search.ForCustomerAsync($"{word} {noteWord}", visitor, 10, null, Ct)).ShouldBeEmpty();
        var hit = (await Search.ForCustomerAsync(word, visitor, 10, null, Ct)).Page!.Items.ShouldHaveSingleItem();
        hit.Snippet!.Text.ShouldNotContain(noteWord);
        (await Search.ForAgentAsync(noteWord, await AgentAsync(), null, 10, null, Ct)).Page!.Items.ShouldHaveSingleItem().Ticket.Id.ShouldBe(ticket.Id);
    }
}

public sealed class SearchTicketsTests_Sqlite(SqliteRapportFactory app) : SearchTicketsTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SearchTicketsTests_Postgres(PostgresRapportFactory app) : SearchTicketsTests(app), IClassFixture<PostgresRapportFactory>;
