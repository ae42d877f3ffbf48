namespace Rapport.Features.Search;

/// <summary>A stretch of a message around the words that were searched for, and where those words are in it
/// (<see cref="Marks"/>: start and length in <see cref="Text"/>), for the screen or the API caller to highlight.
/// Plain text: whoever shows it escapes it.</summary>
public sealed record Snippet(string Text, IReadOnlyList<SnippetMark> Marks)
{
    public const int Length = 200;

    /// <summary>The part of <paramref name="text"/> with the first searched word, and every searched word marked in it.
    /// Words are compared folded (case and accents), at word starts, so "invoi*" marks "Invoices".</summary>
    public static Snippet Of(string text, IReadOnlyList<SearchText> words)
    {
        var wanted = words.SelectMany(w => SearchTerms.Words(w.Text)).Distinct().ToList();
        var spans = WordSpans(text);
        var matches = spans.Where(s => wanted.Any(w => Matches(SearchTerms.Fold(text.Substring(s.Start, s.Length)), w))).ToList();
        var start = matches.Count == 0 ? 0 : Math.Max(0, matches[0].Start - Length / 3);
        // Start at a word, not in the middle of one.
        while (start > 0 && start < text.Length && char.IsLetterOrDigit(text[start - 1]))
        {
            start++;
        }
        var end = Math.Min(text.Length, start + Length);
        var piece = text[start..end];
        var prefix = start > 0 ? "…" : "";
        var marks = matches.Where(m => m.Start >= start && m.Start + m.Length <= end)
            .Select(m => new SnippetMark(m.Start - start + prefix.Length, m.Length)).ToList();
        var body = prefix + piece.ReplaceLineEndings(" ") + (end < text.Length ? "…" : "");
        return new Snippet(body, marks);
    }

    // A searched word matches a word of the text that is it, or starts with it (stems and prefixes both find longer words).
    private static bool Matches(string folded, string wanted) => folded.StartsWith(wanted, StringComparison.Ordinal)
        || (wanted.Length > 4 && folded.StartsWith(wanted[..^1], StringComparison.Ordinal));

    private static List<(int Start, int Length)> WordSpans(string text)
    {
        var spans = new List<(int, int)>();
        var i = 0;
        while (i < text.Length && spans.Count < 20_000)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i]))
            {
                i++;
            }
            var s = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                i++;
            }
            if (i > s)
            {
                spans.Add((s, i - s));
            }
        }
        return spans;
    }
}

/// <summary>A searched word in a <see cref="Snippet"/>: where it starts and how long it is.</summary>
public sealed record SnippetMark(int Start, int Length);
