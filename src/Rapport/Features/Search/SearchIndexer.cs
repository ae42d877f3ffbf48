using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;

namespace Rapport.Features.Search;

/// <summary>Keeps the search index current from the change record (<see cref="FeedConsumer{TWork}"/>): a new message on
/// a ticket, from any channel, is indexed once; a ticket whose subject changed or whose customer was merged has all its
/// messages indexed again. A search first lets it catch up (<see cref="CatchUpAsync"/>), so what was saved before the
/// search is found by it.</summary>
public sealed class SearchIndexer(IDbContextFactory<RapportDb> contexts, CommitSignal signal, TimeProvider time, ILogger<SearchIndexer> logger)
    : FeedConsumer<IReadOnlyList<SearchDocument>>(contexts, signal, time, logger)
{
    protected override string Name => "search";

    /// <summary>Events per pass: each pass holds the write turn while it writes its documents (up to a few per event),
    /// so a pass is kept short and the writers serving people wait little behind it.</summary>
    protected override int Batch => 200;

    /// <summary>Working through history (a new install's or an upgrade's), passes take at most a quarter of the time.</summary>
    protected override double BacklogShare => 0.25;

    /// <summary>The most passes a search makes to bring the index up to date before it looks: enough for what was saved in
    /// the last moments, not for history the background loop is still working through.</summary>
    public const int SearchPasses = 3;

    protected override TimeSpan MinimumInterval => TimeSpan.FromMilliseconds(200);

    /// <summary>Indexes what was committed before the call and is not indexed yet, in at most <see cref="SearchPasses"/>
    /// passes. On PostgreSQL another transaction still running holds the record back (its place in the order is not
    /// known until it ends), so it waits for those, at most <see cref="SearchWait"/>. History still being indexed is
    /// left to the background loop: the search then sees what is indexed.</summary>
    public Task CatchUpAsync(CancellationToken ct) => CatchUpNowAsync(SearchPasses, SearchWait, ct);

    /// <summary>The longest a search waits for transactions that were running when it began.</summary>
    public static readonly TimeSpan SearchWait = TimeSpan.FromSeconds(2);

    protected override async Task<IReadOnlyList<SearchDocument>> PrepareAsync(RapportDb db, IReadOnlyList<FeedEvent> events, CancellationToken ct)
    {
        var whole = events.Where(e => e.Kind is TicketEventKind.SubjectChanged or TicketEventKind.CustomerMerged).Select(e => e.TicketId).ToHashSet();
        var added = events.Where(e => e.Kind is TicketEventKind.Created or TicketEventKind.CustomerWrote or TicketEventKind.Replied or TicketEventKind.NoteAdded)
            .Select(e => e.TicketId).Where(id => !whole.Contains(id)).ToHashSet();
        if (whole.Count == 0 && added.Count == 0)
        {
            return [];
        }
        var wholeIds = whole.ToList();
        var addedIds = added.ToList();
        var messages = await db.Messages.AsNoTracking()
            .Where(m => wholeIds.Contains(m.TicketId)
                || (addedIds.Contains(m.TicketId) && !db.SearchEntries.Any(e => e.MessageId == m.Id)))
            .Select(m => new
            {
                m.Id,
                m.TicketId,
                m.Kind,
                m.Text,
                m.CreatedAt,
                Author = m.AuthorCustomer != null ? m.AuthorCustomer.Name : m.AuthorAgent != null ? m.AuthorAgent.DisplayName : null,
                Files = m.Attachments.Select(a => a.FileName).ToList(),
            })
            .ToListAsync(ct);
        if (messages.Count == 0)
        {
            return [];
        }
        var ticketIds = messages.Select(m => m.TicketId).Distinct().ToList();
        var tickets = await db.Tickets.AsNoTracking().Where(t => ticketIds.Contains(t.Id))
            .Select(t => new
            {
                t.Id,
                t.Subject,
                Customer = t.Customer.Name,
                Organization = t.Customer.Organization != null ? t.Customer.Organization.Name : null,
                Addresses = t.Customer.Emails.Select(e => e.Address).ToList(),
            })
            .ToDictionaryAsync(t => t.Id, ct);
        var documents = new List<SearchDocument>(messages.Count);
        foreach (var m in messages)
        {
            if (!tickets.TryGetValue(m.TicketId, out var ticket))
            {
                continue;
            }
            var people = string.Join(' ', new[] { ticket.Customer, ticket.Organization, m.Author }.Concat(ticket.Addresses).Where(p => !string.IsNullOrWhiteSpace(p)));
            // Mail is stored without its quoted history (folded on arrival); text from other channels may still hold one.
            var body = MailReader.FoldQuotedText(m.Text);
            var quoted = body.Length < m.Text.Length ? m.Text.Replace(body, " ", StringComparison.Ordinal) : "";
            documents.Add(new SearchDocument(m.Id, m.TicketId, m.Kind == MessageKind.Note, m.CreatedAt, SearchTerms.Fold(ticket.Subject),
                SearchTerms.Fold(people), SearchTerms.Fold(body), SearchTerms.Fold(quoted), SearchTerms.Fold(string.Join(' ', m.Files))));
        }
        return documents;
    }

    protected override async Task<int> ApplyAsync(RapportDb db, IReadOnlyList<SearchDocument> work, CancellationToken ct)
    {
        await SearchIndex.WriteAsync(db, work, ct);
        return work.Count;
    }
}
