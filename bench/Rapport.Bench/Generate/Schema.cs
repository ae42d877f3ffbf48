namespace Rapport.Bench.Generate;

/// <summary>The tables and columns the generator fills, as the app's migrations create them. A database whose
/// columns differ makes the generator stop before writing anything: a new column could need a value the generator
/// does not know how to make.</summary>
internal static class Schema
{
    public static readonly IReadOnlyDictionary<string, string[]> Tables = new Dictionary<string, string[]>
    {
        ["Organizations"] = ["Id", "Name", "CreatedAt"],
        ["Customers"] = ["Id", "Name", "Phone", "OrganizationId", "OwnerId", "Notes", "CreatedAt", "UpdatedAt", "MergedIntoId"],
        ["CustomerEmails"] = ["Id", "CustomerId", "Address", "IsPrimary"],
        ["Tickets"] = ["Id", "Subject", "Status", "Priority", "Channel", "CustomerId", "OwnerId", "CreatedAt", "UpdatedAt",
            "FirstResponseAt", "ResolvedAt", "ClosedAt", "Version", "FirstResponseDueAt", "NextResponseDueAt", "ResolutionDueAt",
            "ResolutionTimeLeft", "LastCustomerMessageAt", "LastReplyAt", "DueAt", "DueFor", "WarnAt", "WarnedFor", "BreachedFor",
            "IsComplaint", "AcknowledgementPending"],
        ["Messages"] = ["Id", "TicketId", "Kind", "AuthorAgentId", "AuthorCustomerId", "Text", "Html", "CreatedAt", "IsComplaint"],
        ["TicketEvents"] = ["Id", "TicketId", "Kind", "AgentId", "ApiTokenId", "CustomerId", "Detail", "At", "Via"],
        ["TicketTags"] = ["TicketId", "Name"],
    };

    /// <summary>Columns the generator knowingly leaves to their database default (null): values the app derives
    /// as it works (complaint detection, reply-check records), which a generated history need not have.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> LeftToDefaults = new Dictionary<string, string[]>
    {
        ["Customers"] = ["TimeZone"],
        ["Messages"] = ["Sentiment", "UnansweredAtSend", "InternetMessageId", "MailHtmlSha256"],
    };

    /// <summary>Tables whose Id the generator assigns (continuing after the largest one present).</summary>
    public static readonly string[] TablesWithIds = ["Organizations", "Customers", "CustomerEmails", "Tickets", "Messages", "TicketEvents"];

    /// <summary>Throws, listing every difference, unless each table has exactly the expected columns.</summary>
    public static void Verify(Func<string, IReadOnlyCollection<string>> columnsOf)
    {
        var problems = new List<string>();
        foreach (var (table, expected) in Tables)
        {
            var actual = columnsOf(table);
            if (actual.Count == 0)
            {
                problems.Add($"table {table} is missing");
                continue;
            }
            var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
            var unknown = actual.Except(expected, StringComparer.Ordinal)
                .Except(LeftToDefaults.GetValueOrDefault(table, []), StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"{table} lacks {string.Join(", ", missing)}");
            }
            if (unknown.Count > 0)
            {
                problems.Add($"{table} has columns the generator does not fill: {string.Join(", ", unknown)}");
            }
        }
        if (problems.Count > 0)
        {
            throw new SchemaMismatchException(
                "The database schema differs from what the generator writes; update bench/Rapport.Bench/Generate " +
                "(Schema.cs, Rows.cs, DataGenerator.cs and the loaders) to match the app's migrations.\n  - " +
                string.Join("\n  - ", problems));
        }
    }
}

internal sealed class SchemaMismatchException(string message) : Exception(message);
