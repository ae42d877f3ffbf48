using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Settings;

/// <summary>The owner changes the business's name, time zone, two-factor requirement and (unless the server's
/// configuration sets it) the public address every link in mail starts with. Owners only, decided here.</summary>
public sealed class SaveBusinessProfile(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time, IMemoryCache cache,
    PublicAddress publicAddress)
{
    public sealed record Request(string Name, string TimeZone, bool RequireTwoFactor, string? PublicUrl);

    /// <summary>Null when saved, else what is wrong. Throws <see cref="NotAllowedException"/> for anyone but an owner.</summary>
    public async Task<string?> HandleAsync(Request request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.BusinessProfiles.FirstOrDefaultAsync(ct) is not { } business)
        {
            return "Finish the first-run setup first.";
        }
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            business.Update(request.Name, request.TimeZone.Trim(), now);
            business.SetTwoFactorRequirement(request.RequireTwoFactor, now);
            if (publicAddress.Configured is null)
            {
                business.SetPublicUrl(request.PublicUrl ?? "", now);
            }
        }
        catch (ArgumentException e)
        {
            return WorkspaceNotice.Reason(e);
        }
        await db.SaveChangesAsync(ct);
        TwoFactorRequirement.Forget(cache);
        publicAddress.Forget();
        return null;
    }
}
