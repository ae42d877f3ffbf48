using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Infrastructure;

namespace Rapport.Features.Tickets;

/// <summary>Opens a ticket for a customer (found by address, or created), with its first message.
/// With an idempotency key, a retry of the same request returns the ticket the first attempt created.</summary>
public sealed class CreateTicket(IDbContextFactory<RapportDb> contexts, MessageContent content, TimeProvider time)
{
    public sealed record Request
    {
        [Required, StringLength(Ticket.SubjectMaxLength)]
        public string Subject { get; init; } = "";

        [Required]
        public CustomerInput Customer { get; init; } = new();

        [Required]
        public MessageInput Message { get; init; } = new();

        public TicketPriority? Priority { get; init; }

        [MaxLength(20)]
        public IReadOnlyList<string>? Tags { get; init; }

        /// <summary>Where the request came from; defaults to api.</summary>
        public TicketChannel? Channel { get; init; }
    }

    public sealed record CustomerInput
    {
        /// <summary>The customer's address: the existing customer with it is used, else a new one is created.</summary>
        [Required, EmailAddress, StringLength(CustomerEmail.MaxLength)]
        public string Email { get; init; } = "";

        [StringLength(Customers.Customer.NameMaxLength)]
        public string? Name { get; init; }
    }

    public enum Outcome { Created, Replayed, KeyReusedWithOtherRequest, AttachmentsInvalid }

    public sealed record Result(Outcome Outcome, Ticket? Ticket, string? Problem = null);

    public async Task<Result> HandleAsync(Request request, Actor actor, string? idempotencyScope, string? idempotencyKey, CancellationToken ct)
    {
        var requestHash = idempotencyKey is null ? null : SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request));
        // Two concurrent first-time requests (same new customer, or same key) collide on a unique index;
        // the second attempt then finds what the first created.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryCreateAsync(request, actor, idempotencyScope, idempotencyKey, requestHash, ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation() && attempt < 3)
            {
            }
        }
    }

    private async Task<Result> TryCreateAsync(Request request, Actor actor, string? scope, string? key, byte[]? requestHash, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (key is not null)
        {
            var previous = await db.IdempotencyRecords.AsNoTracking()
                .Where(r => r.Scope == scope && r.Key == key)
                .Select(r => new { r.RequestHash, r.TicketId })
                .FirstOrDefaultAsync(ct);
            if (previous is not null)
            {
                if (!previous.RequestHash.AsSpan().SequenceEqual(requestHash))
                {
                    return new Result(Outcome.KeyReusedWithOtherRequest, null,
                        "This Idempotency-Key was already used with a different request body. Use a new key for a new ticket.");
                }
                var existing = await db.Tickets.AsNoTracking().Include(t => t.Customer).ThenInclude(c => c.Emails)
                    .Include(t => t.Owner).Include(t => t.Tags).Include(t => t.Messages).ThenInclude(m => m.Attachments)
                    .AsSplitQuery().FirstAsync(t => t.Id == previous.TicketId, ct);
                return new Result(Outcome.Replayed, existing);
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        var email = CustomerEmail.Normalize(request.Customer.Email);
        var customer = await (from e in db.CustomerEmails
                              where e.Address == email
                              join c in db.Customers.Include(c => c.Emails) on e.CustomerId equals c.Id
                              select c).FirstOrDefaultAsync(ct);
        if (customer is null)
        {
            customer = Customers.Customer.Create(request.Customer.Name ?? "", [email], now);
            db.Customers.Add(customer);
        }

        var body = content.From(request.Message.Text, request.Message.Html);
        var message = Message.FromCustomer(customer, body, now);
        var attached = await AttachmentClaims.ClaimAsync(db, request.Message.AttachmentIds, message, ct);
        if (attached is not null)
        {
            return new Result(Outcome.AttachmentsInvalid, null, attached);
        }
        var ticket = Ticket.Open(customer, request.Subject, request.Channel ?? TicketChannel.Api,
            request.Priority ?? TicketPriority.Normal, message, actor, now);
        if (request.Tags is { Count: > 0 } tags)
        {
            ticket.SetTags(tags, actor, now);
        }
        db.Tickets.Add(ticket);
        if (key is not null)
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord(scope!, key, requestHash!, ticket, now));
        }
        await db.SaveChangesAsync(ct);
        if (ticket.OwnerId is not null)
        {
            await db.Entry(ticket).Reference(t => t.Owner).LoadAsync(ct);
        }
        return new Result(Outcome.Created, ticket);
    }
}

/// <summary>A message as an API caller sends it: text, HTML or both, plus attachments uploaded beforehand.</summary>
public record MessageInput
{
    [StringLength(Message.TextMaxLength)]
    public string? Text { get; init; }

    [StringLength(Message.TextMaxLength * 2)]
    public string? Html { get; init; }

    /// <summary>Ids from POST /api/v1/attachments, not yet used by another message.</summary>
    [MaxLength(50)]
    public IReadOnlyList<long>? AttachmentIds { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => string.IsNullOrWhiteSpace(Text) && string.IsNullOrWhiteSpace(Html);
}
