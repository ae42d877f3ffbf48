using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rapport.Features.Customers;
using Rapport.Features.Setup;
using Rapport.Features.Tickets;

namespace Rapport.Features.Agents;

/// <summary>The owner's team management: invite an agent by one-time link, change roles, deactivate and reactivate.
/// Owners only. Uses a fresh scope per call, so it can be used from long-lived interactive pages. A change takes effect
/// at once: the agent's cached standing is forgotten (<see cref="AgentAccess"/>) and their sign-ins renewed.</summary>
public sealed class ManageTeam(IServiceScopeFactory scopes, AgentAccess access, TimeProvider time)
{
    public sealed record Result(bool Succeeded, string Message, string? InvitePath = null);

    public async Task<Result> InviteAsync(string email, string name, string role, Actor actor)
    {
        await access.RequireAsync(actor, Access.Owner, default);
        if (!CustomerEmail.IsValid(email))
        {
            return new Result(false, $"'{email}' is not an email address.");
        }
        if (!AgentRoles.All.Contains(role))
        {
            return new Result(false, $"Choose a role: {string.Join(", ", AgentRoles.All)}.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        await CompleteSetup.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<int>>>());
        var address = email.Trim();
        if (await users.FindByEmailAsync(address) is not null)
        {
            return new Result(false, $"{address} already has an account.");
        }
        var agent = new Agent
        {
            UserName = address,
            Email = address,
            DisplayName = string.IsNullOrWhiteSpace(name) ? address.Split('@')[0] : name.Trim()[..Math.Min(name.Trim().Length, Agent.DisplayNameMaxLength)],
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(agent);
        if (!created.Succeeded)
        {
            return new Result(false, string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        await users.AddToRoleAsync(agent, role);
        return new Result(true, $"{agent.DisplayName} is invited. Send them the link; it works once, for 3 days.", await InvitePathAsync(users, agent));
    }

    /// <summary>A fresh one-time link for an agent who has not set a password yet (the old link stops working).</summary>
    public async Task<Result> ReinviteAsync(int agentId, Actor actor)
    {
        await access.RequireAsync(actor, Access.Owner, default);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var agent = await users.FindByIdAsync(agentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (agent is null || await users.HasPasswordAsync(agent))
        {
            return new Result(false, "This agent has already accepted the invitation.");
        }
        await users.UpdateSecurityStampAsync(agent);
        return new Result(true, "A new link is ready; the previous one no longer works.", await InvitePathAsync(users, agent));
    }

    private static async Task<string> InvitePathAsync(UserManager<Agent> users, Agent agent)
    {
        var token = await users.GeneratePasswordResetTokenAsync(agent);
        return $"/account/invite?agent={agent.Id}&token={Uri.EscapeDataString(token)}";
    }

    public async Task<Result> ChangeRoleAsync(int agentId, string role, Actor actor)
    {
        await access.RequireAsync(actor, Access.Owner, default);
        if (!AgentRoles.All.Contains(role))
        {
            return new Result(false, "Unknown role.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var agent = await users.FindByIdAsync(agentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (agent is null)
        {
            return new Result(false, "No such agent.");
        }
        var current = await users.GetRolesAsync(agent);
        if (current.Contains(AgentRoles.Owner) && role != AgentRoles.Owner && await IsLastActiveOwnerAsync(users, agent))
        {
            return new Result(false, "The desk needs at least one owner. Make someone else owner first.");
        }
        await users.RemoveFromRolesAsync(agent, current);
        await users.AddToRoleAsync(agent, role);
        await users.UpdateSecurityStampAsync(agent);
        access.Forget(agent.Id);
        return new Result(true, $"{agent.DisplayName} is now {role}.");
    }

    public async Task<Result> SetActiveAsync(int agentId, bool active, Actor actor)
    {
        await access.RequireAsync(actor, Access.Owner, default);
        if (agentId == actor.AgentId && !active)
        {
            return new Result(false, "You cannot deactivate yourself.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var agent = await users.FindByIdAsync(agentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (agent is null)
        {
            return new Result(false, "No such agent.");
        }
        if (!active && (await users.GetRolesAsync(agent)).Contains(AgentRoles.Owner) && await IsLastActiveOwnerAsync(users, agent))
        {
            return new Result(false, "The desk needs at least one active owner.");
        }
        agent.IsActive = active;
        await users.UpdateAsync(agent);
        // A new security stamp signs the agent out everywhere at the next check.
        await users.UpdateSecurityStampAsync(agent);
        access.Forget(agent.Id);
        return new Result(true, active ? $"{agent.DisplayName} can sign in again." : $"{agent.DisplayName} is deactivated and signed out.");
    }

    private static async Task<bool> IsLastActiveOwnerAsync(UserManager<Agent> users, Agent agent)
    {
        var owners = await users.GetUsersInRoleAsync(AgentRoles.Owner);
        return !owners.Any(o => o.Id != agent.Id && o.IsActive);
    }
}
