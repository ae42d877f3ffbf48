using Scalar.AspNetCore;

namespace Rapport.Infrastructure;

/// <summary>Headers on every response: no content sniffing, and no referrer for other sites (portal, invitation and setup
/// links carry their secret in the URL). HTML pages also get a content security policy: scripts only from Rapport itself
/// (no inline script, no eval, no plugins), no foreign base URL, form target or framing. It sets no default-src: a
/// message's sandboxed frame inherits this policy and adds its own, stricter one for images, styles and fonts (ADR 0006),
/// which must stay free to show remote images once the agent asks. A response that set its own policy (file downloads)
/// keeps it. See docs/decisions/0050.</summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'; connect-src 'self'";

    public const string ReferrerPolicy = "same-origin";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            if (string.IsNullOrEmpty(headers["Referrer-Policy"]))
            {
                headers["Referrer-Policy"] = ReferrerPolicy;
            }
            if (string.IsNullOrEmpty(headers.ContentSecurityPolicy)
                && context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                headers.ContentSecurityPolicy = PolicyFor(context);
            }
            return Task.CompletedTask;
        });
        return next(context);
    });

    // The API reference page (Scalar) starts itself with an inline script; it marks that script with a fresh nonce per request.
    private static string PolicyFor(HttpContext context) =>
        context.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) && nonce is string { Length: > 0 } value
            ? PagePolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{value}'", StringComparison.Ordinal)
            : PagePolicy;
}
