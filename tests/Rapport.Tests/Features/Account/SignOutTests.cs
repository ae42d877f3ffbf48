using System.Net;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Account;

/// <summary>Signing out ends the session on the server: a copy of the cookie made before stops working at once.</summary>
public abstract class SignOutTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task SignOut_ReplayingTheCookieFromBefore_IsRefused()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var browser = new Browser(App);
        (await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var copy = App.CreateDefaultClient();
        copy.DefaultRequestHeaders.Add("Cookie", browser.CookieHeader);
        (await copy.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var signOut = await browser.SignOutAsync("/", "/account/logout");

        signOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await copy.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await browser.Client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignOut_ThenSignIn_GivesAWorkingSession()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var browser = new Browser(App);
        await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword);
        await browser.SignOutAsync("/", "/account/logout");

        (await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        (await browser.Client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

public sealed class SignOutTests_Sqlite(SqliteRapportFactory app) : SignOutTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SignOutTests_Postgres(PostgresRapportFactory app) : SignOutTests(app), IClassFixture<PostgresRapportFactory>;
