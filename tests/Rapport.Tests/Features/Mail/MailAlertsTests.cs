using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

public abstract class MailAlertsTests(RapportFactory app) : DatabaseTests(app)
{
    private async Task<List<MailAlert>> AlertsAsync()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);
        return await (await client.GetAsync("/api/v1/mail/alerts", Ct)).ReadAsync<List<MailAlert>>();
    }

    [Fact]
    public async Task Alerts_MailboxFailingLongerThanAlertAfter_IsRaisedWithTheReason()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var name = $"down{Guid.NewGuid():N}"[..14];
        var (_, mailbox) = await App.Services.GetRequiredService<SaveMailbox>().HandleAsync(null, new SaveMailbox.Request
        {
            Name = name,
            Address = $"{name}@shop.example",
            Imap = new SaveMailbox.ImapSettings { Host = "127.0.0.1", Port = port, Security = MailSecurity.None },
        }, Ct);
        var sync = App.Services.GetRequiredService<SyncMailbox>();

        await sync.RunOnceAsync(mailbox!.Id, Ct);
        var early = await AlertsAsync();
        App.Time.Advance(TimeSpan.FromMinutes(16));
        await sync.RunOnceAsync(mailbox.Id, Ct);
        var late = await AlertsAsync();

        early.ShouldNotContain(a => a.Mailbox == name);
        var alert = late.Where(a => a.Mailbox == name).ShouldHaveSingleItem();
        alert.Kind.ShouldBe(MailAlertKind.MailboxFailing);
        alert.Text.ShouldContain("refused the connection");
        alert.Since.ShouldBe(App.Now - TimeSpan.FromMinutes(16));
    }

    [Fact]
    public async Task Alerts_QuarantinedMessage_IsRaisedAndTheOwnerSeesItOnEveryPage()
    {
        var writer = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var mailbox = await App.CreateMailboxAsync();
        await writer.IngestAsync(Encoding.ASCII.GetBytes("Subject: orphan\r\n\r\nNo sender here.\r\n"), mailbox.Name);
        var owner = await App.SignedInClientAsync(await App.CreateAgentAsync(AgentRoles.Owner));
        var agent = await App.SignedInClientAsync(await App.CreateAgentAsync(AgentRoles.Agent));

        var alerts = await AlertsAsync();
        var home = await owner.GetStringAsync("/", Ct);
        var ledger = await owner.GetStringAsync("/mail", Ct);
        var agentHome = await agent.GetStringAsync("/", Ct);
        using var agentLedger = await agent.GetAsync("/mail", Ct);

        alerts.ShouldContain(a => a.Kind == MailAlertKind.Quarantined && a.Mailbox == mailbox.Name && a.Text.StartsWith("1 message quarantined"));
        home.ShouldContain($"1 message quarantined in {mailbox.Name}");
        ledger.ShouldContain("Mail ledger");
        ledger.ShouldContain("The message has no sender address.");
        agentHome.ShouldNotContain("quarantined");
        agentLedger.StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }
}

public sealed class MailAlertsTests_Sqlite(SqliteRapportFactory app) : MailAlertsTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class MailAlertsTests_Postgres(PostgresRapportFactory app) : MailAlertsTests(app), IClassFixture<PostgresRapportFactory>;
