using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Infrastructure;

namespace Rapport.Features.Tickets;

/// <summary>Opens a ticket for a customer (found by address, or created), with its first message.
/// With an idempotency key, a retry of the same request returns the ticket the first attempt created.
/// Concurrent creates are committed together (group commit): one writer takes every request waiting and
/// saves them in one transaction, so a burst costs one commit instead of one each. If that transaction
/// fails, each request is retried alone, so one bad request never fails the others.</summary>
public sealed partial class CreateTicket(IDbContextFactory<RapportDb> contexts, AgentAccess access, MessageContent content, Sla.SlaClock clock, TimeProvider time,
    ILogger<CreateTicket> logger) : IAsyncDisposable
{
    private const int MaxBatch = 64;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Lock _startLock = new();
    private Task? _writer;

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

    /// <summary>A request after the work that needs no database (normalizing, sanitizing, hashing), ready to write.</summary>
    private sealed class Pending(Request request, Actor actor, string? scope, string? key, byte[]? hash, string email, MessageBody body, Customer? existing)
    {
        /// <summary>The customer with this address when the request arrived, read without tracking.</summary>
        public Customer? Existing { get; } = existing;
        public Request Request { get; } = request;
        public Actor Actor { get; } = actor;
        public string? Scope { get; } = scope;
        public string? Key { get; } = key;
        public byte[]? Hash { get; } = hash;
        public string Email { get; } = email;
        public MessageBody Body { get; } = body;
        public TaskCompletionSource<Result> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Opens the ticket for an agent or token with write access, or for the app itself (the contact form).</summary>
    public async Task<Result> HandleAsync(Request request, Actor actor, string? idempotencyScope, string? idempotencyKey, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        // Reads happen here, on the request's thread, so the single writer only writes.
        var email = CustomerEmail.Normalize(request.Customer.Email);
        var hash = idempotencyKey is null ? null : SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request));
        Customer? existing;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            if (idempotencyKey is not null)
            {
                var previous = await db.IdempotencyRecords.AsNoTracking()
                    .Where(r => r.Scope == idempotencyScope && r.Key == idempotencyKey)
                    .Select(r => new { r.RequestHash, r.TicketId }).FirstOrDefaultAsync(ct);
                if (previous is not null)
                {
                    return previous.RequestHash.AsSpan().SequenceEqual(hash)
                        ? new Result(Outcome.Replayed, await LoadAsync(db, previous.TicketId, ct))
                        : KeyReused;
                }
            }
            existing = await FindCustomer(db, email);
        }
        var pending = new Pending(request, actor, idempotencyScope, idempotencyKey, hash, email,
            content.From(request.Message.Text, request.Message.Html, ct), existing);
        EnsureWriter();
        await _queue.Writer.WriteAsync(pending, ct);
        // Once queued, the ticket is written even if this caller goes away; a retry with the same key finds it.
        return await pending.Completion.Task.WaitAsync(ct);
    }

    private void EnsureWriter()
    {
        if (_writer is not null)
        {
            return;
        }
        lock (_startLock)
        {
            _writer ??= Task.Run(WriteLoopAsync);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            // Requests that need special care (attachments, a key already seen in this batch) go alone.
            var keys = new HashSet<(string?, string)>();
            var together = batch.Where(p => p.Request.Message.AttachmentIds is not { Count: > 0 } && (p.Key is null || keys.Add((p.Scope, p.Key)))).ToList();
            var alone = batch.Except(together).ToList();
            if (together.Count > 1)
            {
                try
                {
                    var results = await WriteAsync(together, CancellationToken.None);
                    for (var i = 0; i < together.Count; i++)
                    {
                        together[i].Completion.TrySetResult(results[i]);
                    }
                }
                catch (Exception e)
                {
                    LogBatchFailed(together.Count, e);
                    alone.InsertRange(0, together);
                }
            }
            else
            {
                alone.InsertRange(0, together);
            }
            foreach (var pending in alone)
            {
                await WriteAloneAsync(pending);
            }
        }
    }

    private async Task WriteAloneAsync(Pending pending)
    {
        // Two first-time requests from different nodes (same new customer, or same key) collide on a unique
        // index; the second attempt then finds what the first created.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var fresh = await RereadAsync(pending);
                pending.Completion.TrySetResult((await WriteAsync([fresh], CancellationToken.None))[0]);
                return;
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation() && attempt < 3)
            {
            }
            catch (Exception e)
            {
                pending.Completion.TrySetException(e);
                return;
            }
        }
    }

    private async Task<Pending> RereadAsync(Pending pending)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var existing = await FindCustomer(db, pending.Email);
        var fresh = new Pending(pending.Request, pending.Actor, pending.Scope, pending.Key, pending.Hash, pending.Email, pending.Body, existing);
        return fresh;
    }

    private async Task<Result[]> WriteAsync(IReadOnlyList<Pending> batch, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var results = new Result?[batch.Count];

        var keyed = batch.Where(p => p.Key is not null).Select(p => p.Key!).Distinct().ToList();
        if (keyed.Count > 0)
        {
            var previous = await db.IdempotencyRecords.AsNoTracking().Where(r => keyed.Contains(r.Key))
                .Select(r => new { r.Scope, r.Key, r.RequestHash, r.TicketId }).ToListAsync(ct);
            for (var i = 0; i < batch.Count; i++)
            {
                var match = previous.FirstOrDefault(r => r.Scope == batch[i].Scope && r.Key == batch[i].Key);
                if (match is null)
                {
                    continue;
                }
                results[i] = match.RequestHash.AsSpan().SequenceEqual(batch[i].Hash)
                    ? new Result(Outcome.Replayed, await LoadAsync(db, match.TicketId, ct))
                    : KeyReused;
            }
        }

        var customers = new Dictionary<string, Customer>();

        var now = time.GetUtcNow().UtcDateTime;
        var created = new List<Ticket>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i] is not null)
            {
                continue;
            }
            var pending = batch[i];
            var request = pending.Request;
            if (!customers.TryGetValue(pending.Email, out var customer))
            {
                if (pending.Existing is { } existing)
                {
                    customer = existing;
                    db.Customers.Attach(customer);
                }
                else
                {
                    // A customer created since the request was read makes the save fail on the unique address;
                    // the request is then retried alone and finds that customer.
                    customer = Customers.Customer.Create(request.Customer.Name ?? "", [pending.Email], now);
                    db.Customers.Add(customer);
                }
                customers[pending.Email] = customer;
            }
            var message = Message.FromCustomer(customer, pending.Body, now);
            var problem = await AttachmentClaims.ClaimAsync(db, request.Message.AttachmentIds, message, ct);
            if (problem is not null)
            {
                results[i] = new Result(Outcome.AttachmentsInvalid, null, problem);
                continue;
            }
            var ticket = Ticket.Open(customer, request.Subject, request.Channel ?? TicketChannel.Api,
                request.Priority ?? TicketPriority.Normal, message, pending.Actor, now, request.Tags);
            db.Tickets.Add(ticket);
            if (pending.Key is not null)
            {
                db.IdempotencyRecords.Add(new IdempotencyRecord(pending.Scope!, pending.Key, pending.Hash!, ticket, now));
            }
            created.Add(ticket);
            results[i] = new Result(Outcome.Created, ticket);
        }
        if (created.Count > 0)
        {
            await clock.OpenAsync(db, created, ct);
            await db.SaveChangesAsync(ct);
            var owners = created.Where(t => t.OwnerId is not null).Select(t => t.OwnerId!.Value).Distinct().ToList();
            if (owners.Count > 0)
            {
                // Loaded into the same context, so each ticket's Owner navigation is filled in.
                await db.Users.Where(a => owners.Contains(a.Id)).LoadAsync(ct);
            }
        }
        return results!;
    }

    private static readonly Result KeyReused = new(Outcome.KeyReusedWithOtherRequest, null,
        "This Idempotency-Key was already used with a different request body. Use a new key for a new ticket.");

    // Per instance, not static: a compiled query belongs to one model, and tests host both providers in one process.
    private readonly Func<RapportDb, string, Task<Customer?>> FindCustomer = EF.CompileAsyncQuery((RapportDb db, string email) =>
        (from e in db.CustomerEmails
         where e.Address == email
         join c in db.Customers.AsNoTracking().Include(c => c.Emails) on e.CustomerId equals c.Id
         select c).FirstOrDefault());

    private static Task<Ticket> LoadAsync(RapportDb db, long id, CancellationToken ct) =>
        db.Tickets.AsNoTracking().Include(t => t.Customer).ThenInclude(c => c.Emails)
            .Include(t => t.Owner).Include(t => t.Tags).Include(t => t.Messages).ThenInclude(m => m.Attachments)
            .AsSplitQuery().FirstAsync(t => t.Id == id, ct);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} tickets together failed; writing them one by one")]
    private partial void LogBatchFailed(int count, Exception exception);
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
