using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Rapport.Features.Tickets;

namespace Rapport.Features.Mail;

/// <summary>The text of an HTML-only mail with its own quote markup turned into what <see cref="MailText"/> reads in
/// plain text: quoted content gets "&gt; " (blockquote type=cite, gmail_quote, yahoo_quoted, moz-cite-prefix), everything
/// after Outlook's reply header (divRplyFwdMsg, appendonsend, the border-top divider, Hotmail's stopSpelling rule) is
/// quoted, and a signature (gmail_signature, moz-signature, Outlook's Signature) starts with "-- ". Bounded: HTML over
/// <see cref="HtmlLimits"/>' length is read token by token without markup, and at most <see cref="MaxNodes"/> nodes are walked.</summary>
internal static class MailTextHtml
{
    private const int MaxNodes = 200_000;

    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "dt", "dd", "section", "article", "header", "footer",
    };

    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "script", "style", "head", "title", "template", "noscript", "xml", "iframe",
    };

    public static string Mark(string? html, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }
        if (html.Length > HtmlLimits.Default.MaxLength)
        {
            return HtmlText.Of(html, ct);
        }
        // The parse is watched as the sanitizer's is (0048): too deep, too many elements or too long, and the text is read
        // token by token instead, without the markup.
        var work = new HtmlWork(HtmlLimits.Default, time, ct);
        var options = new HtmlParserOptions
        {
            MaximumDepth = HtmlLimits.Default.MaxDepth, OnToken = work.OnToken, ShouldEmitAttribute = work.ShouldEmitAttribute,
        };
        try
        {
            using var document = new HtmlParser(options).ParseDocument(html);
            work.Check();
            return Walk(document, work);
        }
        catch (HtmlTooComplexException)
        {
            return HtmlText.Of(html, ct);
        }
    }

    private static string Walk(AngleSharp.Html.Dom.IHtmlDocument document, HtmlWork work)
    {
        var writer = new Writer();
        var pending = new Stack<Frame>();
        if (document.Body is { } body)
        {
            pending.Push(new Frame(body, 0, false, false));
        }
        var rest = 0;
        for (var count = 0; pending.TryPop(out var frame) && count < MaxNodes; count++)
        {
            work.Tick();
            if (frame.End)
            {
                writer.Break(paragraph: frame.Node is IElement { LocalName: "p" });
                continue;
            }
            switch (frame.Node)
            {
                case IText run:
                    writer.Text(run.Data, frame.Depth + rest, frame.Pre);
                    continue;
                case not IElement:
                    continue;
            }
            var element = (IElement)frame.Node;
            var name = element.LocalName;
            if (Skipped.Contains(name))
            {
                continue;
            }
            if (name == "br")
            {
                writer.Break(paragraph: false);
                continue;
            }
            if (rest == 0 && StartsHistory(element))
            {
                writer.Break(paragraph: false);
                rest = 1;
            }
            if (name == "hr")
            {
                writer.Break(paragraph: false);
                writer.Text("________________________________", frame.Depth + rest, pre: true);
                writer.Break(paragraph: false);
                continue;
            }
            var depth = frame.Depth + (IsQuote(element) ? 1 : 0);
            if (IsSignature(element))
            {
                writer.Break(paragraph: false);
                writer.Text("-- ", depth + rest, pre: true);
                writer.Break(paragraph: false);
            }
            if (Blocks.Contains(name) || depth != frame.Depth)
            {
                writer.Break(paragraph: false);
                pending.Push(frame with { End = true });
            }
            var pre = frame.Pre || name is "pre" or "plaintext" or "textarea";
            var children = element.ChildNodes;
            for (var i = children.Length - 1; i >= 0; i--)
            {
                pending.Push(new Frame(children[i], depth, false, pre));
            }
        }
        return writer.ToString();
    }

    private readonly record struct Frame(INode Node, int Depth, bool End, bool Pre);

    private static bool IsQuote(IElement element)
    {
        if (element.LocalName == "blockquote")
        {
            // Gmail's "indent more" is a blockquote without a border: not a quote.
            var style = element.GetAttribute("style") ?? "";
            return element.GetAttribute("type") == "cite" || element.ClassList.Length > 0
                || !style.Replace(" ", "", StringComparison.Ordinal).Contains("border:none", StringComparison.OrdinalIgnoreCase);
        }
        var id = element.Id ?? "";
        // Gmail puts a forward in a gmail_quote too: it is the content, not history.
        return (HasClass(element, "gmail_quote", "gmail_quote_container", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote", "zmail_extra", "gmail_extra_quote")
            || id.StartsWith("yahoo_quoted", StringComparison.Ordinal))
            && !MailTextPatterns.ForwardMarker().IsMatch(Beginning(element).Split('\n')[0].Trim());
    }

    /// <summary>Outlook's and Hotmail's reply header: everything from here on is history.</summary>
    private static bool StartsHistory(IElement element)
    {
        var id = element.Id ?? "";
        if (id is "divRplyFwdMsg" or "appendonsend" or "OLK_SRC_BODY_SECTION" or "stopSpelling" || id.StartsWith("x_divRplyFwdMsg", StringComparison.Ordinal))
        {
            return true;
        }
        if (element.LocalName != "div" || element.GetAttribute("style") is not { } style
            || !style.Contains("border-top", StringComparison.OrdinalIgnoreCase) || !style.Contains("solid", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var beginning = Beginning(element);
        return MailTextPatterns.FromField().IsMatch(beginning) || MailTextPatterns.DateField().IsMatch(beginning);
    }

    /// <summary>The first words of an element's text, reading at most a few dozen nodes.</summary>
    private static string Beginning(IElement element)
    {
        var text = new StringBuilder();
        var pending = new Stack<INode>();
        pending.Push(element);
        for (var seen = 0; seen < 64 && text.Length < 120 && pending.TryPop(out var node); seen++)
        {
            if (node is IText run)
            {
                text.Append(run.Data);
                continue;
            }
            if (node is IElement { LocalName: "br" })
            {
                text.Append('\n');
            }
            for (var i = node.ChildNodes.Length - 1; i >= 0; i--)
            {
                pending.Push(node.ChildNodes[i]);
            }
        }
        return text.ToString().TrimStart();
    }

    private static bool IsSignature(IElement element) =>
        HasClass(element, "gmail_signature", "moz-signature", "yahoo-signature") || element.Id is "Signature" or "signature"
        || element.GetAttribute("data-smartmail") == "gmail_signature";

    private static bool HasClass(IElement element, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (element.ClassList.Contains(name))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Lines with "&gt; " for each level of quoting; white space collapsed as a browser does (kept in &lt;pre&gt;).</summary>
    private sealed class Writer
    {
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _line = new();
        private int _depth;
        private bool _blank = true;

        public void Text(string data, int depth, bool pre)
        {
            if (_text.Length + _line.Length > MailText.MaxChars)
            {
                return;
            }
            if (_line.Length > 0 && depth != _depth)
            {
                Break(paragraph: false);
            }
            foreach (var c in data)
            {
                if (c == '\n' && pre)
                {
                    Break(paragraph: false);
                    continue;
                }
                if (char.IsWhiteSpace(c) && c != '\u00a0' && !pre)
                {
                    if (_line.Length > 0 && _line[^1] != ' ')
                    {
                        _line.Append(' ');
                    }
                    continue;
                }
                if (_line.Length == 0)
                {
                    _depth = depth;
                }
                _line.Append(c == '\u00a0' ? ' ' : c);
            }
        }

        public void Break(bool paragraph)
        {
            var line = _line.ToString().Trim();
            _line.Clear();
            if (line.Length > 0)
            {
                _text.Append(string.Concat(Enumerable.Repeat("> ", _depth))).Append(line).Append('\n');
                _blank = false;
            }
            if (paragraph && !_blank)
            {
                _text.Append(string.Concat(Enumerable.Repeat("> ", _depth)).TrimEnd()).Append('\n');
                _blank = true;
            }
        }

        public override string ToString()
        {
            Break(paragraph: false);
            return _text.ToString().Trim();
        }
    }
}
