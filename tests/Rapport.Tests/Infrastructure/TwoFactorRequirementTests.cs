using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.Settings;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>With two-factor sign-in required by the owner, an agent signed in without it reaches the page that sets it up and
/// the static files that page loads, and nothing else, whatever a path looks like: a dot in the path used to let pages and
/// API routes through as if they were files.</summary>
public abstract partial class TwoFactorRequirementTests(RapportFactory app) : DatabaseTests(app)
{
    // Every test of the class runs with the requirement on (the class has its own database), and the app serves its
    // static files as a published one does.
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        App.ConfigureHost ??= builder => builder.UseStaticWebAssets();
        await using var db = App.CreateDbContext();
        var business = await db.BusinessProfiles.SingleOrDefaultAsync(Ct);
        if (business is null)
        {
            business = BusinessProfile.Create("Test Shop", "Europe/Berlin", App.Now);
            db.BusinessProfiles.Add(business);
        }
        business.SetTwoFactorRequirement(true, App.Now);
        await db.SaveChangesAsync(Ct);
        TwoFactorRequirement.Forget(App.Services.GetRequiredService<IMemoryCache>());
    }

    [Theory]
    [InlineData("/inbox/all")]
    [InlineData("/inbox/all.x")]
    [InlineData("/customers.json")]
    [InlineData("/reports.csv")]
    public async Task Page_AgentWithoutTwoFactor_IsSentToSetItUp(string path)
    {
        using var client = await SignedInWithoutTwoFactorAsync();

        using var response = await client.GetAsync(path, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync(Ct));
        response.Headers.Location!.OriginalString.ShouldBe("/account/two-factor?required=1");
    }

    [Theory]
    [InlineData("/api/v1/reports/sla")]
    [InlineData("/api/v1/reports/sla.csv")]
    [InlineData("/api/v1/jobs/1/invoices/1.csv")]
    [InlineData("/api/v1/promises/kept-rate?by=week&format=csv")]
    public async Task Api_AgentWithoutTwoFactor_Returns403ProblemDetails(string path)
    {
        using var client = await SignedInWithoutTwoFactorAsync();

        using var response = await client.GetAsync(path, Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.Forbidden);
        (await response.ReadAsync<ProblemDetails>()).Title.ShouldBe("Two-factor sign-in required");
    }

    [Fact]
    public async Task StaticAssets_AgentWithoutTwoFactor_AreServedWithTheSetupPage()
    {
        using var client = await SignedInWithoutTwoFactorAsync();

        var page = await client.GetStringAsync("/account/two-factor?required=1", Ct);
        var stylesheet = Stylesheet().Match(page);
        stylesheet.Success.ShouldBeTrue("the two-factor page links its stylesheet");
        using var css = await client.GetAsync("/" + stylesheet.Groups[1].Value.TrimStart('/'), Ct);

        await css.ShouldHaveStatusAsync(HttpStatusCode.OK);
        css.Content.Headers.ContentType!.MediaType.ShouldBe("text/css");
        using var script = await client.GetAsync("/_framework/blazor.web.js", Ct);
        await script.ShouldHaveStatusAsync(HttpStatusCode.OK);
        script.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
    }

    private async Task<HttpClient> SignedInWithoutTwoFactorAsync()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        return await App.SignedInClientAsync(agent);
    }

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"([^\"]+)\"")]
    private static partial Regex Stylesheet();
}

public sealed class TwoFactorRequirementTests_Sqlite(SqliteRapportFactory app) : TwoFactorRequirementTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class TwoFactorRequirementTests_Postgres(PostgresRapportFactory app) : TwoFactorRequirementTests(app), IClassFixture<PostgresRapportFactory>;
