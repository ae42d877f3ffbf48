using System.Globalization;
using System.Text;

namespace Rapport.Features.Search;

/// <summary>Text as both indexes see it, made the same way when it is stored and when it is searched for, so SQLite and
/// PostgreSQL agree on what a word is: lower case, accents folded (é → e, ß → ss), anything but letters and digits a
/// space, and each character of scripts written without spaces (Chinese, Japanese, Thai) a word of its own,
/// so a search for part of such a run is a phrase of its characters and still finds it. Stemming is the database's
/// (English by default).</summary>
public static class SearchTerms
{
    /// <summary>Text longer than this is cut before indexing (a message keeps its first 256 KB of words).</summary>
    public const int MaxIndexedLength = 256 * 1024;

    public static string Fold(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        if (text.Length > MaxIndexedLength)
        {
            text = text[..MaxIndexedLength];
        }
        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(decomposed.Length);
        var space = true;
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }
            if (IsUnspaced(c))
            {
                if (!space)
                {
                    builder.Append(' ');
                }
                builder.Append(c);
                builder.Append(' ');
                space = true;
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                AppendFolded(builder, c);
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }
        return builder.ToString().TrimEnd();
    }

    /// <summary>The words of <paramref name="text"/> after <see cref="Fold"/>.</summary>
    public static string[] Words(string? text) => Fold(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static void AppendFolded(StringBuilder builder, char c)
    {
        switch (c)
        {
            case 'ß' or 'ẞ':
                builder.Append("ss");
                return;
            case 'æ' or 'Æ':
                builder.Append("ae");
                return;
            case 'œ' or 'Œ':
                builder.Append("oe");
                return;
            case 'ø' or 'Ø':
                builder.Append('o');
                return;
            case 'ł' or 'Ł':
                builder.Append('l');
                return;
            case 'đ' or 'Đ' or 'ð' or 'Ð':
                builder.Append('d');
                return;
            case 'þ' or 'Þ':
                builder.Append("th");
                return;
            case 'ı':
                builder.Append('i');
                return;
            default:
                builder.Append(char.ToLowerInvariant(c));
                return;
        }
    }

    // Han, Hiragana, Katakana and Thai: scripts whose words are not separated by spaces (Korean separates its words).
    private static bool IsUnspaced(char c) =>
        c is >= '\u3040' and <= '\u30FF'   // Hiragana, Katakana
        or >= '\u3400' and <= '\u4DBF'     // CJK extension A
        or >= '\u4E00' and <= '\u9FFF'     // CJK unified ideographs
        or >= '\uF900' and <= '\uFAFF'     // CJK compatibility ideographs
        or >= '\u0E00' and <= '\u0E7F';    // Thai
}
