using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Rapport.Data;
using Rapport.Features.Tickets;

namespace Rapport.Features.Agents;

/// <summary>What an actor may do; each level includes the ones before it.</summary>
public enum Access
{
    /// <summary>Nothing through a use case: signed out, deactivated, a customer outside their own paths.</summary>
    None,
    /// <summary>Look, and keep one's own things (notifications, saved views): read-only agents and read-scoped tokens.</summary>
    Read,
    /// <summary>Change tickets, customers, jobs and promises: agents and write-scoped tokens.</summary>
    Write,
    /// <summary>Run the desk: team, settings, mailboxes, tokens.</summary>
    Owner,
    /// <summary>The app itself.</summary>
    System,
}

/// <summary>A use case refused the actor: their role (or token's scope) does not allow it, or they are no longer active.
/// Pages show the message; the API answers 403 with ProblemDetails.</summary>
public sealed class NotAllowedException(string message) : Exception(message);

/// <summary>Decides whether an actor may do something now. The actor carries what its principal was granted; an agent's
/// current role and active flag come from the database, so an agent demoted or deactivated while a page is open (or a
/// token's creator, for the token) is refused at once. Agents' standing is cached briefly because API tokens ask on every
/// request; <see cref="ManageTeam"/> forgets an agent's entry when it changes them, other nodes notice within <see cref="CacheFor"/>.</summary>
public sealed partial class AgentAccess(IMemoryCache cache, IDbContextFactory<RapportDb> contexts, ILogger<AgentAccess> logger)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    /// <summary>What the agent may do now: by their role, or <see cref="Access.None"/> when they are deactivated or unknown.</summary>
    public async ValueTask<Access> CurrentAsync(int agentId, CancellationToken ct)
    {
        var key = CacheKey(agentId);
        if (cache.TryGetValue(key, out Access cached))
        {
            return cached;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var roles = await (from a in db.Users
                           where a.Id == agentId && a.IsActive
                           join ur in db.UserRoles on a.Id equals ur.UserId
                           join r in db.Roles on ur.RoleId equals r.Id
                           select r.Name).ToListAsync(ct);
        var access = roles.Contains(AgentRoles.Owner) ? Access.Owner
            : roles.Contains(AgentRoles.Agent) ? Access.Write
            : roles.Contains(AgentRoles.ReadOnly) ? Access.Read
            : Access.None;
        cache.Set(key, access, CacheFor);
        return access;
    }

    /// <summary>What the actor may do now: the lesser of what it was granted and, when it acts for an agent, the agent's current standing.</summary>
    public async ValueTask<Access> EffectiveAsync(Actor actor, CancellationToken ct)
    {
        if (actor.AgentId is not { } agentId || actor.Access is Access.None or Access.System)
        {
            return actor.Access;
        }
        var current = await CurrentAsync(agentId, ct);
        return current < actor.Access ? current : actor.Access;
    }

    /// <summary>Throws <see cref="NotAllowedException"/> unless the actor may do what needs <paramref name="needed"/>.</summary>
    public async ValueTask RequireAsync(Actor actor, Access needed, CancellationToken ct)
    {
        var effective = await EffectiveAsync(actor, ct);
        if (effective >= needed)
        {
            return;
        }
        // A refusal means someone tried what their page or token does not offer them (or lost their role a moment ago).
        LogRefused(actor.AgentId, actor.TokenId, actor.CustomerId, needed, effective);
        throw new NotAllowedException(needed >= Access.Owner
            ? "Only an owner of the desk may do this."
            : effective == Access.Read
                ? "You have read-only access: you may look, but not change anything."
                : "You may not change anything here: you are signed out or your account is no longer active.");
    }

    /// <summary>Drops the cached standing of an agent whose role or active flag just changed.</summary>
    public void Forget(int agentId) => cache.Remove(CacheKey(agentId));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused: agent {AgentId}, token {TokenId}, customer {CustomerId} needed {Needed} access and has {Effective}")]
    private partial void LogRefused(int? agentId, int? tokenId, long? customerId, Access needed, Access effective);

    private static string CacheKey(int agentId) => "agent-access:" + agentId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
