using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.ApiTokens;

/// <summary>Who may write: read tokens and read-only agents may not; revoked tokens may do nothing;
/// only the owner manages tokens.</summary>
public abstract class AuthorizationTests(RapportFactory app) : DatabaseTests(app)
{
    private static object Ticket() => new
    {
        subject = "Authorization check",
        customer = new { email = $"test+{Guid.NewGuid():N}@example.com" },
        message = new { text = "Hello" },
    };

    [Fact]
    public async Task ReadToken_CanReadButNotWrite()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostJsonAsync("/api/v1/customers", new { emails = new[] { "x@example.com" } })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task NoToken_Returns401ProblemDetails()
    {
        using var client = App.CreateClient();

        var response = await client.PostJsonAsync("/api/v1/tickets", Ticket());

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task RevokedToken_IsRefusedAtOnce()
    {
        var (token, plain) = await App.CreateTokenAsync(ApiTokenScope.Write, ct: Ct);
        using var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", plain);
        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await App.Services.GetRequiredService<ManageApiTokens>().RevokeAsync(token.Id, Actor.System, Ct)).ShouldBeTrue();

        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ReadOnlyAgent_SignedIn_CanReadButNotWrite()
    {
        var viewer = await App.CreateAgentAsync(AgentRoles.ReadOnly);
        using var client = await App.SignedInClientAsync(viewer);

        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Agent_SignedIn_CanWrite_ButCannotManageTokens()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var client = await App.SignedInClientAsync(agent);

        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.GetAsync("/api/v1/tokens", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Owner_CreatesTokenShownOnce_ThatWorks_AndRevokesIt()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var ownerClient = await App.SignedInClientAsync(owner);

        var created = await ownerClient.PostJsonAsync("/api/v1/tokens", new { name = "shop integration", scope = "write" });
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var token = await created.ReadAsync<ApiTokensApi.CreatedToken>();
        using var integration = App.CreateClient();
        integration.DefaultRequestHeaders.Authorization = new("Bearer", token.Token);
        var ticket = await integration.PostJsonAsync("/api/v1/tickets", Ticket());
        var list = await (await ownerClient.GetAsync("/api/v1/tokens", Ct)).Content.ReadAsStringAsync(Ct);
        var revoked = await ownerClient.DeleteAsync($"/api/v1/tokens/{token.Info.Id}", Ct);

        await ticket.ShouldHaveStatusAsync(HttpStatusCode.Created);
        list.ShouldContain("shop integration");
        list.ShouldNotContain(token.Token);
        revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await integration.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WrongPassword_DoesNotSignIn_AndLocksAfterFiveTries()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });

        for (var i = 0; i < 5; i++)
        {
            var attempt = await Http.SubmitFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = agent.Email!, ["Input.Password"] = "wrong password!" });
            attempt.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var locked = await Http.SubmitFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = agent.Email!, ["Input.Password"] = RapportFactory.AgentPassword });

        locked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await locked.Content.ReadAsStringAsync(Ct)).ShouldContain("locked");
    }
}

public sealed class AuthorizationTests_Sqlite(SqliteRapportFactory app) : AuthorizationTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class AuthorizationTests_Postgres(PostgresRapportFactory app) : AuthorizationTests(app), IClassFixture<PostgresRapportFactory>;
