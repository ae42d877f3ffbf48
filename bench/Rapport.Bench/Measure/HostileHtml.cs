using System.Globalization;
using System.Text;

namespace Rapport.Bench.Measure;

/// <summary>HTML built to make a parser or sanitizer work hard, each shape about a given size: deep nesting of several
/// kinds of element (blocks, tables, lists, formatting elements), mis-nested formatting that runs the HTML parser's
/// adoption agency algorithm and its reconstruction of formatting elements, huge numbers of attributes, unclosed
/// constructs and plain long documents.</summary>
internal static class HostileHtml
{
    public static readonly IReadOnlyList<(string Name, Func<int, string> Make)> Shapes =
    [
        ("div-nested", size => Repeat("<div>", size) + "deep text"),
        ("div-nested-closed", size => Repeat("<div>", size / 2) + "deep text" + Repeat("</div>", size / 2)),
        ("table-nested", size => Repeat("<table><tr><td>", size) + "deep text"),
        ("list-nested", size => Repeat("<ul><li>", size) + "deep text"),
        ("b-nested", size => Repeat("<b>", size) + "deep text"),
        ("span-styled-nested", size => Repeat("<span style=\"color:red\">", size) + "deep text"),
        ("formatting-reopened", size => Numbered("<b id=x{0}>", size / 2) + Repeat("<p>x</p>", size / 2)),
        ("adoption-a-div", size => Repeat("<a href=\"https://example.com/\">x<div>", size)),
        ("adoption-misnested", size => Repeat("<b><i><div></b></i>x", size)),
        ("deep-then-wide", size => Repeat("<span>", 250) + Repeat("<div>x</div>", size - 1500)),
        ("deep-formatting-then-wide", size => Numbered("<b id=x{0}>", 250) + Repeat("<p>x</p>", size - 3000)),
        ("wide", size => Repeat("<div>x</div>", size)),
        ("wide-under-limit", size => Repeat("<div>" + Repeat("x<br>", 4_900) + "</div>", size)),
        ("wide-removed", size => Repeat("<form>x</form>", size)),
        ("wide-text-br", size => Repeat("x<br>", size)),
        ("wide-removed-under-limit", size => Repeat("<div>" + Repeat("<form>x</form>", 4_900) + "</div>", size)),
        ("attributes-one-element", size => "<p " + Numbered("a{0}=x ", size) + ">x</p>"),
        ("attributes-many-elements", size => Repeat("<p " + Numbered("a{0}=x ", 200) + ">x</p>", size)),
        ("unclosed-attribute", size => "<p title=\"" + Repeat("word ", size)),
        ("unclosed-comment", size => "<p>x</p><!--" + Repeat("word ", size)),
        ("long-document", size => Repeat("<p style=\"margin:0\">Thanks for the <b>quick</b> reply, see <a href=\"https://example.com/\">here</a>.</p>\r\n", size)),
    ];

    /// <summary><paramref name="unit"/> repeated to about <paramref name="size"/> characters (at least once).</summary>
    private static string Repeat(string unit, int size)
    {
        var sb = new StringBuilder(size + unit.Length);
        do
        {
            sb.Append(unit);
        }
        while (sb.Length < size);
        return sb.ToString();
    }

    /// <summary><paramref name="format"/> with 0, 1, 2, … to about <paramref name="size"/> characters.</summary>
    private static string Numbered(string format, int size)
    {
        var sb = new StringBuilder(size + format.Length + 10);
        var i = 0;
        do
        {
            sb.Append(string.Format(CultureInfo.InvariantCulture, format, i++));
        }
        while (sb.Length < size);
        return sb.ToString();
    }
}
