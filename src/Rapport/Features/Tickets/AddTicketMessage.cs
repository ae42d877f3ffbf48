using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Attachments;

namespace Rapport.Features.Tickets;

/// <summary>Adds an agent's reply or an internal note to a ticket (write access needed), or a customer's message (from
/// the portal), with attachments uploaded beforehand. A message does not depend on what else changed on the ticket
/// meanwhile: when another change is saved first, it is applied again on top of it (up to <see cref="Attempts"/> times),
/// unless the caller named the version it expects (If-Match), which is then refused.</summary>
public sealed partial class AddTicketMessage(IDbContextFactory<RapportDb> contexts, AgentAccess access, MessageContent content, Sla.SlaClock clock, TimeProvider time,
    Mail.ReplyOutbox outbox, ILogger<AddTicketMessage> logger)
{
    public const int Attempts = 8;

    public sealed record ReplyRequest : MessageInput
    {
        /// <summary>Status after a reply; by default a new or open ticket then waits on the customer.</summary>
        public TicketStatus? Status { get; init; }

        /// <summary>What the reply promises the customer (reply, call or follow-up by a time), kept by the replying agent:
        /// written into the ledger with the reply, in the same transaction.</summary>
        [System.ComponentModel.DataAnnotations.MaxLength(10)]
        public IReadOnlyList<Promises.PromiseLedger.MakeRequest>? Promises { get; init; }
    }

    public enum Outcome { Added, NotFound, VersionMismatch, Invalid }

    public sealed record Result(Outcome Outcome, Ticket? Ticket = null, Message? Message = null, string? Problem = null);

    public Task<Result> ReplyAsync(long ticketId, ReplyRequest request, int? expectedVersion, Actor actor, CancellationToken ct) =>
        AddAsync(ticketId, request, expectedVersion, actor, MessageKind.Reply, ct);

    public Task<Result> AddNoteAsync(long ticketId, MessageInput request, int? expectedVersion, Actor actor, CancellationToken ct) =>
        AddAsync(ticketId, request, expectedVersion, actor, MessageKind.Note, ct);

    /// <summary>The customer writes again on their ticket: a resolved or waiting ticket reopens.</summary>
    public Task<Result> AddFromCustomerAsync(long ticketId, MessageInput request, Actor customer, CancellationToken ct) =>
        customer.CustomerId is null
            ? throw new ArgumentException("Only a customer writes as the customer.", nameof(customer))
            : AddAsync(ticketId, request, null, customer, MessageKind.Customer, ct);

    private async Task<Result> AddAsync(long ticketId, MessageInput request, int? expectedVersion, Actor actor, MessageKind kind, CancellationToken ct)
    {
        if (kind != MessageKind.Customer)
        {
            await access.RequireAsync(actor, Access.Write, ct);
        }
        var body = content.From(request.Text, request.Html, ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AttemptAsync(ticketId, request, body, expectedVersion, actor, kind, ct);
            }
            catch (DbUpdateConcurrencyException) when (expectedVersion is null && attempt < Attempts)
            {
                LogAppliedAgain(ticketId, attempt);
            }
        }
    }

    private async Task<Result> AttemptAsync(long ticketId, MessageInput request, MessageBody body, int? expectedVersion, Actor actor, MessageKind kind,
        CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ticket = kind == MessageKind.Customer
            ? await db.Tickets.Include(t => t.Customer).FirstOrDefaultAsync(t => t.Id == ticketId && t.CustomerId == actor.CustomerId, ct)
            : await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId, ct);
        if (ticket is null)
        {
            return new Result(Outcome.NotFound);
        }
        if (expectedVersion is { } expected && expected != ticket.Version)
        {
            return new Result(Outcome.VersionMismatch, ticket);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var message = kind switch
        {
            MessageKind.Reply => Message.Reply(actor.AgentId, body, now),
            MessageKind.Note => Message.Note(actor.AgentId, body, now),
            _ => Message.FromCustomer(ticket.Customer, body, now),
        };
        var problem = await AttachmentClaims.ClaimAsync(db, request.AttachmentIds, message, ct);
        if (problem is not null)
        {
            return new Result(Outcome.Invalid, Problem: problem);
        }
        if (kind == MessageKind.Reply)
        {
            // What the reply leaves unanswered is kept with it: the agent may send anyway, and that choice is on record.
            var check = await ReplyCheck.CheckDraft.CheckAsync(db, ticket.Id, body.Text, ct);
            message.RecordUnansweredAtSend(check.Questions.Where(q => !q.Covered).Select(q => q.Text));
        }
        var mailed = false;
        var before = Sla.SlaClock.TicketBefore.Of(ticket);
        switch (kind)
        {
            case MessageKind.Reply:
                ticket.AddReply(message, actor, now, (request as ReplyRequest)?.Status);
                MakePromises(db, ticket, (request as ReplyRequest)?.Promises, actor, now);
                // The mail joins the same SaveChanges: the reply and its outbox row commit together or not at all.
                mailed = await outbox.EnqueueAsync(db, ticket, message, now, ct);
                break;
            case MessageKind.Note:
                ticket.AddNote(message, actor, now);
                break;
            default:
                ticket.AddCustomerMessage(message, actor.Via, now);
                break;
        }
        await clock.ChangedAsync(db, ticket, before, retagged: false, ct);
        await db.SaveChangesAsync(ct);
        if (mailed)
        {
            outbox.Notify();
        }
        if (message.AuthorAgentId is not null)
        {
            await db.Entry(message).Reference(m => m.AuthorAgent).LoadAsync(ct);
        }
        return new Result(Outcome.Added, ticket, message);
    }

    /// <summary>The promises a reply makes, tracked from the moment it is saved (never one without the other).</summary>
    private static void MakePromises(RapportDb db, Ticket ticket, IReadOnlyList<Promises.PromiseLedger.MakeRequest>? requests, Actor actor, DateTime now)
    {
        foreach (var request in requests ?? [])
        {
            if (request.Kind is not (Promises.PromiseKind.Reply or Promises.PromiseKind.Call or Promises.PromiseKind.FollowUp) || request.DueAt is not { } due)
            {
                throw new TicketRuleException("promise-invalid", "A reply can promise a reply, a call or a follow-up, each with a due time.");
            }
            Promises.PromiseLedger.Make(db, ticket.Id, ticket.CustomerId, request.Kind, actor.AgentId, request.Text, due, actor, now);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket {TicketId} changed while a message was being added; added it again on the new version (attempt {Attempt})")]
    private partial void LogAppliedAgain(long ticketId, int attempt);
}
