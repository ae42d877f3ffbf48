using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Features.Agents;

/// <summary>An agent as the owner's settings show them: the team table, and the pickers that hand tickets to someone.</summary>
public sealed record TeamMember(int Id, string Name, string Email, string Role, bool IsActive, bool HasPassword, bool TwoFactor, DateTime? AwayUntil, int? BackupId)
{
    /// <summary>Whether tickets may be handed to them (as a lead at a missed deadline, or as someone's backup).</summary>
    public bool CanOwnTickets => IsActive && Role != AgentRoles.ReadOnly;

    /// <summary>The whole team by name; an absence that has ended shows as none.</summary>
    public static async Task<List<TeamMember>> ListAsync(RapportDb db, DateTime now, CancellationToken ct)
    {
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(ct);
        return (await db.Users.AsNoTracking().OrderBy(a => a.DisplayName).ToListAsync(ct))
            .Select(a => new TeamMember(a.Id, a.DisplayName, a.Email ?? "", roles.FirstOrDefault(r => r.UserId == a.Id)?.Name ?? "", a.IsActive, a.PasswordHash is not null, a.TwoFactorEnabled,
                a.AwayUntil is { } away && away > now ? away : null, a.BackupAgentId))
            .ToList();
    }
}
