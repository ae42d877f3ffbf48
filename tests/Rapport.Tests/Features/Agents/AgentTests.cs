using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Agents;

public abstract class AgentTests(RapportFactory app) : DatabaseTests(app)
{
    [Theory]
    [InlineData(AgentRoles.Owner)]
    [InlineData(AgentRoles.Agent)]
    [InlineData(AgentRoles.ReadOnly)]
    public async Task An_agent_is_created_with_one_role_and_can_sign_in(string role)
    {
        var agent = await App.CreateAgentAsync(role, Ct);

        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var saved = await users.FindByEmailAsync(agent.Email!);
        saved.ShouldNotBeNull();
        (await users.GetRolesAsync(saved)).ShouldBe([role]);
        (await users.CheckPasswordAsync(saved, RapportFactory.AgentPassword)).ShouldBeTrue();
        saved.CreatedAt.ShouldBe(App.Now);
    }

    [Fact]
    public async Task The_team_list_shows_each_agent_with_their_role()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner, Ct);
        var readOnly = await App.CreateAgentAsync(AgentRoles.ReadOnly, Ct);
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, owner, Ct);

        var team = await client.GetFromJsonAsync<List<AgentsApi.AgentInfo>>("/api/v1/agents", Ct);

        team.ShouldNotBeNull();
        team.Single(a => a.Id == owner.Id).Roles.ShouldBe([AgentRoles.Owner]);
        var listed = team.Single(a => a.Id == readOnly.Id);
        listed.Roles.ShouldBe([AgentRoles.ReadOnly]);
        listed.Email.ShouldBe(readOnly.Email);
        listed.IsActive.ShouldBeTrue();
    }
}

public sealed class AgentTests_Sqlite(SqliteRapportFactory app) : AgentTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class AgentTests_Postgres(PostgresRapportFactory app) : AgentTests(app), IClassFixture<PostgresRapportFactory>;
