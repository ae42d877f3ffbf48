using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;

namespace Rapport.Features.Tickets;

/// <summary>Changes a ticket's status, priority, subject, owner or tags in one step, each through the ticket's rules. Agents
/// and tokens need write access; a customer (in the portal) may only close their own ticket.</summary>
public sealed class UpdateTicket(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public sealed record Request
    {
        public TicketStatus? Status { get; init; }
        public TicketPriority? Priority { get; init; }

        [StringLength(Ticket.SubjectMaxLength, MinimumLength = 1)]
        public string? Subject { get; init; }

        /// <summary>Give the ticket to this agent.</summary>
        public int? OwnerId { get; init; }

        /// <summary>Take the ticket away from its owner (ownerId must then be absent).</summary>
        public bool Unassign { get; init; }

        /// <summary>Replaces all tags.</summary>
        [MaxLength(50)]
        public IReadOnlyList<string>? Tags { get; init; }

        [MaxLength(50)]
        public IReadOnlyList<string>? AddTags { get; init; }

        [MaxLength(50)]
        public IReadOnlyList<string>? RemoveTags { get; init; }

        /// <summary>The version the change is based on (or send If-Match); a stale one is refused with 409.</summary>
        public int? Version { get; init; }
    }

    public enum Outcome { Updated, NotFound, VersionMismatch, Invalid }

    public sealed record Result(Outcome Outcome, int CurrentVersion = 0, Dictionary<string, string[]>? Errors = null);

    public async Task<Result> HandleAsync(long ticketId, Request request, int? expectedVersion, Actor actor, CancellationToken ct)
    {
        if (actor.CustomerId is null)
        {
            await access.RequireAsync(actor, Access.Write, ct);
        }
        else if (request is not { Status: TicketStatus.Closed, Priority: null, Subject: null, OwnerId: null, Unassign: false, Tags: null, AddTags: null, RemoveTags: null })
        {
            throw new NotAllowedException("A customer may only close their own ticket.");
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ticket = await db.Tickets.Include(t => t.Tags).FirstOrDefaultAsync(t => t.Id == ticketId, ct);
        if (ticket is null || (actor.CustomerId is { } customerId && ticket.CustomerId != customerId))
        {
            return new Result(Outcome.NotFound);
        }
        if (expectedVersion is { } expected && expected != ticket.Version)
        {
            return new Result(Outcome.VersionMismatch, ticket.Version);
        }
        if (request.OwnerId is not null && request.Unassign)
        {
            return Invalid("ownerId", "Send either ownerId or unassign, not both.");
        }
        if (request.OwnerId is { } ownerId && !await CanOwnTicketsAsync(db, ownerId, ct))
        {
            return Invalid("ownerId", $"Agent {ownerId} does not exist, is deactivated or is read-only, so cannot own tickets.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (request.Subject is { } subject)
        {
            ticket.ChangeSubject(subject, actor, now);
        }
        if (request.Priority is { } priority)
        {
            ticket.ChangePriority(priority, actor, now);
        }
        if (request.OwnerId is not null || request.Unassign)
        {
            ticket.Assign(request.OwnerId, actor, now);
        }
        if (request.Tags is not null || request.AddTags is not null || request.RemoveTags is not null)
        {
            var tags = (request.Tags ?? ticket.Tags.Select(t => t.Name).ToList()).Concat(request.AddTags ?? []);
            var removed = TicketTag.Normalize(request.RemoveTags ?? []);
            ticket.SetTags(TicketTag.Normalize(tags).Where(t => !removed.Contains(t)), actor, now);
        }
        if (request.Status is { } status)
        {
            ticket.ChangeStatus(status, actor, now);
        }
        // A concurrent writer that saved first makes this throw DbUpdateConcurrencyException: a 409.
        await db.SaveChangesAsync(ct);
        return new Result(Outcome.Updated, ticket.Version);
    }

    internal static async Task<bool> CanOwnTicketsAsync(RapportDb db, int agentId, CancellationToken ct)
    {
        var active = await db.Users.AnyAsync(a => a.Id == agentId && a.IsActive, ct);
        if (!active)
        {
            return false;
        }
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == agentId
                           select r.Name).ToListAsync(ct);
        return roles.Any(r => AgentRoles.Writers.Contains(r));
    }

    private static Result Invalid(string field, string message) =>
        new(Outcome.Invalid, Errors: new Dictionary<string, string[]> { [field] = [message] });
}
