using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Infrastructure;

namespace Rapport.Features.ApiTokens;

/// <summary>Authenticates `Authorization: Bearer rpt_…` tokens. Token rows are cached briefly so that a busy
/// integration does not cost a database read per request; revoking on this node evicts the entry at once,
/// other nodes notice within <see cref="CacheFor"/>. A token acts for the agent who created it, so it holds no more than
/// they do now: it stops working when they are deactivated, and reads only once they are read-only (their standing is
/// cached the same way by <see cref="AgentAccess"/>).</summary>
public sealed class ApiTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenCache cache,
    AgentAccess access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var plain = header["Bearer ".Length..].Trim();
        if (!ApiToken.TryParse(plain, out var keyId, out var secret))
        {
            return AuthenticateResult.Fail("The bearer token is not a Rapport API token.");
        }
        var token = await cache.FindAsync(keyId, Context.RequestAborted);
        if (token is null || !token.Matches(secret))
        {
            return AuthenticateResult.Fail("Unknown API token.");
        }
        if (token.IsRevoked)
        {
            return AuthenticateResult.Fail("This API token was revoked.");
        }
        var scope = token.Scope;
        if (token.CreatedByAgentId is { } creator)
        {
            var standing = await access.CurrentAsync(creator, Context.RequestAborted);
            if (standing == Access.None)
            {
                return AuthenticateResult.Fail("The agent this API token acts for is no longer active.");
            }
            if (standing < Access.Write)
            {
                scope = ApiTokenScope.Read;
            }
        }
        List<Claim> claims =
        [
            new(ClaimTypes.Name, $"token:{token.Name}"),
            new(RapportClaims.TokenId, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(RapportClaims.Scope, scope == ApiTokenScope.Write ? RapportClaims.WriteScope : RapportClaims.ReadScope),
        ];
        if (token.CreatedByAgentId is { } agentId)
        {
            claims.Add(new(RapportClaims.ActingForAgentId, agentId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}

/// <summary>Short-lived in-memory copies of token rows, keyed by their public key id. Reading a token from the database
/// (at most once per <see cref="ApiTokenAuthentication.CacheFor"/> per node) also records when it was last used, to the minute.</summary>
public sealed class ApiTokenCache(IMemoryCache cache, IDbContextFactory<RapportDb> contexts, TimeProvider time)
{
    public async Task<ApiToken?> FindAsync(string keyId, CancellationToken ct)
    {
        var key = CacheKey(keyId);
        if (cache.TryGetValue(key, out ApiToken? cached))
        {
            return cached;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.KeyId == keyId, ct);
        cache.Set(key, token, ApiTokenAuthentication.CacheFor);
        if (token is { IsRevoked: false })
        {
            var now = time.GetUtcNow().UtcDateTime;
            var staleBefore = now - TimeSpan.FromMinutes(1);
            await db.ApiTokens.Where(t => t.Id == token.Id && (t.LastUsedAt == null || t.LastUsedAt < staleBefore))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        }
        return token;
    }

    public void Evict(string keyId) => cache.Remove(CacheKey(keyId));

    private static string CacheKey(string keyId) => "api-token:" + keyId;
}
