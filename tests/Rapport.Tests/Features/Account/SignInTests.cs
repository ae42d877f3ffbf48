using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Account;

/// <summary>The sign-in form tells nobody which addresses have accounts (same answer, same work), says "deactivated" only
/// to the right password, and counts wrong two-factor and recovery codes toward lockout.</summary>
public abstract class SignInTests(RapportFactory app) : DatabaseTests(app)
{
    private const string WrongPassword = "not the password 123";

    private static string UnknownAddress() => $"nobody+{Guid.NewGuid():N}@example.com";

    private async Task DeactivateAsync(Agent agent)
    {
        (await App.Services.GetRequiredService<ManageTeam>().SetActiveAsync(agent.Id, false, Rapport.Features.Tickets.Actor.System)).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task SignIn_UnknownAddressDeactivatedAccountOrWrongPassword_GetTheSamePage()
    {
        var active = await App.CreateAgentAsync(AgentRoles.Agent);
        var deactivated = await App.CreateAgentAsync(AgentRoles.Agent);
        await DeactivateAsync(deactivated);
        using var browser = new Browser(App);

        var unknown = await browser.SignInAsync(UnknownAddress(), WrongPassword);
        var inactive = await browser.SignInAsync(deactivated.Email!, WrongPassword);
        var wrong = await browser.SignInAsync(active.Email!, WrongPassword);

        (await Browser.AlertAsync(wrong)).ShouldBe("Wrong email or password.");
        inactive.StatusCode.ShouldBe(wrong.StatusCode);
        unknown.StatusCode.ShouldBe(wrong.StatusCode);
        (await Browser.PageWithoutValuesAsync(inactive)).ShouldBe(await Browser.PageWithoutValuesAsync(wrong));
        (await Browser.PageWithoutValuesAsync(unknown)).ShouldBe(await Browser.PageWithoutValuesAsync(wrong));
    }

    [Fact]
    public async Task SignIn_DeactivatedAccountWithTheRightPassword_SaysDeactivated_AndDoesNotSignIn()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        await DeactivateAsync(agent);
        using var browser = new Browser(App);

        var response = await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browser.AlertAsync(response)).ShouldNotBeNull().ShouldContain("deactivated");
        browser.HasAgentCookie.ShouldBeFalse();
    }

    [Fact]
    public async Task SignIn_UnknownAddress_LocksAfterAsManyFailuresAsARealAccount()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var unknown = UnknownAddress();
        using var browser = new Browser(App);
        var attempts = App.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.Lockout.MaxFailedAccessAttempts;

        for (var i = 0; i < attempts; i++)
        {
            var real = await Browser.AlertAsync(await browser.SignInAsync(agent.Email!, WrongPassword));
            var none = await Browser.AlertAsync(await browser.SignInAsync(unknown, WrongPassword));
            none.ShouldBe(real, $"attempt {i + 1}");
        }
        var locked = await browser.SignInAsync(unknown, WrongPassword);
        (await Browser.AlertAsync(locked)).ShouldNotBeNull().ShouldContain("locked");
    }

    [Fact]
    public async Task SignIn_UnknownAddressOrInvitedAgent_ChecksAPasswordHashLikeAWrongPassword()
    {
        var hasher = new CountingHasher(new PasswordHasher<Agent>());
        await using var app = App.With(services => services.AddScoped<IPasswordHasher<Agent>>(_ => hasher));
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var invited = $"invited+{Guid.NewGuid():N}@example.com";
        (await App.Services.GetRequiredService<ManageTeam>().InviteAsync(invited, "Ivy Invited", AgentRoles.Agent, Rapport.Features.Tickets.Actor.System)).Succeeded.ShouldBeTrue();
        using var browser = new Browser(app);

        var checks = new List<int>();
        foreach (var email in new[] { agent.Email!, UnknownAddress(), invited })
        {
            var before = hasher.Verifications;
            (await Browser.AlertAsync(await browser.SignInAsync(email, WrongPassword))).ShouldBe("Wrong email or password.");
            checks.Add(hasher.Verifications - before);
        }

        checks.ShouldBe([1, 1, 1]);
    }

    [Fact]
    public async Task SignIn_WrongRecoveryCodes_LockTheAccount_SoARightOneIsRefused()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var (_, codes) = await App.EnableTwoFactorAsync(agent);
        using var browser = new Browser(App);
        var password = await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword);
        password.Headers.Location.ShouldNotBeNull().AbsolutePath.ShouldBe("/account/login-2fa");

        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await browser.EnterCodeAsync($"WRONG-CODE{i}");
        }
        var right = await browser.EnterCodeAsync(codes[0]);

        (await Browser.AlertAsync(last!)).ShouldNotBeNull().ShouldContain("locked");
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browser.AlertAsync(right)).ShouldNotBeNull().ShouldContain("locked");
        browser.HasAgentCookie.ShouldBeFalse();
    }

    [Fact]
    public async Task SignIn_WrongAuthenticatorCodes_LockTheAccount()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var (key, codes) = await App.EnableTwoFactorAsync(agent);
        var current = AccountTestKit.Totp(key);
        using var browser = new Browser(App);
        await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword);

        HttpResponseMessage? last = null;
        foreach (var wrong in new[] { "000000", "111111", "222222", "333333", "444444", "555555" }.Where(c => c != current).Take(5))
        {
            last = await browser.EnterCodeAsync(wrong);
        }
        var recovery = await browser.EnterCodeAsync(codes[0]);

        (await Browser.AlertAsync(last!)).ShouldNotBeNull().ShouldContain("locked");
        (await Browser.AlertAsync(recovery)).ShouldNotBeNull().ShouldContain("locked");
        browser.HasAgentCookie.ShouldBeFalse();
    }
}

public sealed class SignInTests_Sqlite(SqliteRapportFactory app) : SignInTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SignInTests_Postgres(PostgresRapportFactory app) : SignInTests(app), IClassFixture<PostgresRapportFactory>;
