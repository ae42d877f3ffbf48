using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Features.Mail;

/// <summary>The owner sets up mailboxes on /settings/mailboxes: field errors in words, a connection test that says what is
/// wrong (or, against the Dovecot and Postfix that ./test.sh starts, that it works), passwords kept but never shown,
/// and a mailbox that has taken in mail is disabled rather than deleted.</summary>
public abstract class MailboxesPageTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    private const string ImapVariable = "RAPPORT_TEST_IMAP";
    private const string SmtpVariable = "RAPPORT_TEST_SMTP";

    [Fact]
    public async Task MailboxesPage_AddTestEditAndRetire_ExplainsEachProblemAndNeverShowsThePassword()
    {
        var secret = "pw-" + Guid.NewGuid().ToString("N");
        var name = $"desk-{Guid.NewGuid():N}"[..14];
        var (imapPort, smtpPort) = (ClosedPort(), ClosedPort());
        var page = await OwnerPageAsync();
        await Assertions.Expect(page.GetByTestId("mailboxes-empty")).ToContainTextAsync("No mailboxes yet");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add mailbox" }).ClickAsync();
        await page.Locator("#mb-name").FillAsync(name);
        await page.Locator("#mb-address").FillAsync("support at shop.example");
        await page.Locator("#imap-host").FillAsync("127.0.0.1");
        await page.Locator("#imap-port").FillAsync(imapPort.ToString());
        await page.Locator("#imap-security").SelectOptionAsync(nameof(MailSecurity.None));
        await page.Locator("#imap-user").FillAsync("support@shop.example");
        await page.Locator("#imap-password").FillAsync(secret);
        await page.Locator("#smtp-host").FillAsync("127.0.0.1");
        await page.Locator("#smtp-port").FillAsync(smtpPort.ToString());
        await page.Locator("#smtp-security").SelectOptionAsync(nameof(MailSecurity.None));
        await Submit(page).ClickAsync();

        await Assertions.Expect(page.Locator("#mb-address-error")).ToHaveTextAsync("Enter an email address like support@example.com.");
        await Assertions.Expect(page.Locator("#mb-address")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#mb-name-error")).ToBeEmptyAsync();
        (await CountAsync(name)).ShouldBe(0);

        await page.Locator("#mb-address").FillAsync($"{name}@shop.example");
        await Submit(page).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"Mailbox “{name}” added");
        var row = page.Locator($"tr[data-mailbox='{name}']");
        await Assertions.Expect(row).ToContainTextAsync($"127.0.0.1:{imapPort}, folder INBOX");
        await Assertions.Expect(row).ToContainTextAsync("user support@shop.example, password stored");
        await Assertions.Expect(row.GetByTestId("enabled")).ToHaveTextAsync("Enabled");
        var stored = await MailboxAsync(name);
        Factory.Services.GetRequiredService<MailboxSecrets>().Unprotect(stored.ImapPasswordProtected).ShouldBe(secret);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Test connection of {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-imap").Locator("strong")).ToHaveTextAsync("IMAP (reading): failed");
        await Assertions.Expect(page.GetByTestId("test-imap")).ToContainTextAsync(
            $"127.0.0.1:{imapPort} refused the connection: no IMAP server is listening there. Check the host and port.");
        await Assertions.Expect(page.GetByTestId("test-smtp").Locator("strong")).ToHaveTextAsync("SMTP (sending): failed");
        await Assertions.Expect(page.GetByTestId("test-smtp")).ToContainTextAsync(
            $"127.0.0.1:{smtpPort} refused the connection: no SMTP server is listening there. Check the host and port.");
        (await page.ContentAsync()).ShouldNotContain(secret);

        // Editing: the password box starts empty, and leaving it so keeps the stored password.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit {name}" }).ClickAsync();
        await Assertions.Expect(page.Locator("#mb-name")).ToHaveValueAsync(name);
        await Assertions.Expect(page.Locator("#imap-port")).ToHaveValueAsync(imapPort.ToString());
        await Assertions.Expect(page.Locator("#imap-password")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#imap-password")).ToHaveAttributeAsync("type", "password");
        await Assertions.Expect(page.Locator("#mb-enabled")).ToBeCheckedAsync();
        (await page.ContentAsync()).ShouldNotContain(secret);
        await page.Locator("#imap-folder").FillAsync("Support");
        await page.Locator("#smtp-port").FillAsync("0");
        await Submit(page).ClickAsync();
        await Assertions.Expect(page.Locator("#smtp-port-error")).ToHaveTextAsync("A port is a number from 1 to 65535.");
        await page.Locator("#smtp-port").FillAsync(smtpPort.ToString());
        await Submit(page).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"Mailbox “{name}” saved.");
        await Assertions.Expect(row).ToContainTextAsync("folder Support");
        var edited = await MailboxAsync(name);
        edited.ImapFolder.ShouldBe("Support");
        edited.ImapPasswordProtected.ShouldBe(stored.ImapPasswordProtected);

        // "Remove the stored password" clears it.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit {name}" }).ClickAsync();
        await page.Locator("#imap-clear-password").CheckAsync();
        await Submit(page).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("user support@shop.example, no password");
        (await MailboxAsync(name)).ImapPasswordProtected.ShouldBeNull();

        // A second mailbox with the same name gets the API's message on the name field.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add mailbox" }).ClickAsync();
        await page.Locator("#mb-name").FillAsync(name.ToUpperInvariant());
        await page.Locator("#mb-address").FillAsync("other@shop.example");
        await Submit(page).ClickAsync();
        await Assertions.Expect(page.Locator("#mb-name-error")).ToHaveTextAsync($"There is already a mailbox named '{name}'.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        (await CountAsync(name)).ShouldBe(1);

        // Once it has taken in mail it cannot be deleted; the page says why and offers to disable it.
        await IngestAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"“{name}” has taken in 1 message, so it cannot be deleted");
        await page.GetByRole(AriaRole.Alert).GetByRole(AriaRole.Button, new() { Name = $"Disable {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"“{name}” is disabled");
        await Assertions.Expect(row.GetByTestId("enabled")).ToHaveTextAsync("Disabled");
        var retired = await MailboxAsync(name);
        retired.Enabled.ShouldBeFalse();
        retired.ImapFolder.ShouldBe("Support");
        (await page.ContentAsync()).ShouldNotContain(secret);
    }

    [Fact]
    public async Task MailboxesPage_TestAgainstRealServers_SaysBothWork_ThenUnusedMailboxIsDeleted()
    {
        var imap = Environment.GetEnvironmentVariable(ImapVariable);
        var smtp = Environment.GetEnvironmentVariable(SmtpVariable);
        Assert.SkipWhen(string.IsNullOrEmpty(imap) || string.IsNullOrEmpty(smtp),
            $"Mail servers not configured: set {ImapVariable} (Dovecot) and {SmtpVariable} (Postfix) to host:port (./test.sh does)");
        var name = $"live-{Guid.NewGuid():N}"[..14];
        var page = await OwnerPageAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Add mailbox" }).ClickAsync();
        await page.Locator("#mb-name").FillAsync(name);
        await page.Locator("#mb-address").FillAsync($"{name}@shop.example");
        await page.Locator("#imap-host").FillAsync(imap!.Split(':')[0]);
        await page.Locator("#imap-port").FillAsync(imap.Split(':')[1]);
        await page.Locator("#imap-security").SelectOptionAsync(nameof(MailSecurity.None));
        await page.Locator("#imap-user").FillAsync($"{name}@shop.example");
        await page.Locator("#imap-password").FillAsync("rapport-test");
        await page.Locator("#smtp-host").FillAsync(smtp!.Split(':')[0]);
        await page.Locator("#smtp-port").FillAsync(smtp.Split(':')[1]);
        await page.Locator("#smtp-security").SelectOptionAsync(nameof(MailSecurity.None));
        await Submit(page).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"Mailbox “{name}” added");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Test connection of {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-imap").Locator("strong")).ToHaveTextAsync("IMAP (reading): works");
        await Assertions.Expect(page.GetByTestId("test-imap")).ToContainTextAsync("INBOX: 0 messages, UIDVALIDITY");
        await Assertions.Expect(page.GetByTestId("test-smtp").Locator("strong")).ToHaveTextAsync("SMTP (sending): works");
        await Assertions.Expect(page.GetByTestId("test-smtp")).ToContainTextAsync($"{smtp} without TLS");
        (await page.ContentAsync()).ShouldNotContain("rapport-test");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync($"Mailbox “{name}” deleted.");
        await Assertions.Expect(page.Locator($"tr[data-mailbox='{name}']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("connection-test")).ToHaveCountAsync(0);
        (await CountAsync(name)).ShouldBe(0);
    }

    private async Task<IPage> OwnerPageAsync()
    {
        var owner = await Factory.CreateAgentAsync(AgentRoles.Owner);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, owner);
        await page.GotoAsync("/settings/mailboxes");
        await BrowserApp.WaitForLiveAsync(page);
        return page;
    }

    private static ILocator Submit(IPage page) => page.Locator("#mailbox-form button[type=submit]");

    /// <summary>A loopback port with nothing listening: bound once by us to get a free one, then closed.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<int> CountAsync(string name)
    {
        await using var db = Factory.CreateDbContext();
        return await db.Mailboxes.CountAsync(m => m.Name == name, Ct);
    }

    private async Task<Mailbox> MailboxAsync(string name)
    {
        await using var db = Factory.CreateDbContext();
        return await db.Mailboxes.AsNoTracking().SingleAsync(m => m.Name == name, Ct);
    }

    /// <summary>One message into the mailbox through the raw MIME intake, as a mail server pipe would.</summary>
    private async Task IngestAsync(string mailbox)
    {
        using var client = await Factory.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var raw = $"From: Amy <amy+{Guid.NewGuid():N}@example.com>\r\nTo: {mailbox}@shop.example\r\nSubject: Hello\r\n" +
            $"Message-ID: <{Guid.NewGuid():N}@client.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nWhere is my order?\r\n";
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(raw));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("message/rfc822");
        using var response = await client.PostAsync($"/api/v1/inbound/mime?mailbox={Uri.EscapeDataString(mailbox)}", content, Ct);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
    }
}

public sealed class MailboxesPageTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : MailboxesPageTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class MailboxesPageTests_Postgres(PostgresBrowserApp app, Chromium chromium) : MailboxesPageTests(app, chromium), IClassFixture<PostgresBrowserApp>;
