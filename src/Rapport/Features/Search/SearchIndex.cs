using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Rapport.Data;

namespace Rapport.Features.Search;

/// <summary>A message's words as the index keeps them, each part folded (<see cref="SearchTerms.Fold"/>): the ticket's
/// subject, the people (customer's name, addresses and organisation, the author), the new text, the quoted history
/// (weighted lowest, so an old thread does not drown the new words) and attachment file names.</summary>
public sealed record SearchDocument(long MessageId, long TicketId, bool Internal, DateTime At, string Subject, string People,
    string Body, string Quoted, string Files);

/// <summary>A message that matched, with how well (higher is better; only comparable within one search).</summary>
public sealed record SearchMatch(long MessageId, long TicketId, DateTime At, double Relevance);

/// <summary>The search index in the database Rapport already runs: SQLite FTS5 (Porter stemming) or PostgreSQL
/// full-text search (a weighted tsvector with a GIN index, the English configuration). The one place that writes and
/// reads it; what the words are is <see cref="SearchTerms"/>'s, what a query means <see cref="SearchQuery"/>'s.</summary>
public static class SearchIndex
{
    /// <summary>The most matching messages a search ranks: the newest ones. A word in most of the desk's mail is then
    /// ranked among its recent uses, and a search stays fast however much mail there is.</summary>
    public const int Candidates = 2000;

