using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.ReplyCheck;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

/// <summary>Takes in one raw message: parses and files it as a new ticket, a message on an existing ticket, a
/// duplicate, ignored machine mail, or a quarantined message with the reason, and writes its ledger line and its raw
/// bytes (content-addressed, <see cref="RawMail"/>) in the same transaction. Whatever goes wrong with one message
/// ends in its ledger line, never in an exception for the caller.
/// Everything that needs no database (parsing, sanitizing, storing attachments) happens on the caller's thread;
/// one writer then files the messages waiting together in one transaction (group commit, see
/// docs/decisions/0037-inbound-mail-group-commit.md), and answers each only after that commit. If the
/// transaction fails, each message is filed again alone, so one bad message never fails the others.</summary>
public sealed partial class IngestMail(IDbContextFactory<RapportDb> contexts, FileStore files, MessageContent content,
    IOptions<MailOptions> mailOptions, IOptions<AttachmentOptions> attachmentOptions, SlaClock clock, TimeProvider time,
    ILogger<IngestMail> logger)
    : IAsyncDisposable
{
    private const int MaxBatch = 32;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private static readonly TimeSpan MailboxesFor = TimeSpan.FromSeconds(10);

    private readonly Lock _startLock = new();
    private volatile MailboxDirectory? _mailboxes;
    private Task? _writer;

    /// <summary>What the intake API and the ingest command answer.</summary>
    public sealed record Result(
        InboundOutcome Outcome,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? TicketId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
        [property: JsonIgnore] long LedgerId);

    /// <summary>A message after the work that needs no database, ready to file.</summary>
    private sealed class Prepared
    {
        public required string RawSha256 { get; init; }
        public MimeMessage? Mail { get; init; }
        public string? Problem { get; init; }
        public string? MessageId { get; init; }
        public string? SenderAddress { get; init; }
        public string? SenderName { get; init; }
        public string? Participants { get; init; }
        public string? Machine { get; init; }
        public IReadOnlyList<string> ReferencedIds { get; init; } = [];
        public long? TicketToken { get; init; }
        /// <summary>Set only for mail that will become a ticket or message (a person wrote it, with a valid sender).</summary>
        public MessageBody? Body { get; init; }
        /// <summary>The mail has an HTML part, shown from the raw message (<see cref="MailHtml"/>).</summary>
        public bool HasHtml { get; init; }
        /// <summary>How <see cref="Body"/> reads (sentiment, complaint), scored here rather than on the writer.</summary>
        public CustomerTone Tone { get; init; }
        public List<(string Name, string ContentType, StoredFile File)> Attachments { get; } = [];
        public List<string> Notes { get; } = [];
    }

    private sealed record Pending(int? MailboxId, MailSource Source, StoredFile Stored, Packed Raw, Prepared Prepared)
    {
        public TaskCompletionSource<Result> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Takes in the message read from <paramref name="raw"/> (at most the size limit; null when it is larger).
    /// <paramref name="length"/>, when the caller knows it (an HTTP request's Content-Length), saves copying.</summary>
    public async Task<Result?> HandleAsync(int? mailboxId, Stream raw, MailSource source, CancellationToken ct, long? length = null)
    {
        var bytes = await ReadBoundedAsync(raw, length, mailOptions.Value.MaxMessageSize, ct);
        return bytes is null ? null : await HandleAsync(mailboxId, bytes, source, ct);
    }

    /// <summary>Takes in one raw message: returns what became of it once it is filed and committed, or null when it is
    /// larger than the size limit.</summary>
    public async Task<Result?> HandleAsync(int? mailboxId, byte[] raw, MailSource source, CancellationToken ct)
    {
        if (raw.Length > mailOptions.Value.MaxMessageSize)
        {
            return null;
        }
        var stored = new StoredFile(Convert.ToHexStringLower(SHA256.HashData(raw)), raw.Length);
        // Compressed here, on the caller's thread, so the one writer has a quarter of the bytes to write (0043).
        var pending = new Pending(mailboxId, source, stored, Packed.Of(raw), await PrepareAsync(stored.Sha256, raw, ct));
        EnsureWriter();
        await _queue.Writer.WriteAsync(pending, ct);
        // Once queued, the message is filed even if this caller is cancelled, and the caller waits for that (the
        // writer takes a bounded time): a mailbox sync that stops must not leave messages being filed behind it,
        // or the next sync would fetch them again.
        return await pending.Completion.Task;
    }

    /// <summary>A ledger line for a message that could not be stored at all (too large), so it is still accounted for.</summary>
    public async Task<Result> RecordUnstorableAsync(int? mailboxId, MailSource source, string reason, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var entry = InboundMail.Receive(mailboxId, source, "", 0, now);
        entry.Record(InboundOutcome.Quarantined, reason, null, null, now);
        db.InboundMail.Add(entry);
        await db.SaveChangesAsync(ct);
        return new Result(InboundOutcome.Quarantined, null, reason, entry.Id);
    }

    /// <summary>Runs a quarantined (or any) ledger line through the pipeline again from its stored raw MIME.</summary>
    public async Task<Result?> ReprocessAsync(long ledgerId, CancellationToken ct)
    {
        string sha;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var found = await db.InboundMail.AsNoTracking().Where(m => m.Id == ledgerId).Select(m => m.RawSha256).FirstOrDefaultAsync(ct);
            if (found is not { Length: > 0 })
            {
                return null;
            }
            sha = found;
        }
        var prepared = await PrepareAsync(sha, await ReadRawAsync(sha, ct), ct);
        return await ProcessAsync(db => db.InboundMail.FirstAsync(m => m.Id == ledgerId, ct), prepared, null, ct);
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream raw, long? length, long maxLength, CancellationToken ct)
    {
        if (length is { } declared)
        {
            if (declared > maxLength)
            {
                return null;
            }
            var exact = new byte[declared];
            await raw.ReadExactlyAsync(exact, ct);
            return exact;
        }
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await raw.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > maxLength)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    /// <summary>The raw message from the database, or from the file store where messages taken before 0039 are.</summary>
    private async Task<byte[]> ReadRawAsync(string sha, CancellationToken ct)
    {
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var row = await db.RawMail.AsNoTracking().Where(r => r.Sha256 == sha)
                .Select(r => new { r.Content, r.Length, r.Compression }).FirstOrDefaultAsync(ct);
            if (row is not null)
            {
                return RawMail.Unpack(row.Content, row.Length, row.Compression);
            }
        }
        return await files.ReadAllBytesAsync(sha, ct) ?? throw new InvalidOperationException($"Raw message {sha} is missing.");
    }

    private async Task<Prepared> PrepareAsync(string sha, byte[] raw, CancellationToken ct)
    {
        var (mail, problem) = MailReader.Parse(raw);
        if (mail is null || problem is not null)
        {
            return new Prepared { RawSha256 = sha, Mail = mail, Problem = problem ?? "The message could not be read." };
        }
        var sender = mail.From.Mailboxes.FirstOrDefault() ?? mail.Sender ?? mail.ReplyTo.Mailboxes.FirstOrDefault();
        var senderAddress = sender?.Address?.Trim().ToLowerInvariant();
        var participants = mail.From.Mailboxes.Concat(mail.To.Mailboxes).Concat(mail.Cc.Mailboxes).Concat(mail.ReplyTo.Mailboxes)
            .Select(m => m.Address?.Trim().ToLowerInvariant()).Where(a => !string.IsNullOrEmpty(a)).Distinct();
        var machine = MailReader.MachineReason(mail);
        if (machine is null && senderAddress is not null && (await OwnAddressesAsync(ct)).Contains(senderAddress))
        {
            machine = "sent from one of our own mailboxes (mail loop)";
        }
        var person = machine is null && senderAddress is not null && CustomerEmail.IsValid(senderAddress);
        var (body, hasHtml) = person ? Body(mail, ct) : (null, false);
        var prepared = new Prepared
        {
            RawSha256 = sha,
            Mail = mail,
            MessageId = mail.MessageId is { Length: > 0 and <= Message.InternetMessageIdMaxLength } id ? id : null,
            SenderAddress = senderAddress,
            SenderName = sender?.Name,
            Participants = string.Join(' ', participants),
            Machine = machine,
            ReferencedIds = MailReader.ReferencedIds(mail),
            TicketToken = MailReader.TicketToken(mail),
            Body = body,
            HasHtml = hasHtml,
            Tone = body is null ? default : CustomerTone.Of(body.Text),
        };
        if (person)
        {
            await AttachAsync(mail, prepared, ct);
        }
        return prepared;
    }

    /// <summary>Our mailboxes' addresses (mail from one of them is a loop).</summary>
    private async Task<FrozenSet<string>> OwnAddressesAsync(CancellationToken ct) => (await MailboxesAsync(fresh: false, ct)).Addresses;

    /// <summary>The id of the mailbox named <paramref name="name"/> (as the owner wrote it; case and surrounding space
    /// do not matter), or null when there is none. A name not known here is looked up again in the database, so a
    /// mailbox just added on another node is found at once.</summary>
    public async Task<int?> MailboxIdAsync(string name, CancellationToken ct)
    {
        var key = name.Trim().ToLowerInvariant();
        if ((await MailboxesAsync(fresh: false, ct)).IdsByName.TryGetValue(key, out var id))
        {
            return id;
        }
        return (await MailboxesAsync(fresh: true, ct)).IdsByName.TryGetValue(key, out id) ? id : null;
    }

    /// <summary>Our mailboxes' names and addresses, read at most every <see cref="MailboxesFor"/> instead of once per
    /// message; a mailbox saved or deleted on this node is seen at once (<see cref="ForgetMailboxes"/>), on another
    /// node within that time (or at once, for a name not known yet).</summary>
    private async Task<MailboxDirectory> MailboxesAsync(bool fresh, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (!fresh && _mailboxes is { } known && known.Until > now)
        {
            return known;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Mailboxes.AsNoTracking().Select(m => new { m.Id, m.Name, m.Address }).ToListAsync(ct);
        var directory = new MailboxDirectory(rows.ToFrozenDictionary(m => m.Name, m => m.Id, StringComparer.Ordinal),
            rows.Select(m => m.Address).ToFrozenSet(StringComparer.Ordinal), now + MailboxesFor);
        _mailboxes = directory;
        return directory;
    }

    /// <summary>After a mailbox is saved or deleted: the next message reads the mailboxes again.</summary>
    public void ForgetMailboxes() => _mailboxes = null;

    private sealed record MailboxDirectory(FrozenDictionary<string, int> IdsByName, FrozenSet<string> Addresses, DateTime Until);

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
            if (batch.Count > 1)
            {
                try
                {
                    var results = await ProcessBatchAsync(batch, CancellationToken.None);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Completion.TrySetResult(results[i]);
                    }
                    continue;
                }
                catch (Exception e)
                {
                    LogBatchFailed(batch.Count, e);
                }
            }
            foreach (var pending in batch)
            {
                try
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    pending.Completion.TrySetResult(await ProcessAsync(
                        _ => Task.FromResult(InboundMail.Receive(pending.MailboxId, pending.Source, pending.Stored.Sha256, pending.Stored.Length, now)),
                        pending.Prepared, pending.Raw, CancellationToken.None));
                }
                catch (Exception e)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }
    }

    /// <summary>Files every message of the batch in one transaction, with one save for the group's tickets and messages
    /// and one for its ledger lines (<see cref="Unsaved"/>); a message that needs an earlier one of the group in the
    /// database (its duplicate, a reply to it, the same sender) has the group saved before it is looked at. Throws if any fails.</summary>
    private async Task<Result[]> ProcessBatchAsync(IReadOnlyList<Pending> batch, CancellationToken ct)
    {
        await using var db = await WriterContextAsync(ct);
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        await using var rows = new RowWriter(db);
        var now = time.GetUtcNow().UtcDateTime;
        var results = new Result[batch.Count];
        var entries = new InboundMail[batch.Count];
        var known = await Known.ReadAsync(db, batch.Select(p => p.Prepared).Where(p => p.Problem is null).ToList(), ct);
        var unsaved = new Unsaved(db, rows, known, time, clock);
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            var entry = InboundMail.Receive(pending.MailboxId, pending.Source, pending.Stored.Sha256, pending.Stored.Length, now);
            await StoreRawAsync(db, pending.Stored.Sha256, pending.Raw, ct);
            results[i] = pending.Prepared.Problem is { } problem
                ? Quarantine(entry, problem, unsaved, pending.Prepared)
                : await FileAsync(db, entry, pending.Prepared, known, unsaved, ct);
            entries[i] = entry;
        }
        await unsaved.SaveAsync(ct);
        await transaction.CommitAsync(ct);
        return results.Select((r, i) => r with { LedgerId = entries[i].Id, TicketId = r.TicketId ?? entries[i].TicketId }).ToArray();
    }

    /// <summary>Files one message in its own transaction; <paramref name="raw"/> is null when its bytes are stored already (reprocessing).</summary>
    private async Task<Result> ProcessAsync(Func<RapportDb, Task<InboundMail>> entryIn, Prepared prepared, Packed? raw, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await WriterContextAsync(ct);
            var entry = await entryIn(db);
            Result result;
            try
            {
                // Ticket, message and ledger line commit together: a crash leaves either all of them or none.
                await using var transaction = await db.BeginWriteTransactionAsync(ct);
                await using var rows = new RowWriter(db);
                if (raw is not null)
                {
                    await StoreRawAsync(db, prepared.RawSha256, raw, ct);
                }
                var known = await Known.ReadAsync(db, prepared.Problem is null ? [prepared] : [], ct);
                var unsaved = new Unsaved(db, rows, known, time, clock);
                result = prepared.Problem is { } problem
                    ? Quarantine(entry, problem, unsaved, prepared)
                    : await FileAsync(db, entry, prepared, known, unsaved, ct);
                await unsaved.SaveAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException e) when ((e.IsUniqueViolation() || e is DbUpdateConcurrencyException) && attempt < 3)
            {
                // Another intake stored the same Message-ID or created the same customer a moment ago, or someone changed
                // the ticket this message answers since it was read (another app node, on PostgreSQL); the next attempt
                // sees it and answers duplicate, uses that customer, or adds the message to the ticket as it is now.
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFilingFailed(entry.RawSha256, e);
                await using var clean = await WriterContextAsync(ct);
                await using var transaction = await clean.BeginWriteTransactionAsync(ct);
                var again = await entryIn(clean);
                if (again.Id == 0)
                {
                    clean.InboundMail.Add(again);
                }
                if (raw is not null)
                {
                    await StoreRawAsync(clean, prepared.RawSha256, raw, ct);
                }
                Quarantine(again, $"Could not be filed: {e.GetType().Name}: {e.Message}", null, prepared);
                await clean.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return new Result(again.Outcome, null, again.Reason, again.Id);
            }
            return result with { LedgerId = entry.Id, TicketId = result.TicketId ?? entry.TicketId };
        }
    }

    /// <summary>A context for filing in one transaction, without the savepoint EF Core sets before each save inside a
    /// transaction (and releases after it): a failed save here never goes on in that transaction (a group is filed
    /// again message by message, a message again in a new one), so the savepoints were two statements per save for
    /// nothing, about a tenth of the writer's CPU (docs/decisions/0037). Pooled contexts get the default back.</summary>
    private async Task<RapportDb> WriterContextAsync(CancellationToken ct)
    {
        var db = await contexts.CreateDbContextAsync(ct);
        db.Database.AutoSavepointsEnabled = false;
        return db;
    }

    /// <summary>Keeps the raw bytes in the caller's transaction; the same bytes seen again are kept once.</summary>
    private static Task<int> StoreRawAsync(RapportDb db, string sha, Packed raw, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"""INSERT INTO "RawMail" ("Sha256", "Length", "Content", "Compression") VALUES ({sha}, {raw.Length}, {raw.Content}, {raw.Compression.ToString()}) ON CONFLICT ("Sha256") DO NOTHING""", ct);

    /// <summary>A message's bytes as <see cref="RawMail"/> keeps them.</summary>
    private sealed record Packed(byte[] Content, RawMailCompression Compression, long Length)
    {
        public static Packed Of(byte[] raw)
        {
            var (content, compression) = RawMail.Pack(raw);
            return new Packed(content, compression, raw.Length);
        }
    }

    private Result Quarantine(InboundMail entry, string reason, Unsaved? unsaved, Prepared prepared)
    {
        entry.Record(InboundOutcome.Quarantined, reason, null, null, time.GetUtcNow().UtcDateTime);
        unsaved?.Add(entry, prepared);
        LogQuarantined(entry.RawSha256, reason);
        return new Result(InboundOutcome.Quarantined, null, reason, 0);
    }

    /// <summary>The writer's lookup of stored messages by Message-ID (answered from the partial index IX_Messages_InternetMessageId).</summary>
    internal const string MessageIdsSql = """SELECT "InternetMessageId", "TicketId" FROM "Messages" WHERE "InternetMessageId" IS NOT NULL AND "InternetMessageId" IN ({keys})""";

    /// <summary>A command for <paramref name="sql"/> in the context's transaction, its <c>{keys}</c> replaced by one
    /// parameter per key.</summary>
    internal static DbCommand ListCommand(RapportDb db, string sql, IReadOnlyList<string> keys)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var names = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = names[i] = "@k" + i.ToString(CultureInfo.InvariantCulture);
            parameter.Value = keys[i];
            command.Parameters.Add(parameter);
        }
        command.CommandText = sql.Replace("{keys}", string.Join(", ", names), StringComparison.Ordinal);
        return command;
    }

    /// <summary>What a group's messages may duplicate or answer, read for the whole group at once and kept up
    /// to date as it is filed: the first ledger line taken per dedup key, and the ticket of each stored Message-ID
    /// (the group's own, and those its messages reference). The unique Message-ID index stays the last word: a
    /// message stored by someone else meanwhile fails the group, and each message is then filed alone.</summary>
    private sealed class Known
    {
        private static readonly InboundOutcome[] Taken = [InboundOutcome.Ticket, InboundOutcome.Message, InboundOutcome.Ignored];

        private readonly Dictionary<string, List<(long Id, long? TicketId)>> _lines = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _messages = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Customer> _customers = new(StringComparer.Ordinal);

        /// <summary>The group's lookups by a list of keys (<c>{keys}</c>, one parameter each), as plain commands: EF Core
        /// generates a query's SQL again on every call when it has <c>Contains</c> over a list, which was a third of
        /// the lookups' time (docs/decisions/0046).</summary>
        private const string LinesSql = """SELECT "DedupKey", "Id", "TicketId", "Outcome" FROM "InboundMail" WHERE "DedupKey" IN ({keys})""";

        /// <summary>The customers with one of the addresses, by id.</summary>
        private const string SendersSql = """SELECT "Address", "CustomerId" FROM "CustomerEmails" WHERE "Address" IN ({keys})""";

        /// <summary>One customer with all their addresses, not tracked: the one a message goes to is attached when it is
        /// used, since a save clears the tracker. Compiled once per model (a compiled query serves one model: SQLite's or
        /// PostgreSQL's); a single key keeps its SQL the same from call to call.</summary>
        private static readonly ConcurrentDictionary<IModel, Func<RapportDb, long, Task<Customer?>>> CustomerById = new();

        public static async Task<Known> ReadAsync(RapportDb db, IReadOnlyList<Prepared> group, CancellationToken ct)
        {
            var known = new Known();
            var keys = group.Select(DedupKeyOf).Distinct().ToList();
            if (keys.Count > 0)
            {
                var lines = new List<(string DedupKey, long Id, long? TicketId)>();
                await using (var command = ListCommand(db, LinesSql, keys))
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        // By key only: with the outcomes in the query too, SQLite walks the (Outcome, Id) index instead, every line taken.
                        if (Taken.Contains(Enum.Parse<InboundOutcome>(reader.GetString(3))))
                        {
                            lines.Add((reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
                        }
                    }
                }
                foreach (var line in lines.OrderBy(l => l.Id))
                {
                    known.AddLine(line.DedupKey, line.Id, line.TicketId);
                }
            }
            var ids = group.SelectMany(p => p.ReferencedIds.Prepend(p.MessageId)).OfType<string>().Distinct().ToList();
            if (ids.Count > 0)
            {
                await using var command = ListCommand(db, MessageIdsSql, ids);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    known._messages[reader.GetString(0)] = reader.GetInt64(1);
                }
            }
            var senders = group.Select(p => p.SenderAddress).OfType<string>().Distinct().ToList();
            if (senders.Count > 0)
            {
                var found = new List<(string Address, long CustomerId)>();
                await using (var command = ListCommand(db, SendersSql, senders))
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        found.Add((reader.GetString(0), reader.GetInt64(1)));
                    }
                }
                var byId = CustomerById.GetOrAdd(db.Model, static _ => EF.CompileAsyncQuery((RapportDb db, long id) =>
                    db.Customers.AsNoTracking().Include(c => c.Emails).FirstOrDefault(c => c.Id == id)));
                // One object per customer, whichever of their addresses wrote.
                var customers = new Dictionary<long, Customer?>();
                foreach (var (address, id) in found)
                {
                    if (!customers.TryGetValue(id, out var customer))
                    {
                        customers[id] = customer = await byId(db, id);
                    }
                    if (customer is not null)
                    {
                        known._customers[address] = customer;
                    }
                }
            }
            return known;
        }

        /// <summary>The stored customer with this address, if any, attached to <paramref name="db"/>'s change tracker.</summary>
        public Customer? CustomerOf(RapportDb db, string address)
        {
            if (!_customers.TryGetValue(address, out var customer))
            {
                return null;
            }
            if (db.Entry(customer).State == EntityState.Detached)
            {
                db.Customers.Attach(customer);
            }
            return customer;
        }

        /// <summary>The ledger line's dedup key, as <see cref="InboundMail.Describe"/> sets it.</summary>
        private static string DedupKeyOf(Prepared prepared) => prepared.MessageId is { } id
            ? id.Length > InboundMail.MessageIdMaxLength ? id[..InboundMail.MessageIdMaxLength] : id
            : "sha256:" + prepared.RawSha256;

        /// <summary>The first line taken with this key, other than <paramref name="except"/> (a line being reprocessed).</summary>
        public (long Id, long? TicketId)? FirstLine(string dedupKey, long except) =>
            _lines.TryGetValue(dedupKey, out var lines) && lines.FirstOrDefault(l => l.Id != except) is { Id: > 0 } line ? line : null;

        private void AddLine(string dedupKey, long id, long? ticketId)
        {
            if (!_lines.TryGetValue(dedupKey, out var lines))
            {
                _lines[dedupKey] = lines = [];
            }
            lines.Add((id, ticketId));
        }

        public long? TicketOf(string messageId) => _messages.TryGetValue(messageId, out var ticketId) ? ticketId : null;

        /// <summary>After a message of the group is saved: later ones see it, and its sender, as the database would.</summary>
        public void Add(InboundMail entry, Prepared prepared, Customer? sender)
        {
            if (sender is { Id: > 0 } && prepared.SenderAddress is { } address)
            {
                _customers[address] = sender;
            }
            if (Taken.Contains(entry.Outcome))
            {
                AddLine(entry.DedupKey, entry.Id, entry.TicketId);
            }
            if (entry.Outcome is InboundOutcome.Ticket or InboundOutcome.Message && prepared.MessageId is { } id && entry.TicketId is { } ticketId)
            {
                _messages.TryAdd(id, ticketId);
            }
        }
    }

    /// <summary>The messages of a group filed since its rows were last saved. Their rows are written together: the
    /// messages on stored tickets with what they changed on those tickets, by <see cref="RowWriter"/> (0047); what else
    /// changed on stored rows (a bounced reply, a customer given an owner) in one save; then the new tickets with their
    /// customers, messages and events, and the ledger lines (which need those rows' ids), inserted by the row writer;
    /// then <see cref="Known"/> learns them. Until then a later message of the group that
    /// duplicates or answers one of them, comes from the same sender, or touches the same ticket has the group saved
    /// first (<see cref="Concerns"/>, <see cref="Touches"/>): the checks that read the database then see it
    /// (docs/decisions/0037, 0041, 0047).</summary>
    private sealed class Unsaved(RapportDb db, RowWriter rows, Known known, TimeProvider time, SlaClock clock)
    {
        /// <summary>A message that became a ticket or a message on one; the ledger line records their ids after the save.
        /// <paramref name="Before"/> is set for a message on a stored ticket: the ticket as it was read.</summary>
        public sealed record Filed(InboundOutcome Outcome, string? Reason, Ticket Ticket, Message Message, Before? Before = null);

        /// <summary>A stored ticket as read, before a message is added to it: its columns, and what the SLA rules compare.</summary>
        public sealed record Before(object?[] Columns, SlaClock.TicketBefore Sla);

        /// <summary>Takes the stored (untracked) ticket's values before it is changed.</summary>
        public Before Read(Ticket ticket) => new(rows.Snapshot(ticket), SlaClock.TicketBefore.Of(ticket));

        private readonly List<(InboundMail Entry, Prepared Prepared, Filed? Filed)> _entries = [];
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
        private readonly HashSet<string> _messageIds = new(StringComparer.Ordinal);
        private readonly HashSet<string> _senders = new(StringComparer.Ordinal);
        private readonly HashSet<long> _tickets = [];

        public void Add(InboundMail entry, Prepared prepared, Filed? filed = null)
        {
            _entries.Add((entry, prepared, filed));
            _keys.Add(entry.DedupKey);
            if (prepared.MessageId is { } id)
            {
                _messageIds.Add(id);
            }
            if (prepared.SenderAddress is { } sender)
            {
                _senders.Add(sender);
            }
            if (filed?.Ticket.Id is > 0 and var ticketId)
            {
                _tickets.Add(ticketId);
            }
        }

        /// <summary>Whether this message may duplicate, answer or come from the sender of an unsaved one.</summary>
        public bool Concerns(string dedupKey, Prepared prepared) =>
            _entries.Count > 0 && (_keys.Contains(dedupKey)
                || prepared.MessageId is { } id && _messageIds.Contains(id)
                || prepared.ReferencedIds.Any(_messageIds.Contains)
                || prepared.SenderAddress is { } sender && _senders.Contains(sender));

        /// <summary>Whether an unsaved message went onto this (stored) ticket.</summary>
        public bool Touches(long ticketId) => _tickets.Contains(ticketId);

        public async Task SaveAsync(CancellationToken ct)
        {
            if (_entries.Count == 0)
            {
                return;
            }
            // New tickets start their clocks (owner, due instants) before they are written; routing may give a stored
            // customer an owner, which the save below writes.
            var opened = _entries.Where(e => e.Filed is { Ticket.Id: 0 }).Select(e => e.Filed!.Ticket).Distinct().ToList();
            await clock.OpenAsync(db, opened, ct);
            // Messages on stored tickets, written without the change tracker (docs/decisions/0047): the SLA rules a save
            // applies to a changed ticket, then the message (with its attachments, and its author if new) and the ticket's
            // events are inserted, and the ticket's changed columns updated, checked against its version as read.
            var now = time.GetUtcNow().UtcDateTime;
            SlaClock.Settings? settings = null;
            foreach (var filed in _entries.Select(e => e.Filed).Where(f => f?.Before is not null).DistinctBy(f => f!.Ticket))
            {
                var (ticket, before) = (filed!.Ticket, filed.Before!);
                settings ??= await clock.CurrentAsync(db, ct);
                var tags = settings.HasTagPolicies
                    ? await db.TicketTags.AsNoTracking().Where(t => t.TicketId == ticket.Id).Select(t => t.Name).ToListAsync(ct)
                    : [];
                // A customer's message changes neither the tags nor the last reply, so no "reply" promise is kept here.
                var settled = SlaClock.Changed(settings, ticket, before.Sla, tags, retagged: false, now);
                await rows.InsertNewDependentsAsync(ticket, ct);
                foreach (var promise in settled)
                {
                    await rows.InsertAsync(promise, ct);
                }
                await rows.UpdateAsync(ticket, before.Columns, ct);
            }
            if (db.ChangeTracker.HasChanges())
            {
                await db.SaveChangesAsync(ct);
            }
            foreach (var ticket in opened)
            {
                await rows.InsertAsync(ticket, ct);
            }
            // A line being reprocessed is a stored row, changed below and saved; new lines are inserted.
            var reprocessed = !_entries.TrueForAll(e => e.Entry.Id == 0);
            if (!reprocessed)
            {
                db.ChangeTracker.Clear();
            }
            foreach (var (entry, _, filed) in _entries)
            {
                if (filed is not null)
                {
                    entry.Record(filed.Outcome, filed.Reason, filed.Ticket.Id, filed.Message.Id, now);
                }
                await rows.InsertAsync(entry, ct);
            }
            if (reprocessed)
            {
                await db.SaveChangesAsync(ct);
            }
            db.ChangeTracker.Clear();
            foreach (var (entry, prepared, filed) in _entries)
            {
                known.Add(entry, prepared, filed?.Message.AuthorCustomer);
            }
            _entries.Clear();
            _keys.Clear();
            _messageIds.Clear();
            _senders.Clear();
            _tickets.Clear();
        }
    }

    private async Task<Result> FileAsync(RapportDb db, InboundMail entry, Prepared prepared, Known known, Unsaved unsaved, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var mail = prepared.Mail!;
        var senderAddress = prepared.SenderAddress;
        var messageId = prepared.MessageId;
        entry.Describe(messageId, senderAddress, mail.Subject, prepared.Participants);
        if (unsaved.Concerns(entry.DedupKey, prepared))
        {
            await unsaved.SaveAsync(ct);
        }

        var earlier = known.FirstLine(entry.DedupKey, except: entry.Id);
        var storedTicket = messageId is null ? null : known.TicketOf(messageId);
        if (earlier is not null || storedTicket is not null)
        {
            var duplicateOf = earlier?.TicketId ?? storedTicket;
            var reason = earlier is null ? "This Message-ID is already on a ticket." : $"Already taken in (ledger {earlier.Value.Id}).";
            entry.Record(InboundOutcome.Duplicate, reason, duplicateOf, null, now);
            unsaved.Add(entry, prepared);
            return new Result(InboundOutcome.Duplicate, duplicateOf, reason, 0);
        }

        var referenced = await FindReferencedTicketAsync(db, prepared, known, ct);
        if (referenced is { } touched && unsaved.Touches(touched))
        {
            // Another message of the group changed this ticket: its rows go in first, so the checks below read them.
            await unsaved.SaveAsync(ct);
        }
        var machine = prepared.Machine;
        if (machine is not null)
        {
            var (bouncedId, diagnostic) = MailReader.Bounce(mail);
            if (bouncedId is not null && await db.OutboundMail.FirstOrDefaultAsync(o => o.InternetMessageId == bouncedId, ct) is { } outbound)
            {
                // A bounce of one of our replies: shown on that reply's outbox row and in the owner's alerts.
                outbound.Bounce(diagnostic);
                referenced ??= outbound.TicketId;
                machine = $"bounce of our reply (outbox {outbound.Id}): {diagnostic ?? "not delivered"}";
            }
            entry.Record(InboundOutcome.Ignored, machine, referenced, null, now);
            unsaved.Add(entry, prepared);
            LogIgnored(entry.RawSha256, machine);
            return new Result(InboundOutcome.Ignored, referenced, machine, 0);
        }
        if (senderAddress is null || !CustomerEmail.IsValid(senderAddress) || prepared.Body is null)
        {
            var textHint = mail.TextBody is { Length: > 0 } ? " Its text is kept in the raw message." : "";
            return Quarantine(entry, (senderAddress is null ? "The message has no sender address." : $"The sender address '{senderAddress}' is not valid.") + textHint,
                unsaved, prepared);
        }

        var customer = known.CustomerOf(db, senderAddress);
        customer ??= Customer.Create(prepared.SenderName ?? "", [senderAddress], now);
        var message = Message.FromEmail(customer, prepared.Body, prepared.Tone, messageId, prepared.HasHtml ? prepared.RawSha256 : null, now);
        foreach (var (name, contentType, file) in prepared.Attachments)
        {
            message.Attach(Attachment.Create(name, contentType, file, null, now));
        }

        Ticket? ticket = null;
        string? linkNote = null;
        if (referenced is { } ticketId)
        {
            // Not tracked: the group's save writes what changes on it (Unsaved.SaveAsync).
            var candidate = await db.Tickets.AsNoTracking().FirstAsync(t => t.Id == ticketId, ct);
            if (candidate.Status == TicketStatus.Closed)
            {
                linkNote = $"Reply to closed ticket #{candidate.Number}; opened a new ticket linked to it.";
            }
            else if (!await IsOnConversationAsync(db, candidate, customer, senderAddress, ct))
            {
                linkNote = $"Sender {senderAddress} is not on ticket #{candidate.Number}; opened a new ticket linked to it.";
            }
            else
            {
                ticket = candidate;
            }
        }
        var reasonText = string.Join(" ", new[] { linkNote }.Concat(prepared.Notes).Where(n => n is not null));
        var outcome = ticket is null ? InboundOutcome.Ticket : InboundOutcome.Message;
        Unsaved.Before? before = null;
        if (ticket is not null)
        {
            // A stored ticket: its rows (the message, its new author if any, the events) are written when the group is saved.
            before = unsaved.Read(ticket);
            ticket.AddCustomerMessage(message, ChangeChannel.Email, now);
        }
        else
        {
            // A new ticket, with its customer if new: inserted by the row writer when the group is saved.
            ticket = Ticket.Open(customer, MailReader.CleanSubject(mail.Subject), TicketChannel.Email, TicketPriority.Normal, message, Actor.MailIntake, now);
            if (linkNote is not null)
            {
                ticket.AddNote(Message.Note(null, new MessageBody(linkNote, null), now), Actor.MailIntake, now);
            }
        }
        // The ledger line gets the ticket's and message's ids once the group's rows are saved; the answer gets them from it.
        unsaved.Add(entry, prepared, new Unsaved.Filed(outcome, reasonText.Length == 0 ? null : reasonText, ticket, message, before));
        return new Result(outcome, null, null, 0);
    }

    private static async Task<long?> FindReferencedTicketAsync(RapportDb db, Prepared prepared, Known known, CancellationToken ct)
    {
        foreach (var id in prepared.ReferencedIds)
        {
            if (known.TicketOf(id) is { } ticketId)
            {
                return ticketId;
            }
        }
        if (prepared.TicketToken is { } number && await db.Tickets.AnyAsync(t => t.Id == number, ct))
        {
            return number;
        }
        return null;
    }

    /// <summary>The ticket's customer (any of their addresses), or someone who wrote on or was copied on its mail.</summary>
    private static async Task<bool> IsOnConversationAsync(RapportDb db, Ticket ticket, Customer sender, string address, CancellationToken ct)
    {
        if (sender.Id != 0 && sender.Id == ticket.CustomerId)
        {
            return true;
        }
        if (sender.Id != 0 && await db.Messages.AnyAsync(m => m.TicketId == ticket.Id && m.AuthorCustomerId == sender.Id, ct))
        {
            return true;
        }
        var participants = await db.InboundMail.AsNoTracking().Where(m => m.TicketId == ticket.Id && m.Participants != null)
            .Select(m => m.Participants!).ToListAsync(ct);
        return participants.Any(p => p.Split(' ').Contains(address));
    }

    /// <summary>The message's text, folded; its HTML part is not kept here but shown from the raw message
    /// (<see cref="MailHtml"/>, 0044): <c>HasHtml</c> says whether it has one. Only mail without a text part has its
    /// HTML sanitized here, for the text read from it.</summary>
    private (MessageBody Body, bool HasHtml) Body(MimeMessage mail, CancellationToken ct)
    {
        var text = mail.TextBody;
        var plain = string.IsNullOrWhiteSpace(text) ? content.From(null, MailHtml.HtmlPartOf(mail), ct).Text : text.Trim();
        var folded = MailReader.FoldQuotedText(plain);
        if (folded.Length == 0)
        {
            folded = "(no text)";
        }
        return (new MessageBody(folded.Length > Message.TextMaxLength ? folded[..Message.TextMaxLength] : folded, null), MailHtml.MayHaveHtml(mail));
    }

    private async Task AttachAsync(MimeMessage mail, Prepared prepared, CancellationToken ct)
    {
        var notes = prepared.Notes;
        var maxSize = attachmentOptions.Value.MaxSize;
        var index = 0;
        foreach (var entity in mail.BodyParts)
        {
            var isBodyText = entity is TextPart text && !text.IsAttachment && (text.IsPlain || text.IsHtml);
            if (isBodyText || entity is MultipartReport || entity.ContentType.IsMimeType("message", "delivery-status"))
            {
                continue;
            }
            index++;
            if (prepared.Attachments.Count >= mailOptions.Value.MaxAttachments)
            {
                notes.Add($"More than {mailOptions.Value.MaxAttachments} attachments; the rest were not kept.");
                break;
            }
            var name = FileNameOf(entity, index);
            using var buffer = new MemoryStream();
            switch (entity)
            {
                case MessagePart part when part.Message is not null:
                    await part.Message.WriteToAsync(buffer, ct);
                    break;
                case MimePart part when part.Content is not null:
                    await part.Content.DecodeToAsync(buffer, ct);
                    break;
                default:
                    continue;
            }
            if (buffer.Length == 0)
            {
                continue;
            }
            if (buffer.Length > maxSize)
            {
                notes.Add($"Attachment '{name}' ({buffer.Length:N0} bytes) is over the limit of {maxSize:N0} bytes and was not kept.");
                continue;
            }
            var head = buffer.GetBuffer().AsSpan(0, (int)Math.Min(16, buffer.Length));
            var (contentType, error) = UploadPolicy.Check(name, entity.ContentType.MimeType, head);
            if (error is not null)
            {
                notes.Add($"Attachment '{name}' was not kept: {error}");
                continue;
            }
            buffer.Position = 0;
            var stored = await files.SaveAsync(buffer, maxSize, ct);
            if (stored is not null)
            {
                prepared.Attachments.Add((name, contentType!, stored));
            }
        }
    }

    private static string FileNameOf(MimeEntity entity, int index)
    {
        var name = entity is MimePart part ? part.FileName : entity.ContentType.Name ?? entity.ContentDisposition?.FileName;
        if (string.IsNullOrWhiteSpace(name) && entity is MessagePart forwarded)
        {
            name = (forwarded.Message?.Subject is { Length: > 0 } s ? s : "message") + ".eml";
        }
        name = Path.GetFileName((name ?? "").Replace('\\', '/').Trim());
        name = new string(name.Where(c => !char.IsControl(c) && c is not '/' and not ':').ToArray());
        if (name.Length == 0)
        {
            var extension = MimeTypes.TryGetExtension(entity.ContentType.MimeType, out var ext) ? ext : ".bin";
            name = $"part-{index}{extension}";
        }
        return name.Length > Attachment.FileNameMaxLength ? name[^Attachment.FileNameMaxLength..] : name;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound message {RawSha256} quarantined: {Reason}")]
    private partial void LogQuarantined(string rawSha256, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound message {RawSha256} ignored: {Reason}")]
    private partial void LogIgnored(string rawSha256, string reason);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Filing {Count} inbound messages together failed; filing each alone")]
    private partial void LogBatchFailed(int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Filing inbound message {RawSha256} failed; quarantined")]
    private partial void LogFilingFailed(string rawSha256, Exception exception);
}
