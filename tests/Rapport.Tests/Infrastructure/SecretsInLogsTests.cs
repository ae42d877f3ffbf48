using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Customers;
using Rapport.Features.Portal;
using Rapport.Features.Setup;

namespace Rapport.Tests.Infrastructure;

/// <summary>Logs are JSON lines that operators ship and keep: in Production they carry no secret. The one-time setup link
/// goes to the console for the operator who started Rapport, and is not in a log event; neither are a portal link's
/// secret or the setup token when those links are opened.</summary>
public abstract partial class SecretsInLogsTests(RapportFactory app) : DatabaseTests(app)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    public override ValueTask InitializeAsync()
    {
        Assert.SkipWhen(!File.Exists(RapportProcess.AppPath), $"The built app is missing at {RapportProcess.AppPath}");
        return base.InitializeAsync();
    }

    [Fact]
    public async Task FirstRunAndPortalLink_InProduction_LogNoSecret()
    {
        // In-process first (nothing has set the desk up yet): the warning that setup is pending, without the link's token.
        var token = App.Services.GetRequiredService<SetupLink>().Token;
        var pending = await Wait.ForAsync(() => App.Logs.Entries.FirstOrDefault(e => e.Category == "Rapport.Setup"), "the setup warning", TimeSpan.FromSeconds(60));
        pending.Message.ShouldContain("/setup");
        App.Logs.Entries.ShouldAllBe(e => !e.Message.Contains(token));

        // Then the published app in Production on the same database, logging at Information as shipped.
        var settings = new Dictionary<string, string>(App.DatabaseSettings) { ["Database:Provider"] = App.Provider.ToString() };
        await using var app = await RapportProcess.StartAsync(settings, StartTimeout, Ct);
        var setupToken = await Wait.ForAsync(() => SetupLinkLine().Match(app.Output) is { Success: true } m ? m.Groups[1].Value : null, "the printed setup link", TimeSpan.FromSeconds(60));
        using var owner = Browser(app);
        owner.DefaultRequestHeaders.Add(Http.CsrfHeader, "1");
        using var created = await Http.SubmitFormAsync(owner, $"/setup?token={setupToken}", "setup", new()
        {
            ["Input.Token"] = setupToken,
            ["Input.BusinessName"] = "Log Test Shop",
            ["Input.TimeZone"] = "Europe/Berlin",
            ["Input.OwnerName"] = "Olga Owner",
            ["Input.Email"] = $"owner+{Guid.NewGuid():N}@example.com",
            ["Input.Password"] = "a good long password",
            ["Input.PublicUrl"] = app.BaseAddress.ToString(),
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect, await created.Content.ReadAsStringAsync(Ct));
        using var customer = await owner.PostJsonAsync("/api/v1/customers", new { name = "Ann Example", emails = new[] { $"ann+{Guid.NewGuid():N}@example.com" } });
        await customer.ShouldHaveStatusAsync(HttpStatusCode.Created);
        using var made = await owner.PostAsync($"/api/v1/customers/{(await customer.ReadAsync<CustomerDetails>()).Id}/portal-links", null, Ct);
        await made.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var portalLink = (await made.ReadAsync<PortalSessions.PortalLinkCreated>()).Url;
        using var visitor = Browser(app);
        (await visitor.GetAsync(portalLink, Ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await visitor.GetAsync($"/setup?token={setupToken}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var portalSecret = portalLink[(portalLink.LastIndexOf('/') + 1)..];
        var logs = app.Output.Split('\n').Where(l => l.StartsWith('{')).ToList();
        logs.ShouldContain(l => l.Contains("\"Category\":\"Rapport.Setup\""), "the pending setup is logged");
        logs.ShouldAllBe(l => !l.Contains(setupToken) && !l.Contains(portalSecret), app.Output);
    }

    private static HttpClient Browser(RapportProcess app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    [GeneratedRegex(@"^\s+http://\S+/setup\?token=([0-9a-f]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SetupLinkLine();
}

public sealed class SecretsInLogsTests_Sqlite(SqliteRapportFactory app) : SecretsInLogsTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SecretsInLogsTests_Postgres(PostgresRapportFactory app) : SecretsInLogsTests(app), IClassFixture<PostgresRapportFactory>;
