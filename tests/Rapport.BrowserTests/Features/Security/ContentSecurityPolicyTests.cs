using System.Collections.Concurrent;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Features.Security;

/// <summary>Under the pages' content security policy everything the desk needs still runs (the framework's script, the live
/// connection, the workspace module, the message frames, the API reference), with not one violation reported; a script
/// that finds its way into a page does not.</summary>
public abstract class ContentSecurityPolicyTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task MainPages_LoadWithoutPolicyViolations()
    {
        // A mail with styles, a link and an inline image; no remote image, whose holding back is a violation by design.
        var ticketId = await Factory.MailTicketAsync("Policy " + Guid.NewGuid().ToString("N")[..8], $"csp+{Guid.NewGuid():N}@example.org",
            "Hello, the tap drips.", """<p style="color:#234">Hello, the <b>tap</b> drips. <a href="https://example.org/tap">This one</a>.</p><img alt="dot" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">""");
        long customerId;
        await using (var db = Factory.CreateDbContext())
        {
            customerId = db.Tickets.Single(t => t.Id == ticketId).CustomerId;
        }
        var owner = await Factory.CreateAgentAsync(AgentRoles.Owner);
        var page = await NewPageAsync();
        var violations = await WatchAsync(page);

        foreach (var url in new[] { "/account/login", "/contact", "/portal" })
        {
            await page.GotoAsync(url);
        }
        await page.GotoAsync(await Factory.PortalLinkAsync(customerId, ticketId));
        await Assertions.Expect(page.GetByText("the tap drips").First).ToBeVisibleAsync();
        await BrowserApp.SignInAsync(page, owner);
        await BrowserApp.WaitForLiveAsync(page, shortcuts: true);
        await page.GotoAsync($"/tickets/{ticketId}");
        await BrowserApp.WaitForLiveAsync(page, shortcuts: true);
        await page.GetByText("Whole message").First.ClickAsync();
        await Assertions.Expect(page.Locator("iframe.message-html").First.ContentFrame.GetByText("drips")).ToBeVisibleAsync();
        foreach (var url in new[] { "/customers", $"/customers/{customerId}", "/settings", "/settings/mailboxes", "/promises", "/reports", "/jobs", "/mail" })
        {
            await page.GotoAsync(url);
            await BrowserApp.WaitForLiveAsync(page);
        }
        // Reports of the last page arrive after its load.
        await page.WaitForTimeoutAsync(500);

        violations.ShouldBeEmpty();
    }

    /// <summary>The API reference (Scalar) starts by the nonce of its response. Its bundled schema library probes whether it may
    /// compile code (<c>Function('')</c>) and, refused, validates without: that refusal is the only report allowed.</summary>
    [Fact]
    public async Task ApiReference_WorksUnderThePolicy()
    {
        var page = await NewPageAsync();
        var violations = await WatchAsync(page);

        // Its script is 5 MB: on a busy machine it takes longer than a page of ours.
        await page.GotoAsync("/api/docs/", new() { WaitUntil = WaitUntilState.DOMContentLoaded });

        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Open Group - Tickets" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByText("Rapport API").First).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500);
        violations.ShouldAllBe(v => v.Contains("script-src eval", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InjectedScript_DoesNotRun()
    {
        var ticket = await Factory.OpenTicketAsync("Injected " + Guid.NewGuid().ToString("N")[..8], $"inject+{Guid.NewGuid():N}@example.org", text: "Hello");
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        var violations = await WatchAsync(page);
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(page);

        // What an injection would add: an inline script, an inline handler, and a string run as code later.
        await page.EvaluateAsync("""
            () => {
                const script = document.createElement('script');
                script.textContent = "window.pwned = 'inline script'";
                document.body.appendChild(script);
                const button = document.createElement('button');
                button.id = 'injected';
                button.textContent = 'Injected';
                button.setAttribute('onclick', "window.pwned = 'inline handler'");
                document.body.appendChild(button);
            }
            """);
        await page.Locator("#injected").ClickAsync();
        await page.EvaluateAsync("() => setTimeout(\"window.pwned = 'string timer'\", 0)");

        await Wait.UntilAsync(() => Task.FromResult(violations.ToList()), found => found.Count >= 3, "the three refused scripts to be reported");
        (await page.EvaluateAsync<string?>("() => window.pwned ?? null")).ShouldBeNull();
        violations.Count(v => v.Contains("script-src", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(3, string.Join('\n', violations));
    }

    /// <summary>Collects every policy violation the page reports, from the browser's console and the page's own events.</summary>
    private static async Task<IReadOnlyCollection<string>> WatchAsync(IPage page)
    {
        var found = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.StartsWith("Refused", StringComparison.Ordinal))
            {
                found.Enqueue($"{page.Url}: {message.Text}");
            }
        };
        await page.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                console.error('Refused by the content security policy: ' + e.effectiveDirective + ' ' + e.blockedURI + ' at ' + e.documentURI + ' (' + e.sourceFile + ':' + e.lineNumber + ')'));
            """);
        return found;
    }
}

public sealed class ContentSecurityPolicyTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : ContentSecurityPolicyTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class ContentSecurityPolicyTests_Postgres(PostgresBrowserApp app, Chromium chromium) : ContentSecurityPolicyTests(app, chromium), IClassFixture<PostgresBrowserApp>;
