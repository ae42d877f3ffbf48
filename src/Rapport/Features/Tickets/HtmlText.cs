using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html;
using AngleSharp.Html.Parser;
using AngleSharp.Text;

namespace Rapport.Features.Tickets;

/// <summary>The plain text of HTML: line breaks for &lt;br&gt; and after blocks, at most one blank line in a row,
/// lines trimmed at the end.</summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    };

    /// <summary>Elements whose content is not text to read (scripts, styles, the title).</summary>
    private static readonly Dictionary<string, HtmlParseMode> Skipped = new(StringComparer.Ordinal)
    {
        ["script"] = HtmlParseMode.Script, ["style"] = HtmlParseMode.Rawtext, ["xmp"] = HtmlParseMode.Rawtext,
        ["iframe"] = HtmlParseMode.Rawtext, ["noembed"] = HtmlParseMode.Rawtext, ["noframes"] = HtmlParseMode.Rawtext,
        ["noscript"] = HtmlParseMode.Rawtext, ["title"] = HtmlParseMode.RCData, ["textarea"] = HtmlParseMode.RCData,
    };

    /// <summary>The text of a parsed (and sanitized) document's body, as its text content would be with each
    /// &lt;br&gt; a line break and a line break at the end of each block; without changing the document (replacing a
    /// node walks its siblings, which costs in proportion to their number squared for an element with many children).</summary>
    public static string Of(IDocument document)
    {
        var text = new StringBuilder();
        var pending = new Stack<(INode Node, bool BlockEnd)>();
        if (document.Body is { } body)
        {
            pending.Push((body, false));
        }
        while (pending.TryPop(out var next))
        {
            var (node, blockEnd) = next;
            if (blockEnd)
            {
                text.Append('\n');
            }
            else if (node is IText run)
            {
                text.Append(run.Data);
            }
            else if (node is IElement { LocalName: "br" })
            {
                text.Append('\n');
            }
            else if (node is IElement element)
            {
                if (Blocks.Contains(element.LocalName))
                {
                    pending.Push((element, true));
                }
                var children = element.ChildNodes;
                for (var i = children.Length - 1; i >= 0; i--)
                {
                    pending.Push((children[i], false));
                }
            }
        }
        return Tidy(text.ToString());
    }

    /// <summary>The text of HTML read token by token, without building a tree: time and memory in proportion to its
    /// length, whatever its shape. For HTML too large or too complex to sanitize.</summary>
    public static string Of(string html, CancellationToken ct)
    {
        var tokenizer = new HtmlTokenizer(new TextSource(html), HtmlEntityProvider.Resolver)
        {
            // Attributes are not text: not even kept, so an element with a million of them costs no more than reading it.
            ShouldEmitAttribute = static (ref _, _) => false,
        };
        var text = new StringBuilder(Math.Min(html.Length, 1 << 20));
        string? skipping = null;
        for (var count = 1; ; count++)
        {
            if (count % 1024 == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
            var token = tokenizer.Get();
            switch (token.Type)
            {
                case HtmlTokenType.EndOfFile:
                    return Tidy(text.ToString());
                case HtmlTokenType.Character when skipping is null:
                    text.Append(token.Data);
                    break;
                case HtmlTokenType.StartTag when skipping is null:
                    if (Skipped.TryGetValue(token.Name, out var mode))
                    {
                        skipping = token.Name;
                        tokenizer.State = mode;
                    }
                    else if (token.Name == "plaintext")
                    {
                        tokenizer.State = HtmlParseMode.Plaintext;
                    }
                    else if (token.Name == "br" || Blocks.Contains(token.Name) && text.Length > 0 && text[^1] != '\n')
                    {
                        // A block starts a line (its end tag may be missing); a line break is one.
                        text.Append('\n');
                    }
                    break;
                case HtmlTokenType.EndTag:
                    if (token.Name == skipping)
                    {
                        skipping = null;
                    }
                    else if (skipping is null && Blocks.Contains(token.Name))
                    {
                        text.Append('\n');
                    }
                    break;
            }
        }
    }

    private static string Tidy(string text)
    {
        var lines = text.Replace("\r", "").Split('\n').Select(l => l.TrimEnd());
        return string.Join('\n', CollapseBlankLines(lines)).Trim();
    }

    private static IEnumerable<string> CollapseBlankLines(IEnumerable<string> lines)
    {
        var blank = 0;
        foreach (var line in lines)
        {
            blank = line.Length == 0 ? blank + 1 : 0;
            if (blank <= 1)
            {
                yield return line;
            }
        }
    }
}
