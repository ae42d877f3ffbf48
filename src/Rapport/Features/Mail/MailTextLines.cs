using static Rapport.Features.Mail.MailTextPatterns;

namespace Rapport.Features.Mail;

/// <summary>How <see cref="MailText"/> tells what a line starts: attributions, header blocks, separators, quotes.</summary>
public sealed partial class MailText
{
    /// <summary>How many lines (1 to 3, for wrapped ones) form an attribution at <paramref name="i"/>, or 0. Strong: it has
    /// a date, a time or an address, so it opens history even when the quote under it carries no "&gt;".</summary>
    private static int AttributionLength(string[] lines, int i, out bool strong)
    {
        strong = false;
        var joined = Cut(lines[i]).Trim();
        if (joined.Length > 400)
        {
            return 0;
        }
        var wrapped = AttributionStart().IsMatch(joined) || joined.Contains('@');
        for (var k = 1; k <= 3; k++)
        {
            if (Attribution().IsMatch(joined) || DateLedAttribution().IsMatch(joined))
            {
                strong = DateOrAddress().IsMatch(joined);
                return k;
            }
            if (!wrapped || i + k >= lines.Length || Cut(lines[i + k]).Trim() is not { Length: > 0 } next || IsQuote(next, null))
            {
                return 0;
            }
            joined += " " + next;
            if (joined.Length > 500)
            {
                return 0;
            }
        }
        return 0;
    }

    /// <summary>An Outlook-style header block: From (or its date) and, in the next lines, another of its fields.</summary>
    private static bool HeaderBlockAt(string[] lines, int i)
    {
        var line = Cut(lines[i]);
        var from = FromField().IsMatch(line);
        if (!from && !DateField().IsMatch(line))
        {
            return false;
        }
        for (int j = i + 1, fields = 0; j < lines.Length && j <= i + 6 && fields < 4; j++)
        {
            var next = Cut(lines[j]);
            if (next.Trim().Length == 0)
            {
                continue;
            }
            if (from ? OtherField().IsMatch(next) : FromField().IsMatch(next))
            {
                return true;
            }
            fields++;
        }
        return false;
    }

    /// <summary>A quoted line the sender's client wrapped without "&gt;": right between a long quoted line and another
    /// quoted line, with no blank line around it (an answer between quotes stands apart, or follows a short question).</summary>
    private static bool WrappedQuote(string[] lines, int i, HashSet<string> named) =>
        i > 0 && i + 1 < lines.Length && IsQuote(Cut(lines[i - 1]), named) && lines[i - 1].TrimEnd().Length >= 65
        && IsQuote(Cut(lines[i + 1]), named);

    /// <summary>A signature under a separator line: at most eight short lines up to the end or the next quote, one of
    /// them an address, a phone number or a web address.</summary>
    private static bool ContactBlockBelow(string[] lines, int from, HashSet<string> named)
    {
        var (count, contact) = (0, false);
        for (var j = from; j < lines.Length; j++)
        {
            var line = Cut(lines[j]).Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (IsQuote(line, named) || ++count > 8 || line.Length > 80)
            {
                return count is > 0 and <= 8 && contact && IsQuote(line, named);
            }
            contact |= ContactDetail().IsMatch(line);
        }
        return count > 0 && contact;
    }

    /// <summary>A separator line (Outlook's underscores, an HTML rule) right above a From or Date field.</summary>
    private static bool SeparatorAbove(string[] lines, int i)
    {
        if (!Separator().IsMatch(Cut(lines[i])))
        {
            return false;
        }
        var next = NextNonBlank(lines, i + 1);
        return next >= 0 && next <= i + 2 && (FromField().IsMatch(Cut(lines[next])) || DateField().IsMatch(Cut(lines[next])));
    }

    private static bool IsForward(string[] lines, int i, string? subject)
    {
        for (var j = i; j < lines.Length && j <= i + 8; j++)
        {
            var line = Cut(lines[j]);
            if (SubjectField().IsMatch(line))
            {
                return ForwardPrefix().IsMatch(ValueOf(line));
            }
        }
        return subject is not null && ForwardPrefix().IsMatch(subject);
    }

    /// <summary>Where history starts: at the separator line (underscores, dashes) right above a header block, if any.</summary>
    private static int SeparatorBefore(string[] lines, int i)
    {
        for (var j = i - 1; j >= 0 && j >= i - 2; j--)
        {
            var line = Cut(lines[j]);
            if (Separator().IsMatch(line))
            {
                return j;
            }
            if (line.Trim().Length > 0)
            {
                break;
            }
        }
        return i;
    }

    private static bool IsQuote(string line, HashSet<string>? named)
    {
        if (Quoted().IsMatch(line))
        {
            return true;
        }
        if (named is not { Count: > 0 })
        {
            return false;
        }
        var match = NamedQuote().Match(line);
        return match.Success && named.Contains(match.Groups[1].Value);
    }

    /// <summary>Prompts of a pasted session ("mysql&gt; select …"): the customer's own text, not a quote.</summary>
    private static readonly HashSet<string> Prompts = new(StringComparer.OrdinalIgnoreCase)
    {
        "mysql", "mariadb", "sql", "psql", "postgres", "sqlite", "irb", "pry", "ftp", "sftp", "gdb", "lldb", "db", "PS", "cmd",
        "shell", "sh", "python", "node", "redis", "mongo", "cqlsh", "hive", "spark", "scala", "ghci", "iex", "jshell", "r",
    };

    /// <summary>"Tim&gt; " prefixes found on at least two lines: a quote style, not a stray "&gt;".</summary>
    private static HashSet<string> NamedQuotePrefixes(string[] lines)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.Length > 2 && line.Length < 2000 && line.Contains('>') && NamedQuote().Match(Cut(line)) is { Success: true } match)
            {
                counts[match.Groups[1].Value] = counts.GetValueOrDefault(match.Groups[1].Value) + 1;
            }
        }
        return counts.Where(c => c.Value >= 2 && !Prompts.Contains(c.Key)).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    private static int NextNonBlank(string[] lines, int from)
    {
        for (var j = from; j < lines.Length; j++)
        {
            if (lines[j].Trim().Length > 0)
            {
                return j;
            }
        }
        return -1;
    }

    private static string Cut(string line) => line.Length > MaxLine ? line[..MaxLine] : line;
}
