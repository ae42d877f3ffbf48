using Microsoft.AspNetCore.Identity;
using Rapport.Features.Agents;
using Rapport.Infrastructure;

namespace Rapport.Features.Account;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/logout", async (SignInManager<Agent> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        }).RequireFormToken();
        return app;
    }
}
