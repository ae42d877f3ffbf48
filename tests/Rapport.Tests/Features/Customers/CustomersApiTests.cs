using System.Net;
using Microsoft.AspNetCore.Mvc;
using Rapport.Features.Agents;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Customers;

public abstract class CustomersApiTests(RapportFactory app) : DatabaseTests(app)
{
    private static string Address() => $"test+{Guid.NewGuid():N}@example.com";

    private async Task<(HttpClient Client, CustomerDetails Customer)> CreateCustomerAsync(HttpClient? client = null, params string[] emails)
    {
        client ??= await App.CreateTokenClientAsync(Rapport.Features.ApiTokens.ApiTokenScope.Write, ct: Ct);
        var response = await client.PostJsonAsync("/api/v1/customers", new { name = "Dana Example", emails = emails.Length > 0 ? emails : [Address()], phone = "+1 555 0100", organization = "Example Ltd" });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (client, await response.ReadAsync<CustomerDetails>());
    }

    private static async Task<TicketDetails> OpenTicketAsync(HttpClient client, string email)
    {
        var response = await client.PostJsonAsync("/api/v1/tickets", new { subject = "Question", customer = new { email }, message = new { text = "Hello?" } });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDetails>();
    }

    [Fact]
    public async Task Create_WithSeveralAddresses_ReturnsCustomerPrimaryFirst()
    {
        var primary = Address();
        var (_, customer) = await CreateCustomerAsync(null, primary.ToUpperInvariant(), Address());

        customer.Emails.Count.ShouldBe(2);
        customer.Emails[0].ShouldBe(primary);
        customer.Organization!.Name.ShouldBe("Example Ltd");
        customer.Phone.ShouldBe("+1 555 0100");
    }

