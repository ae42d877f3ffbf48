using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>The messages of a group filed since its rows were last saved. Their rows are written together: the
/// messages on stored tickets with what they changed on those tickets, by <see cref="RowWriter"/> (0047); what else
/// changed on stored rows (a bounced reply, a customer given an owner) in one save; then the new tickets with their
/// customers, messages and events, and the ledger lines (which need those rows' ids), inserted by the row writer;
/// then <see cref="KnownMail"/> learns them. Until then a later message of the group that
/// duplicates or answers one of them, comes from the same sender, or touches the same ticket has the group saved
/// first (<see cref="Concerns"/>, <see cref="Touches"/>): the checks that read the database then see it
/// (docs/decisions/0037, 0041, 0047).</summary>
internal sealed class UnsavedMail(RapportDb db, RowWriter rows, KnownMail known, TimeProvider time, SlaClock clock)
{
    /// <summary>A message that became a ticket or a message on one; the ledger line records their ids after the save.
    /// <paramref name="Before"/> is set for a message on a stored ticket: the ticket as it was read.</summary>
    public sealed record Filed(InboundOutcome Outcome, string? Reason, Ticket Ticket, Message Message, Before? Before = null);

    /// <summary>A stored ticket as read, before a message is added to it: its columns, and what the SLA rules compare.</summary>
    public sealed record Before(object?[] Columns, SlaClock.TicketBefore Sla);

    /// <summary>Takes the stored (untracked) ticket's values before it is changed.</summary>
    public Before Read(Ticket ticket) => new(rows.Snapshot(ticket), SlaClock.TicketBefore.Of(ticket));

    private readonly List<(InboundMail Entry, PreparedMail Prepared, Filed? Filed)> _entries = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _messageIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _senders = new(StringComparer.Ordinal);
    private readonly HashSet<long> _tickets = [];

    public void Add(InboundMail entry, PreparedMail prepared, Filed? filed = null)
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
    public bool Concerns(string dedupKey, PreparedMail prepared) =>
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
