using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Jobs;

/// <summary>The partners the team refers customers to, shared by the API and the jobs page: adding and changing them
/// needs write access, removing one is for owners.</summary>
public sealed class ManagePartners(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public sealed record Request(string Name, string? Email, string? Website, string? Phone, string? Services, bool? Active);

    public async Task<Partner> CreateAsync(Request request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        var partner = Partner.Create(request.Name, time.GetUtcNow().UtcDateTime);
        partner.Update(request.Name, request.Email, request.Website, request.Phone, request.Services, request.Active ?? true);
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Partners.Add(partner);
        await db.SaveChangesAsync(ct);
        return partner;
    }

    /// <summary>Null when there is no such partner. An absent <see cref="Request.Active"/> keeps the partner's.</summary>
    public async Task<Partner?> UpdateAsync(long id, Request request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var partner = await db.Partners.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (partner is null)
        {
            return null;
        }
        partner.Update(request.Name, request.Email, request.Website, request.Phone, request.Services, request.Active ?? partner.Active);
        await db.SaveChangesAsync(ct);
        return partner;
    }

    /// <summary>Null when there is no such partner.</summary>
    public async Task<Partner?> SetActiveAsync(long id, bool active, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var partner = await db.Partners.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (partner is null)
        {
            return null;
        }
        partner.Update(partner.Name, partner.Email, partner.Website, partner.Phone, partner.Services, active);
        await db.SaveChangesAsync(ct);
        return partner;
    }

    /// <summary>False when there is no such partner.</summary>
    public async Task<bool> DeleteAsync(long id, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Jobs.AnyAsync(j => j.ReferredPartnerId == id, ct))
        {
            // Referrals made stay countable: a partner someone was sent to is deactivated, not removed.
            throw new JobRuleException("partner-referred", "Customers were referred to this partner; set active to false instead of removing it.");
        }
        return await db.Partners.Where(p => p.Id == id).ExecuteDeleteAsync(ct) > 0;
    }
}
