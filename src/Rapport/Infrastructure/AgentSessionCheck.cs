using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Rapport.Data;

namespace Rapport.Infrastructure;

/// <summary>Checks on every request that an agent's sign-in cookie carries the agent's current security stamp, so that
/// signing out (which changes the stamp) ends every copy of the cookie at once (ADR 0049). Each node caches the stamps
/// it has read for a few seconds, so a request usually costs a dictionary lookup; a cookie with another stamp than the
/// cached one is checked against the database before it is refused.</summary>
public sealed class AgentSessionCheck(IDbContextFactory<RapportDb> contexts, IMemoryCache cache, IOptions<IdentityOptions> identity)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    /// <summary>The cookie's OnValidatePrincipal: this check first, then Identity's periodic one (roles, name, deactivation).</summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var check = context.HttpContext.RequestServices.GetRequiredService<AgentSessionCheck>();
        if (context.Principal is null || !await check.IsCurrentAsync(context.Principal, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        var claims = identity.Value.ClaimsIdentity;
        var stamp = principal.FindFirstValue(claims.SecurityStampClaimType);
        if (stamp is null || !int.TryParse(principal.FindFirstValue(claims.UserIdClaimType), NumberStyles.None, CultureInfo.InvariantCulture, out var agentId))
        {
            return false;
        }
        if (cache.TryGetValue(Key(agentId), out string? known) && known == stamp)
        {
            return true;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var current = await db.Users.Where(a => a.Id == agentId).Select(a => a.SecurityStamp).FirstOrDefaultAsync(ct);
        if (current is null)
        {
            return false;
        }
        cache.Set(Key(agentId), current, CacheFor);
        return current == stamp;
    }

    /// <summary>Drops this node's cached stamp after changing it, so that the change applies to the next request.</summary>
    public void Forget(int agentId) => cache.Remove(Key(agentId));

    private static string Key(int agentId) => "rapport:security-stamp:" + agentId.ToString(CultureInfo.InvariantCulture);
}
