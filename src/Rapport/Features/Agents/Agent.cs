using Microsoft.AspNetCore.Identity;

namespace Rapport.Features.Agents;

/// <summary>A person who answers customers. Sign-in, password and two-factor come from ASP.NET Core Identity.</summary>
public sealed class Agent : IdentityUser<int>
{
    public const int DisplayNameMaxLength = 100;

    public string DisplayName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>A deactivated agent keeps their history but cannot sign in or own tickets.</summary>
    public bool IsActive { get; set; } = true;
    /// <summary>Away (holiday, sick, off) until this instant: new tickets of their customers go to the backup meanwhile.</summary>
    public DateTime? AwayUntil { get; set; }
    /// <summary>Who takes this agent's customers' new tickets while they are away.</summary>
    public int? BackupAgentId { get; set; }

    public bool IsAwayAt(DateTime now) => AwayUntil is { } until && until > now;
}

public static class AgentRoles
{
    public const string Owner = "owner";
    public const string Agent = "agent";
    public const string ReadOnly = "read-only";

    public static readonly string[] All = [Owner, Agent, ReadOnly];

    /// <summary>Roles that may change tickets and customers.</summary>
    public static readonly string[] Writers = [Owner, Agent];

    /// <summary>The business's active owners: they hear of breaches, unowned deadlines and mail outages.</summary>
    public static IQueryable<Agent> ActiveOwners(Data.RapportDb db) =>
        from a in db.Users
        where a.IsActive && (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                             where ur.UserId == a.Id && r.Name == Owner select ur).Any()
        select a;
}
