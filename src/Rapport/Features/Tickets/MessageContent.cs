using System.Collections.Concurrent;
using AngleSharp;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Rapport.Features.Tickets;

/// <summary>Turns what a caller sends (text, HTML or both) into a <see cref="MessageBody"/>: HTML sanitized
/// (no scripts, event handlers, javascript: links, forms or frames), text derived from the HTML when missing.</summary>
public sealed class MessageContent
{
    /// <summary>Where a cleaned style waits while the sanitizer works: it drops every attribute it does not know,
    /// and this one is only ever added by <see cref="KeepStyle"/> after that check has run for the element.</summary>
    private const string CleanStyle = "data-rapport-style";

    private static readonly string[] ExcludedCssProperties = ["position", "z-index", "top", "left", "right", "bottom", "background",
        "background-image", "list-style-image", "border-image", "content", "cursor", "filter"];

    // HTML only, no CSS object model: inline styles are checked by InlineStyle, and a <style> element (which needs
    // the CSS model to be sanitized) is emptied by the sanitizer instead.
    private static readonly HtmlParser SanitizerParser = new(new HtmlParserOptions { IsScripting = true }, BrowsingContext.New(Configuration.Default));

    private readonly HtmlSanitizer _sanitizer;
    private readonly HashSet<string> _allowedCss;
    private readonly HtmlParser _parser = new();

    /// <summary>Styles already cleaned: mail repeats the same few on every line and quote (Outlook, Gmail), so each is
    /// checked once. Bounded: styles up to <see cref="CleanStyleMaxLength"/> characters, emptied at <see cref="CleanStylesKept"/>.</summary>
    private readonly ConcurrentDictionary<string, string> _cleanStyles = new(StringComparer.Ordinal);
    private const int CleanStylesKept = 4096;
    private const int CleanStyleMaxLength = 512;

    public MessageContent()
    {
        _sanitizer = new HtmlSanitizer { HtmlParserFactory = () => SanitizerParser, AllowDataAttributes = false };
        _sanitizer.AllowedSchemes.Clear();
        _sanitizer.AllowedSchemes.UnionWith(["http", "https", "mailto", "tel", "cid"]);
        _sanitizer.AllowedTags.ExceptWith(["form", "input", "button", "select", "textarea", "option", "style"]);
        // Inline styles stay (mail depends on them) minus what can overlay the page or load remote content.
        _allowedCss = new HashSet<string>(_sanitizer.AllowedCssProperties, StringComparer.OrdinalIgnoreCase);
        _allowedCss.ExceptWith(ExcludedCssProperties);
        _sanitizer.AllowedAttributes.Remove("style");
        _sanitizer.RemovingAttribute += KeepStyle;
        _sanitizer.PostProcessDom += RestoreStyles;
    }

    public MessageBody From(string? text, string? html)
    {
        var safeHtml = Sanitize(html);
        var plain = string.IsNullOrWhiteSpace(text) ? TextOf(safeHtml) : text.Trim();
        return new MessageBody(plain, safeHtml);
    }

    /// <summary>The HTML sanitized; null when nothing is left of it.</summary>
    public string? Sanitize(string? html)
    {
        var safeHtml = string.IsNullOrWhiteSpace(html) ? null : _sanitizer.Sanitize(html);
        return string.IsNullOrWhiteSpace(safeHtml) ? null : safeHtml;
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

    /// <summary>The sanitizer drops the style attribute (it is not in its list); what passes
    /// <see cref="InlineStyle"/> is set aside on the element and put back once the sanitizer is done.</summary>
    private void KeepStyle(object? sender, RemovingAttributeEventArgs e)
    {
        if (e.Reason != RemoveReason.NotAllowedAttribute || !e.Attribute.Name.Equals("style", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var style = e.Attribute.Value;
        string? clean;
        if (style.Length > CleanStyleMaxLength)
        {
            clean = InlineStyle.Clean(style, _allowedCss);
        }
        else if (!_cleanStyles.TryGetValue(style, out clean))
        {
            clean = InlineStyle.Clean(style, _allowedCss);
            if (_cleanStyles.Count >= CleanStylesKept)
            {
                _cleanStyles.Clear();
            }
            _cleanStyles[style] = clean;
        }
        if (clean.Length > 0)
        {
            e.Tag.SetAttribute(CleanStyle, clean);
        }
    }

    private static void RestoreStyles(object? sender, PostProcessDomEventArgs e)
    {
        foreach (var element in e.Document.QuerySelectorAll($"[{CleanStyle}]"))
        {
            var style = element.GetAttribute(CleanStyle)!;
            element.RemoveAttribute(CleanStyle);
            element.SetAttribute("style", style);
        }
    }
}
