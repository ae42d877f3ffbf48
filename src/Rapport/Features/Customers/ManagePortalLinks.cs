using Rapport.Features.Agents;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;

namespace Rapport.Features.Customers;

/// <summary>An agent gives a customer a portal link, or ends all of theirs, from the customer's page. Write access needed.</summary>
public sealed class ManagePortalLinks(PortalSessions sessions, AgentAccess access)
{
    /// <summary>A new link's path (without the host).</summary>
    public async Task<string> CreateAsync(long customerId, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        return await sessions.CreateLinkAsync(customerId, null, ct);
    }

    /// <summary>Revokes every link of the customer (open portal sessions end with them); returns how many.</summary>
    public async Task<int> RevokeAllAsync(long customerId, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        return await sessions.RevokeAllAsync(customerId, ct);
    }
}
