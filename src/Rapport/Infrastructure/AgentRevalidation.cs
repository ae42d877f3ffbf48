using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rapport.Features.Agents;

namespace Rapport.Infrastructure;

/// <summary>Re-checks an open workspace every minute: an agent who was deactivated, changed role or had their sign-ins
/// revoked (a new security stamp) loses the live page too, not only their next request.</summary>
internal sealed class AgentRevalidation(ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        try
        {
            return await IsStillValidAsync(state);
        }
        catch (ObjectDisposedException)
        {
            // The app is shutting down and its circuits with it; there is nothing left to protect.
            return true;
        }
    }

    private async Task<bool> IsStillValidAsync(AuthenticationState state)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var agent = await users.GetUserAsync(state.User);
        if (agent is null || !agent.IsActive)
        {
            return false;
        }
        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }
        var stamp = state.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(agent);
    }
}
