using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;

namespace Rapport.Tests.Infrastructure;

/// <summary>Every response refuses content sniffing and keeps its URL (portal and invitation links carry secrets) from other
/// sites; HTML pages carry a content security policy that runs scripts from Rapport only; a response with its own policy
/// (a file download) keeps it. The browser tests check that the pages still work under the policy.</summary>
public abstract partial class SecurityHeadersTests(RapportFactory app) : DatabaseTests(app)
{
    [Theory]
    [InlineData("/account/login")]
    [InlineData("/contact")]
    [InlineData("/portal")]
    [InlineData("/portal/link/not-a-link")]
    public async Task PublicPage_HasThePagePolicy(string path)
    {
        using var client = App.CreateClient(new() { AllowAutoRedirect = true });

        using var response = await client.GetAsync(path, Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        ShouldHavePagePolicy(response);
    }

    [Fact]
    public async Task Workspace_SignedIn_HasThePagePolicy()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var client = await App.SignedInClientAsync(agent);

        using var response = await client.GetAsync("/", Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        ShouldHavePagePolicy(response);
    }

    [Fact]
    public async Task ApiResponse_RefusesSniffingAndKeepsItsUrl()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        using var response = await client.GetAsync("/api/v1/tickets", Ct);
        using var problem = await client.GetAsync("/api/v1/tickets/not-a-number", Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        foreach (var answer in new[] { response, problem })
        {
            answer.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
            answer.Headers.GetValues("Referrer-Policy").ShouldBe(["same-origin"]);
        }
    }

    /// <summary>The API reference (Scalar) starts with an inline script: it runs by the nonce of its own response only.</summary>
    [Fact]
    public async Task ApiReference_InlineScriptsCarryTheNonceOfThePolicy()
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync("/api/docs/", Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var scriptSources = Directives(response)["script-src"];
        var nonce = scriptSources.Single(s => s.StartsWith("'nonce-", StringComparison.Ordinal))["'nonce-".Length..^1];
        scriptSources.ShouldBe(["'self'", $"'nonce-{nonce}'"]);
        var scripts = ScriptTag().Matches(await response.Content.ReadAsStringAsync(Ct)).Select(m => m.Value).ToList();
        scripts.ShouldNotBeEmpty();
        scripts.ShouldAllBe(tag => tag.Contains($"nonce=\"{nonce}\""));
        using var again = await client.GetAsync("/api/docs/", Ct);
        Directives(again)["script-src"].ShouldNotContain($"'nonce-{nonce}'");
    }

    [Fact]
    public async Task AttachmentDownload_KeepsItsOwnPolicy()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        using var file = new ByteArrayContent("<html><script>alert(1)</script></html>"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/html");
        using var upload = await api.PostAsync("/api/v1/attachments", new MultipartFormDataContent { { file, "file", "page.html" } }, Ct);
        await upload.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var id = (await upload.ReadAsync<Dictionary<string, System.Text.Json.JsonElement>>())["id"].GetInt64();

        using var download = await api.GetAsync($"/api/v1/attachments/{id}/content?inline=true", Ct);

        await download.ShouldHaveStatusAsync(HttpStatusCode.OK);
        download.Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("sandbox;");
        download.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
    }

    private static void ShouldHavePagePolicy(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var policy = Directives(response);
        policy["script-src"].ShouldBe(["'self'"]);
        policy["object-src"].ShouldBe(["'none'"]);
        policy["base-uri"].ShouldBe(["'self'"]);
        policy["frame-ancestors"].ShouldBe(["'none'"]);
        policy["form-action"].ShouldBe(["'self'"]);
        policy["connect-src"].ShouldBe(["'self'"]);
        // Images, styles and fonts are left to the message frames' own policy (ADR 0006), which shows remote images on request.
        policy.Keys.ShouldNotContain("default-src");
        policy.Keys.ShouldNotContain("img-src");
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["same-origin"]);
    }

    private static Dictionary<string, string[]> Directives(HttpResponseMessage response)
    {
        response.Headers.TryGetValues("Content-Security-Policy", out var values).ShouldBeTrue("the response has a content security policy");
        return values!.Single().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(d => d[0], d => d[1..]);
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();
}

public sealed class SecurityHeadersTests_Sqlite(SqliteRapportFactory app) : SecurityHeadersTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SecurityHeadersTests_Postgres(PostgresRapportFactory app) : SecurityHeadersTests(app), IClassFixture<PostgresRapportFactory>;
