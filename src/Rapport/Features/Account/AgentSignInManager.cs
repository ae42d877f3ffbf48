using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rapport.Features.Agents;
using Rapport.Infrastructure;

namespace Rapport.Features.Account;

/// <summary>Identity's sign-in, ending the session on the server at sign-out (ADR 0049).</summary>
public sealed class AgentSignInManager(UserManager<Agent> users, IHttpContextAccessor contextAccessor, IUserClaimsPrincipalFactory<Agent> claimsFactory,
    IOptions<IdentityOptions> options, ILogger<SignInManager<Agent>> logger, IAuthenticationSchemeProvider schemes, IUserConfirmation<Agent> confirmation,
    AgentSessionCheck sessions)
    : SignInManager<Agent>(users, contextAccessor, claimsFactory, options, logger, schemes, confirmation)
{
    /// <summary>Signing out changes the agent's security stamp, which every request checks: copies of the cookie (on other
    /// devices too) stop working at once.</summary>
    public override async Task SignOutAsync()
    {
        if (IsSignedIn(Context.User) && await UserManager.GetUserAsync(Context.User) is { } agent)
        {
            await UserManager.UpdateSecurityStampAsync(agent);
            sessions.Forget(agent.Id);
        }
        await base.SignOutAsync();
    }
}
