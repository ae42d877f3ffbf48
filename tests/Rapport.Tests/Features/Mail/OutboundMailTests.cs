using System.Net;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>Replies through a real Postfix on loopback that delivers into the test Dovecot (LMTP), both started by
/// ./test.sh, which exports RAPPORT_TEST_SMTP and RAPPORT_TEST_IMAP (host:port). Postfix takes mail for
/// shop.example and customer.example only; each Dovecot user is a full address and signs in with the test password.</summary>
public abstract class OutboundMailTests(RapportFactory app) : DatabaseTests(app)
{
    public const string SmtpVariable = "RAPPORT_TEST_SMTP";

    private static readonly string? Smtp = Environment.GetEnvironmentVariable(SmtpVariable) is { Length: > 0 } s ? s : null;
    private static readonly string? Imap = Environment.GetEnvironmentVariable(MailboxSyncTests.ServerVariable) is { Length: > 0 } i ? i : null;

    public override ValueTask InitializeAsync()
    {
        Assert.SkipWhen(Smtp is null || Imap is null,
            $"Mail servers not configured: set {SmtpVariable} (Postfix) and {MailboxSyncTests.ServerVariable} (Dovecot) to host:port (./test.sh does)");
        return base.InitializeAsync();
    }

    private static (string Host, int Port) Parse(string value) => (value.Split(':')[0], int.Parse(value.Split(':')[1]));

    private SendOutbox Outbox => App.Services.GetRequiredService<SendOutbox>();

    private async Task<Mailbox> MailboxAsync(int? smtpPort = null)
    {
        var name = $"desk{Guid.NewGuid():N}"[..16];
        var (imapHost, imapPort) = Parse(Imap!);
        var (smtpHost, port) = Parse(Smtp!);
        var (_, mailbox) = await App.Services.GetRequiredService<SaveMailbox>().HandleAsync(null, new SaveMailbox.Request
        {
            Name = name,
            Address = $"{name}@shop.example",
            Imap = new SaveMailbox.ImapSettings { Host = imapHost, Port = imapPort, Security = MailSecurity.None, User = $"{name}@shop.example", Password = MailboxSyncTests.Password },
            Smtp = new SaveMailbox.SmtpSettings { Host = smtpHost, Port = smtpPort ?? port, Security = MailSecurity.None },
        }, Actor.System, Ct);
        return mailbox!;
    }

    /// <summary>The messages in the user's inbox, once there are at least <paramref name="expected"/> (delivery goes
    /// through Postfix and Dovecot, so they arrive a moment after the send).</summary>
    private static async Task<IReadOnlyList<MimeMessage>> InboxAsync(string user, int expected)
    {
        var (host, port) = Parse(Imap!);
        return await Wait.UntilAsync(async () =>
        {
            using var client = new ImapClient();
            await client.ConnectAsync(host, port, SecureSocketOptions.None, Ct);
            await client.AuthenticateAsync(user, MailboxSyncTests.Password, Ct);
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
            var messages = new List<MimeMessage>();
            for (var i = 0; i < client.Inbox.Count; i++)
            {
                messages.Add(await client.Inbox.GetMessageAsync(i, Ct));
            }
            await client.DisconnectAsync(true, Ct);
            return messages;
        }, messages => messages.Count >= expected, $"{expected} message(s) in the inbox of {user}");
    }

    private async Task<(IngestAnswer Opened, MimeMessage Original, string Customer)> OpenTicketAsync(HttpClient client, Mailbox mailbox)
    {
        var customer = $"ann{Guid.NewGuid():N}@customer.example";
        var original = MailTestKit.Mail($"Ann Example <{customer}>", "Lamp is broken", "It flickers.", to: mailbox.Address);
        return (await client.IngestAsync(original, mailbox.Name), original, customer);
    }

    [Fact]
    public async Task Reply_ToEmailTicket_IsHandedToPostfixOnceWithThreadingHeaders()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var mailbox = await MailboxAsync();
        var (opened, original, customer) = await OpenTicketAsync(client, mailbox);

        (await client.PostJsonAsync($"/api/v1/tickets/{opened.TicketId}/replies", new { text = "Please try a new bulb." })).EnsureSuccessStatusCode();
        await using (var db = App.CreateDbContext())
        {
            (await db.OutboundMail.SingleAsync(o => o.TicketId == opened.TicketId, Ct)).Status.ShouldBe(OutboundStatus.Pending);
        }
        var first = await Outbox.RunOnceAsync(Ct);
        var second = await Outbox.RunOnceAsync(Ct);

