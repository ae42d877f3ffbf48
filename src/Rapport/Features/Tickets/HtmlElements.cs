namespace Rapport.Features.Tickets;

/// <summary>The kinds of HTML element the tree builder treats alike, named as in the HTML standard's tree construction
/// (by local name; tag names reach it lower-cased). Used by <see cref="HtmlTree"/>.</summary>
internal static class HtmlElements
{
    public static readonly HashSet<string> VoidElements = new(StringComparer.Ordinal)
    {
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen", "link",
        "meta", "param", "source", "track", "wbr",
    };

    public static readonly HashSet<string> Formatting = new(StringComparer.Ordinal)
    {
        "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
    };

    /// <summary>Elements that put a marker on the list of active formatting elements: what is opened inside them is not
    /// re-opened outside.</summary>
    public static readonly HashSet<string> Markers = new(StringComparer.Ordinal)
    {
        "applet", "caption", "marquee", "object", "td", "template", "th",
    };

    /// <summary>The standard's "special" elements: an end tag of another element does not close them.</summary>
    public static readonly HashSet<string> Special = new(StringComparer.Ordinal)
    {
        "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote", "body", "br", "button",
        "caption", "center", "col", "colgroup", "dd", "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption",
        "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr",
        "html", "iframe", "img", "input", "keygen", "li", "link", "listing", "main", "marquee", "menu", "meta", "nav",
        "noembed", "noframes", "noscript", "object", "ol", "p", "param", "plaintext", "pre", "script", "search", "section",
        "select", "source", "style", "summary", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title",
        "tr", "track", "ul", "wbr", "xmp", "mi", "mo", "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc",
    };

    /// <summary>Start tags that close an open &lt;p&gt; (in button scope) and re-open no formatting elements.</summary>
    public static readonly HashSet<string> ClosesParagraph = new(StringComparer.Ordinal)
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset",
        "figcaption", "figure", "footer", "header", "hgroup", "main", "menu", "nav", "ol", "p", "search", "section",
        "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "listing", "form", "plaintext", "table", "hr", "xmp",
        "li", "dd", "dt",
    };

    /// <summary>Start tags before which the tree builder does not re-open formatting elements; any other start tag,
    /// and text, re-opens those closed implicitly.</summary>
    public static readonly HashSet<string> NoReopening = new(StringComparer.Ordinal)
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset",
        "figcaption", "figure", "footer", "header", "hgroup", "main", "menu", "nav", "ol", "p", "search", "section",
        "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "listing", "form", "plaintext", "table", "hr",
        "li", "dd", "dt", "textarea", "iframe", "noembed", "noscript", "caption", "col", "colgroup", "tbody", "td", "tfoot",
        "th", "thead", "tr", "frame", "frameset", "head", "body", "html", "base", "basefont", "bgsound", "link", "meta",
        "noframes", "script", "style", "template", "title", "param", "source", "track", "rb", "rp", "rt", "rtc",
    };

    /// <summary>HTML start tags that end foreign (SVG, MathML) content (&lt;font&gt; only with color, face or size).</summary>
    public static readonly HashSet<string> Breakout = new(StringComparer.Ordinal)
    {
        "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1", "h2", "h3",
        "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s",
        "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var", "font",
    };

    public static readonly HashSet<string> DefaultScope = new(StringComparer.Ordinal)
    {
        "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
        "mi", "mo", "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc", "title",
    };

    public static readonly HashSet<string> TableScope = new(StringComparer.Ordinal) { "html", "table", "template" };

    public static readonly HashSet<string> Table = new(StringComparer.Ordinal)
    {
        "table", "caption", "colgroup", "tbody", "tfoot", "thead", "tr", "td", "th",
    };

    public static readonly string[] Headings = ["h1", "h2", "h3", "h4", "h5", "h6"];
}
