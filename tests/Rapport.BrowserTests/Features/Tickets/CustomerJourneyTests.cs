using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Features.SavedReplies;

namespace Rapport.BrowserTests.Features.Tickets;

/// <summary>The whole loop: the contact form, the live inbox, a saved reply, the portal, and the customer's answer reopening the ticket.</summary>
public abstract partial class CustomerJourneyTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task ContactForm_ToInbox_ToPortal_AndBack_ReopensTheTicket()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var replyName = $"Thanks {Guid.NewGuid():N}"[..20];
        await using (var db = Factory.CreateDbContext())
        {
            db.SavedReplies.Add(SavedReply.Create(replyName, "Hello {{customer.first_name}},\n\nYour parcel left our warehouse today.\n\n{{agent.first_name}}", agent.Id, Factory.Now));
            if (!await db.BusinessProfiles.AnyAsync(Ct))
            {
                // A business that went through setup: acknowledgements are on by default.
                db.BusinessProfiles.Add(Rapport.Features.Settings.BusinessProfile.Create("Parcel Co", "Europe/London", Factory.Now));
            }
            if (!await db.Mailboxes.AnyAsync(m => m.Enabled && m.SmtpHost != null, Ct))
            {
                // A mailbox that can send, so the acknowledgement is queued in the outbox (background sending is off in tests).
                var mailbox = Rapport.Features.Mail.Mailbox.Create("Parcel desk", $"desk+{Guid.NewGuid():N}@parcel.example", Factory.Now);
                mailbox.ConfigureSmtp("127.0.0.1", 9, Rapport.Features.Mail.MailSecurity.None, null, null, Factory.Now);
                db.Mailboxes.Add(mailbox);
            }
            await db.SaveChangesAsync(Ct);
        }
        var inbox = await NewPageAsync();
        await BrowserApp.SignInAsync(inbox, agent);
        await inbox.GotoAsync("/");
        await Assertions.Expect(inbox.GetByRole(AriaRole.Heading, new() { Name = "All open" })).ToBeVisibleAsync();
        await BrowserApp.WaitForLiveAsync(inbox);

        // The customer writes through the public form, in another browser.
        var subject = $"Where is my parcel {Guid.NewGuid():N}"[..30];
        var customer = await NewPageAsync();
        await customer.GotoAsync("/contact");
        await customer.GetByLabel("Your name").FillAsync("Maya Lindqvist");
        var email = $"maya+{Guid.NewGuid():N}@example.org";
        await customer.GetByLabel("Your email").FillAsync(email);
        await customer.GetByLabel("Subject").FillAsync(subject);
        await customer.GetByLabel("Message").FillAsync("I ordered on Monday and nothing has arrived. Can you check?");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var number = (await customer.GetByTestId("ticket-number").TextContentAsync())!.TrimStart('#');
        await Assertions.Expect(customer.GetByTestId("next-step")).ToContainTextAsync("We are sending a confirmation to the address you gave");
        // The acknowledgement mail says honestly when the customer will hear back, and carries the link to follow the request.
        await Factory.Services.GetRequiredService<Rapport.Features.Sla.Acknowledgements>().RunOnceAsync(Ct);
        var mail = await MailToAsync(email);
        mail.ShouldMatch(@"by \w+");
        var follow = Regex.Match(mail, Regex.Escape(App.BaseAddress.ToString().TrimEnd('/')) + @"/portal/link/\S+").Value;
        follow.ShouldNotBeEmpty(mail);

        // It appears in the agent's inbox without a reload.
        var row = inbox.Locator($"li[data-ticket='{number}']");
        await Assertions.Expect(row).ToContainTextAsync(subject);

        // The agent answers with the saved reply, its placeholders filled in.
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(inbox.GetByRole(AriaRole.Heading, new() { Name = subject })).ToBeVisibleAsync();
        await BrowserApp.WaitForLiveAsync(inbox);
        await inbox.Locator("#saved-reply").SelectOptionAsync(new SelectOptionValue { Label = replyName });
        await Assertions.Expect(inbox.Locator("#draft")).ToHaveValueAsync(new Regex("^Hello Maya,"));
        await inbox.Locator(".composer button.primary").ClickAsync();
        await Assertions.Expect(inbox.Locator(".thread li[data-kind=reply]")).ToContainTextAsync("Your parcel left our warehouse today.");
        await Assertions.Expect(inbox.GetByTestId("status")).ToHaveTextAsync("Waiting on customer");

        // The customer follows the link, reads the answer and replies.
        await customer.GotoAsync(follow!);
        await Assertions.Expect(customer.Locator(".thread li[data-kind=reply]")).ToContainTextAsync("Hello Maya,");
        await Assertions.Expect(customer.GetByTestId("status")).ToHaveTextAsync("Waiting for your reply");
        await customer.GetByLabel("Your message").FillAsync("It arrived just now, but the box is damaged.");
        await customer.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(customer.GetByRole(AriaRole.Alert)).ToContainTextAsync("we have your message");

        // The agent's open ticket page shows the answer and the ticket open again, live.
        await Assertions.Expect(inbox.Locator(".thread li[data-kind=customer]").Last).ToContainTextAsync("the box is damaged");
        await Assertions.Expect(inbox.GetByTestId("status")).ToHaveTextAsync("Open");
    }

    /// <summary>The text of the one mail queued to this address.</summary>
    private async Task<string> MailToAsync(string email)
    {
        await using var db = Factory.CreateDbContext();
        var sha = await db.OutboundMail.AsNoTracking().Where(o => o.Recipient == email).Select(o => o.RawSha256).SingleAsync(Ct);
        var raw = (await Factory.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>().ReadAllBytesAsync(sha, Ct)).ShouldNotBeNull();
        return (await MimeKit.MimeMessage.LoadAsync(new MemoryStream(raw), Ct)).TextBody ?? "";
    }
}

public sealed class CustomerJourneyTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : CustomerJourneyTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class CustomerJourneyTests_Postgres(PostgresBrowserApp app, Chromium chromium) : CustomerJourneyTests(app, chromium), IClassFixture<PostgresBrowserApp>;