    /// <summary>Stores <paramref name="documents"/>, replacing what the index held for those messages. Call inside the
    /// write transaction that records the indexing. It runs while the other writers wait (on SQLite, one writer at a
    /// time), so it does as little as it can: one look for the messages already indexed, then the same prepared
    /// statements for every document (SQLite), or one statement for all of them (PostgreSQL).</summary>
    public static async Task WriteAsync(RapportDb db, IReadOnlyList<SearchDocument> documents, CancellationToken ct)
    {
        if (documents.Count == 0)
        {
            return;
        }
        // One document per message (the last one given), as one statement may not change a row twice.
        documents = documents.DistinctBy(d => d.MessageId).Count() == documents.Count ? documents
            : documents.GroupBy(d => d.MessageId).Select(g => g.Last()).ToList();
        if (db.Database.IsSqlite())
        {
            await WriteSqliteAsync(db, documents, ct);
            return;
        }
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "SearchEntries" ("MessageId", "TicketId", "Internal", "At", "Document")
            SELECT u.m, u.t, u.i, u.a,
                setweight(to_tsvector('english', u.s), 'A') || setweight(to_tsvector('english', u.p), 'B')
                || setweight(to_tsvector('english', u.b), 'B') || setweight(to_tsvector('english', u.f), 'C')
                || setweight(to_tsvector('english', u.q), 'D')
            FROM unnest({documents.Select(d => d.MessageId).ToArray()}, {documents.Select(d => d.TicketId).ToArray()},
                {documents.Select(d => d.Internal).ToArray()}, {documents.Select(d => d.At).ToArray()}, {documents.Select(d => d.Subject).ToArray()},
                {documents.Select(d => d.People).ToArray()}, {documents.Select(d => d.Body).ToArray()}, {documents.Select(d => d.Quoted).ToArray()},
                {documents.Select(d => d.Files).ToArray()}) AS u(m, t, i, a, s, p, b, q, f)
            ON CONFLICT ("MessageId") DO UPDATE SET "TicketId" = excluded."TicketId", "Internal" = excluded."Internal", "At" = excluded."At",
                "Document" = excluded."Document"
            """, ct);
    }

    private static async Task WriteSqliteAsync(RapportDb db, IReadOnlyList<SearchDocument> documents, CancellationToken ct)
    {
        // A contentless FTS5 table refuses a second row with the same rowid: what is indexed already is deleted first,
        // and only that (a delete of a row that was never there still costs a look into the index).
        var ids = documents.Select(d => d.MessageId).ToArray();
        var indexed = (await db.SearchEntries.AsNoTracking().Where(e => ids.Contains(e.MessageId)).Select(e => e.MessageId).ToListAsync(ct)).ToHashSet();
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = """DELETE FROM "SearchText" WHERE rowid = $m""";
        var deleted = Parameter(delete, "$m");
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO "SearchEntries" ("MessageId", "TicketId", "Internal", "At") VALUES ($m, $t, $i, $a)
            ON CONFLICT ("MessageId") DO UPDATE SET "TicketId" = excluded."TicketId", "Internal" = excluded."Internal", "At" = excluded."At";
            INSERT INTO "SearchText" (rowid, "Subject", "People", "Body", "Quoted", "Files") VALUES ($m, $s, $p, $b, $q, $f);
            """;
        var (m, t, i, a) = (Parameter(insert, "$m"), Parameter(insert, "$t"), Parameter(insert, "$i"), Parameter(insert, "$a"));
        var (subject, people, body, quoted, files) = (Parameter(insert, "$s"), Parameter(insert, "$p"), Parameter(insert, "$b"),
            Parameter(insert, "$q"), Parameter(insert, "$f"));
        foreach (var d in documents)
        {
            if (indexed.Contains(d.MessageId))
            {
                deleted.Value = d.MessageId;
                await delete.ExecuteNonQueryAsync(ct);
            }
            (m.Value, t.Value, i.Value, a.Value) = (d.MessageId, d.TicketId, d.Internal, d.At);
            (subject.Value, people.Value, body.Value, quoted.Value, files.Value) = (d.Subject, d.People, d.Body, d.Quoted, d.Files);
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    private static System.Data.Common.DbParameter Parameter(System.Data.Common.DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The newest <see cref="Candidates"/> messages whose words hold every one of <paramref name="words"/>
    /// (all in one message: its subject, people, text, quoted history or file names), notes only when
    /// <paramref name="withNotes"/>.</summary>
    public static async Task<IReadOnlyList<SearchMatch>> MatchAsync(RapportDb db, IReadOnlyList<SearchText> words, bool withNotes, CancellationToken ct)
    {
        if (words.Count == 0)
        {
            return [];
        }
        var notes = withNotes ? 1 : 0;
        if (db.Database.IsSqlite())
        {
            var match = Fts5(words);
            if (match is null)
            {
                return [];
            }
            // bm25 is lower for better matches; the weights follow the columns (subject, people, body, quoted, files).
            return await db.Database.SqlQuery<SearchMatch>($"""
                SELECT m."MessageId", e."TicketId", e."At", m."Relevance" FROM (
                    SELECT rowid AS "MessageId", -bm25("SearchText", 8.0, 4.0, 4.0, 1.0, 3.0) AS "Relevance" FROM "SearchText"
                    WHERE "SearchText" MATCH {match} ORDER BY rowid DESC LIMIT {Candidates}) AS m
                JOIN "SearchEntries" AS e ON e."MessageId" = m."MessageId"
                WHERE e."Internal" = 0 OR {notes} = 1
                """).ToListAsync(ct);
        }
        var query = TsQuery(words);
        if (query is null)
        {
            return [];
        }
        return await db.Database.SqlQuery<SearchMatch>($"""
            SELECT e."MessageId", e."TicketId", e."At", ts_rank(ARRAY[0.1, 0.3, 0.6, 1.0]::float4[], e."Document", q)::float8 AS "Relevance"
            FROM (SELECT "MessageId" FROM "SearchEntries", to_tsquery('english', {query}) AS q
                  WHERE "Document" @@ q AND ("Internal" = false OR {notes} = 1) ORDER BY "MessageId" DESC LIMIT {Candidates}) AS c
            JOIN "SearchEntries" AS e ON e."MessageId" = c."MessageId", to_tsquery('english', {query}) AS q
            """).ToListAsync(ct);
    }

    /// <summary>Tickets with a message holding any of <paramref name="words"/> (each a word or phrase), for exclusions.</summary>
    public static async Task<IReadOnlyList<long>> TicketsWithAnyAsync(RapportDb db, IReadOnlyList<SearchText> words, CancellationToken ct)
    {
        var ids = new HashSet<long>();
        foreach (var word in words)
        {
            foreach (var match in await MatchAllAsync(db, word, ct))
            {
                ids.Add(match);
            }
        }
        return [.. ids];
    }

    private static async Task<IReadOnlyList<long>> MatchAllAsync(RapportDb db, SearchText word, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            var match = Fts5([word]);
            return match is null ? [] : await db.Database.SqlQuery<long>($"""
                SELECT DISTINCT e."TicketId" AS "Value" FROM "SearchText" JOIN "SearchEntries" AS e ON e."MessageId" = "SearchText".rowid
                WHERE "SearchText" MATCH {match}
                """).ToListAsync(ct);
        }
        var query = TsQuery([word]);
        return query is null ? [] : await db.Database.SqlQuery<long>($"""
            SELECT DISTINCT "TicketId" AS "Value" FROM "SearchEntries" WHERE "Document" @@ to_tsquery('english', {query})
            """).ToListAsync(ct);
    }

    /// <summary>An FTS5 query: each word or phrase a quoted string (a phrase of its folded words), a prefix marked with a
    /// star, all of them required. Folded words hold only letters and digits, so nothing in them is FTS5 syntax.</summary>
    internal static string? Fts5(IReadOnlyList<SearchText> words)
    {
        var parts = new List<string>();
        foreach (var word in words)
        {
            var folded = SearchTerms.Words(word.Text);
            if (folded.Length == 0)
            {
                continue;
            }
            parts.Add($"\"{string.Join(' ', folded)}\"{(word.Prefix ? "*" : "")}");
        }
        return parts.Count == 0 ? null : string.Join(" AND ", parts);
    }

    /// <summary>A PostgreSQL tsquery: a phrase's words joined by <c>&lt;-&gt;</c>, a prefix marked <c>:*</c>, all joined by <c>&amp;</c>.</summary>
    internal static string? TsQuery(IReadOnlyList<SearchText> words)
    {
        var parts = new List<string>();
        foreach (var word in words)
        {
            var folded = SearchTerms.Words(word.Text);
            if (folded.Length == 0)
            {
                continue;
            }
            var builder = new StringBuilder("(");
            for (var i = 0; i < folded.Length; i++)
            {
                builder.Append(i > 0 ? " <-> " : "").Append('\'').Append(folded[i]).Append('\'');
                if (word.Prefix && i == folded.Length - 1)
                {
                    builder.Append(":*");
                }
            }
            parts.Add(builder.Append(')').ToString());
        }
        return parts.Count == 0 ? null : string.Join(" & ", parts);
    }
}
