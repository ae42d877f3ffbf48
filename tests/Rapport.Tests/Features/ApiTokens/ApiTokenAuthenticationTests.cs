using System.Net;
using Microsoft.EntityFrameworkCore;
using Rapport.Features.ApiTokens;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.ApiTokens;

/// <summary>Bearer tokens against an endpoint any signed-in caller may read.</summary>
public abstract class ApiTokenAuthenticationTests(RapportFactory app) : DatabaseTests(app)
{
    private const string Endpoint = "/api/v1/agents";

    [Theory]
    [InlineData(ApiTokenScope.Read)]
    [InlineData(ApiTokenScope.Write)]
    public async Task A_valid_token_signs_the_caller_in(ApiTokenScope scope)
    {
        using var client = await App.CreateTokenClientAsync(scope, ct: Ct);

        using var response = await client.GetAsync(Endpoint, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Using_a_token_records_when_it_was_last_used()
    {
        var (token, plain) = await App.CreateTokenAsync(ApiTokenScope.Read, ct: Ct);
        using var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", plain);

        (await client.GetAsync(Endpoint, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using var db = App.CreateDbContext();
        var stored = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == token.Id, Ct);
        stored.LastUsedAt.ShouldNotBeNull().ShouldBe(App.Now, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Without_a_token_the_caller_is_refused()
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync(Endpoint, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_wrong_secret_for_a_real_key_is_refused()
    {
        var (_, plainText) = await App.CreateTokenAsync(ApiTokenScope.Write, ct: Ct);
        var forged = plainText[..^4] + (plainText.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        using var response = await GetWithBearerAsync(forged);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
    }

    [Fact]
    public async Task A_token_that_does_not_exist_is_refused()
    {
        var (_, plainText) = ApiToken.Create("never saved", ApiTokenScope.Write, null, App.Now);

        using var response = await GetWithBearerAsync(plainText);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_token_is_refused()
    {
        var (token, plainText) = await App.CreateTokenAsync(ApiTokenScope.Write, ct: Ct);
        await using (var db = App.CreateDbContext())
        {
            var saved = await db.ApiTokens.SingleAsync(t => t.Id == token.Id, Ct);
            saved.Revoke(App.Now);
            await db.SaveChangesAsync(Ct);
        }

        using var response = await GetWithBearerAsync(plainText);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> GetWithBearerAsync(string token)
    {
        using var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return await client.GetAsync(Endpoint, Ct);
    }
}

public sealed class ApiTokenAuthenticationTests_Sqlite(SqliteRapportFactory app) : ApiTokenAuthenticationTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class ApiTokenAuthenticationTests_Postgres(PostgresRapportFactory app) : ApiTokenAuthenticationTests(app), IClassFixture<PostgresRapportFactory>;
