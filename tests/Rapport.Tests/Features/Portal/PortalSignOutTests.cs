using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.ApiTokens;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Portal;

/// <summary>Leaving the portal ends the visit on the server: neither a copy of the portal cookie nor the link opens it again.</summary>
public abstract class PortalSignOutTests(RapportFactory app) : DatabaseTests(app)
{
    private static async Task<bool> ShowsRequestsAsync(HttpClient client) =>
        (await client.GetStringAsync("/portal")).Contains("id=\"portal-title\"", StringComparison.Ordinal);

    [Fact]
    public async Task Leave_ReplayingTheCookieOrTheLink_DoesNotOpenThePortal()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var created = await api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Portal visit",
            customer = new { email = $"visitor+{Guid.NewGuid():N}@example.org", name = "Vera Visitor" },
            message = new { text = "Hello" },
        });
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await created.ReadAsync<TicketDetails>();
        var link = await App.Services.GetRequiredService<PortalSessions>().CreateLinkAsync(ticket.Customer.Id, null, Ct);
        using var browser = new Browser(App);
        (await browser.Client.GetAsync(link, Ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var copy = App.CreateDefaultClient();
        copy.DefaultRequestHeaders.Add("Cookie", browser.CookieHeader);
        (await ShowsRequestsAsync(copy)).ShouldBeTrue();

        var leave = await browser.SignOutAsync("/portal", "/portal/logout");

        leave.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await ShowsRequestsAsync(browser.Client)).ShouldBeFalse();
        (await ShowsRequestsAsync(copy)).ShouldBeFalse();
        var again = await browser.Client.GetAsync(link, Ct);
        again.Headers.Location?.ToString().ShouldBe("/portal?link=expired");
    }
}

public sealed class PortalSignOutTests_Sqlite(SqliteRapportFactory app) : PortalSignOutTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class PortalSignOutTests_Postgres(PostgresRapportFactory app) : PortalSignOutTests(app), IClassFixture<PostgresRapportFactory>;
