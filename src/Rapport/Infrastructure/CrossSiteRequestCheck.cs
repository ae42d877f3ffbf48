using Microsoft.AspNetCore.Mvc;

namespace Rapport.Infrastructure;

/// <summary>A write to the API made with the agent's sign-in cookie must carry the header <see cref="HeaderName"/>.
/// A page on another site cannot add it: a form has no way to set headers, and a script would need a CORS preflight,
/// which Rapport never answers. SameSite=Lax alone lets a page on another port or a sibling subdomain post with the
/// cookie. Calls with a bearer token need nothing (a browser never adds one by itself). See docs/decisions/0050.</summary>
public static class CrossSiteRequestCheck
{
    public const string HeaderName = "X-Rapport-Csrf";

    public static IApplicationBuilder UseCrossSiteRequestCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!IsCookieWriteToApi(context) || !string.IsNullOrWhiteSpace(context.Request.Headers[HeaderName]))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = $"The {HeaderName} header is missing",
                Detail = $"A change made through the API with the sign-in cookie must send the header '{HeaderName}: 1', " +
                    "which pages on other sites cannot send. Scripts and integrations can use an API token (Authorization: Bearer) instead.",
                Extensions = { ["code"] = "csrf-header-required" },
            },
        });
    });

    private static bool IsCookieWriteToApi(HttpContext context)
    {
        var method = context.Request.Method;
        return !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
            && context.Request.Path.StartsWithSegments("/api")
            && context.User.Identity?.IsAuthenticated == true
            && !context.User.HasClaim(c => c.Type == RapportClaims.TokenId);
    }
}