        first.Sent.ShouldBe(1);
        second.Sent.ShouldBe(0);
        await using var check = App.CreateDbContext();
        var row = await check.OutboundMail.AsNoTracking().SingleAsync(o => o.TicketId == opened.TicketId, Ct);
        row.Status.ShouldBe(OutboundStatus.Sent);
        row.ServerReply.ShouldNotBeNull();
        row.ServerReply.ShouldContain("queued as");
        row.SentAt.ShouldBe(App.Now);
        var received = (await InboxAsync(customer, 1)).ShouldHaveSingleItem();
        received.MessageId.ShouldBe(row.InternetMessageId);
        received.MessageId.ShouldEndWith("@shop.example");
        received.InReplyTo.ShouldBe(original.MessageId);
        received.References.ShouldContain(original.MessageId);
        received.Subject.ShouldBe($"Re: [#{opened.TicketId}] Lamp is broken");
        received.From.Mailboxes.Single().Address.ShouldBe(mailbox.Address);
        received.TextBody!.Trim().ShouldBe("Please try a new bulb.");
    }

    [Fact]
    public async Task PortalLink_AskedForByTheCustomer_IsMailedAndOpensThePortal()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var mailbox = await MailboxAsync();
        var (_, _, customer) = await OpenTicketAsync(client, mailbox);

        await App.Services.GetRequiredService<Rapport.Features.Portal.PortalMail>().SendLinkAsync(customer, Ct);
        (await Outbox.RunOnceAsync(Ct)).Sent.ShouldBe(1);

        var received = (await InboxAsync(customer, 1)).ShouldHaveSingleItem();
        received.Headers["Auto-Submitted"].ShouldBe("auto-generated");
        received.From.Mailboxes.Single().Address.ShouldBe(mailbox.Address);
        var link = System.Text.RegularExpressions.Regex.Match(received.TextBody!, System.Text.RegularExpressions.Regex.Escape(RapportFactory.PublicUrl) + @"(/portal/link/\S+)");
        link.Success.ShouldBeTrue(received.TextBody);
        using var browser = App.CreateClient(new() { AllowAutoRedirect = false });
        var opened = await browser.GetAsync(link.Groups[1].Value, Ct);
        opened.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        opened.Headers.Location!.ToString().ShouldBe("/portal");
    }

    [Fact]
    public async Task CustomersAnswer_SentThroughPostfix_ThreadsToTheTicketWhenTheMailboxIsRead()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var mailbox = await MailboxAsync();
        var (opened, _, customer) = await OpenTicketAsync(client, mailbox);
        (await client.PostJsonAsync($"/api/v1/tickets/{opened.TicketId}/replies", new { text = "Which model is it?" })).EnsureSuccessStatusCode();
        await Outbox.RunOnceAsync(Ct);
        var ourReply = (await InboxAsync(customer, 1)).Single();

        // The customer's mail client answers: Re: subject, In-Reply-To and References, sent through Postfix.
        var answer = new MimeMessage();
        answer.From.Add(MailboxAddress.Parse(customer));
        answer.To.Add(MailboxAddress.Parse(mailbox.Address));
        answer.Subject = "Re: " + ourReply.Subject;
        answer.InReplyTo = ourReply.MessageId;
        answer.References.AddRange(ourReply.References);
        answer.References.Add(ourReply.MessageId!);
        answer.Body = new TextPart("plain") { Text = $"Model X200.\n\nOn Monday {mailbox.Address} wrote:\n> Which model is it?" };
        var (host, port) = Parse(Smtp!);
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync(host, port, SecureSocketOptions.None, Ct);
            await smtp.SendAsync(answer, Ct);
            await smtp.DisconnectAsync(true, Ct);
        }
        await InboxAsync(mailbox.Address, 1);

        var summary = await App.Services.GetRequiredService<SyncMailbox>().RunOnceAsync(mailbox.Id, Ct);

        summary.Error.ShouldBeNull();
        summary.Taken.ShouldBe(1);
        await using var db = App.CreateDbContext();
        var line = await db.InboundMail.AsNoTracking().SingleAsync(m => m.MailboxId == mailbox.Id && m.Uid != null, Ct);
        line.Outcome.ShouldBe(InboundOutcome.Message);
        line.TicketId.ShouldBe(opened.TicketId);
        var last = await db.Messages.AsNoTracking().Where(m => m.TicketId == opened.TicketId).OrderBy(m => m.Id).LastAsync(Ct);
        last.Text.ShouldBe("Model X200.");
    }

    [Fact]
    public async Task Reply_WhileSmtpServerIsDown_GoesOutOnceItIsBack()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var down = FreePort();
        var mailbox = await MailboxAsync(smtpPort: down);
        var (opened, _, customer) = await OpenTicketAsync(client, mailbox);
        (await client.PostJsonAsync($"/api/v1/tickets/{opened.TicketId}/replies", new { text = "We sent a new lamp." })).EnsureSuccessStatusCode();

        var whileDown = await Outbox.RunOnceAsync(Ct);
        var tooEarly = await Outbox.RunOnceAsync(Ct);
        await using (var db = App.CreateDbContext())
        {
            var row = await db.OutboundMail.AsNoTracking().SingleAsync(o => o.TicketId == opened.TicketId, Ct);
            row.Status.ShouldBe(OutboundStatus.Pending);
            row.Attempts.ShouldBe(1);
            row.LastError!.ShouldContain("refused the connection");
            row.NextAttemptAt.ShouldBe(App.Now + OutboundMail.Backoff(1));
            // The server comes back (here: the mailbox points at the running Postfix again).
            var (_, port) = Parse(Smtp!);
            await db.Mailboxes.Where(m => m.Id == mailbox.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.SmtpPort, port), Ct);
        }
        App.Time.Advance(OutboundMail.Backoff(1));
        var back = await Outbox.RunOnceAsync(Ct);
        var after = await Outbox.RunOnceAsync(Ct);

        whileDown.Deferred.ShouldBe(1);
        tooEarly.Deferred.ShouldBe(0);
        back.Sent.ShouldBe(1);
        after.Sent.ShouldBe(0);
        (await InboxAsync(customer, 1)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Reply_ServerRefusesRecipientFor5xx_FailsWithoutRetrying()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var mailbox = await MailboxAsync();
        // Postfix takes mail for shop.example and customer.example only; anything else is refused with 554.
        var outsider = MailTestKit.Mail($"bob{Guid.NewGuid():N}@elsewhere.example", "Hello", "Hi.", to: mailbox.Address);
        var opened = await client.IngestAsync(outsider, mailbox.Name);
        (await client.PostJsonAsync($"/api/v1/tickets/{opened.TicketId}/replies", new { text = "Hi Bob." })).EnsureSuccessStatusCode();

        var summary = await Outbox.RunOnceAsync(Ct);

        summary.Failed.ShouldBe(1);
        await using var db = App.CreateDbContext();
        var row = await db.OutboundMail.AsNoTracking().SingleAsync(o => o.TicketId == opened.TicketId, Ct);
        row.Status.ShouldBe(OutboundStatus.Failed);
        row.LastError!.ShouldContain("refused");
    }

    [Fact]
    public async Task Bounce_OfOurReply_IsIgnoredAndShownOnTheReplyAndInTheAlerts()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var mailbox = await MailboxAsync();
        var (opened, _, customer) = await OpenTicketAsync(client, mailbox);
        (await client.PostJsonAsync($"/api/v1/tickets/{opened.TicketId}/replies", new { text = "Here is your invoice." })).EnsureSuccessStatusCode();
        await Outbox.RunOnceAsync(Ct);
        var sent = (await InboxAsync(customer, 1)).Single();

        // A delivery report as a receiving server sends it later: multipart/report with the status and the returned headers.
        var status = new MessageDeliveryStatus();
        var group = new HeaderList { { "Final-Recipient", $"rfc822; {customer}" }, { "Action", "failed" }, { "Status", "5.2.2" },
            { "Diagnostic-Code", "smtp; 552 5.2.2 Mailbox full" } };
        status.StatusGroups.Add(group);
        var original = new MimeMessage { MessageId = sent.MessageId!, Subject = sent.Subject! };
        original.From.AddRange(sent.From);
        original.To.AddRange(sent.To);
        var returned = new TextRfc822Headers { Message = original };
        var report = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "Your message could not be delivered." }, status, returned };
        var dsn = MailTestKit.Mail($"MAILER-DAEMON@customer.example", "Undelivered Mail Returned to Sender", "", to: mailbox.Address, configure: m => m.Body = report);

        var answer = await client.IngestAsync(dsn, mailbox.Name);
        var rows = await (await client.GetAsync($"/api/v1/outbound?ticketId={opened.TicketId}", Ct)).ReadAsync<List<MailApi.OutboundEntry>>();
        var alerts = await (await client.GetAsync("/api/v1/mail/alerts", Ct)).ReadAsync<List<MailAlert>>();

        answer.Outcome.ShouldBe(InboundOutcome.Ignored);
        answer.TicketId.ShouldBe(opened.TicketId);
        answer.Reason!.ShouldContain("Mailbox full");
        var row = rows.ShouldHaveSingleItem();
        row.Status.ShouldBe(OutboundStatus.Bounced);
        row.LastError!.ShouldContain("552 5.2.2 Mailbox full");
        alerts.ShouldContain(a => a.Kind == MailAlertKind.NotDelivered && a.Mailbox == mailbox.Name);
    }

    [Fact]
    public async Task Reply_WithoutAnySendingMailbox_IsNotQueued()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Phone call",
            customer = new { email = MailTestKit.Unique("pat") },
            message = new { text = "Called about the invoice." },
        });
        var ticket = await response.ReadAsync<Rapport.Features.Tickets.TicketDetails>();
        await using (var db = App.CreateDbContext())
        {
            await db.Mailboxes.ExecuteUpdateAsync(s => s.SetProperty(m => m.Enabled, false), Ct);
        }

        (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Noted." })).EnsureSuccessStatusCode();

        await using var check = App.CreateDbContext();
        (await check.OutboundMail.CountAsync(o => o.TicketId == ticket.Id, Ct)).ShouldBe(0);
        await check.Mailboxes.ExecuteUpdateAsync(s => s.SetProperty(m => m.Enabled, true), Ct);
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

public sealed class OutboundMailTests_Sqlite(SqliteRapportFactory app) : OutboundMailTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class OutboundMailTests_Postgres(PostgresRapportFactory app) : OutboundMailTests(app), IClassFixture<PostgresRapportFactory>;
