using Microsoft.AspNetCore.Antiforgery;

namespace Rapport.Infrastructure;

public static class FormTokens
{
    /// <summary>Refuses a post without the antiforgery token of the page it came from. Razor component forms check theirs;
    /// a minimal-API endpoint that binds no form field (the sign-out buttons) is checked by nobody unless it asks.</summary>
    public static RouteHandlerBuilder RequireFormToken(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        if (await HasValidTokenAsync(context.HttpContext))
        {
            return await next(context);
        }
        return TypedResults.Problem("The form did not carry this site's token: it was sent from another page, or the page was too old. " +
            "Reload the page and try again.", statusCode: StatusCodes.Status400BadRequest, title: "The form could not be accepted");
    });

    private static async Task<bool> HasValidTokenAsync(HttpContext http)
    {
        try
        {
            return await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            // Thrown, not answered false, when the form body cannot be read (a multipart without its boundary).
            return false;
        }
    }
}
