using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
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
        var (mailbox, sync) = await FailingMailboxAsync();
        var name = mailbox.Name;

        await sync.RunOnceAsync(mailbox.Id, Ct);
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
    public async Task Owners_AreMailedAboutAFailingMailbox_OncePerOutage()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        var (down, sync) = await FailingMailboxAsync();
        var mailer = App.Services.GetRequiredService<MailAlertMailer>();
        var sender = await App.CreateMailboxAsync();
        await using (var db = App.CreateDbContext())
        {
            (await db.Mailboxes.SingleAsync(m => m.Id == sender.Id, Ct)).ConfigureSmtp("127.0.0.1", 25, MailSecurity.None, null, null, App.Now);
            await db.SaveChangesAsync(Ct);
        }
        try
        {
            await sync.RunOnceAsync(down.Id, Ct);
            await mailer.RunOnceAsync(Ct);
            (await MailedAboutAsync(owner.Email!, down.Name)).ShouldBe(0, "a short outage is normal: not yet");

            App.Time.Advance(TimeSpan.FromMinutes(16));
            await sync.RunOnceAsync(down.Id, Ct);
            (await mailer.RunOnceAsync(Ct)).ShouldBeGreaterThanOrEqualTo(1);
            await mailer.RunOnceAsync(Ct);
            await sync.RunOnceAsync(down.Id, Ct);
            await mailer.RunOnceAsync(Ct);

            (await MailedAboutAsync(owner.Email!, down.Name)).ShouldBe(1, "one mail per outage, however often it is checked");
        }
        finally
        {
            await using var db = App.CreateDbContext();
            (await db.Mailboxes.SingleAsync(m => m.Id == sender.Id, Ct)).SetEnabled(false, App.Now);
            await db.SaveChangesAsync(Ct);
        }
    }

    private async Task<int> MailedAboutAsync(string recipient, string mailbox)
    {
        await using var db = App.CreateDbContext();
        var raws = await db.OutboundMail.AsNoTracking().Where(o => o.Recipient == recipient).Select(o => o.RawSha256).ToListAsync(Ct);
        var store = App.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>();
        var count = 0;
        foreach (var raw in raws)
        {
            await using var stream = store.OpenRead(raw)!;
            count += (await new StreamReader(stream).ReadToEndAsync(Ct)).Contains($"Subject: Rapport cannot read the mailbox {mailbox}", StringComparison.Ordinal) ? 1 : 0;
        }
        return count;
    }

    private async Task<(Mailbox Mailbox, SyncMailbox Sync)> FailingMailboxAsync()
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
        }, Actor.System, Ct);
        return (mailbox!, App.Services.GetRequiredService<SyncMailbox>());
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
