using Microsoft.AspNetCore.StaticAssets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Rapport.Data;

namespace Rapport.Infrastructure;

/// <summary>When the owner requires two-factor sign-in, an agent signed in without it can only reach the page that sets it up
/// (and sign out), and the static files those pages load. API tokens are unaffected: they are not people signing in.</summary>
public static class TwoFactorRequirement
{
    public static IApplicationBuilder UseTwoFactorRequirement(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var user = context.User;
        var path = context.Request.Path;
        if (user.Identity?.IsAuthenticated != true
            || user.HasClaim(c => c.Type == RapportClaims.TokenId)
            || user.HasClaim(RapportClaims.TwoFactor, "true")
            || path.StartsWithSegments("/account")
            || path.StartsWithSegments("/health")
            || IsStaticAsset(context)
            || !await IsRequiredAsync(context))
        {
            await next(context);
            return;
        }
        if (path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 403,
                Title = "Two-factor sign-in required",
                Detail = "The owner requires two-factor sign-in. Set it up at /account/two-factor, or use an API token.",
            });
            return;
        }
        context.Response.Redirect("/account/two-factor?required=1");
    });

    // Only what MapStaticAssets serves (the framework's script, our stylesheets): by the endpoint the request resolved to,
    // never by how its path looks, since "/inbox/all.x" is a page and "/api/v1/reports/sla.csv" an API route.
    private static bool IsStaticAsset(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<StaticAssetDescriptor>() is not null;

    private const string CacheKey = "rapport:require-2fa";

    /// <summary>Drops the cached setting, so that a change applies to the next request.</summary>
    public static void Forget(IMemoryCache cache) => cache.Remove(CacheKey);

    private static async Task<bool> IsRequiredAsync(HttpContext context)
    {
        var cache = context.RequestServices.GetRequiredService<IMemoryCache>();
        return await cache.GetOrCreateAsync(CacheKey, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10);
            var contexts = context.RequestServices.GetRequiredService<IDbContextFactory<RapportDb>>();
            await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
            return await db.BusinessProfiles.AnyAsync(b => b.RequireTwoFactor, context.RequestAborted);
        });
    }
}
