using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;

namespace Rapport.Features.Agents;

/// <summary>An agent's absence and backup, set by an owner or (with write access) by the agent themselves. Routing
/// (<see cref="OwnerRouting"/>) gives an away agent's new tickets to their backup.</summary>
public sealed class SetAvailability(IDbContextFactory<RapportDb> contexts, AgentAccess access, OwnerRouting routing, TimeProvider time)
{
    public sealed record Request(DateTime? AwayUntil, int? BackupAgentId);

    /// <summary>Not found when the agent is unknown; errors keyed by field.</summary>
    public async Task<(bool Found, Dictionary<string, string[]>? Errors)> HandleAsync(int agentId, Request request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, actor.AgentId == agentId ? Access.Write : Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var agent = await db.Users.FirstOrDefaultAsync(a => a.Id == agentId, ct);
        if (agent is null)
        {
            return (false, null);
        }
        if (request.BackupAgentId is { } backup && (backup == agentId || !await UpdateTicket.CanOwnTicketsAsync(db, backup, ct)))
        {
            return (true, new() { ["backupAgentId"] = [backup == agentId ? "An agent cannot be their own backup." : $"Agent {backup} cannot take tickets (not an active agent or owner)."] });
        }
        agent.AwayUntil = request.AwayUntil is { } until && until.ToUniversalTime() > Now ? until.ToUniversalTime() : null;
        agent.BackupAgentId = request.BackupAgentId;
        await db.SaveChangesAsync(ct);
        routing.Forget();
        return (true, null);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
