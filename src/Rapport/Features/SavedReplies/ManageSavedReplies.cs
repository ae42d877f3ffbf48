using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.SavedReplies;

/// <summary>The team's saved replies, kept by the owner on the settings page.</summary>
public sealed class ManageSavedReplies(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public enum Outcome { Saved, NameTaken }

    /// <summary>Adds a saved reply, or changes the one with <paramref name="id"/> (added anew when it was deleted meanwhile).
    /// A name or text the rules refuse throws <see cref="TicketRuleException"/>.</summary>
    public async Task<Outcome> SaveAsync(int? id, string name, string text, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        if (id is { } existingId && await db.SavedReplies.FirstOrDefaultAsync(r => r.Id == existingId, ct) is { } existing)
        {
            existing.Change(name, text, now);
        }
        else
        {
            db.SavedReplies.Add(SavedReply.Create(name, text, actor.AgentId, now));
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Outcome.NameTaken;
        }
        return Outcome.Saved;
    }

    public async Task DeleteAsync(int id, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.SavedReplies.Where(r => r.Id == id).ExecuteDeleteAsync(ct);
    }
}
