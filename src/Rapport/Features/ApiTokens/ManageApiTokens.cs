using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.ApiTokens;

/// <summary>Creating and revoking tokens, shared by the API, the settings page and the command line; owners only. A token
/// acts for the agent who creates it (none when made on the command line).</summary>
public sealed class ManageApiTokens(IDbContextFactory<RapportDb> contexts, ApiTokenCache cache, AgentAccess access, TimeProvider time)
{
    public async Task<(ApiToken Token, string PlainText)> CreateAsync(string name, ApiTokenScope scope, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (token, plain) = ApiToken.Create(name, scope, actor.AgentId, time.GetUtcNow().UtcDateTime);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return (token, plain);
    }

    public async Task<bool> RevokeAsync(int id, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (token is null)
        {
            return false;
        }
        token.Revoke(time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        cache.Evict(token.KeyId);
        return true;
    }
}
