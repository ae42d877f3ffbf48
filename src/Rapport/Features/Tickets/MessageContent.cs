using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Rapport.Features.Tickets;

/// <summary>Turns what a caller sends (text, HTML or both) into a <see cref="MessageBody"/>: HTML sanitized
/// (no scripts, event handlers, javascript: links, forms or frames), text derived from the HTML when missing.</summary>
public sealed class MessageContent
{
    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();
    private readonly HtmlParser _parser = new();

    public MessageBody From(string? text, string? html)
    {
        var safeHtml = string.IsNullOrWhiteSpace(html) ? null : _sanitizer.Sanitize(html);
        if (string.IsNullOrWhiteSpace(safeHtml))
        {
            safeHtml = null;
        }
        var plain = string.IsNullOrWhiteSpace(text) ? TextOf(safeHtml) : text.Trim();
        return new MessageBody(plain, safeHtml);
    }

    public string TextOf(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }
        var document = _parser.ParseDocument(html);
        foreach (var br in document.QuerySelectorAll("br"))
        {
            br.Replace(document.CreateTextNode("\n"));
        }
        foreach (var block in document.QuerySelectorAll("p, div, li, tr, h1, h2, h3, h4, h5, h6, blockquote"))
        {
            block.Append(document.CreateTextNode("\n"));
        }
        var lines = (document.Body?.TextContent ?? "").Replace("\r", "").Split('\n').Select(l => l.TrimEnd());
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

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.UnionWith(["http", "https", "mailto", "tel", "cid"]);
        // Inline styles stay (mail depends on them) minus what can overlay the page or load remote content.
        sanitizer.AllowedCssProperties.ExceptWith(["position", "z-index", "top", "left", "right", "bottom", "background",
            "background-image", "list-style-image", "border-image", "content", "cursor", "filter"]);
        sanitizer.AllowedTags.ExceptWith(["form", "input", "button", "select", "textarea", "option"]);
        sanitizer.AllowDataAttributes = false;
        return sanitizer;
    }
}
