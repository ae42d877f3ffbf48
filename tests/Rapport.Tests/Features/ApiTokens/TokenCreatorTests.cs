using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.ApiTokens;

/// <summary>A token acts for the agent who created it, so it can do no more than they can now (pen test finding 8: tokens
/// kept working after their creator was deactivated or demoted). Each test uses the token once first, so that the cached
/// token and standing must be forgotten when the team changes.</summary>
public abstract class TokenCreatorTests(RapportFactory app) : DatabaseTests(app)
{
    private static object Ticket() => new
    {
        subject = "Token creator check",
        customer = new { email = $"test+{Guid.NewGuid():N}@example.com" },
        message = new { text = "Hello" },
    };

    [Fact]
    public async Task WriteToken_CreatorDeactivated_Returns401()
    {
        var creator = await CreatorAsync();
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, creator, Ct);
        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Team.SetActiveAsync(creator.Id, false, Actor.System)).Succeeded.ShouldBeTrue();

        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WriteToken_CreatorReactivated_WorksAgain()
    {
        var creator = await CreatorAsync();
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, creator, Ct);
        (await Team.SetActiveAsync(creator.Id, false, Actor.System)).Succeeded.ShouldBeTrue();
        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await Team.SetActiveAsync(creator.Id, true, Actor.System)).Succeeded.ShouldBeTrue();

        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task WriteToken_CreatorDemotedToReadOnly_ReadsButCannotWrite()
    {
        var creator = await CreatorAsync();
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, creator, Ct);
        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await Team.ChangeRoleAsync(creator.Id, AgentRoles.ReadOnly, Actor.System)).Succeeded.ShouldBeTrue();
        var tickets = await CountTicketsAsync();

        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await client.PostJsonAsync("/api/v1/tickets", Ticket());
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await CountTicketsAsync()).ShouldBe(tickets);
    }

    [Fact]
    public async Task WriteToken_CreatorDemotedFromOwnerToAgent_KeepsWriting()
    {
        var creator = await CreatorAsync();
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, creator, Ct);
        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Team.ChangeRoleAsync(creator.Id, AgentRoles.Agent, Actor.System)).Succeeded.ShouldBeTrue();

        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task SignedInAgent_DemotedToReadOnly_CannotWriteThroughTheApiAtOnce()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var client = await App.SignedInClientAsync(agent);
        (await client.PostJsonAsync("/api/v1/tickets", Ticket())).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await Team.ChangeRoleAsync(agent.Id, AgentRoles.ReadOnly, Actor.System)).Succeeded.ShouldBeTrue();
        var tickets = await CountTicketsAsync();

        var refused = await client.PostJsonAsync("/api/v1/tickets", Ticket());
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await CountTicketsAsync()).ShouldBe(tickets);
    }

    private ManageTeam Team => App.Services.GetRequiredService<ManageTeam>();

    /// <summary>An owner who will make a token, and another, so that the desk keeps an owner when this one changes.</summary>
    private async Task<Rapport.Features.Agents.Agent> CreatorAsync()
    {
        await App.CreateAgentAsync(AgentRoles.Owner);
        return await App.CreateAgentAsync(AgentRoles.Owner);
    }

    private async Task<int> CountTicketsAsync()
    {
        await using var db = App.CreateDbContext();
        return await db.Tickets.CountAsync(t => t.Subject == "Token creator check", Ct);
    }
}

public sealed class TokenCreatorTests_Sqlite(SqliteRapportFactory app) : TokenCreatorTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class TokenCreatorTests_Postgres(PostgresRapportFactory app) : TokenCreatorTests(app), IClassFixture<PostgresRapportFactory>;
