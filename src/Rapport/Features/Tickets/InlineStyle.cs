using System.Buffers;
using System.Text;

namespace Rapport.Features.Tickets;

/// <summary>Keeps the harmless part of a <c>style</c> attribute: declarations of allowed properties whose values
/// are made only of words, numbers, units, colours, quoted font names and the functions rgb(), rgba(), hsl(),
/// hsla() and calc(). Anything else (url(), expression(), escapes, comments, at-rules, other functions, markup
/// characters) drops the declaration, so there is nothing to decode and nothing that loads or runs.
/// This replaces a full CSS object model: mail repeats inline styles on every line, and parsing and printing each
/// through one cost milliseconds per message (docs/decisions/0038-inline-styles-without-a-css-parser.md).</summary>
public static class InlineStyle
{
    private const int MaxLength = 4096;
    private const int MaxValueLength = 512;

    private static readonly SearchValues<char> ValueChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t#%.,+-_\"'/()");

    private static readonly string[] Functions = ["rgb", "rgba", "hsl", "hsla", "calc"];

    /// <summary>The declarations of <paramref name="style"/> that pass, as "name: value; …", or "" when none does.</summary>
    public static string Clean(string style, IReadOnlySet<string> allowedProperties)
    {
        if (style.Length > MaxLength)
        {
            return "";
        }
        var kept = new StringBuilder();
        foreach (var range in style.AsSpan().Split(';'))
        {
            var declaration = style.AsSpan(range);
            var colon = declaration.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }
            var name = declaration[..colon].Trim();
            var value = declaration[(colon + 1)..].Trim();
            var important = value.EndsWith("!important", StringComparison.OrdinalIgnoreCase);
            if (important)
            {
                value = value[..^"!important".Length].TrimEnd();
            }
            if (!IsName(name) || !IsSafeValue(value))
            {
                continue;
            }
            var lowerName = name.ToString().ToLowerInvariant();
            if (!allowedProperties.Contains(lowerName))
            {
                continue;
            }
            if (kept.Length > 0)
            {
                kept.Append("; ");
            }
            kept.Append(lowerName).Append(": ").Append(value);
            if (important)
            {
                kept.Append(" !important");
            }
        }
        return kept.ToString();
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 64)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetter(c) || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsSafeValue(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > MaxValueLength)
        {
            return false;
        }
        var depth = 0;
        var quote = '\0';
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!ValueChars.Contains(c) && !(c > 127 && char.IsLetterOrDigit(c)))
            {
                return false;
            }
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else if (c is '(' or ')' or '/')
                {
                    return false;
                }
                continue;
            }
            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    break;
                case '(':
                    if (!IsAllowedFunction(value[..i]))
                    {
                        return false;
                    }
                    depth++;
                    break;
                case ')':
                    if (--depth < 0)
                    {
                        return false;
                    }
                    break;
            }
        }
        return depth == 0 && quote == '\0';
    }

    /// <summary>Whether the text before a "(" ends in the name of an allowed function (inside calc(), a bare "(" groups).</summary>
    private static bool IsAllowedFunction(ReadOnlySpan<char> before)
    {
        var start = before.Length;
        while (start > 0 && (char.IsAsciiLetter(before[start - 1]) || before[start - 1] == '-'))
        {
            start--;
        }
        var name = before[start..];
        if (name.Length == 0)
        {
            // A parenthesis that is not a function call is only meaningful inside calc().
            return before.Contains("calc(", StringComparison.OrdinalIgnoreCase);
        }
        foreach (var allowed in Functions)
        {
            if (name.Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
