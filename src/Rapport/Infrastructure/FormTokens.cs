using Microsoft.AspNetCore.Antiforgery;

namespace Rapport.Infrastructure;

public static class FormTokens
{
    /// <summary>Refuses a post without the antiforgery token of the page it came from. Razor component forms check theirs;
    /// a minimal-API endpoint that binds no form field (the sign-out buttons) is checked by nobody unless it asks.</summary>
    public static RouteHandlerBuilder RequireFormToken(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        if (await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            return await next(context);
        }
        return TypedResults.Problem("The form did not carry this site's token: it was sent from another page, or the page was too old. " +
            "Reload the page and try again.", statusCode: StatusCodes.Status400BadRequest, title: "The form could not be accepted");
    });
}
