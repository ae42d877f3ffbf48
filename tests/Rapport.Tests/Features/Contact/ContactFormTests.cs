using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Contact;

/// <summary>The public contact form, as a browser without JavaScript posts it: a ticket with attachments, clear errors,
/// a honeypot instead of a captcha, and limits per address.</summary>
public abstract partial class ContactFormTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task Submit_WithAttachment_OpensWebFormTicket_AndShowsTheNumber()
    {
        var email = $"form+{Guid.NewGuid():N}@example.org";
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });

        var response = await PostAsync(client, Fields("Ana Díaz", email, "Broken tap", "The kitchen tap drips."),
            ("files", "photo.png", "image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8]));
        var page = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var number = long.Parse(TicketNumber().Match(page).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        // The link to follow the request goes to the address, never to whoever typed it.
        page.ShouldNotContain("/portal/link/");
        await using var db = App.CreateDbContext();
        var ticket = await db.Tickets.Include(t => t.Customer).ThenInclude(c => c.Emails).Include(t => t.Messages).ThenInclude(m => m.Attachments)
            .SingleAsync(t => t.Id == number, Ct);
        ticket.Channel.ShouldBe(TicketChannel.WebForm);
        ticket.Subject.ShouldBe("Broken tap");
        ticket.Customer.Name.ShouldBe("Ana Díaz");
        ticket.Customer.PrimaryEmail.ShouldBe(email);
        ticket.Messages.Single().Text.ShouldBe("The kitchen tap drips.");
        ticket.Messages.Single().Attachments.Single().FileName.ShouldBe("photo.png");
    }

    [Fact]
    public async Task Submit_WithMissingFieldsAndBadAddress_ExplainsEachAndCreatesNothing()
    {
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });
        await using var before = App.CreateDbContext();
        var count = await before.Tickets.CountAsync(Ct);

        var response = await PostAsync(client, Fields("", "not-an-address", "", ""));
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));

        page.ShouldContain("Tell us your name.");
        page.ShouldContain("This does not look like an email address.");
        page.ShouldContain("Give your message a subject.");
        page.ShouldContain("Write your message.");
        await using var after = App.CreateDbContext();
        (await after.Tickets.CountAsync(Ct)).ShouldBe(count);
    }

    [Fact]
    public async Task Submit_WithDangerousFile_IsRefusedWithTheReason()
    {
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });

        var response = await PostAsync(client, Fields("Eve", $"eve+{Guid.NewGuid():N}@example.org", "Invoice", "See attached"),
            ("files", "invoice.exe", "application/octet-stream", "MZ\x90\0\x03\0\0\0"u8.ToArray()));
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Ct));

        page.ShouldContain("invoice.exe:");
        page.ShouldNotContain("Your request number is");
    }

    [Fact]
    public async Task Submit_WithHoneypotFilled_LooksAcceptedButOpensNoTicket()
    {
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });
        var email = $"bot+{Guid.NewGuid():N}@example.org";
        var fields = Fields("Bot", email, "Cheap pills", "Buy now");
        fields["Input.Website"] = "http://spam.example";

        var page = await (await PostAsync(client, fields)).Content.ReadAsStringAsync(Ct);

        page.ShouldContain("Thank you, we have your message");
        await using var db = App.CreateDbContext();
        (await db.CustomerEmails.AnyAsync(e => e.Address == email, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Submit_SixTimesFromOneAddress_TheSixthIsAskedToWait()
    {
        using var client = App.CreateClient(new() { AllowAutoRedirect = false });
        var email = $"busy+{Guid.NewGuid():N}@example.org";
        for (var i = 1; i <= 5; i++)
        {
            (await PostAsync(client, Fields("Busy", email, $"Question {i}", "Hello"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var sixth = await PostAsync(client, Fields("Busy", email, "Question 6", "Hello"));

        sixth.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await sixth.Content.ReadAsStringAsync(Ct)).ShouldContain("please wait", Case.Insensitive);
        await using var db = App.CreateDbContext();
        (await db.Tickets.CountAsync(t => t.Customer.Emails.Any(e => e.Address == email), Ct)).ShouldBe(5);
    }

    [Fact]
    public async Task Submit_AsAnExistingCustomer_ShowsNothingOfTheirs_AndTheLinkGoesToTheirMailbox()
    {
        // A customer with an owner, a time zone and an earlier request.
        var owner = await App.CreateAgentAsync(Rapport.Features.Agents.AgentRoles.Agent);
        var email = $"known+{Guid.NewGuid():N}@example.org";
        var api = await App.CreateTokenClientAsync(Rapport.Features.ApiTokens.ApiTokenScope.Write, ct: Ct);
        var earlier = await api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Boiler service contract 77-1042",
            customer = new { email, name = "Ingrid Halvorsen" },
            message = new { text = "Please renew our contract." },
        });
        await earlier.ShouldHaveStatusAsync(HttpStatusCode.Created);
        await using (var db = App.CreateDbContext())
        {
            var customer = await db.Customers.SingleAsync(c => c.Emails.Any(e => e.Address == email), Ct);
            customer.SetOwner(owner.Id, App.Now);
            customer.SetTimeZone("Asia/Tokyo", App.Now);
            await db.SaveChangesAsync(Ct);
        }
        await SendingMailboxAsync();

        // Someone else types the customer's address; a stranger writes from a new one.
        var forged = await App.SubmitAsync("/contact", "contact", Fields("Mallory", email, "Send me the contract", "Please send me everything."));
        var stranger = await App.SubmitAsync("/contact", "contact", Fields("Mallory", $"new+{Guid.NewGuid():N}@example.org", "Send me the contract", "Please send me everything."));

        forged.Status.ShouldBe(200);
        var page = WebUtility.HtmlDecode(forged.Page);
        page.ShouldNotContain("/portal/link/");
        page.ShouldNotContain("Ingrid");
        page.ShouldNotContain("77-1042");
        // Nothing tells a customer's address from a new one: the pages differ only in the request number.
        Normalize(forged.Page).ShouldBe(Normalize(stranger.Page));
        // The link to follow the request goes to the customer's mailbox, with the acknowledgement.
        var number = long.Parse(TicketNumber().Match(forged.Page).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await App.Services.GetRequiredService<Rapport.Features.Sla.Acknowledgements>().RunOnceAsync(Ct);
        await using var check = App.CreateDbContext();
        var mail = await check.OutboundMail.AsNoTracking().SingleAsync(o => o.TicketId == number, Ct);
        mail.Recipient.ShouldBe(email);
        var raw = (await App.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>().ReadAllBytesAsync(mail.RawSha256, Ct)).ShouldNotBeNull();
        var text = (await MimeKit.MimeMessage.LoadAsync(new MemoryStream(raw), Ct)).TextBody ?? "";
        var link = Regex.Match(text, Regex.Escape(RapportFactory.PublicUrl) + @"(/portal/link/\S+)");
        link.Success.ShouldBeTrue(text);
        // The link shows that one request only, not the customer's earlier one.
        using var browser = App.CreateClient(new() { AllowAutoRedirect = false });
        var opened = await browser.GetAsync(link.Groups[1].Value, Ct);
        opened.Headers.Location!.ToString().ShouldBe($"/portal/tickets/{number}");
        var portal = await browser.GetStringAsync("/portal", Ct);
        portal.ShouldContain("Send me the contract");
        portal.ShouldNotContain("77-1042");
    }

    [Fact]
    public async Task Submit_WithAcknowledgementsOff_StillMailsTheLinkToFollowTheRequest()
    {
        await SendingMailboxAsync();
        await using (var db = App.CreateDbContext())
        {
            var profile = await db.BusinessProfiles.FirstOrDefaultAsync(Ct);
            if (profile is null)
            {
                profile = Rapport.Features.Settings.BusinessProfile.Create("Fjord Heating", "Europe/Oslo", App.Now);
                db.BusinessProfiles.Add(profile);
            }
            profile.SetAcknowledgement(false, profile.AcknowledgementTemplate, App.Now);
            await db.SaveChangesAsync(Ct);
        }
        try
        {
            var email = $"quiet+{Guid.NewGuid():N}@example.org";
            var answer = await App.SubmitAsync("/contact", "contact", Fields("Nils Berg", email, "Radiator cold", "The radiator stays cold."));
            var number = long.Parse(TicketNumber().Match(answer.Page).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

            await App.Services.GetRequiredService<Rapport.Features.Sla.Acknowledgements>().RunOnceAsync(Ct);

            await using var check = App.CreateDbContext();
            var mail = await check.OutboundMail.AsNoTracking().SingleAsync(o => o.TicketId == number, Ct);
            var raw = (await App.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>().ReadAllBytesAsync(mail.RawSha256, Ct)).ShouldNotBeNull();
            var text = (await MimeKit.MimeMessage.LoadAsync(new MemoryStream(raw), Ct)).TextBody ?? "";
            text.ShouldContain("Hello Nils,");
            text.ShouldContain($"#{number}");
            text.ShouldContain($"{RapportFactory.PublicUrl}/portal/link/");
            (await check.TicketEvents.SingleAsync(e => e.TicketId == number && e.Kind == TicketEventKind.Acknowledged, Ct)).Detail
                .ShouldBe("mailed: the link to follow the request");
        }
        finally
        {
            await using var db = App.CreateDbContext();
            var profile = await db.BusinessProfiles.SingleAsync(Ct);
            profile.SetAcknowledgement(true, profile.AcknowledgementTemplate, App.Now);
            await db.SaveChangesAsync(Ct);
        }
    }

    /// <summary>A mailbox that can send, so mail is queued in the outbox (nothing is delivered: background sending is off in tests).</summary>
    private async Task SendingMailboxAsync()
    {
        await using var db = App.CreateDbContext();
        if (await db.Mailboxes.AnyAsync(m => m.Enabled && m.SmtpHost != null, Ct))
        {
            return;
        }
        var mailbox = await Rapport.Tests.Features.Mail.MailTestKit.CreateMailboxAsync(App);
        var box = await db.Mailboxes.SingleAsync(m => m.Id == mailbox.Id, Ct);
        box.ConfigureSmtp("127.0.0.1", 9, Rapport.Features.Mail.MailSecurity.None, null, null, App.Now);
        await db.SaveChangesAsync(Ct);
    }

    private static string Normalize(string page) => TicketNumber().Replace(Browser.WithoutValues(page), "#N<");

    private static Dictionary<string, string> Fields(string name, string email, string subject, string message) => new()
    {
        ["Input.Name"] = name,
        ["Input.Email"] = email,
        ["Input.Subject"] = subject,
        ["Input.Message"] = message,
    };

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, Dictionary<string, string> fields, params (string Field, string Name, string Type, byte[] Bytes)[] files)
    {
        var form = await client.GetStringAsync("/contact");
        var token = WebUtility.HtmlDecode(Antiforgery().Match(form).Groups[1].Value);
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("contact"), "_handler" },
        };
        foreach (var (key, value) in fields)
        {
            content.Add(new StringContent(value), key);
        }
        foreach (var file in files)
        {
            var part = new ByteArrayContent(file.Bytes);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(file.Type);
            content.Add(part, file.Field, file.Name);
        }
        return await client.PostAsync("/contact", content);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" (?:type=\"hidden\" )?value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    [GeneratedRegex("data-testid=\"ticket-number\">#(\\d+)<")]
    private static partial Regex TicketNumber();
}

public sealed class ContactFormTests_Sqlite(SqliteRapportFactory app) : ContactFormTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class ContactFormTests_Postgres(PostgresRapportFactory app) : ContactFormTests(app), IClassFixture<PostgresRapportFactory>;
