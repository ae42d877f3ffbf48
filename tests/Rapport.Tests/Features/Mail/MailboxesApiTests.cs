using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

public abstract class MailboxesApiTests(RapportFactory app) : DatabaseTests(app)
{
    private async Task<HttpClient> OwnerAsync() => await App.SignedInClientAsync(await App.CreateAgentAsync(AgentRoles.Owner));

    private static string NewName() => $"support-{Guid.NewGuid():N}"[..20];

    private static object NewMailbox(string name, int imapPort = 993, string? imapPassword = "imap-secret-123", string? smtpHost = "smtp.shop.example") => new
    {
        name,
        address = $"{name}@shop.example",
        imap = new { host = "imap.shop.example", port = imapPort, security = "tls", user = "support", password = imapPassword, folder = "INBOX" },
        smtp = new { host = smtpHost, port = 587, security = "start-tls", user = "support", password = "smtp-secret-456" },
    };

    private static async Task<MailboxDetails> CreateAsync(HttpClient client, object mailbox)
    {
        var response = await client.PostJsonAsync("/api/v1/mailboxes", mailbox);
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<MailboxDetails>();
    }

    [Fact]
    public async Task Create_WithPasswords_StoresThemEncryptedWithKeysInTheDatabase()
    {
        var client = await OwnerAsync();
        var name = NewName();

        var created = await CreateAsync(client, NewMailbox(name));
        var body = await client.GetStringAsync($"/api/v1/mailboxes/{created.Id}", Ct);

        created.Name.ShouldBe(name);
        created.ImapSettings.HasPassword.ShouldBeTrue();
        created.SmtpSettings.Security.ShouldBe(MailSecurity.StartTls);
        body.ShouldNotContain("imap-secret-123");
        await using var db = App.CreateDbContext();
        var stored = await db.Mailboxes.AsNoTracking().SingleAsync(m => m.Id == created.Id, Ct);
        stored.ImapPasswordProtected.ShouldNotBeNull();
        stored.ImapPasswordProtected.ShouldNotContain("imap-secret-123");
        var secrets = App.Services.GetRequiredService<MailboxSecrets>();
        secrets.Unprotect(stored.ImapPasswordProtected).ShouldBe("imap-secret-123");
        secrets.Unprotect(stored.SmtpPasswordProtected).ShouldBe("smtp-secret-456");
        (await db.DataProtectionKeys.AsNoTracking().CountAsync(Ct)).ShouldBeGreaterThan(0);
        Directory.Exists(Path.Combine(App.Services.GetRequiredService<IOptions<DataOptions>>().Value.FullPath, "keys")).ShouldBeFalse();
    }

    [Fact]
    public async Task Update_PasswordLeftOut_KeepsIt_EmptyClearsIt()
    {
        var client = await OwnerAsync();
        var name = NewName();
        var created = await CreateAsync(client, NewMailbox(name));

        var kept = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/mailboxes/{created.Id}")
        { Content = System.Net.Http.Json.JsonContent.Create(NewMailbox(name, imapPort: 1993, imapPassword: null), options: Http.Json) }, Ct);
        var keptBox = await kept.ReadAsync<MailboxDetails>();
        var cleared = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/mailboxes/{created.Id}")
        { Content = System.Net.Http.Json.JsonContent.Create(NewMailbox(name, imapPassword: ""), options: Http.Json) }, Ct);

        keptBox.ImapSettings.Port.ShouldBe(1993);
        keptBox.ImapSettings.HasPassword.ShouldBeTrue();
        (await cleared.ReadAsync<MailboxDetails>()).ImapSettings.HasPassword.ShouldBeFalse();
    }

    [Fact]
    public async Task Create_InvalidOrTakenName_Returns400WithFieldHints()
    {
        var client = await OwnerAsync();
        var name = NewName();
        await CreateAsync(client, NewMailbox(name));

        using var taken = await client.PostJsonAsync("/api/v1/mailboxes", NewMailbox(name.ToUpperInvariant()));
        using var invalid = await client.PostJsonAsync("/api/v1/mailboxes", new { name = "bad name!", address = "not-an-address", imap = new { port = 0 } });

        await taken.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await taken.Content.ReadAsStringAsync(Ct)).ShouldContain("already a mailbox");
        await invalid.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        var problem = await invalid.Content.ReadAsStringAsync(Ct);
        problem.ShouldContain("\"name\"");
        problem.ShouldContain("\"address\"");
        problem.ShouldContain("imap.port", Case.Insensitive);
    }

    [Fact]
    public async Task Mailboxes_ApiTokenOrAgent_AreRefused()
    {
        var token = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var agent = await App.SignedInClientAsync(await App.CreateAgentAsync(AgentRoles.Agent));

        using var byToken = await token.GetAsync("/api/v1/mailboxes", Ct);
        using var byAgent = await agent.PostJsonAsync("/api/v1/mailboxes", NewMailbox(NewName()));

        byToken.StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized);
        byAgent.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Test_NothingListening_SaysTheConnectionWasRefused()
    {
        var client = await OwnerAsync();
        var port = FreePort();
        var created = await CreateAsync(client, new
        {
            name = NewName(),
            address = "nobody@shop.example",
            imap = new { host = "127.0.0.1", port, security = "none" },
        });

        using var response = await client.PostAsync($"/api/v1/mailboxes/{created.Id}/test", null, Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var test = await response.ReadAsync<ConnectionTest>();
        test.Imap.Ok.ShouldBeFalse();
        test.Imap.Error.ShouldBe($"127.0.0.1:{port} refused the connection: no IMAP server is listening there. Check the host and port.");
        test.Smtp.Ok.ShouldBeFalse();
        test.Smtp.Error.ShouldBe("No SMTP server is configured for this mailbox.");
    }

    [Fact]
    public async Task Test_ServerThatIsNotImap_SaysSo()
    {
        var client = await OwnerAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync(Ct);
            await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n\r\n"), Ct);
            // Open until the app hangs up, so it reads the whole answer rather than a closed connection.
            await socket.GetStream().CopyToAsync(Stream.Null, Ct);
        }, Ct);
        var created = await CreateAsync(client, new { name = NewName(), address = "web@shop.example", imap = new { host = "127.0.0.1", port, security = "none" } });

        using var response = await client.PostAsync($"/api/v1/mailboxes/{created.Id}/test", null, Ct);
        var test = await response.ReadAsync<ConnectionTest>();
        await server;

        test.Imap.Ok.ShouldBeFalse();
        test.Imap.Error.ShouldBe($"127.0.0.1:{port} did not answer like an IMAP server. Check the port and the TLS mode.");
    }

    [Fact]
    public async Task Delete_MailboxWithLedger_IsRefused_UnusedOneIsRemoved()
    {
        var client = await OwnerAsync();
        var used = await CreateAsync(client, NewMailbox(NewName()));
        var unused = await CreateAsync(client, NewMailbox(NewName()));
        var writer = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        await writer.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("amy"), "Hi", "Hello"), used.Name);

        using var refused = await client.DeleteAsync($"/api/v1/mailboxes/{used.Id}", Ct);
        using var removed = await client.DeleteAsync($"/api/v1/mailboxes/{unused.Id}", Ct);

        await refused.ShouldHaveStatusAsync(HttpStatusCode.Conflict);
        await removed.ShouldHaveStatusAsync(HttpStatusCode.NoContent);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

public sealed class MailboxesApiTests_Sqlite(SqliteRapportFactory app) : MailboxesApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class MailboxesApiTests_Postgres(PostgresRapportFactory app) : MailboxesApiTests(app), IClassFixture<PostgresRapportFactory>;
