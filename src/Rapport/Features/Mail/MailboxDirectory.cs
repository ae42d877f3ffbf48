using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Features.Mail;

/// <summary>Our mailboxes' names and addresses, for the mail intake: which mailbox a name means, and whether mail comes
/// from one of our own addresses (a loop). Read at most every <see cref="MailboxesFor"/> instead of once per message; a
/// mailbox saved or deleted on this node is seen at once (<see cref="Forget"/>), on another node within that time (or
/// at once, for a name not known yet).</summary>
public sealed class MailboxDirectory(IDbContextFactory<RapportDb> contexts, TimeProvider time)
{
    private static readonly TimeSpan MailboxesFor = TimeSpan.FromSeconds(10);

    private volatile Snapshot? _mailboxes;

    private sealed record Snapshot(FrozenDictionary<string, int> IdsByName, FrozenSet<string> Addresses, DateTime Until);

    /// <summary>Our mailboxes' addresses (mail from one of them is a loop).</summary>
    public async Task<FrozenSet<string>> OwnAddressesAsync(CancellationToken ct) => (await MailboxesAsync(fresh: false, ct)).Addresses;

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

    private async Task<Snapshot> MailboxesAsync(bool fresh, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (!fresh && _mailboxes is { } known && known.Until > now)
        {
            return known;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Mailboxes.AsNoTracking().Select(m => new { m.Id, m.Name, m.Address }).ToListAsync(ct);
        var directory = new Snapshot(rows.ToFrozenDictionary(m => m.Name, m => m.Id, StringComparer.Ordinal),
            rows.Select(m => m.Address).ToFrozenSet(StringComparer.Ordinal), now + MailboxesFor);
        _mailboxes = directory;
        return directory;
    }

    /// <summary>After a mailbox is saved or deleted: the next message reads the mailboxes again.</summary>
    public void Forget() => _mailboxes = null;
}
