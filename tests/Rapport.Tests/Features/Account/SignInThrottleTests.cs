using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rapport.Features.Account;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Account;

/// <summary>Sign-in attempts are limited per IP address and per account, for passwords and two-factor codes alike; a
/// refused attempt is not even checked.</summary>
public abstract class SignInThrottleTests(RapportFactory app) : DatabaseTests(app)
{
    private const string WrongPassword = "not the password 123";

    /// <summary>The app with small limits that come back only after an hour, so that a slow machine cannot refill them
    /// during a test; each test gets its own buckets.</summary>
    private WebApplicationFactory<Program> Throttled(Action<IServiceCollection>? services = null) => App.With(services ?? (_ => { }),
        ("Account:AttemptsPerIp", "5"), ("Account:IpAttemptInterval", "01:00:00"),
        ("Account:AttemptsPerAccount", "4"), ("Account:AccountAttemptInterval", "01:00:00"));

    private static AccountOptions Limits(WebApplicationFactory<Program> app) => app.Services.GetRequiredService<IOptions<AccountOptions>>().Value;

    private static async Task ShouldBeThrottledAsync(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter.ShouldNotBeNull();
        (await Browser.AlertAsync(response)).ShouldNotBeNull().ShouldMatch("^Too many sign-in attempts, try again in [0-9]+ minutes?\\.$");
    }

    [Fact]
    public async Task SignIn_AfterTheAttemptsOfOneIpAddress_IsRefusedWithoutCheckingThePassword()
    {
        var hasher = new CountingHasher(new PasswordHasher<Agent>());
        await using var app = Throttled(services => services.AddScoped<IPasswordHasher<Agent>>(_ => hasher));
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var attacker = new Browser(app);
        for (var i = 0; i < Limits(app).AttemptsPerIp; i++)
        {
            var guess = await attacker.SignInAsync($"guess{i}+{Guid.NewGuid():N}@example.com", WrongPassword);
            (await Browser.AlertAsync(guess)).ShouldBe("Wrong email or password.", $"attempt {i + 1}");
        }
        var checks = hasher.Verifications;

        var refused = await attacker.SignInAsync(agent.Email!, RapportFactory.AgentPassword);

        await ShouldBeThrottledAsync(refused);
        hasher.Verifications.ShouldBe(checks);
        attacker.HasAgentCookie.ShouldBeFalse();
        using var colleague = new Browser(app);
        (await colleague.SignInAsync(agent.Email!, RapportFactory.AgentPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task SignIn_AfterTheAttemptsOnOneAccountFromManyAddresses_IsRefused()
    {
        await using var app = Throttled();
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        for (var i = 0; i < Limits(app).AttemptsPerAccount; i++)
        {
            using var bot = new Browser(app);
            (await Browser.AlertAsync(await bot.SignInAsync(agent.Email!, WrongPassword))).ShouldBe("Wrong email or password.");
        }
        using var another = new Browser(app);

        await ShouldBeThrottledAsync(await another.SignInAsync(agent.Email!.ToUpperInvariant(), WrongPassword));
    }

    [Fact]
    public async Task SignIn_TwoFactorCodes_TakeAttemptsFromTheAccount()
    {
        await using var app = Throttled();
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var (key, _) = await App.EnableTwoFactorAsync(agent);
        using var browser = new Browser(app);
        (await browser.SignInAsync(agent.Email!, RapportFactory.AgentPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var wrong = AccountTestKit.Totp(key) == "000000" ? "111111" : "000000";
        for (var i = 1; i < Limits(app).AttemptsPerAccount; i++)
        {
            (await Browser.AlertAsync(await browser.EnterCodeAsync(wrong))).ShouldBe("That code is not right.");
        }

        await ShouldBeThrottledAsync(await browser.EnterCodeAsync(AccountTestKit.Totp(key)));
        browser.HasAgentCookie.ShouldBeFalse();
    }
}

public sealed class SignInThrottleTests_Sqlite(SqliteRapportFactory app) : SignInThrottleTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SignInThrottleTests_Postgres(PostgresRapportFactory app) : SignInThrottleTests(app), IClassFixture<PostgresRapportFactory>;
