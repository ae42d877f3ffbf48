using System.Collections.Concurrent;
using AngleSharp;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Rapport.Features.Tickets;

/// <summary>Turns what a caller sends (text, HTML or both) into a <see cref="MessageBody"/>: HTML sanitized
/// (no scripts, event handlers, javascript: links, forms or frames), text derived from the HTML when missing.
/// Whatever the HTML's shape, sanitizing it costs bounded time and memory and can be cancelled (<see cref="HtmlLimits"/>,
/// <see cref="HtmlWork"/>): HTML beyond the limits is not kept, and the message keeps its text, read from the HTML
/// token by token (docs/decisions/0048-bounded-html-parsing.md).</summary>
public sealed partial class MessageContent
{
    /// <summary>Where a cleaned style waits while the sanitizer works: it drops every attribute it does not know,
    /// and this one is only ever added by <see cref="KeepStyle"/> after that check has run for the element.</summary>
    private const string CleanStyle = "data-rapport-style";

    /// <summary>The HTML is parsed as the body of a document, as <see cref="HtmlSanitizer.Sanitize"/> does.</summary>
    private const string DocumentStart = "<!doctype html><html><body>";

    private static readonly string[] ExcludedCssProperties = ["position", "z-index", "top", "left", "right", "bottom", "background",
        "background-image", "list-style-image", "border-image", "content", "cursor", "filter"];

    // HTML only, no CSS object model: inline styles are checked by InlineStyle, and a <style> element (which needs
    // the CSS model to be sanitized) is emptied by the sanitizer instead.
    private static readonly IBrowsingContext Context = BrowsingContext.New(Configuration.Default);

    private readonly HtmlSanitizer _sanitizer;
    private readonly HashSet<string> _allowedCss;
    private readonly HtmlParserOptions _parserOptions;
    private readonly HtmlLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger<MessageContent> _logger;
    private readonly Action<HtmlWork>? _finished;

    /// <summary>Styles already cleaned: mail repeats the same few on every line and quote (Outlook, Gmail), so each is
    /// checked once. Bounded: styles up to <see cref="CleanStyleMaxLength"/> characters, emptied at <see cref="CleanStylesKept"/>.</summary>
    private readonly ConcurrentDictionary<string, string> _cleanStyles = new(StringComparer.Ordinal);
    private const int CleanStylesKept = 4096;
    private const int CleanStyleMaxLength = 512;

    public MessageContent(TimeProvider time, ILogger<MessageContent> logger) : this(time, logger, HtmlLimits.Default)
    {
    }

    /// <param name="finished">Shown the work done on each piece of HTML once it is done (tests count it).</param>
    internal MessageContent(TimeProvider time, ILogger<MessageContent> logger, HtmlLimits limits, Action<HtmlWork>? finished = null)
    {
        _finished = finished;
        _time = time;
        _logger = logger;
        _limits = limits;
        _parserOptions = new HtmlParserOptions { IsScripting = true, MaximumDepth = limits.MaxDepth };
        // The sanitizer parses by itself only what a document can nest (a srcdoc, a style sheet), which the allowed tags
        // and attributes leave out; should it ever, that parser keeps the tree's depth bounded too.
        var nested = new HtmlParser(_parserOptions, Context);
        _sanitizer = new HtmlSanitizer { HtmlParserFactory = () => nested, AllowDataAttributes = false };
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

    public MessageBody From(string? text, string? html, CancellationToken ct)
    {
        var readText = string.IsNullOrWhiteSpace(text);
        var (safeHtml, htmlText) = Clean(html, readText, ct);
        return new MessageBody(readText ? htmlText : text!.Trim(), safeHtml);
    }

    /// <summary>The HTML sanitized; null when nothing is left of it, or when it is beyond <see cref="HtmlLimits"/>.</summary>
    public string? Sanitize(string? html, CancellationToken ct) => Clean(html, readText: false, ct).Html;

    /// <summary>The sanitized HTML (null when nothing is left of it or it is not kept) and, when asked for, its text.
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled.</summary>
    private (string? Html, string Text) Clean(string? html, bool readText, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return (null, "");
        }
        HtmlWork? work = null;
        try
        {
            if (html.Length > _limits.MaxLength)
            {
                throw new HtmlTooComplexException($"it is longer than {_limits.MaxLength:N0} characters");
            }
            work = new HtmlWork(_limits, _time, ct);
            var options = _parserOptions;
            options.OnToken = work.OnToken;
            options.ShouldEmitAttribute = work.ShouldEmitAttribute;
            using var document = new HtmlParser(options, Context).ParseDocument(DocumentStart + html);
            work.Check();
            var body = document.Body!;
            _sanitizer.SanitizeDom(document, body);
            work.Check();
            var safeHtml = HtmlWriter.Write(body.ChildNodes, _sanitizer.OutputFormatter, work);
            if (string.IsNullOrWhiteSpace(safeHtml))
            {
                return (null, "");
            }
            return (safeHtml, readText ? HtmlText.Of(document) : "");
        }
        catch (HtmlTooComplexException e)
        {
            LogNotKept(html.Length, e.Message);
            return (null, readText ? HtmlText.Of(html, ct) : "");
        }
        finally
        {
            if (work is not null)
            {
                _finished?.Invoke(work);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTML of {Length} characters not kept: {Reason}; the message keeps its text")]
    private partial void LogNotKept(int length, string reason);

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
