using AngleSharp.Html.Parser;
using Microsoft.Extensions.Logging.Abstractions;
using Rapport.Features.Tickets;

namespace Rapport.Tests.Features.Tickets;

/// <summary>The HTML of a message as stored: inline styles that mail depends on survive; scripts, handlers, remote
/// loads, page overlays and anything the style check cannot read do not; HTML of any shape costs bounded time and
/// keeps its text.</summary>
public sealed class MessageContentTests
{
    /// <summary>On a clock that never moves: the time budget (a backstop) is tested on its own, below.</summary>
    private static readonly MessageContent Content = new(new SteppingClock(TimeSpan.Zero), NullLogger<MessageContent>.Instance);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("margin:0;color:#333;font-family:'Segoe UI', Arial", "margin: 0; color: #333; font-family: 'Segoe UI', Arial")]
    [InlineData("border-left: 2px solid rgb(204, 204, 204); padding-left: 1ex", "border-left: 2px solid rgb(204, 204, 204); padding-left: 1ex")]
    [InlineData("FONT-SIZE: 11pt; font-family: \"Calibri\", sans-serif", "font-size: 11pt; font-family: \"Calibri\", sans-serif")]
    [InlineData("background-color: hsla(120, 50%, 50%, .3) !important", "background-color: hsla(120, 50%, 50%, .3) !important")]
    [InlineData("width: calc(100% - (2px))", "width: calc(100% - (2px))")]
    [InlineData("font-family: ＭＳ Ｐゴシック, sans-serif", "font-family: ＭＳ Ｐゴシック, sans-serif")]
    public void From_MailStyles_AreKept(string style, string expected)
    {
        StyleOf(Content.From(null, $"<p style=\"{System.Net.WebUtility.HtmlEncode(style)}\">Hello</p>", Ct).Html!).ShouldBe(expected);
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
        var html = Content.From(null, $"<div style=\"{System.Net.WebUtility.HtmlEncode(style)}\">x</div>", Ct).Html!;
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
            var result = Content.From(null, html, Ct).Html!;
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
            """, Ct).Html!;
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
            var html = Content.From(null, $"<p style=\"{System.Net.WebUtility.HtmlEncode(style)}\" title=\"t\">x</p>", Ct).Html!;
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

    /// <summary>Taken in (an API message, mail without a text part) and shown (mail's HTML), hostile HTML keeps its text
    /// and the work on it stops at the limits: before them, 20,000 nested &lt;div&gt;s made the tree builder walk a
    /// stack 20,000 deep for every token (~7 s). Counted, not timed, on a clock that never moves, so that neither a busy
    /// machine nor the time budget (a backstop) decides the outcome.</summary>
    [Theory]
    [MemberData(nameof(HostileHtml.Names), MemberType = typeof(HostileHtml))]
    public void From_HostileHtml_StopsAtTheLimitsAndKeepsItsText(string shape)
    {
        var html = HostileHtml.Shapes[shape];
        var limits = HtmlLimits.Default;
        var works = new List<HtmlWork>();
        var content = new MessageContent(new SteppingClock(TimeSpan.Zero), NullLogger<MessageContent>.Instance, limits, works.Add);

        var body = content.From(null, html, Ct);
        var shown = content.Sanitize(html, Ct);

        works.Count.ShouldBe(2, shape);
        foreach (var work in works)
        {
            // The tree builder's walks of its stack are bounded by its depth; everything else it does per step is bounded.
            work.Deepest.ShouldBeLessThanOrEqualTo(limits.MaxDepth + 1, shape);
            work.Elements.ShouldBeLessThanOrEqualTo(limits.MaxElements + 8, shape);
            work.Steps.ShouldBeLessThanOrEqualTo(html.Length, $"{shape}: steps grow with the HTML's length, not faster");
        }
        body.Text.ShouldContain(HostileHtml.Marker, customMessage: shape);
        shown.ShouldBe(body.Html, shape);
        if (body.Html is { } kept)
        {
            HostileHtml.DepthOf(kept).ShouldBeLessThanOrEqualTo(limits.MaxDepth, shape);
        }
    }

    /// <summary>Mail clients nest each quoted reply a few levels deeper: a long thread stays well inside the limit and
    /// keeps all of its HTML.</summary>
    [Fact]
    public void From_LongQuotedThread_KeepsAllOfItsHtml()
    {
        var html = string.Concat(Enumerable.Range(0, 45).Select(i =>
            $"<div dir=\"ltr\">Reply {i}</div><div class=\"gmail_quote\"><blockquote style=\"margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex\">"))
            + "<div>The first message</div>" + string.Concat(Enumerable.Repeat("</blockquote></div>", 45));

        var body = Content.From(null, html, Ct);

        body.Html.ShouldNotBeNull();
        HostileHtml.DepthOf(body.Html).ShouldBe(HostileHtml.DepthOf(html));
        HostileHtml.DepthOf(html).ShouldBeGreaterThan(90);
        body.Html.ShouldContain("border-left: 1px solid #ccc");
        body.Text.ShouldStartWith("Reply 0\nReply 1\n");
        body.Text.ShouldEndWith("Reply 44\nThe first message");
    }

    [Fact]
    public void From_HtmlLongerThanTheLimit_KeepsItsTextButNotItsHtml()
    {
        var paragraph = "<p>Thanks for the <b>quick</b> reply.</p>";
        var html = HostileHtml.Repeat(paragraph, HtmlLimits.Default.MaxLength / paragraph.Length + 1) + "<p>The end.</p>";

        var body = Content.From(null, html, Ct);

        body.Html.ShouldBeNull();
        body.Text.ShouldStartWith("Thanks for the quick reply.\nThanks for the quick reply.\n");
        body.Text.ShouldEndWith("\nThe end.");
        Content.Sanitize(html, Ct).ShouldBeNull();
    }

    /// <summary>The time budget is read from the injected clock while the HTML is parsed, not only at the end: on a clock
    /// that moves a second each time it is read, the 2 s budget is over at the third check, a few hundred steps in.</summary>
    [Fact]
    public void From_HtmlOverItsTime_KeepsItsTextButNotItsHtml()
    {
        var works = new List<HtmlWork>();
        var slow = new MessageContent(new SteppingClock(TimeSpan.FromSeconds(1)), NullLogger<MessageContent>.Instance, HtmlLimits.Default, works.Add);
        var still = new MessageContent(new SteppingClock(TimeSpan.Zero), NullLogger<MessageContent>.Instance, HtmlLimits.Default, works.Add);
        var html = HostileHtml.Repeat("<p>Thanks for the <b>quick</b> reply.</p>", 200);

        var body = slow.From("", html, Ct);
        var onTime = still.From("", html, Ct);

        body.Html.ShouldBeNull();
        body.Text.ShouldStartWith("Thanks for the quick reply.\n");
        onTime.Html.ShouldNotBeNull();
        works[0].Steps.ShouldBeLessThan(works[1].Steps / 2, "stopped early, at a check");
    }

    [Fact]
    public void From_Cancelled_StopsSanitizing()
    {
        var html = HostileHtml.Repeat("<p>Thanks for the <b>quick</b> reply.</p>", 200);

        Should.Throw<OperationCanceledException>(() => Content.From(null, html, new CancellationToken(canceled: true)));
        Should.Throw<OperationCanceledException>(() => Content.Sanitize(html, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void From_ElementWithThousandsOfAttributes_KeepsTheAllowedOnesAmongTheFirst()
    {
        var html = "<a href=\"https://example.com/\" title=\"t\" " + HostileHtml.Numbered("data-x{0}=y ", 5_000) + ">link</a>";

        Content.From(null, html, Ct).Html.ShouldBe("<a href=\"https://example.com/\" title=\"t\">link</a>");
    }

    /// <summary>A clock whose timestamp moves by <paramref name="step"/> each time it is read (never, for zero).</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _reads;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Increment(ref _reads) * step.Ticks;
    }

    private static string? StyleOf(string html) => new HtmlParser().ParseDocument(html).Body!.FirstElementChild!.GetAttribute("style");
}
