using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
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
public sealed partial class IngestMail(IDbContextFactory<RapportDb> contexts, FileStore files, MailPreparer preparer,
    IOptions<MailOptions> mailOptions, SlaClock clock, TimeProvider time, ILogger<IngestMail> logger)
    : IAsyncDisposable
{
    private const int MaxBatch = 32;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Lock _startLock = new();
    private Task? _writer;

    /// <summary>What the intake API and the ingest command answer.</summary>
    public sealed record Result(
        InboundOutcome Outcome,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? TicketId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
        [property: JsonIgnore] long LedgerId);

    private sealed record Pending(int? MailboxId, MailSource Source, StoredFile Stored, Packed Raw, PreparedMail Prepared)
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
        var pending = new Pending(mailboxId, source, stored, Packed.Of(raw), await preparer.PrepareAsync(stored.Sha256, raw, ct));
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
        var prepared = await preparer.PrepareAsync(sha, await ReadRawAsync(sha, ct), ct);
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
    /// and one for its ledger lines (<see cref="UnsavedMail"/>); a message that needs an earlier one of the group in the
    /// database (its duplicate, a reply to it, the same sender) has the group saved before it is looked at. Throws if any fails.</summary>
    private async Task<Result[]> ProcessBatchAsync(IReadOnlyList<Pending> batch, CancellationToken ct)
    {
        await using var db = await WriterContextAsync(ct);
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        await using var rows = new RowWriter(db);
        var now = time.GetUtcNow().UtcDateTime;
        var results = new Result[batch.Count];
        var entries = new InboundMail[batch.Count];
        var known = await KnownMail.ReadAsync(db, batch.Select(p => p.Prepared).Where(p => p.Problem is null).ToList(), ct);
        var unsaved = new UnsavedMail(db, rows, known, time, clock);
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
    private async Task<Result> ProcessAsync(Func<RapportDb, Task<InboundMail>> entryIn, PreparedMail prepared, Packed? raw, CancellationToken ct)
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
                var known = await KnownMail.ReadAsync(db, prepared.Problem is null ? [prepared] : [], ct);
                var unsaved = new UnsavedMail(db, rows, known, time, clock);
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

    private Result Quarantine(InboundMail entry, string reason, UnsavedMail? unsaved, PreparedMail prepared)
    {
        entry.Record(InboundOutcome.Quarantined, reason, null, null, time.GetUtcNow().UtcDateTime);
        unsaved?.Add(entry, prepared);
        LogQuarantined(entry.RawSha256, reason);
        return new Result(InboundOutcome.Quarantined, null, reason, 0);
    }

    /// <summary>Files a readable message in the group: looks up what the decision needs (<see cref="KnownMail"/>, the
    /// database), lets <see cref="MailFiling"/> decide, and hands the outcome to <paramref name="unsaved"/>.</summary>
    private async Task<Result> FileAsync(RapportDb db, InboundMail entry, PreparedMail prepared, KnownMail known, UnsavedMail unsaved, CancellationToken ct)
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

        var storedTicket = messageId is null ? null : known.TicketOf(messageId);
        if (MailFiling.Duplicate(known.FirstLine(entry.DedupKey, except: entry.Id), storedTicket) is { } duplicate)
        {
            entry.Record(InboundOutcome.Duplicate, duplicate.Reason, duplicate.TicketId, null, now);
            unsaved.Add(entry, prepared);
            return new Result(InboundOutcome.Duplicate, duplicate.TicketId, duplicate.Reason, 0);
        }

        var referenced = await known.ReferencedTicketAsync(db, prepared, ct);
        if (referenced is { } touched && unsaved.Touches(touched))
        {
            // Another message of the group changed this ticket: its rows go in first, so the checks below read them.
            await unsaved.SaveAsync(ct);
        }
        if (prepared.Machine is { } machine)
        {
            MailFiling.BouncedReply? bounce = null;
            var (bouncedId, diagnostic) = MailReader.Bounce(mail);
            if (bouncedId is not null && await db.OutboundMail.FirstOrDefaultAsync(o => o.InternetMessageId == bouncedId, ct) is { } outbound)
            {
                // A bounce of one of our replies: shown on that reply's outbox row and in the owner's alerts.
                outbound.Bounce(diagnostic);
                bounce = new MailFiling.BouncedReply(outbound.Id, outbound.TicketId, diagnostic);
            }
            var ignored = MailFiling.Ignore(machine, referenced, bounce);
            entry.Record(InboundOutcome.Ignored, ignored.Reason, ignored.TicketId, null, now);
            unsaved.Add(entry, prepared);
            LogIgnored(entry.RawSha256, ignored.Reason);
            return new Result(InboundOutcome.Ignored, ignored.TicketId, ignored.Reason, 0);
        }
        if (MailFiling.QuarantineReason(prepared) is { } quarantined)
        {
            return Quarantine(entry, quarantined, unsaved, prepared);
        }

        var customer = known.CustomerOf(db, senderAddress!);
        if (referenced is null && customer is not null && await KnownMail.SubjectTicketAsync(db, customer, prepared, now, ct) is { } bySubject)
        {
            referenced = bySubject;
            if (unsaved.Touches(bySubject))
            {
                await unsaved.SaveAsync(ct);
            }
        }
        customer ??= Customer.Create(prepared.SenderName ?? "", [senderAddress!], now);
        var message = Message.FromEmail(customer, prepared.Body!, prepared.Tone, messageId, prepared.HasHtml ? prepared.RawSha256 : null, now);
        foreach (var (name, contentType, file) in prepared.Attachments)
        {
            message.Attach(Attachment.Create(name, contentType, file, null, now));
        }

        Ticket? ticket = null;
        string? linkNote = null;
        if (referenced is { } ticketId)
        {
            // Not tracked: the group's save writes what changes on it (UnsavedMail.SaveAsync).
            var candidate = await db.Tickets.AsNoTracking().FirstAsync(t => t.Id == ticketId, ct);
            var onConversation = candidate.Status != TicketStatus.Closed
                && await KnownMail.IsOnConversationAsync(db, candidate, customer, senderAddress!, ct);
            linkNote = MailFiling.NewTicketNote(new MailFiling.ReferencedTicket(candidate.Number, candidate.Status, onConversation), senderAddress!);
            if (linkNote is null)
            {
                ticket = candidate;
            }
        }
        var outcome = ticket is null ? InboundOutcome.Ticket : InboundOutcome.Message;
        UnsavedMail.Before? before = null;
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
        unsaved.Add(entry, prepared, new UnsavedMail.Filed(outcome, MailFiling.FiledReason(linkNote, prepared.Notes), ticket, message, before));
        return new Result(outcome, null, null, 0);
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
