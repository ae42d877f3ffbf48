using System.Net;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Account;

/// <summary>Turning two-factor sign-in off takes the password or a current code, not just a signed-in browser.</summary>
public abstract class TwoFactorSettingsTests(RapportFactory app) : DatabaseTests(app)
{
    private async Task<(Agent Agent, string Key, Browser Browser)> SignedInWithTwoFactorAsync()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var (key, codes) = await App.EnableTwoFactorAsync(agent);
        var browser = new Browser(App);
        await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword);
        (await browser.EnterCodeAsync(codes[0])).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return (agent, key, browser);
    }

    private static Task<HttpResponseMessage> TurnOffAsync(Browser browser, string? proof) =>
        Http.SubmitFormAsync(browser.Client, "/account/two-factor", "disable-2fa", proof is null ? [] : new() { ["Disable.Proof"] = proof });

    [Fact]
    public async Task TurnOff_WithoutOrWithAWrongPassword_IsRefused_WithThePassword_Works()
    {
        var (agent, _, browser) = await SignedInWithTwoFactorAsync();
        using var _ = browser;

        var none = await TurnOffAsync(browser, null);
        var wrong = await TurnOffAsync(browser, "not my password 123");
        var stillOn = await App.IsTwoFactorEnabledAsync(agent);
        var right = await TurnOffAsync(browser, RapportFactory.AgentPassword);

        none.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browser.AlertAsync(wrong)).ShouldNotBeNull().ShouldContain("neither your password nor a current code");
        stillOn.ShouldBeTrue();
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await App.IsTwoFactorEnabledAsync(agent)).ShouldBeFalse();
        // The change renewed the security stamp; this browser stays signed in.
        (await browser.Client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TurnOff_WithACurrentCode_Works()
    {
        var (agent, key, browser) = await SignedInWithTwoFactorAsync();
        using var _ = browser;

        await TurnOffAsync(browser, AccountTestKit.Totp(key));

        (await App.IsTwoFactorEnabledAsync(agent)).ShouldBeFalse();
    }
}

public sealed class TwoFactorSettingsTests_Sqlite(SqliteRapportFactory app) : TwoFactorSettingsTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class TwoFactorSettingsTests_Postgres(PostgresRapportFactory app) : TwoFactorSettingsTests(app), IClassFixture<PostgresRapportFactory>;
