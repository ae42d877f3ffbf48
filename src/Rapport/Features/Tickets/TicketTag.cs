using System.Globalization;
using System.Text;

namespace Rapport.Features.Tickets;

/// <summary>A tag on a ticket. Stored as rows (not a JSON column) so that "tickets tagged X" uses an index.</summary>
public sealed class TicketTag
{
    public const int MaxLength = 50;

    private TicketTag() { }

    internal TicketTag(string name) => Name = name;

    public long TicketId { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>Tags are lower-case, trimmed, with inner white space as '-', at most 50 characters; duplicates collapse.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> tags)
    {
        var result = new List<string>();
        foreach (var raw in tags)
        {
            var name = NormalizeOne(raw);
            if (name.Length > 0 && !result.Contains(name))
            {
                result.Add(name);
            }
        }
        return result;
    }

    public static string NormalizeOne(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return "";
        }
        var builder = new StringBuilder(raw.Length);
        var pendingDash = false;
        foreach (var c in raw.Trim().ToLower(CultureInfo.InvariantCulture))
        {
            if (char.IsWhiteSpace(c))
            {
                pendingDash = builder.Length > 0;
                continue;
            }
            if (char.IsControl(c) || c == ',')
            {
                continue;
            }
            if (pendingDash)
            {
                builder.Append('-');
                pendingDash = false;
            }
            builder.Append(c);
        }
        return builder.Length > MaxLength ? builder.ToString(0, MaxLength) : builder.ToString();
    }
}
