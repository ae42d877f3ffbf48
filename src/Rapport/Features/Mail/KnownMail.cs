using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Rapport.Data;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>What a group's messages may duplicate or answer, read for the whole group at once and kept up
/// to date as it is filed: the first ledger line taken per dedup key, and the ticket of each stored Message-ID
/// (the group's own, and those its messages reference). The unique Message-ID index stays the last word: a
/// message stored by someone else meanwhile fails the group, and each message is then filed alone.</summary>
internal sealed class KnownMail
{
    /// <summary>The writer's lookup of stored messages by Message-ID (answered from the partial index IX_Messages_InternetMessageId).</summary>
    public const string MessageIdsSql = """SELECT "InternetMessageId", "TicketId" FROM "Messages" WHERE "InternetMessageId" IS NOT NULL AND "InternetMessageId" IN ({keys})""";

    /// <summary>A command for <paramref name="sql"/> in the context's transaction, its <c>{keys}</c> replaced by one
    /// parameter per key.</summary>
    public static DbCommand ListCommand(RapportDb db, string sql, IReadOnlyList<string> keys)
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

    public static async Task<KnownMail> ReadAsync(RapportDb db, IReadOnlyList<PreparedMail> group, CancellationToken ct)
    {
        var known = new KnownMail();
        var keys = group.Select(p => p.DedupKey).Distinct().ToList();
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

    /// <summary>The ticket the message answers: the first of its referenced Message-IDs on a ticket, else the ticket its
    /// subject's token names, if there is one.</summary>
    public async Task<long?> ReferencedTicketAsync(RapportDb db, PreparedMail prepared, CancellationToken ct)
    {
        foreach (var id in prepared.ReferencedIds)
        {
            if (TicketOf(id) is { } ticketId)
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

    /// <summary>How long after resolving a ticket a reply found by its subject alone still goes to it.</summary>
    public static readonly TimeSpan RecentlyResolved = TimeSpan.FromDays(14);

    /// <summary>With no header naming a ticket: the sender's open or recently resolved ticket whose subject is this reply's
    /// subject without its reply prefixes (<see cref="MailReader.ReplyTopic"/>), the latest updated; null when none.</summary>
    public static async Task<long?> SubjectTicketAsync(RapportDb db, Customer sender, PreparedMail prepared, DateTime now, CancellationToken ct)
    {
        if (sender.Id == 0 || prepared.ReplyTopic is not { } topic)
        {
            return null;
        }
        var since = now - RecentlyResolved;
        var candidates = await db.Tickets.AsNoTracking()
            .Where(t => t.CustomerId == sender.Id && t.Status != TicketStatus.Closed && (t.Status != TicketStatus.Resolved || t.ResolvedAt >= since))
            .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id).Take(100)
            .Select(t => new { t.Id, t.Subject }).ToListAsync(ct);
        return candidates.FirstOrDefault(c => string.Equals(MailReader.CleanSubject(c.Subject), topic, StringComparison.OrdinalIgnoreCase))?.Id;
    }

    /// <summary>The ticket's customer (any of their addresses), or someone who wrote on or was copied on its mail.</summary>
    public static async Task<bool> IsOnConversationAsync(RapportDb db, Ticket ticket, Customer sender, string address, CancellationToken ct)
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

    /// <summary>After a message of the group is saved: later ones see it, and its sender, as the database would.</summary>
    public void Add(InboundMail entry, PreparedMail prepared, Customer? sender)
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