    [Fact]
    public async Task Create_AddressOfAnotherCustomer_Returns409NamingThatCustomer()
    {
        var email = Address();
        var (client, existing) = await CreateCustomerAsync(null, email);

        var response = await client.PostJsonAsync("/api/v1/customers", new { name = "Copy", emails = new[] { email } });

        await response.ShouldHaveStatusAsync(HttpStatusCode.Conflict);
        var problem = await response.ReadAsync<ProblemDetails>();
        problem.Extensions["customerId"]!.ToString().ShouldBe(existing.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Create_WithoutAddressOrWithBadAddress_Returns400()
    {
        var client = await App.CreateTokenClientAsync(Rapport.Features.ApiTokens.ApiTokenScope.Write, ct: Ct);

        var none = await client.PostJsonAsync("/api/v1/customers", new { name = "Nobody" });
        var bad = await client.PostJsonAsync("/api/v1/customers", new { name = "Bad", emails = new[] { "not an address" } });

        await none.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        await bad.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await bad.ReadAsync<HttpValidationProblemDetails>()).Errors.Keys.ShouldBe(["emails"]);
    }

    [Fact]
    public async Task List_ByEmailOrSearch_FindsTheCustomer()
    {
        var email = Address();
        var (client, customer) = await CreateCustomerAsync(null, email);
        var unique = Guid.NewGuid().ToString("N")[..12];
        await (await client.PatchJsonAsync($"/api/v1/customers/{customer.Id}", new { name = $"Zed {unique} Person" })).ShouldHaveStatusAsync(HttpStatusCode.OK);

        var byEmail = await (await client.GetAsync($"/api/v1/customers?email={Uri.EscapeDataString(email.ToUpperInvariant())}")).ReadAsync<Page<CustomerDetails>>();
        var byName = await (await client.GetAsync($"/api/v1/customers?q={unique.ToUpperInvariant()}")).ReadAsync<Page<CustomerDetails>>();
        var byAddressPart = await (await client.GetAsync($"/api/v1/customers?q={email[5..20]}")).ReadAsync<Page<CustomerDetails>>();

        byEmail.Items.ShouldHaveSingleItem().Id.ShouldBe(customer.Id);
        byName.Items.ShouldHaveSingleItem().Name.ShouldBe($"Zed {unique} Person");
        byAddressPart.Items.ShouldHaveSingleItem().Id.ShouldBe(customer.Id);
    }

    [Fact]
    public async Task Update_ChangesDetailsAndOwner()
    {
        var (client, customer) = await CreateCustomerAsync();
        var owner = await App.CreateAgentAsync(AgentRoles.Agent);
        var newAddress = Address();

        var response = await client.PatchJsonAsync($"/api/v1/customers/{customer.Id}",
            new { notes = "Prefers phone calls", ownerId = owner.Id, emails = new[] { newAddress, customer.Emails[0] }, organization = "" });

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var updated = await response.ReadAsync<CustomerDetails>();
        updated.Notes.ShouldBe("Prefers phone calls");
        updated.Owner!.Id.ShouldBe(owner.Id);
        updated.Emails.ShouldBe([newAddress, customer.Emails[0]]);
        updated.Organization.ShouldBeNull();
    }

    [Fact]
    public async Task Update_UnknownCustomer_Returns404()
    {
        var client = await App.CreateTokenClientAsync(Rapport.Features.ApiTokens.ApiTokenScope.Write, ct: Ct);

        (await client.PatchJsonAsync("/api/v1/customers/987654321", new { name = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/api/v1/customers/987654321")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Merge_TwoCustomers_KeepsAllTicketsAndAddresses()
    {
        var keepEmail = Address();
        var mergeEmail = Address();
        var (client, keep) = await CreateCustomerAsync(null, keepEmail);
        var (_, duplicate) = await CreateCustomerAsync(client, mergeEmail);
        var kept1 = await OpenTicketAsync(client, keepEmail);
        var moved1 = await OpenTicketAsync(client, mergeEmail);
        var moved2 = await OpenTicketAsync(client, mergeEmail);
        await (await client.PatchJsonAsync($"/api/v1/tickets/{moved2.Id}", new { status = "closed" })).ShouldHaveStatusAsync(HttpStatusCode.OK);

        var response = await client.PostJsonAsync($"/api/v1/customers/{keep.Id}/merge", new { sourceId = duplicate.Id });

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var result = await response.ReadAsync<CustomersApi.MergeResult>();
        result.TicketsMoved.ShouldBe(2);
        result.Customer.Emails.ShouldBe([keepEmail, mergeEmail], ignoreOrder: true);
        result.Customer.TicketCount.ShouldBe(3);
        var tickets = await (await client.GetAsync($"/api/v1/tickets?customerId={keep.Id}")).ReadAsync<Page<TicketSummary>>();
        tickets.Items.Select(t => t.Id).ShouldBe([kept1.Id, moved1.Id, moved2.Id], ignoreOrder: true);
        var old = await (await client.GetAsync($"/api/v1/customers/{duplicate.Id}")).ReadAsync<CustomerDetails>();
        old.MergedIntoId.ShouldBe(keep.Id);
        old.Emails.ShouldBeEmpty();
        var history = await (await client.GetAsync($"/api/v1/tickets/{moved1.Id}/events")).ReadAsync<List<TicketEventDetails>>();
        history.ShouldContain(e => e.Kind == TicketEventKind.CustomerMerged);
        // New mail from the merged address lands with the customer that stayed.
        (await OpenTicketAsync(client, mergeEmail)).Customer.Id.ShouldBe(keep.Id);
    }

    [Fact]
    public async Task Merge_IntoItselfOrUnknown_IsRefused()
    {
        var (client, customer) = await CreateCustomerAsync();

        var self = await client.PostJsonAsync($"/api/v1/customers/{customer.Id}/merge", new { sourceId = customer.Id });
        var unknown = await client.PostJsonAsync($"/api/v1/customers/{customer.Id}/merge", new { sourceId = 987654321 });

        await self.ShouldHaveStatusAsync(HttpStatusCode.Conflict);
        await unknown.ShouldHaveStatusAsync(HttpStatusCode.NotFound);
    }
}

public sealed class CustomersApiTests_Sqlite(SqliteRapportFactory app) : CustomersApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class CustomersApiTests_Postgres(PostgresRapportFactory app) : CustomersApiTests(app), IClassFixture<PostgresRapportFactory>;
