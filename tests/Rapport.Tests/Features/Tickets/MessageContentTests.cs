using AngleSharp.Html.Parser;
using Rapport.Features.Tickets;

namespace Rapport.Tests.Features.Tickets;

/// <summary>The HTML of a message as stored: inline styles that mail depends on survive; scripts, handlers, remote
/// loads, page overlays and anything the style check cannot read do not.</summary>
public sealed class MessageContentTests
{
    private static readonly MessageContent Content = new();

    [Theory]
    [InlineData("margin:0;color:#333;font-family:'Segoe UI', Arial", "margin: 0; color: #333; font-family: 'Segoe UI', Arial")]
    [InlineData("border-left: 2px solid rgb(204, 204, 204); padding-left: 1ex", "border-left: 2px solid rgb(204, 204, 204); padding-left: 1ex")]
    [InlineData("FONT-SIZE: 11pt; font-family: \"Calibri\", sans-serif", "font-size: 11pt; font-family: \"Calibri\", sans-serif")]
    [InlineData("background-color: hsla(120, 50%, 50%, .3) !important", "background-color: hsla(120, 50%, 50%, .3) !important")]
    [InlineData("width: calc(100% - (2px))", "width: calc(100% - (2px))")]
    [InlineData("font-family: ＭＳ Ｐゴシック, sans-serif", "font-family: ＭＳ Ｐゴシック, sans-serif")]
    public void From_MailStyles_AreKept(string style, string expected)
    {
        StyleOf(Content.From(null, $"<p style=\"{System.Net.WebUtility.HtmlEncode(style)}\">Hello</p>").Html!).ShouldBe(expected);
    }

    [Theory]
    [InlineData("position:fixed;top:0;left:0;z-index:99999;width:100vw;color:red", "width: 100vw; color: red")]
    [InlineData("background:url(https://tracker.example/p.png);color:red", "color: red")]
    [InlineData("background-color: url(https://tracker.example/p.png)", null)]
    [InlineData("list-style-image: url(x.png); border-image: url(x.png) 30", null)]
    [InlineData("width: expression(alert(1)); color: blue", "color: blue")]
    [InlineData("width: ｅｘｐｒｅｓｓｉｏｎ(alert(1))", null)]
    [InlineData("color: \\72 ed", null)]
    [InlineData("\\70osition: fixed", null)]
    [InlineData("color: red /* */; font-size: 12px", "font-size: 12px")]
    [InlineData("-moz-binding: url(https://evil.example/x.xml#x); behavior: url(x.htc)", null)]
    [InlineData("color: javascript:alert(1)", null)]
    [InlineData("font-family: \"x\" onmouseover=alert(1)", null)]
    [InlineData("color: red; content: 'pwned'; cursor: none", "color: red")]
    [InlineData("width: image-set(\"x.png\" 1x)", null)]
    [InlineData("color: attr(title)", null)]
    [InlineData("font-family: 'unclosed", null)]
    [InlineData("width: calc(1px + url(x))", null)]
    public void From_HostileStyles_AreDropped(string style, string? expected)
    {
        var html = Content.From(null, $"<div style=\"{System.Net.WebUtility.HtmlEncode(style)}\">x</div>").Html!;
        StyleOf(html).ShouldBe(expected);
    }

    [Fact]
    public void From_AForgedKeptStyleAttribute_NeverBecomesAStyle()
    {
        foreach (var html in new[]
        {
            "<div data-rapport-style=\"position:fixed;top:0\">x</div>",
            "<div style=\"color:red\" data-rapport-style=\"position:fixed\">x</div>",
            "<div data-rapport-style=\"position:fixed\" style=\"color:red\">x</div>",
        })
        {
            var result = Content.From(null, html).Html!;
            result.ShouldNotContain("position");
            result.ShouldNotContain("data-rapport-style");
        }
    }

    [Fact]
    public void From_ScriptsHandlersStyleSheetsAndJavascriptLinks_AreRemoved()
    {
        var html = Content.From(null, """
            <p onclick="alert(1)">Hi <a href="javascript:alert(2)">there</a> <a href="https://example.com/a">link</a></p>
            <script>alert(3)</script><style>body { display: none }</style>
            <svg><style>circle { fill: url(https://evil.example/x) }</style></svg>
            <img src="cid:photo" onerror="alert(4)"><iframe src="https://evil.example"></iframe>
            <form action="https://evil.example"><input name="password"></form>
            """).Html!;
        html.ShouldNotContain("alert");
        html.ShouldNotContain("display");
        html.ShouldNotContain("evil.example");
        html.ShouldNotContain("<form");
        html.ShouldNotContain("<input");
        html.ShouldContain("href=\"https://example.com/a\"");
        html.ShouldContain("src=\"cid:photo\"");
    }

    /// <summary>Random styles built from the pieces of known attacks: whatever comes out has only allowed properties,
    /// and none of the constructs that load, run or escape.</summary>
    [Fact]
    public void From_RandomHostileStyles_KeepOnlySafeDeclarations()
    {
        string[] names = ["color", "width", "font-family", "position", "z-index", "behavior", "-moz-binding", "\\70osition", "COLOR", "x:y"];
        string[] pieces = ["red", "10px", " ", ",", "x", "url(", ")", "(", "expression(", "'", "\"", "\\", "/*", "*/", "rgb(", "calc(",
            "javascript:", "&", "<", ">", "!important", "ｅｘｐｒｅｓｓｉｏｎ(", "image-set(", "attr(", "var(", "=", "@import", "{", "}", "\n", "onload"];
        var random = new Random(20261123);
        var parser = new HtmlParser();
        for (var i = 0; i < 5000; i++)
        {
            var style = string.Join(";", Enumerable.Range(0, random.Next(1, 5)).Select(_ =>
                names[random.Next(names.Length)] + ":" + string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)]))));
            var html = Content.From(null, $"<p style=\"{System.Net.WebUtility.HtmlEncode(style)}\" title=\"t\">x</p>").Html!;
            var element = parser.ParseDocument(html).QuerySelector("p")!;
            element.Attributes.Select(a => a.Name).ShouldBeSubsetOf(["style", "title"], style);
            var kept = element.GetAttribute("style") ?? "";
            foreach (var forbidden in new[] { "url", "expression", "ｅｘｐｒｅｓｓｉｏｎ", "\\", "/*", "position", "z-index", "javascript", "behavior",
                "binding", "@", "{", "<", "&", "=", "image-set", "attr(", "var(" })
            {
                kept.ShouldNotContain(forbidden, Case.Insensitive, $"style '{style}' kept as '{kept}'");
            }
            foreach (var declaration in kept.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                declaration.Split(':')[0].ShouldBeOneOf(["color", "width", "font-family"], $"style '{style}' kept as '{kept}'");
            }
        }
    }

    private static string? StyleOf(string html) => new HtmlParser().ParseDocument(html).Body!.FirstElementChild!.GetAttribute("style");
}
