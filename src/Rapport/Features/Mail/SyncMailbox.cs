using System.Collections.Concurrent;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;

namespace Rapport.Features.Mail;

/// <summary>Reads new messages from a mailbox's IMAP folder into the pipeline. New means a UID above the last one
/// taken under the folder's current UIDVALIDITY and without a ledger line, so a message is never fetched into
/// the desk twice nor skipped, also after downtime or a crash between two steps. A message counts as taken
/// once its raw MIME is in the file store and its ledger line is committed; only then does the folder
/// position move past it. Nothing is deleted on the server unless the mailbox says so.</summary>
public sealed partial class SyncMailbox(IDbContextFactory<RapportDb> contexts, MailConnections connections, IngestMail ingest,
    IOptions<MailOptions> mailOptions, TimeProvider time, ILogger<SyncMailbox> logger)
{
    private const int FetchBatch = 50;
    private const long FetchBytes = 16 * 1024 * 1024;

    private readonly ConcurrentDictionary<int, SemaphoreSlim> _running = new();

    public sealed record Summary(int Taken, int Skipped, string? Error, bool IdleSupported);

    public async Task<Summary> RunOnceAsync(int mailboxId, CancellationToken ct)
    {
        var gate = _running.GetOrAdd(mailboxId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            return await RunAsync(mailboxId, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<Summary> RunAsync(int mailboxId, CancellationToken ct)
    {
        Mailbox mailbox;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            mailbox = await db.Mailboxes.AsNoTracking().FirstAsync(m => m.Id == mailboxId, ct);
        }
        var taken = 0;
        var skipped = 0;
        try
        {
            using var client = await connections.OpenImapAsync(mailbox, ct);
            var folder = (ImapFolder)await client.GetFolderAsync(mailbox.ImapFolder, ct);
            await folder.OpenAsync(mailbox.DeleteAfterFetch ? FolderAccess.ReadWrite : FolderAccess.ReadOnly, ct);
            var validity = (long)folder.UidValidity;

            var state = await LoadStateAsync(mailbox, validity, ct);
            // "n:*" always matches the highest UID, even one below n; hence the filter.
            var uids = (await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId((uint)Math.Min(state.LastUid + 1, uint.MaxValue)), UniqueId.MaxValue)), ct))
                .Where(u => u.Id > state.LastUid).OrderBy(u => u.Id).ToList();
            var already = await LedgerUidsAsync(mailbox, validity, state.LastUid, ct);
            var done = new List<UniqueId>();
            skipped = uids.Count(u => already.Contains(u.Id));
            var sizes = await SizesAsync(folder, uids.Where(u => !already.Contains(u.Id)).ToList(), ct);
            foreach (var batch in Batches(uids, already, sizes))
            {
                var results = await TakeBatchAsync(folder, mailbox, validity, batch.Where(u => !already.Contains(u.Id)).ToList(), sizes, ct);
                foreach (var (uid, outcome) in results)
                {
                    LogTaken(mailbox.Id, uid, outcome);
                }
                taken += results.Count;
                // Every message of the batch has its ledger line committed: only now does the position move past them.
                foreach (var uid in batch)
                {
                    done.Add(uid);
                    state.Advance(uid.Id);
                }
                await SaveStateAsync(state, ct);
            }
            if (mailbox.DeleteAfterFetch && done.Count > 0)
            {
                await folder.AddFlagsAsync(done, MessageFlags.Deleted, silent: true, ct);
                if (client.Capabilities.HasFlag(ImapCapabilities.UidPlus))
                {
                    await folder.ExpungeAsync(done, ct);
                }
                else
                {
                    await folder.ExpungeAsync(ct);
                }
            }
            state.Succeeded(time.GetUtcNow().UtcDateTime);
            await SaveStateAsync(state, ct);
            var idle = client.Capabilities.HasFlag(ImapCapabilities.Idle);
            await client.DisconnectAsync(true, ct);
            return new Summary(taken, skipped, null, idle);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var error = MailConnections.Describe(e, "IMAP", mailbox.ImapHost, mailbox.ImapPort);
            LogSyncFailed(mailbox.Id, error);
            await RecordFailureAsync(mailbox, error, ct);
            return new Summary(taken, skipped, error, false);
        }
    }

    /// <summary>UIDs in order, cut into groups fetched in one round trip: at most <see cref="FetchBatch"/> messages
    /// and <see cref="FetchBytes"/> bytes (a larger message goes alone).</summary>
    private static IEnumerable<List<UniqueId>> Batches(List<UniqueId> uids, HashSet<long> already, Dictionary<UniqueId, long> sizes)
    {
        var batch = new List<UniqueId>();
        long bytes = 0;
        foreach (var uid in uids)
        {
            var size = already.Contains(uid.Id) ? 0 : sizes.GetValueOrDefault(uid);
            if (batch.Count > 0 && (batch.Count >= FetchBatch || bytes + size > FetchBytes))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }
            batch.Add(uid);
            bytes += size;
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static async Task<Dictionary<UniqueId, long>> SizesAsync(IMailFolder folder, List<UniqueId> uids, CancellationToken ct)
    {
        if (uids.Count == 0)
        {
            return [];
        }
        var summaries = await folder.FetchAsync(uids, MessageSummaryItems.UniqueId | MessageSummaryItems.Size, ct);
        return summaries.Where(s => s.Size is not null).ToDictionary(s => s.UniqueId, s => (long)s.Size!.Value);
    }

    /// <summary>Fetches the messages' bodies in one round trip, then files them together (the intake's writer commits
    /// them as a group). A message over the size limit is not fetched; its ledger line says so.</summary>
    private async Task<List<(long Uid, InboundOutcome Outcome)>> TakeBatchAsync(ImapFolder folder, Mailbox mailbox, long validity,
        List<UniqueId> uids, Dictionary<UniqueId, long> sizes, CancellationToken ct)
    {
        var maxSize = mailOptions.Value.MaxMessageSize;
        var work = new List<Task<(long, InboundOutcome)>>();
        var tooLarge = uids.Where(u => sizes.GetValueOrDefault(u) > maxSize).ToHashSet();
        foreach (var uid in tooLarge)
        {
            work.Add(RecordTooLargeAsync(uid));
        }
        var fetch = uids.Where(u => !tooLarge.Contains(u)).ToList();
        if (fetch.Count > 0)
        {
            var bodies = new Dictionary<UniqueId, byte[]>();
            await folder.GetStreamsAsync(fetch, async (_, _, uid, stream, token) =>
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, token);
                bodies[uid] = buffer.ToArray();
            }, ct);
            foreach (var uid in fetch)
            {
                if (!bodies.TryGetValue(uid, out var body))
                {
                    throw new InvalidOperationException($"The server sent no body for UID {uid.Id}.");
                }
                work.Add(TakeAsync(uid, body));
            }
        }
        return [.. await Task.WhenAll(work)];

        async Task<(long, InboundOutcome)> TakeAsync(UniqueId uid, byte[] body)
        {
            var source = new MailSource(mailbox.ImapFolder, validity, uid.Id);
            var result = await ingest.HandleAsync(mailbox.Id, body, source, ct)
                ?? await ingest.RecordUnstorableAsync(mailbox.Id, source, TooLargeReason, ct);
            return (uid.Id, result.Outcome);
        }

        async Task<(long, InboundOutcome)> RecordTooLargeAsync(UniqueId uid)
        {
            var result = await ingest.RecordUnstorableAsync(mailbox.Id, new MailSource(mailbox.ImapFolder, validity, uid.Id), TooLargeReason, ct);
            return (uid.Id, result.Outcome);
        }
    }

    private const string TooLargeReason = "The message is larger than Mail:MaxMessageSize; it was left on the server.";

    private async Task<MailboxSync> LoadStateAsync(Mailbox mailbox, long validity, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var state = await db.MailboxSyncs.AsNoTracking().FirstOrDefaultAsync(s => s.MailboxId == mailbox.Id && s.Folder == mailbox.ImapFolder, ct)
            ?? MailboxSync.Start(mailbox.Id, mailbox.ImapFolder);
        if (state.Validate(validity) && state.LastSyncAt is not null)
        {
            LogUidValidityChanged(mailbox.Id, validity);
        }
        return state;
    }

    private async Task<HashSet<long>> LedgerUidsAsync(Mailbox mailbox, long validity, long after, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var uids = await db.InboundMail.AsNoTracking()
            .Where(m => m.MailboxId == mailbox.Id && m.Folder == mailbox.ImapFolder && m.UidValidity == validity && m.Uid > after)
            .Select(m => m.Uid!.Value).ToListAsync(ct);
        return uids.ToHashSet();
    }

    private async Task SaveStateAsync(MailboxSync state, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var exists = await db.MailboxSyncs.AnyAsync(s => s.MailboxId == state.MailboxId && s.Folder == state.Folder, ct);
        if (exists)
        {
            db.MailboxSyncs.Update(state);
        }
        else
        {
            db.MailboxSyncs.Add(state);
        }
        await db.SaveChangesAsync(ct);
    }

    private async Task RecordFailureAsync(Mailbox mailbox, string error, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var state = await db.MailboxSyncs.FirstOrDefaultAsync(s => s.MailboxId == mailbox.Id && s.Folder == mailbox.ImapFolder, ct);
        if (state is null)
        {
            state = MailboxSync.Start(mailbox.Id, mailbox.ImapFolder);
            db.MailboxSyncs.Add(state);
        }
        state.Failed(error, time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mailbox {MailboxId} UID {Uid}: {Outcome}")]
    private partial void LogTaken(int mailboxId, long uid, InboundOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading mailbox {MailboxId} failed: {Error}")]
    private partial void LogSyncFailed(int mailboxId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mailbox {MailboxId}: UIDVALIDITY changed to {UidValidity}; reading the folder again from the start")]
    private partial void LogUidValidityChanged(int mailboxId, long uidValidity);
}
