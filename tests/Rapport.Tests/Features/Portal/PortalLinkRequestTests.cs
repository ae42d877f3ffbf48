using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Rapport.Features.ApiTokens;
using Rapport.Features.Attachments;
using Rapport.Features.Mail;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;
using Rapport.Tests.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Portal;

/// <summary>"Send me a link" on the portal's public page, as an attacker would use it: a forged Host must not end up in
/// the mailed link, a flood must not flood the customer, and the answer must not tell which addresses are customers'.</summary>
public abstract class PortalLinkRequestTests(RapportFactory app) : DatabaseTests(app)
{
    private static int _ip;

    /// <summary>A client IP of its own per call, so that tests do not share the per-IP limit.</summary>
    private static IPAddress NextIp() => new([198, 51, (byte)(Interlocked.Increment(ref _ip) / 250), (byte)(_ip % 250 + 1)]);

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var db = App.CreateDbContext();
        if (!await db.Mailboxes.AnyAsync(m => m.Enabled && m.SmtpHost != null, Ct))
        {
            // A mailbox that can send, so mail is queued in the outbox (nothing is delivered: background sending is off in tests).
            var mailbox = await App.CreateMailboxAsync();
            var box = await db.Mailboxes.SingleAsync(m => m.Id == mailbox.Id, Ct);
            box.ConfigureSmtp("127.0.0.1", 9, MailSecurity.None, null, null, App.Now);
            await db.SaveChangesAsync(Ct);
        }
    }

    [Fact]
    public async Task LinkRequest_WithAForgedHost_MailsALinkFromTheDesksPublicAddress()
    {
        var email = await CustomerAsync();

        var answer = await App.SubmitAsync("/portal", "portal-link", Fields(email), NextIp(), host: "evil.example");
        await IdleAsync();

        answer.Status.ShouldBe(200);
        var text = (await MailsToAsync(email)).ShouldHaveSingleItem();
        text.ShouldContain($"{RapportFactory.PublicUrl}/portal/link/");
        text.ShouldNotContain("evil.example");
        // The link works.
        var path = System.Text.RegularExpressions.Regex.Match(text, @"/portal/link/\S+").Value;
        using var browser = App.CreateClient(new() { AllowAutoRedirect = false });
        (await browser.GetAsync(path, Ct)).Headers.Location!.ToString().ShouldBe("/portal");
    }

    [Fact]
    public async Task PortalLinkApi_WithAForgedHost_AnswersWithTheDesksPublicAddress()
    {
        var email = await CustomerAsync();
        await using var db = App.CreateDbContext();
        var customerId = await db.CustomerEmails.Where(e => e.Address == email).Select(e => e.CustomerId).SingleAsync(Ct);
        var (_, token) = await App.CreateTokenAsync(ApiTokenScope.Write, ct: Ct);
        using var client = App.CreateClient(new() { BaseAddress = new Uri("http://evil.example") });
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var response = await client.PostJsonAsync($"/api/v1/customers/{customerId}/portal-links", new { });

        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var created = await response.ReadAsync<PortalSessions.PortalLinkCreated>();
        created.Url.ShouldStartWith($"{RapportFactory.PublicUrl}/portal/link/");
    }

    [Fact]
    public async Task LinkRequests_ManyForOneAddress_MailOnlyAFew_AndAnswerAlike()
    {
        var email = await CustomerAsync();
        var answers = new List<PublicForms.Answer>();
        for (var i = 0; i < 12; i++)
        {
            answers.Add(await App.SubmitAsync("/portal", "portal-link", Fields(email), NextIp()));
        }
        await IdleAsync();

        answers.ShouldAllBe(a => a.Status == 200 && a.Page.Contains("Check your email"));
        answers.Select(a => Browser.WithoutValues(a.Page)).Distinct().ShouldHaveSingleItem();
        (await MailsToAsync(email)).Count.ShouldBe(new PortalOptions().LinkRequestsPerAddress);
    }

    [Fact]
    public async Task LinkRequests_ManyFromOneIp_AreAskedToWait_OthersAreNot()
    {
        var ip = NextIp();
        var limit = new PortalOptions().LinkRequestsPerIp;
        for (var i = 0; i < limit; i++)
        {
            (await App.SubmitAsync("/portal", "portal-link", Fields($"nobody+{Guid.NewGuid():N}@example.org"), ip)).Status.ShouldBe(200);
        }

        var over = await App.SubmitAsync("/portal", "portal-link", Fields($"nobody+{Guid.NewGuid():N}@example.org"), ip);
        var other = await App.SubmitAsync("/portal", "portal-link", Fields($"nobody+{Guid.NewGuid():N}@example.org"), NextIp());
        await IdleAsync();

        over.Status.ShouldBe(429);
        WebUtility.HtmlDecode(over.Page).ShouldContain("Please wait a while");
        other.Status.ShouldBe(200);
    }

    [Fact]
    public async Task LinkRequests_FromManyAddressesOfOneIpv6Network_CountAsOneClient()
    {
        // An IPv6 client usually holds a whole /64: changing the last half of the address is not a new client.
        var network = Interlocked.Increment(ref _ip);
        IPAddress Address(int host) => IPAddress.Parse($"2001:db8:{network:x}:1::{host + 1:x}");
        var limit = new PortalOptions().LinkRequestsPerIp;
        for (var i = 0; i < limit; i++)
        {
            (await App.SubmitAsync("/portal", "portal-link", Fields($"nobody+{Guid.NewGuid():N}@example.org"), Address(i))).Status.ShouldBe(200);
        }

        var over = await App.SubmitAsync("/portal", "portal-link", Fields($"nobody+{Guid.NewGuid():N}@example.org"), Address(limit));
        await IdleAsync();

        over.Status.ShouldBe(429);
    }

    /// <summary>The answer must not tell a customer's address from a stranger's, by its page or by its time. Before the
    /// lookup and the mail moved to the background, a customer's address took three to four times a stranger's (medians
    /// 48 and 15 ms). Compared by the work done while the visitor waits, not by a clock (which a busy machine skews): the
    /// post sends the same database commands for both addresses, and none of them looks the address up.</summary>
    [Fact]
    public async Task LinkRequests_ForCustomersAndStrangers_AnswerTheSame_AfterTheSameWork()
    {
        using var commands = new RequestCommands();
        var customer = await CustomerAsync();
        var stranger = $"stranger+{Guid.NewGuid():N}@example.org";
        var (customerTrace, customerRequest) = commands.NewTrace();
        var (strangerTrace, strangerRequest) = commands.NewTrace();
        await commands.ReadyAsync();

        var known = await App.SubmitAsync("/portal", "portal-link", Fields(customer), NextIp(), traceParent: customerRequest);
        var unknown = await App.SubmitAsync("/portal", "portal-link", Fields(stranger), NextIp(), traceParent: strangerRequest);
        await IdleAsync();

        known.Status.ShouldBe(200);
        Browser.WithoutValues(known.Page).ShouldBe(Browser.WithoutValues(unknown.Page));
        commands.Of(customerTrace).ShouldBe(commands.Of(strangerTrace));
        commands.Of(customerTrace).ShouldNotContain(c => c.Contains("CustomerEmails", StringComparison.OrdinalIgnoreCase));
        // The customer's link was composed and queued after the answer, in the background.
        var mail = (await MailsToAsync(customer)).ShouldHaveSingleItem();

        // What the counting sees: the portal page, opened through that link, reads the customer's requests.
        using var browser = new Browser(App);
        using var signIn = await browser.Client.GetAsync(System.Text.RegularExpressions.Regex.Match(mail, @"/portal/link/\S+").Value, Ct);
        var (pageTrace, pageRequest) = commands.NewTrace();
        using var page = new HttpRequestMessage(HttpMethod.Get, "/portal");
        page.Headers.Add("traceparent", pageRequest);
        using var shown = await browser.Client.SendAsync(page, Ct);
        (await shown.Content.ReadAsStringAsync(Ct)).ShouldContain("Leaking tap");
        commands.Of(pageTrace).ShouldNotBeEmpty();
    }

    private static Dictionary<string, string> Fields(string email) => new() { ["Input.Email"] = email };

    /// <summary>A customer with a ticket; returns their address.</summary>
    private async Task<string> CustomerAsync()
    {
        var email = $"portal+{Guid.NewGuid():N}@example.org";
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Leaking tap",
            customer = new { email, name = "Rosa Marin" },
            message = new { text = "The tap in the kitchen leaks." },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return email;
    }

    private async Task IdleAsync()
    {
        var requests = App.Services.GetRequiredService<PortalLinkRequests>();
        await Wait.UntilAsync(() => requests.Pending == 0, "the queued link requests to be handled");
    }

    /// <summary>The text of every mail queued to this address.</summary>
    private async Task<List<string>> MailsToAsync(string email)
    {
        await using var db = App.CreateDbContext();
        var files = App.Services.GetRequiredService<FileStore>();
        var texts = new List<string>();
        foreach (var sha in await db.OutboundMail.AsNoTracking().Where(o => o.Recipient == email).OrderBy(o => o.Id).Select(o => o.RawSha256).ToListAsync(Ct))
        {
            var raw = (await files.ReadAllBytesAsync(sha, Ct)).ShouldNotBeNull();
            texts.Add((await MimeMessage.LoadAsync(new MemoryStream(raw), Ct)).TextBody ?? "");
        }
        return texts;
    }
}

public sealed class PortalLinkRequestTests_Sqlite(SqliteRapportFactory app) : PortalLinkRequestTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class PortalLinkRequestTests_Postgres(PostgresRapportFactory app) : PortalLinkRequestTests(app), IClassFixture<PostgresRapportFactory>;
