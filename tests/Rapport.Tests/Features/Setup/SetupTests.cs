using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Admin;
using Rapport.Features.Agents;
using Rapport.Features.Setup;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Setup;

/// <summary>First run: the setup page (with the one-time link) and the admin command line. Each test class gets
/// a fresh database, so this one starts with no owner.</summary>
public abstract class SetupTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task FirstRun_SetupPageThenCommandLine_CreatesOwnerOnce()
    {
        var link = App.Services.GetRequiredService<SetupLink>();
        using var browser = App.CreateClient(new() { AllowAutoRedirect = false });
        var email = $"owner+{Guid.NewGuid():N}@example.com";
        var withoutKey = await browser.GetStringAsync("/setup?token=wrong", Ct);
        withoutKey.ShouldNotContain("Create owner account");
        withoutKey.ShouldContain("setup link");

        var setupPage = await browser.GetStringAsync($"/setup?token={link.Token}", Ct);
        setupPage.ShouldContain("Public address of the desk");
        var tooShort = await Http.SubmitFormAsync(browser, $"/setup?token={link.Token}", "setup", Form(link.Token, email, "short"));
        var notAnAddress = await Http.SubmitFormAsync(browser, $"/setup?token={link.Token}", "setup",
            new(Form(link.Token, email, "a good long password")) { ["Input.PublicUrl"] = "javascript:alert(1)" });
        var created = await Http.SubmitFormAsync(browser, $"/setup?token={link.Token}", "setup", Form(link.Token, email, "a good long password"));

        (await tooShort.Content.ReadAsStringAsync(Ct)).ShouldContain("at least 10 characters");
        (await notAnAddress.Content.ReadAsStringAsync(Ct)).ShouldContain("is not a web address");
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        created.Headers.Location!.ToString().ShouldEndWith("/");
        // The fake clock lies in the past, so the client would drop the persistent cookie as expired: send it by hand.
        var cookie = created.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("rapport.auth=", StringComparison.Ordinal)).Split(';')[0];
        using var homeRequest = new HttpRequestMessage(HttpMethod.Get, "/");
        homeRequest.Headers.Add("Cookie", cookie);
        var homeResponse = await App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(homeRequest, Ct);
        homeResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        var home = await homeResponse.Content.ReadAsStringAsync(Ct);
        home.ShouldContain("Harbour Street Plumbing");
        await using (var db = App.CreateDbContext())
        {
            var profile = await db.BusinessProfiles.SingleAsync(Ct);
            profile.TimeZone.ShouldBe("Europe/Berlin");
            profile.PublicUrl.ShouldBe("https://help.harbour-plumbing.example");
            var owner = await db.Users.SingleAsync(u => u.Email == email, Ct);
            owner.DisplayName.ShouldBe("Olga Owner");
        }

        var again = await App.CreateClient().GetStringAsync($"/setup?token={link.Token}", Ct);
        again.ShouldContain("Rapport is set up");
        again.ShouldNotContain("Create owner account");
        var command = await AdminCommands.RunAsync(App.Services,
            ["setup", "--email", "second@example.com", "--password", "a good long password", "--business", "Other", "--time-zone", "UTC"]);
        command.ShouldBe(1);
        await using (var db = App.CreateDbContext())
        {
            (await db.Users.CountAsync(u => u.Email == "second@example.com" || u.Email == "other@example.com", Ct)).ShouldBe(0);
        }
    }

    [Fact]
    public async Task Commands_TokenCreateMigrateAndSeedDemo_Work()
    {
        var before = await CountTokensAsync();

        var created = await AdminCommands.RunAsync(App.Services, ["token", "create", "--name", "ci", "--scope", "read"]);
        var badScope = await AdminCommands.RunAsync(App.Services, ["token", "create", "--name", "ci", "--scope", "admin"]);
        var migrate = await AdminCommands.RunAsync(App.Services, ["migrate"]);
        var seed = await AdminCommands.RunAsync(App.Services, ["seed-demo"]);
        var seedAgain = await AdminCommands.RunAsync(App.Services, ["seed-demo"]);

        created.ShouldBe(0);
        badScope.ShouldNotBe(0);
        migrate.ShouldBe(0);
        seed.ShouldBe(0);
        seedAgain.ShouldBe(0);
        (await CountTokensAsync()).ShouldBe(before + 1);
        await using var db = App.CreateDbContext();
        var demoTickets = await db.TicketTags.CountAsync(t => t.Name == "demo", Ct);
        demoTickets.ShouldBe(24);
        (await db.Users.CountAsync(u => u.Email!.EndsWith("@demo.rapport.test"), Ct)).ShouldBe(3);
        (await db.Tickets.Select(t => t.Status).Distinct().CountAsync(Ct)).ShouldBe(5);
    }

    [Fact]
    public void AdminCommands_AreRecognisedOnlyForKnownVerbs()
    {
        AdminCommands.IsCommand(["setup", "--email", "x"]).ShouldBeTrue();
        AdminCommands.IsCommand(["token", "create"]).ShouldBeTrue();
        AdminCommands.IsCommand(["--urls", "http://localhost:5000"]).ShouldBeFalse();
        AdminCommands.IsCommand([]).ShouldBeFalse();
    }

    private async Task<int> CountTokensAsync()
    {
        await using var db = App.CreateDbContext();
        return await db.ApiTokens.CountAsync(Ct);
    }

    private static Dictionary<string, string> Form(string token, string email, string password) => new()
    {
        ["Input.Token"] = token,
        ["Input.BusinessName"] = "Harbour Street Plumbing",
        ["Input.TimeZone"] = "Europe/Berlin",
        ["Input.OwnerName"] = "Olga Owner",
        ["Input.Email"] = email,
        ["Input.Password"] = password,
        ["Input.PublicUrl"] = "https://help.harbour-plumbing.example/",
    };
}

public sealed class SetupTests_Sqlite(SqliteRapportFactory app) : SetupTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SetupTests_Postgres(PostgresRapportFactory app) : SetupTests(app), IClassFixture<PostgresRapportFactory>;
