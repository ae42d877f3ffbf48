using System.Globalization;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Rapport.Tests.Features.Tickets;

/// <summary>HTML built to make the HTML parser and the sanitizer work hard, about 100 KB each and every one with the
/// words <see cref="Marker"/> in its text: deep nesting of several kinds of element, unclosed and mis-nested tags
/// (which run the parser's adoption agency algorithm and its re-opening of formatting elements), huge numbers of
/// attributes and of siblings. Before HTML was bounded, 20,000 nested &lt;div&gt;s took about 7 s.</summary>
public static class HostileHtml
{
    public const string Marker = "deep text";

    public static IReadOnlyDictionary<string, string> Shapes { get; } = new Dictionary<string, string>
    {
        ["nested div"] = Repeat("<div>", 20_000) + Marker,
        ["nested div, closed"] = Repeat("<div>", 10_000) + Marker + Repeat("</div>", 10_000),
        ["nested table"] = Repeat("<table><tr><td>", 7_000) + Marker,
        ["nested list"] = Repeat("<ul><li>", 12_000) + Marker,
        ["nested b"] = Repeat("<b>", 30_000) + Marker,
        ["nested styled span"] = Repeat("<span style=\"color:red\">", 4_000) + Marker,
        ["unclosed tags"] = Repeat("<div><p><span><a href=\"https://example.com/\">", 2_500) + Marker,
        ["formatting re-opened"] = Numbered("<b id=x{0}>", 2_000) + Repeat($"<p>{Marker}</p>", 8_000),
        ["adoption agency"] = Repeat($"<b><i><div></b></i>{Marker}", 4_000),
        ["a around div"] = Repeat($"<a href=\"https://example.com/\">{Marker}<div>", 2_500),
        ["attributes"] = "<p " + Numbered("a{0}=x ", 15_000) + $">{Marker}</p>",
        ["many siblings"] = Repeat("x<br>", 40_000) + Marker,
        ["deep, then many siblings"] = Repeat("<span>", 250) + Repeat("<div>x</div>", 15_000) + Marker,
    };

    public static TheoryData<string> Names => new(Shapes.Keys);

    public static string Repeat(string unit, int times) => new StringBuilder(unit.Length * times).Insert(0, unit, times).ToString();

    public static string Numbered(string format, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => string.Format(CultureInfo.InvariantCulture, format, i)));

    /// <summary>The deepest element of <paramref name="html"/> as parsed, counting &lt;html&gt; as 1 (without recursion).</summary>
    public static int DepthOf(string html)
    {
        using var document = new HtmlParser(new HtmlParserOptions { MaximumDepth = int.MaxValue }).ParseDocument(html);
        var deepest = 0;
        var pending = new Stack<(IElement Element, int Depth)>([(document.DocumentElement, 1)]);
        while (pending.TryPop(out var next))
        {
            deepest = Math.Max(deepest, next.Depth);
            foreach (var child in next.Element.Children)
            {
                pending.Push((child, next.Depth + 1));
            }
        }
        return deepest;
    }
}
