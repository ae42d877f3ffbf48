using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Jobs;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;

namespace Rapport.Tests.Infrastructure;

/// <summary>A page on another site can make the agent's browser post to the API with the sign-in cookie (SameSite=Lax lets
/// a page on another port or a sibling subdomain through), as a form: url-encoded, text/plain or multipart. Such writes are
/// refused and change nothing; the same call with the X-Rapport-Csrf header, or with a bearer token, goes through. Bodies
/// of the wrong type are refused (415), and the sign-out buttons, which are plain form posts, need the page's token.</summary>
public abstract partial class CrossSiteRequestTests(RapportFactory app) : DatabaseTests(app)
{
    /// <summary>The types a form on another site can send without a CORS preflight.</summary>
    private static readonly string[] CrossSiteTypes = ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"];

    public static TheoryData<string> FormTypes => [.. CrossSiteTypes];

    [Theory]
    [MemberData(nameof(FormTypes))]
    public async Task StartJob_CookieFormFromAnotherSite_IsRefusedAndChangesNothing(string formType)
    {
        var (job, _) = await OpenJobAsync();
        using var crossSite = await CrossSiteClientAsync(AgentRoles.Agent);

        using var refused = await crossSite.PostAsync($"/api/v1/jobs/{job.Id}/start", CrossSiteForm(formType, "start=now"), Ct);

        await ShouldBeCsrfRefusalAsync(refused);
        (await StartedAtAsync(job.Id)).ShouldBeNull();
        crossSite.DefaultRequestHeaders.Add(Http.CsrfHeader, "1");
        using var accepted = await crossSite.PostAsync($"/api/v1/jobs/{job.Id}/start", null, Ct);
        await accepted.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await StartedAtAsync(job.Id)).ShouldNotBeNull();
    }

    [Theory]
    [MemberData(nameof(FormTypes))]
    public async Task CreatePortalLink_CookieFormFromAnotherSite_IsRefusedAndMakesNoLink(string formType)
    {
        var (_, ticket) = await OpenJobAsync();
        using var crossSite = await CrossSiteClientAsync(AgentRoles.Agent);

        using var refused = await crossSite.PostAsync($"/api/v1/customers/{ticket.Customer.Id}/portal-links", CrossSiteForm(formType, "a=b"), Ct);

        await ShouldBeCsrfRefusalAsync(refused);
        (await PortalLinksAsync(ticket.Customer.Id)).ShouldBe(0);
        crossSite.DefaultRequestHeaders.Add(Http.CsrfHeader, "1");
        using var accepted = await crossSite.PostAsync($"/api/v1/customers/{ticket.Customer.Id}/portal-links", null, Ct);
        await accepted.ShouldHaveStatusAsync(HttpStatusCode.Created);
        (await PortalLinksAsync(ticket.Customer.Id)).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(FormTypes))]
    public async Task ImportHolidays_CookieFormFromAnotherSite_IsRefusedAndAddsNothing(string formType)
    {
        var day = new DateOnly(2031, 1, 1).AddDays(Array.IndexOf(CrossSiteTypes, formType));
        var ics = $"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{day:yyyyMMdd}\r\nSUMMARY:Closed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        using var crossSite = await CrossSiteClientAsync(AgentRoles.Owner);

        using var refused = await crossSite.PostAsync("/api/v1/settings/holidays/import", CrossSiteForm(formType, ics), Ct);
        await ShouldBeCsrfRefusalAsync(refused);
        (await HolidayAsync(day)).ShouldBeFalse();

        // With the header, the body must still be what the import reads.
        crossSite.DefaultRequestHeaders.Add(Http.CsrfHeader, "1");
        using var wrongType = await crossSite.PostAsync("/api/v1/settings/holidays/import", CrossSiteForm(formType, ics), Ct);
        await wrongType.ShouldHaveStatusAsync(HttpStatusCode.UnsupportedMediaType);
        (await wrongType.ReadAsync<ProblemDetails>()).Detail!.ShouldContain(formType);
        (await HolidayAsync(day)).ShouldBeFalse();
        using var accepted = await crossSite.PostAsync("/api/v1/settings/holidays/import", new StringContent(ics, Encoding.UTF8, "text/calendar"), Ct);
        await accepted.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await HolidayAsync(day)).ShouldBeTrue();
    }

    [Fact]
    public async Task ApiWrite_BearerTokenWithoutTheHeader_GoesThrough()
    {
        var (job, ticket) = await OpenJobAsync();
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        api.DefaultRequestHeaders.Contains(Http.CsrfHeader).ShouldBeFalse();

        using var started = await api.PostAsync($"/api/v1/jobs/{job.Id}/start", null, Ct);
        using var link = await api.PostAsync($"/api/v1/customers/{ticket.Customer.Id}/portal-links", null, Ct);

        await started.ShouldHaveStatusAsync(HttpStatusCode.OK);
        await link.ShouldHaveStatusAsync(HttpStatusCode.Created);
    }

    /// <summary>Every route, present and future: a change to the API made with the cookie alone is refused before it is read.</summary>
    [Fact]
    public async Task EveryApiWrite_CookieWithoutTheHeader_Returns403ProblemDetails()
    {
        using var crossSite = await CrossSiteClientAsync(AgentRoles.Owner);
        var writes = ApiWrites().ToList();
        writes.Count.ShouldBeGreaterThan(40);
        var wrong = new List<string>();

        foreach (var (method, url, _) in writes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = CrossSiteForm("application/x-www-form-urlencoded", "a=b") };
            using var response = await crossSite.SendAsync(request, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            if (response.StatusCode != HttpStatusCode.Forbidden || !body.Contains("csrf-header-required", StringComparison.Ordinal))
            {
                wrong.Add($"{method} {url}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 120)]}");
            }
        }

        wrong.ShouldBeEmpty();
    }

    /// <summary>Every write that takes a body (JSON, a file, a raw message, a calendar) refuses one of another type with 415.</summary>
    [Fact]
    public async Task EveryApiWriteWithABody_OtherContentType_Returns415()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var client = await App.SignedInClientAsync(owner);
        var withBodies = ApiWrites().Where(w => w.Accepts.Count > 0).ToList();
        withBodies.Select(w => $"{w.Method} {w.Url}").ShouldContain("POST /api/v1/settings/holidays/import");
        withBodies.Select(w => $"{w.Method} {w.Url}").ShouldContain("POST /api/v1/attachments");
        withBodies.Select(w => $"{w.Method} {w.Url}").ShouldContain("POST /api/v1/inbound/mime");
        var wrong = new List<string>();

        foreach (var (method, url, accepts) in withBodies)
        {
            foreach (var type in new[] { "application/x-www-form-urlencoded", "text/plain" }.Except(accepts))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = CrossSiteForm(type, "{\"a\":\"b\"}") };
                using var response = await client.SendAsync(request, Ct);
                var body = await response.Content.ReadAsStringAsync(Ct);
                if (response.StatusCode != HttpStatusCode.UnsupportedMediaType || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    wrong.Add($"{method} {url} as {type}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 120)]}");
                }
            }
        }

        wrong.ShouldBeEmpty();
    }

    [Fact]
    public async Task SignOut_WithoutThePageToken_IsRefusedAndKeepsTheSession()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var client = await App.SignedInClientAsync(agent);

        using var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]), Ct);
        using var unreadable = await client.PostAsync("/account/logout", new StringContent("--x--", Encoding.UTF8, "multipart/form-data"), Ct);
        await forged.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        await unreadable.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var page = await client.GetStringAsync("/", Ct);
        using var signedOut = await client.PostAsync("/account/logout",
            new FormUrlEncodedContent([new("__RequestVerificationToken", Http.FormToken(page))]), Ct);
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/api/v1/tickets", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task PortalLeave_WithoutThePageToken_IsRefusedAndKeepsTheSession()
    {
        var (_, ticket) = await OpenJobAsync();
        var link = await App.Services.GetRequiredService<PortalSessions>().CreateLinkAsync(ticket.Customer.Id, null, Ct);
        using var customer = App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        (await customer.GetAsync(link, Ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var portal = await customer.GetStringAsync("/portal", Ct);
        portal.ShouldContain(ticket.Subject);

        using var forged = await customer.PostAsync("/portal/logout", new FormUrlEncodedContent([]), Ct);
        await forged.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await customer.GetStringAsync("/portal", Ct)).ShouldContain(ticket.Subject);

        using var left = await customer.PostAsync("/portal/logout",
            new FormUrlEncodedContent([new("__RequestVerificationToken", Http.FormToken(portal))]), Ct);
        left.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await customer.GetStringAsync("/portal", Ct)).ShouldNotContain(ticket.Subject);
    }

    /// <summary>Static forms (Razor components with a form name) check the page's token themselves.</summary>
    [Fact]
    public async Task StaticForm_WithoutThePageToken_IsRefused()
    {
        using var client = App.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

        using var response = await client.PostAsync("/portal", new FormUrlEncodedContent([new("_handler", "portal-link"), new("Input.Email", "someone@example.com")]), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<HttpClient> CrossSiteClientAsync(string role)
    {
        var agent = await App.CreateAgentAsync(role);
        var client = await App.SignedInClientAsync(agent);
        client.DefaultRequestHeaders.Remove(Http.CsrfHeader);
        return client;
    }

    /// <summary>A body as a form on another site would send it, in one of <see cref="CrossSiteTypes"/>.</summary>
    private static HttpContent CrossSiteForm(string type, string text) => type switch
    {
        "multipart/form-data" => new MultipartFormDataContent { { new StringContent(text), "field" } },
        "application/x-www-form-urlencoded" => new StringContent(text, Encoding.UTF8, type),
        _ => new StringContent(text, Encoding.UTF8, type),
    };

    private static async Task ShouldBeCsrfRefusalAsync(HttpResponseMessage response)
    {
        await response.ShouldHaveStatusAsync(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.ReadAsync<ProblemDetails>();
        problem.Detail!.ShouldContain(Http.CsrfHeader);
        problem.Extensions["code"]!.ToString().ShouldBe("csrf-header-required");
    }

    /// <summary>Every unsafe method on every /api route, with sample values for its parameters, and the body types it declares.</summary>
    private IEnumerable<(string Method, string Url, IReadOnlyList<string> Accepts)> ApiWrites() =>
        from endpoint in App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        let pattern = endpoint.RoutePattern.RawText ?? ""
        where pattern.StartsWith("/api/", StringComparison.Ordinal)
        from method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []
        where method is not ("GET" or "HEAD" or "OPTIONS")
        let accepts = endpoint.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().SelectMany(a => a.ContentTypes).ToList()
        select (method, RouteParameter().Replace(pattern.TrimEnd('/'), p => p.Value.Contains(":int", StringComparison.Ordinal) || p.Value.Contains(":long", StringComparison.Ordinal) ? "1" : "vip"),
            (IReadOnlyList<string>)accepts);

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    private async Task<(JobDetails Job, TicketDetails Ticket)> OpenJobAsync()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var created = await api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = $"Cross-site {Guid.NewGuid():N}",
            customer = new { email = $"csrf+{Guid.NewGuid():N}@example.com", name = "Ann Example" },
            message = new { text = "A new fence, please." },
        });
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await created.ReadAsync<TicketDetails>();
        var opened = await api.PostJsonAsync("/api/v1/jobs", new { ticketId = ticket.Id });
        await opened.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (await opened.ReadAsync<JobDetails>(), ticket);
    }

    private async Task<DateTime?> StartedAtAsync(long jobId)
    {
        await using var db = App.CreateDbContext();
        return await db.Jobs.Where(j => j.Id == jobId).Select(j => j.StartedAt).SingleAsync(Ct);
    }

    private async Task<int> PortalLinksAsync(long customerId)
    {
        await using var db = App.CreateDbContext();
        return await db.PortalLinks.CountAsync(l => l.CustomerId == customerId, Ct);
    }

    private async Task<bool> HolidayAsync(DateOnly day)
    {
        await using var db = App.CreateDbContext();
        return await db.Holidays.AnyAsync(h => h.Date == day, Ct);
    }
}

public sealed class CrossSiteRequestTests_Sqlite(SqliteRapportFactory app) : CrossSiteRequestTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class CrossSiteRequestTests_Postgres(PostgresRapportFactory app) : CrossSiteRequestTests(app), IClassFixture<PostgresRapportFactory>;
