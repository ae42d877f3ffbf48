using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;

namespace Rapport.Features.Tickets;

/// <summary>Changes a ticket's status, priority, subject, owner or tags in one step, each through the ticket's rules. Agents
/// and tokens need write access; a customer (in the portal) may only close their own ticket.</summary>
public sealed partial class UpdateTicket(IDbContextFactory<RapportDb> contexts, AgentAccess access, Sla.SlaClock clock, TimeProvider time,
    ILogger<UpdateTicket> logger)
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

    /// <summary><see cref="Outcome.VersionMismatch"/>: the caller named a version (If-Match) and the ticket has moved on.
    /// <see cref="Outcome.FieldConflict"/>: without one, someone else set a field this change sets to another value
    /// meanwhile (<see cref="Result.Fields"/> names them); other concurrent changes are applied on top of.</summary>
    public enum Outcome { Updated, NotFound, VersionMismatch, Invalid, FieldConflict }

    public sealed record Result(Outcome Outcome, int CurrentVersion = 0, Dictionary<string, string[]>? Errors = null, IReadOnlyList<string>? Fields = null);

    public const int Attempts = 8;

    /// <summary>What a change sets, as the ticket had it when read.</summary>
    private sealed record Seen(TicketStatus Status, TicketPriority Priority, string Subject, int? OwnerId, string Tags)
    {
        public static Seen Of(Ticket t) => new(t.Status, t.Priority, t.Subject, t.OwnerId, string.Join(",", t.Tags.Select(x => x.Name).Order()));
    }

    /// <summary>Applies the change. Without <paramref name="expectedVersion"/>, a change saved first by someone else is
    /// not a reason to refuse: the change is applied again on the new version, unless that other change set one of the
    /// same fields to something else (then <see cref="Outcome.FieldConflict"/>, a 409).</summary>
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
        // The ticket as the first attempt read it: a later attempt compares it with the ticket as it is then.
        Seen? first = null;
        for (var attempt = 1; ; attempt++)
        {
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
            var now = Seen.Of(ticket);
            first ??= now;
            if (Conflicts(request, first, now) is { Count: > 0 } fields)
            {
                return new Result(Outcome.FieldConflict, ticket.Version, Fields: fields);
            }
            if (await ApplyAsync(db, ticket, request, actor, ct) is { } invalid)
            {
                return invalid;
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return new Result(Outcome.Updated, ticket.Version);
            }
            catch (DbUpdateConcurrencyException) when (expectedVersion is null && attempt < Attempts)
            {
                // A concurrent writer saved first (with If-Match, or after the last attempt, this is a 409).
                LogAppliedAgain(ticketId, attempt);
            }
        }
    }

    /// <summary>Changes the ticket through its rules and calls the SLA rules; the result when the request is invalid, else null.</summary>
    private async Task<Result?> ApplyAsync(RapportDb db, Ticket ticket, Request request, Actor actor, CancellationToken ct)
    {
        if (request.OwnerId is not null && request.Unassign)
        {
            return Invalid("ownerId", "Send either ownerId or unassign, not both.");
        }
        if (request.OwnerId is { } ownerId && !await CanOwnTicketsAsync(db, ownerId, ct))
        {
            return Invalid("ownerId", $"Agent {ownerId} does not exist, is deactivated or is read-only, so cannot own tickets.");
        }

        var at = time.GetUtcNow().UtcDateTime;
        var before = Sla.SlaClock.TicketBefore.Of(ticket);
        var retagged = false;
        if (request.Subject is { } subject)
        {
            ticket.ChangeSubject(subject, actor, at);
        }
        if (request.Priority is { } priority)
        {
            ticket.ChangePriority(priority, actor, at);
        }
        if (request.OwnerId is not null || request.Unassign)
        {
            ticket.Assign(request.OwnerId, actor, at);
        }
        if (request.Tags is not null || request.AddTags is not null || request.RemoveTags is not null)
        {
            var tags = (request.Tags ?? ticket.Tags.Select(t => t.Name).ToList()).Concat(request.AddTags ?? []);
            var removed = TicketTag.Normalize(request.RemoveTags ?? []);
            var names = ticket.Tags.Select(t => t.Name).ToHashSet();
            ticket.SetTags(TicketTag.Normalize(tags).Where(t => !removed.Contains(t)), actor, at);
            retagged = !names.SetEquals(ticket.Tags.Select(t => t.Name));
        }
        if (request.Status is { } status)
        {
            ticket.ChangeStatus(status, actor, at);
        }
        await clock.ChangedAsync(db, ticket, before, retagged, ct);
        return null;
    }

    /// <summary>The fields this change sets that someone else set to another value since the change was first read
    /// (none on the first attempt, when <paramref name="seen"/> and <paramref name="now"/> are the same).</summary>
    private static List<string> Conflicts(Request request, Seen seen, Seen now)
    {
        var fields = new List<string>();
        if (request.Status is { } status && now.Status != seen.Status && now.Status != status)
        {
            fields.Add("status");
        }
        if (request.Priority is { } priority && now.Priority != seen.Priority && now.Priority != priority)
        {
            fields.Add("priority");
        }
        if (request.Subject is { } subject && now.Subject != seen.Subject && now.Subject != subject.Trim())
        {
            fields.Add("subject");
        }
        var owner = request.Unassign ? null : request.OwnerId;
        if ((request.OwnerId is not null || request.Unassign) && now.OwnerId != seen.OwnerId && now.OwnerId != owner)
        {
            fields.Add("owner");
        }
        // Adding and removing tags is applied on top of other tag changes; replacing them all is not.
        if (request.Tags is not null && now.Tags != seen.Tags)
        {
            fields.Add("tags");
        }
        return fields;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket {TicketId} changed while a change to it was being saved; applied it again on the new version (attempt {Attempt})")]
    private partial void LogAppliedAgain(long ticketId, int attempt);
}
