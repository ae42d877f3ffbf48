using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Customers;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

public abstract class MailIntakeTests(RapportFactory app) : DatabaseTests(app)
{
    private Task<HttpClient> WriterAsync() => App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

    private async Task<TicketDetails> TicketAsync(HttpClient client, long id)
    {
        var response = await client.GetAsync($"/api/v1/tickets/{id}", Ct);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        return await response.ReadAsync<TicketDetails>();
    }

    [Fact]
    public async Task Ingest_NewMessage_OpensEmailTicketWithFoldedTextSanitizedHtmlAndAttachments()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("ann");
        var message = MailTestKit.Mail($"Ann Example <{from}>", "Broken lamp", "", configure: m =>
        {
            var builder = new BodyBuilder
            {
                TextBody = "The lamp flickers.\n\n-- \nAnn Example\nMain Street 1",
                HtmlBody = "<p>The lamp <b>flickers</b>.</p><script>alert(1)</script><img src=\"cid:photo\">",
            };
            builder.Attachments.Add("receipt.pdf", Encoding.ASCII.GetBytes("%PDF-1.4 receipt"), new ContentType("application", "pdf"));
            var photo = builder.LinkedResources.Add("photo.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], new ContentType("image", "png"));
            photo.ContentId = "photo";
            builder.Attachments.Add("setup.exe", [0x4D, 0x5A, 0, 0], new ContentType("application", "octet-stream"));
            m.Body = builder.ToMessageBody();
        });

        var answer = await client.IngestAsync(message);

        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        var ticket = await TicketAsync(client, answer.TicketId!.Value);
        ticket.Subject.ShouldBe("Broken lamp");
        ticket.Channel.ShouldBe(TicketChannel.Email);
        ticket.Customer.Email.ShouldBe(from);
        ticket.Customer.Name.ShouldBe("Ann Example");
        var first = ticket.Messages.ShouldHaveSingleItem();
        first.Text.ShouldBe("The lamp flickers.");
        first.Html.ShouldNotBeNull();
        first.Html.ShouldContain("<b>flickers</b>");
        first.Html.ShouldNotContain("script");
        first.Attachments.Select(a => a.FileName).Order().ShouldBe(["photo.png", "receipt.pdf"]);
        await using var db = App.CreateDbContext();
        var line = await db.InboundMail.SingleAsync(m => m.TicketId == ticket.Id, Ct);
        line.Reason.ShouldNotBeNull();
        line.Reason.ShouldContain("setup.exe");
        line.DedupKey.ShouldBe(message.MessageId);
        // The HTML is not stored a second time: it is sanitized from the raw message when shown (0044).
        var stored = await db.Messages.AsNoTracking().SingleAsync(m => m.TicketId == ticket.Id, Ct);
        stored.Html.ShouldBeNull();
        stored.MailHtmlSha256.ShouldBe(line.RawSha256);
    }

    [Fact]
    public async Task Ingest_HtmlOnlyMessage_TakesItsTextFromTheSanitizedHtmlAndShowsTheHtmlFromTheRawMessage()
    {
        var client = await WriterAsync();
        var message = MailTestKit.Mail(MailTestKit.Unique("hana"), "Order missing", "", configure: m =>
            m.Body = new TextPart("html") { Text = "<p>Order <b>4711</b> never came.</p><script>document.title='pwned'</script><p>Can you check?</p>" });

        var answer = await client.IngestAsync(message);

        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        var shown = (await TicketAsync(client, answer.TicketId!.Value)).Messages.ShouldHaveSingleItem();
        shown.Text.ShouldBe("Order 4711 never came.\n\nCan you check?");
        shown.Html.ShouldNotBeNull();
        shown.Html.Trim().ShouldBe("<p>Order <b>4711</b> never came.</p><p>Can you check?</p>");
        await using var db = App.CreateDbContext();
        var stored = await db.Messages.AsNoTracking().SingleAsync(m => m.TicketId == answer.TicketId, Ct);
        stored.Html.ShouldBeNull();
        stored.MailHtmlSha256.ShouldNotBeNull();
        (await db.RawMail.AnyAsync(r => r.Sha256 == stored.MailHtmlSha256, Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task Ticket_WhoseRawMessageCannotBeRead_StillShowsWithTheMessageText()
    {
        var client = await WriterAsync();
        var message = MailTestKit.Mail(MailTestKit.Unique("rita"), "Damaged", "", configure: m =>
            m.Body = new BodyBuilder { TextBody = "Text that was folded on intake.", HtmlBody = "<p>Rich <b>text</b></p>" }.ToMessageBody());
        var answer = await client.IngestAsync(message);
        await using (var db = App.CreateDbContext())
        {
            var sha = (await db.Messages.AsNoTracking().SingleAsync(m => m.TicketId == answer.TicketId, Ct)).MailHtmlSha256;
            await db.RawMail.Where(r => r.Sha256 == sha).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Content, new byte[] { 1, 2, 3, 4 }).SetProperty(r => r.Compression, RawMailCompression.Brotli), Ct);
        }

        var shown = (await TicketAsync(client, answer.TicketId!.Value)).Messages.ShouldHaveSingleItem();

        shown.Text.ShouldBe("Text that was folded on intake.");
        shown.Html.ShouldBeNull();
    }

    [Fact]
    public async Task Ingest_TextOnlyMessage_HasNoHtmlToShow()
    {
        var client = await WriterAsync();

        var answer = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("tom"), "Plain", "Just text."));

        var shown = (await TicketAsync(client, answer.TicketId!.Value)).Messages.ShouldHaveSingleItem();
        shown.Html.ShouldBeNull();
        await using var db = App.CreateDbContext();
        (await db.Messages.AsNoTracking().SingleAsync(m => m.TicketId == answer.TicketId, Ct)).MailHtmlSha256.ShouldBeNull();
    }

    [Fact]
    public async Task Ingest_SameMessageIdTwice_StoresItOnce()
    {
        var client = await WriterAsync();
        var message = MailTestKit.Mail(MailTestKit.Unique("bob"), "Invoice", "Please resend the invoice.");

        var first = await client.IngestAsync(message);
        var second = await client.IngestAsync(message);

        first.Outcome.ShouldBe(InboundOutcome.Ticket);
        second.Outcome.ShouldBe(InboundOutcome.Duplicate);
        second.TicketId.ShouldBe(first.TicketId);
        (await TicketAsync(client, first.TicketId!.Value)).Messages.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Ingest_SameMessageIdConcurrently_StoresItOnce()
    {
        var client = await WriterAsync();
        var raw = MailTestKit.Mail(MailTestKit.Unique("cat"), "Twice", "Sent to two mailboxes at once.").Bytes();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.IngestAsync(raw)));

        answers.Count(a => a.Outcome == InboundOutcome.Ticket).ShouldBe(1);
        answers.Count(a => a.Outcome == InboundOutcome.Duplicate).ShouldBe(5);
        answers.Select(a => a.TicketId).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Ingest_BurstOfRepliesAndOfMailFromOneNewSender_FilesEveryMessageInItsGroup()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("eve");
        var original = MailTestKit.Mail(from, "Delivery", "Where is my parcel?");
        var opened = await client.IngestAsync(original);
        var newcomer = MailTestKit.Unique("fay");
        var fallbacksBefore = GroupFallbacks();

        // Sent at once, so that the writer files them in groups: replies to one ticket, and new conversations from one
        // new sender, each depending on an earlier message of its group being in the database.
        var replies = Enumerable.Range(1, 6).Select(i => MailTestKit.Mail(from, "Re: Delivery", $"Any news? ({i})", inReplyTo: original.MessageId));
        var fresh = Enumerable.Range(1, 6).Select(i => MailTestKit.Mail(newcomer, $"Question {i}", $"Question number {i}."));
        var answers = await Task.WhenAll(replies.Concat(fresh).Select(m => client.IngestAsync(m)));

        answers.Take(6).ShouldAllBe(a => a.Outcome == InboundOutcome.Message && a.TicketId == opened.TicketId);
        answers.Skip(6).ShouldAllBe(a => a.Outcome == InboundOutcome.Ticket);
        var opens = answers.Skip(6).Select(a => a.TicketId!.Value).Distinct().ToList();
        opens.Count.ShouldBe(6);
        (await TicketAsync(client, opened.TicketId!.Value)).Messages.Count.ShouldBe(7);
        await using var db = App.CreateDbContext();
        (await db.CustomerEmails.CountAsync(e => e.Address == newcomer, Ct)).ShouldBe(1);
        (await db.Tickets.Where(t => opens.Contains(t.Id)).Select(t => t.CustomerId).Distinct().ToListAsync(Ct)).ShouldHaveSingleItem();
        (await db.InboundMail.Where(m => m.FromAddress == newcomer || m.FromAddress == from).Select(m => m.MessageId).ToListAsync(Ct))
            .ShouldAllBe(id => id != null, "every ledger line points at the message it became");
        GroupFallbacks().ShouldBe(fallbacksBefore, "a group that fails is filed again message by message: right answers, but the slow way");
    }

    [Fact]
    public async Task Ingest_BurstFromEveryAddressOfOneCustomer_OpensTheirTicketsUnderThatCustomer()
    {
        var client = await WriterAsync();
        var addresses = new[] { MailTestKit.Unique("gil"), MailTestKit.Unique("gil.work"), MailTestKit.Unique("gil.home") };
        long customerId;
        await using (var db = App.CreateDbContext())
        {
            var customer = Customer.Create("Gil", addresses, App.Now);
            db.Customers.Add(customer);
            await db.SaveChangesAsync(Ct);
            customerId = customer.Id;
        }
        var fallbacksBefore = GroupFallbacks();

        // Sent at once, so that one group holds several addresses of one stored customer.
        var answers = await Task.WhenAll(Enumerable.Range(0, 9)
            .Select(i => client.IngestAsync(MailTestKit.Mail(addresses[i % 3], $"Order {i}", $"About order {i}."))));

        answers.ShouldAllBe(a => a.Outcome == InboundOutcome.Ticket);
        var opened = answers.Select(a => a.TicketId!.Value).ToList();
        await using var check = App.CreateDbContext();
        (await check.Tickets.Where(t => opened.Contains(t.Id)).Select(t => t.CustomerId).Distinct().ToListAsync(Ct)).ShouldBe([customerId]);
        (await check.CustomerEmails.CountAsync(e => addresses.Contains(e.Address), Ct)).ShouldBe(3);
        GroupFallbacks().ShouldBe(fallbacksBefore);
    }

    private int GroupFallbacks() => App.Logs.Entries.Count(e => e.Category == typeof(IngestMail).FullName && e.Message.Contains("together failed"));

    [Fact]
    public async Task Ingest_ReplyWithInReplyTo_ThreadsToTheTicketAndReopensIt()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("dan");
        var original = MailTestKit.Mail(from, "Refund", "I want a refund.");
        var opened = await client.IngestAsync(original);
        (await client.PostJsonAsync($"/api/v1/tickets/{opened.TicketId}/replies", new { text = "Done." })).EnsureSuccessStatusCode();

        var reply = MailTestKit.Mail(from, "Re: Refund", "Thanks!\n\nOn Monday Support wrote:\n> Done.", inReplyTo: original.MessageId);
        var answer = await client.IngestAsync(reply);

        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(opened.TicketId);
        var ticket = await TicketAsync(client, opened.TicketId!.Value);
        ticket.Status.ShouldBe(TicketStatus.Open);
        ticket.Messages.Last().Text.ShouldBe("Thanks!");
    }

    [Fact]
    public async Task Ingest_RepliesOnAnAnsweredTicket_SetTheSameClocksAsASaveOfTheSameMessages()
    {
        var client = await WriterAsync();
        var (mailFrom, savedFrom) = (MailTestKit.Unique("clock-mail"), MailTestKit.Unique("clock-save"));
        var first = MailTestKit.Mail(mailFrom, "Invoice", "Where is my invoice?");
        var byMail = (await client.IngestAsync(first)).TicketId!.Value;
        var bySave = (await client.IngestAsync(MailTestKit.Mail(savedFrom, "Invoice", "Where is my invoice?"))).TicketId!.Value;
        foreach (var id in new[] { byMail, bySave })
        {
            (await client.PostJsonAsync($"/api/v1/tickets/{id}/replies", new { text = "It is on its way." })).EnsureSuccessStatusCode();
        }
        // The customer answers while the ticket waits on them (the resolution clock goes on with the time it had left, a
        // next answer is owed), then complains (the priority rises, the clocks start again from the ticket's opening).
        string[] texts = ["It has not arrived yet.", "Still nothing. This is unacceptable, I am very disappointed and angry."];
        foreach (var (text, after) in texts.Zip([TimeSpan.FromHours(30), TimeSpan.FromHours(2)]))
        {
            App.Time.Advance(after);
            (await client.IngestAsync(MailTestKit.Mail(mailFrom, "Re: Invoice", text, inReplyTo: first.MessageId))).Outcome.ShouldBe(InboundOutcome.Message);
            await using var db = App.CreateDbContext();
            var ticket = await db.Tickets.SingleAsync(t => t.Id == bySave, Ct);
            var customer = await db.Customers.SingleAsync(c => c.Id == ticket.CustomerId, Ct);
            // As a use case writes it: the change, then the SLA rules, then one save.
            var before = Rapport.Features.Sla.SlaClock.TicketBefore.Of(ticket);
            ticket.AddCustomerMessage(Message.FromCustomer(customer, new MessageBody(text, null), App.Now), ChangeChannel.Email, App.Now);
            await App.Services.GetRequiredService<Rapport.Features.Sla.SlaClock>().ChangedAsync(db, ticket, before, retagged: false, Ct);
            await db.SaveChangesAsync(Ct);
        }

        await using var check = App.CreateDbContext();
        var mailed = await check.Tickets.AsNoTracking().Include(t => t.Events).SingleAsync(t => t.Id == byMail, Ct);
        var saved = await check.Tickets.AsNoTracking().Include(t => t.Events).SingleAsync(t => t.Id == bySave, Ct);
        mailed.Priority.ShouldBe(TicketPriority.High);
        mailed.NextResponseDueAt.ShouldNotBeNull();
        foreach (var property in check.Model.FindEntityType(typeof(Ticket))!.GetProperties().Where(p => !p.IsKey() && !p.IsForeignKey()))
        {
            property.GetGetter().GetClrValue(mailed).ShouldBe(property.GetGetter().GetClrValue(saved), property.Name);
        }
        mailed.Events.OrderBy(e => e.Id).Select(e => (e.Kind, e.Detail, e.At)).ShouldBe(saved.Events.OrderBy(e => e.Id).Select(e => (e.Kind, e.Detail, e.At)));
        var promises = await check.Promises.AsNoTracking().Where(p => p.TicketId == byMail || p.TicketId == bySave).ToListAsync(Ct);
        promises.Where(p => p.TicketId == byMail).Select(p => (p.Kind, p.Status, p.DueAt)).OrderBy(p => p.Kind)
            .ShouldBe(promises.Where(p => p.TicketId == bySave).Select(p => (p.Kind, p.Status, p.DueAt)).OrderBy(p => p.Kind));
    }

    [Fact]
    public async Task Ingest_ReplyWhileAnAgentsChangeToTheTicketIsBeingSaved_KeepsBoth()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("racing");
        var first = MailTestKit.Mail(from, "Delivery", "When will it arrive?");
        var ticketId = (await client.IngestAsync(first)).TicketId!.Value;

        // An agent's change to the ticket, saved but not yet committed, while the customer's reply comes in. On SQLite the
        // writer waits for the write gate; on PostgreSQL it reads the ticket as it was, and its update waits for the row:
        // it then finds the ticket changed since it read it, and files the reply again on the ticket as it is now.
        await using var agent = App.CreateDbContext();
        Task<IngestAnswer> replying;
        await using (var transaction = await agent.BeginWriteTransactionAsync(Ct))
        {
            var ticket = await agent.Tickets.SingleAsync(t => t.Id == ticketId, Ct);
            ticket.ChangePriority(TicketPriority.Urgent, Actor.System, App.Now);
            await agent.SaveChangesAsync(Ct);
            replying = client.IngestAsync(MailTestKit.Mail(from, "Re: Delivery", "Any news?", inReplyTo: first.MessageId));
            if (App.Provider == DatabaseProvider.Postgres)
            {
                await WaitForALockWaitAsync();
            }
            else
            {
                await Task.Delay(300, Ct);
            }
            replying.IsCompleted.ShouldBeFalse("the reply waits for the agent's change");
            await transaction.CommitAsync(Ct);
        }
        var answer = await replying.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(ticketId);
        var stored = await TicketAsync(client, ticketId);
        stored.Priority.ShouldBe(TicketPriority.Urgent);
        stored.Messages.Last().Text.ShouldBe("Any news?");
    }

    /// <summary>Until another session of the test database waits for a lock (PostgreSQL).</summary>
    private async Task WaitForALockWaitAsync()
    {
        await using var db = App.CreateDbContext();
        await Wait.UntilAsync(async () => await db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync(Ct) > 0,
            "the writer to wait for the ticket's row");
    }

    [Fact]
    public async Task Ingest_AngryMail_MarksTheTicketAComplaintAndRaisesItsPriority()
    {
        var client = await WriterAsync();
        var calmFrom = MailTestKit.Unique("calm");
        var calmMail = MailTestKit.Mail(calmFrom, "Opening hours",
            "Hello, are you open on Saturday?\n\nOn Monday Support wrote:\n> This is terrible, awful, the worst service ever!");
        var calm = await client.IngestAsync(calmMail);
        var angry = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("fed-up"), "Still broken",
            "This is the third time I am writing. Still waiting for the refund you promised, this is unacceptable."));

        var calmTicket = await TicketAsync(client, calm.TicketId!.Value);
        calmTicket.IsComplaint.ShouldBeFalse("the angry words are only in the quoted history");
        calmTicket.Priority.ShouldBe(TicketPriority.Normal);
        var angryTicket = await TicketAsync(client, angry.TicketId!.Value);
        angryTicket.IsComplaint.ShouldBeTrue();
        angryTicket.Priority.ShouldBe(TicketPriority.High);
        angryTicket.Messages.ShouldHaveSingleItem().Sentiment.ShouldNotBeNull().ShouldBeLessThan(0);

        var followUp = MailTestKit.Mail(calmFrom, "Re: Opening hours", "Nobody answered me. This is ridiculous and I am very disappointed.",
            inReplyTo: calmMail.MessageId);
        (await client.IngestAsync(followUp)).Outcome.ShouldBe(InboundOutcome.Message);
        calmTicket = await TicketAsync(client, calm.TicketId!.Value);
        calmTicket.IsComplaint.ShouldBeTrue();
        calmTicket.Priority.ShouldBe(TicketPriority.High);
    }

    [Fact]
    public async Task Ingest_HeadersRewrittenButTicketNumberInSubject_ThreadsByTheToken()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("eve");
        var opened = await client.IngestAsync(MailTestKit.Mail(from, "Login fails", "Cannot log in."));

        var answer = await client.IngestAsync(MailTestKit.Mail(from, $"RE: [#{opened.TicketId}] Login fails", "Works now."));

        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_PlusAddressToken_ThreadsToTheTicket()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("fay");
        var opened = await client.IngestAsync(MailTestKit.Mail(from, "Question", "Is it waterproof?"));

        var answer = await client.IngestAsync(MailTestKit.Mail(from, "another subject", "One more thing.", to: $"support+t{opened.TicketId}@shop.example"));

        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_StrangerRepliesToSomeonesTicket_OpensANewTicketLinkedToIt()
    {
        var client = await WriterAsync();
        var original = MailTestKit.Mail(MailTestKit.Unique("gus"), "Private matter", "My account details.");
        var opened = await client.IngestAsync(original);

        var answer = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("mallory"), "Re: Private matter", "Let me in.",
            inReplyTo: original.MessageId));

        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        answer.TicketId.ShouldNotBe(opened.TicketId);
        (await TicketAsync(client, opened.TicketId!.Value)).Messages.Count.ShouldBe(1);
        var linked = await TicketAsync(client, answer.TicketId!.Value);
        linked.Messages.ShouldContain(m => m.Kind == MessageKind.Note && m.Text.Contains($"#{opened.TicketId}"));
    }

    [Fact]
    public async Task Ingest_ColleagueWhoWasCopied_RepliesOnTheSameTicket()
    {
        var client = await WriterAsync();
        var colleague = MailTestKit.Unique("colleague");
        var original = MailTestKit.Mail(MailTestKit.Unique("hal"), "Team order", "We need 20 chairs.", configure: m => m.Cc.Add(MailboxAddress.Parse(colleague)));
        var opened = await client.IngestAsync(original);

        var answer = await client.IngestAsync(MailTestKit.Mail(colleague, "Re: Team order", "Make it 25.", inReplyTo: original.MessageId));

        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_ReplyToClosedTicket_OpensANewTicket()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("ida");
        var original = MailTestKit.Mail(from, "Done deal", "Thanks.");
        var opened = await client.IngestAsync(original);
        (await client.PatchJsonAsync($"/api/v1/tickets/{opened.TicketId}", new { status = "closed" })).EnsureSuccessStatusCode();

        var answer = await client.IngestAsync(MailTestKit.Mail(from, "Re: Done deal", "One more question.", inReplyTo: original.MessageId));

        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        answer.TicketId.ShouldNotBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_AutoReplyToOurReply_IsIgnoredAndShownOnTheTicket()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("jan");
        var original = MailTestKit.Mail(from, "Delivery", "When?");
        var opened = await client.IngestAsync(original);

        var answer = await client.IngestAsync(MailTestKit.Mail(from, "Out of office", "I am away until Monday.", inReplyTo: original.MessageId,
            configure: m => m.Headers.Add("Auto-Submitted", "auto-replied")));

        answer.Outcome.ShouldBe(InboundOutcome.Ignored);
        answer.TicketId.ShouldBe(opened.TicketId);
        answer.Reason!.ShouldContain("auto-replied");
        (await TicketAsync(client, opened.TicketId!.Value)).Messages.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Ingest_MailFromOurOwnMailbox_IsIgnoredAsALoop()
    {
        var client = await WriterAsync();
        (await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("hal"), "Hello", "Before the mailbox"))).Outcome.ShouldBe(InboundOutcome.Ticket);
        // Added by the owner after intake has read (and kept) our mailboxes' addresses.
        var owner = await App.SignedInClientAsync(await App.CreateAgentAsync(AgentRoles.Owner));
        var name = $"box-{Guid.NewGuid():N}"[..20];
        using var created = await owner.PostJsonAsync("/api/v1/mailboxes", new SaveMailbox.Request { Name = name, Address = $"{name}@shop.example" });
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);

        var answer = await client.IngestAsync(MailTestKit.Mail($"{name}@shop.example", "Re: [#1] Anything", "our own reply"), name);

        answer.Outcome.ShouldBe(InboundOutcome.Ignored);
        answer.Reason!.ShouldContain("loop");
    }

    [Fact]
    public async Task Ingest_NoSender_IsQuarantinedAndReprocessable()
    {
        var client = await WriterAsync();
        var raw = Encoding.ASCII.GetBytes($"Subject: nobody {Guid.NewGuid():N}\r\nMessage-ID: <{Guid.NewGuid():N}@x>\r\n\r\nWho sent this?\r\n");

        var answer = await client.IngestAsync(raw);
        await using var db = App.CreateDbContext();
        var line = await db.InboundMail.AsNoTracking().OrderByDescending(m => m.Id).FirstAsync(m => m.Outcome == InboundOutcome.Quarantined, Ct);
        using var again = await client.PostAsync($"/api/v1/inbound/{line.Id}/reprocess", null, Ct);

        answer.Outcome.ShouldBe(InboundOutcome.Quarantined);
        answer.Reason!.ShouldContain("no sender");
        await again.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await again.ReadAsync<IngestAnswer>()).Outcome.ShouldBe(InboundOutcome.Quarantined);
        (await db.InboundMail.AsNoTracking().SingleAsync(m => m.Id == line.Id, Ct)).Attempts.ShouldBe(2);
        // The bytes are kept exactly, in the database with the ledger line (not in the file store).
        var stored = await db.RawMail.AsNoTracking().SingleAsync(r => r.Sha256 == line.RawSha256, Ct);
        stored.Content.ShouldBe(raw);
        stored.Length.ShouldBe(raw.Length);
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw)).ShouldBe(line.RawSha256);
        App.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>().OpenRead(line.RawSha256).ShouldBeNull();
    }

    [Fact]
    public async Task Ingest_LargeMessage_IsKeptCompressedAndReprocessedFromItsExactBytes()
    {
        var client = await WriterAsync();
        var quoted = string.Concat(Enumerable.Range(1, 400).Select(i => $"> line {i} of the history we quoted back and forth\r\n"));
        var raw = Encoding.ASCII.GetBytes($"Subject: nobody {Guid.NewGuid():N}\r\nMessage-ID: <{Guid.NewGuid():N}@x>\r\n\r\nStill there?\r\n{quoted}");

        var answer = await client.IngestAsync(raw);
        await using var db = App.CreateDbContext();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw));
        var line = await db.InboundMail.AsNoTracking().SingleAsync(m => m.RawSha256 == sha, Ct);
        var stored = await db.RawMail.AsNoTracking().SingleAsync(r => r.Sha256 == sha, Ct);
        using var again = await client.PostAsync($"/api/v1/inbound/{line.Id}/reprocess", null, Ct);

        answer.Outcome.ShouldBe(InboundOutcome.Quarantined);
        stored.Compression.ShouldBe(RawMailCompression.Brotli);
        stored.Content.Length.ShouldBeLessThan(raw.Length / 4);
        stored.Length.ShouldBe(raw.Length);
        RawMail.Unpack(stored.Content, stored.Length, stored.Compression).ShouldBe(raw);
        await again.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var reprocessed = await again.ReadAsync<IngestAnswer>();
        reprocessed.Outcome.ShouldBe(InboundOutcome.Quarantined);
        reprocessed.Reason!.ShouldContain("no sender");
    }

    [Fact]
    public async Task Reprocess_MessageTakenBeforeRawMailWasInTheDatabase_ReadsItFromTheFileStore()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("old");
        var raw = MailTestKit.Mail(from, "From the old store", "Kept as a file.",
            configure: m => m.Body = new BodyBuilder { TextBody = "Kept as a file.", HtmlBody = "<p>Kept as a <i>file</i>.</p>" }.ToMessageBody()).Bytes();
        var stored = await App.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>()
            .SaveAsync(new MemoryStream(raw), raw.Length, Ct);
        long lineId;
        await using (var db = App.CreateDbContext())
        {
            var line = InboundMail.Receive(null, MailSource.Direct, stored!.Sha256, stored.Length, DateTime.UtcNow);
            line.Record(InboundOutcome.Quarantined, "filed before the upgrade", null, null, DateTime.UtcNow);
            db.InboundMail.Add(line);
            await db.SaveChangesAsync(Ct);
            lineId = line.Id;
        }

        using var again = await client.PostAsync($"/api/v1/inbound/{lineId}/reprocess", null, Ct);

        await again.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var answer = await again.ReadAsync<IngestAnswer>();
        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        var ticket = await TicketAsync(client, answer.TicketId!.Value);
        ticket.Customer.Email.ShouldBe(from);
        // Its HTML is shown from the raw message, which is in the file store (0044).
        ticket.Messages.ShouldHaveSingleItem().Html.ShouldNotBeNull().ShouldContain("<i>file</i>");
    }

    [Fact]
    public async Task Ingest_WhiteSpaceBeforeTheFirstHeader_StillBecomesATicket()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("kim");
        var raw = Encoding.ASCII.GetBytes($"\r\n   \r\nFrom: Kim <{from}>\r\nSubject: Sloppy gateway\r\n\r\nMy text survived.\r\n");

        var answer = await client.IngestAsync(raw);

        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        (await TicketAsync(client, answer.TicketId!.Value)).Messages.Single().Text.ShouldBe("My text survived.");
    }

    [Fact]
    public async Task Ingest_WrongContentTypeOrReadToken_IsRefused()
    {
        var writer = await WriterAsync();
        var reader = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);
        var raw = MailTestKit.Mail(MailTestKit.Unique("lee"), "x", "y").Bytes();

        using var wrongType = await writer.PostMimeAsync(raw, contentType: "application/json");
        using var readOnly = await reader.PostMimeAsync(raw);
        using var noMailbox = await writer.PostMimeAsync(raw, mailbox: "no-such-box");

        await wrongType.ShouldHaveStatusAsync(HttpStatusCode.UnsupportedMediaType);
        await readOnly.ShouldHaveStatusAsync(HttpStatusCode.Forbidden);
        await noMailbox.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await noMailbox.Content.ReadAsStringAsync(Ct)).ShouldContain("no-such-box");
    }

    [Fact]
    public async Task IngestCommand_MessageOnStdin_PrintsTheOutcome()
    {
        var mailbox = await App.CreateMailboxAsync();
        var raw = MailTestKit.Mail(MailTestKit.Unique("max"), "Piped in", "From the mail server.").Bytes();
        var output = new StringWriter();
        var command = IngestCommand.Create(App.Services, _ => Task.CompletedTask, () => new MemoryStream(raw), output);

        var exit = await new System.CommandLine.RootCommand { command }.Parse(["ingest", "--mailbox", mailbox.Name]).InvokeAsync(cancellationToken: Ct);
        var missing = await new System.CommandLine.RootCommand { command }.Parse(["ingest", "--mailbox", "nope"]).InvokeAsync(cancellationToken: Ct);

        exit.ShouldBe(0);
        output.ToString().ShouldStartWith("{\"outcome\":\"ticket\",\"ticketId\":");
        missing.ShouldBe(IngestCommand.NoSuchMailbox);
        await using var db = App.CreateDbContext();
        (await db.InboundMail.CountAsync(m => m.MailboxId == mailbox.Id, Ct)).ShouldBe(1);
    }

    /// <summary>Messages a strict parser rejects; taken in first so that no look-alike elsewhere makes them duplicates.</summary>
    private static readonly string[] Broken =
    [
        "enmime/low-quality/bad-header-start.raw", "cpython/msg_19.txt",
        "mime4j/testmsgs/malformedHeader-noheader.msg", "mime4j/testmsgs/malformedHeaderStartsBody-noheader.msg",
    ];

    [Fact]
    public async Task Corpus_EveryRealMessage_IsAccountedForWithoutACrash()
    {
        var client = await WriterAsync();
        var mailbox = await App.CreateMailboxAsync();
        var root = Path.Combine(AppContext.BaseDirectory, "Features", "Mail", "Corpus");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not ("LICENSE" or "NOTICE" or "COPYRIGHT" or "ARTISTIC-LICENSE.txt" or "README.md"))
            .OrderBy(f => Array.IndexOf(Broken, Path.GetRelativePath(root, f)) is var i and >= 0 ? i : int.MaxValue)
            .ThenBy(f => f, StringComparer.Ordinal).ToList();
        var outcomes = new Dictionary<string, IngestAnswer>();

        foreach (var file in files)
        {
            var response = await client.PostMimeAsync(await File.ReadAllBytesAsync(file, Ct), mailbox.Name);
            await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
            outcomes[Path.GetRelativePath(root, file)] = await response.ReadAsync<IngestAnswer>();
        }

        var summary = string.Join(", ", outcomes.Values.GroupBy(a => a.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
        TestContext.Current.TestOutputHelper?.WriteLine($"{files.Count} messages: {summary}");
        foreach (var (name, a) in outcomes.Where(o => o.Value.Outcome is InboundOutcome.Quarantined or InboundOutcome.Ignored))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {a.Outcome} {a.Reason}");
        }
        files.Count.ShouldBeGreaterThan(300);
        await using var db = App.CreateDbContext();
        (await db.InboundMail.CountAsync(m => m.MailboxId == mailbox.Id, Ct)).ShouldBe(files.Count);
        outcomes.Values.Where(a => a.Outcome == InboundOutcome.Quarantined).ShouldAllBe(a => !string.IsNullOrWhiteSpace(a.Reason));
        outcomes.Values.Where(a => a.Outcome is InboundOutcome.Ticket or InboundOutcome.Message).ShouldAllBe(a => a.TicketId != null);
        outcomes.Values.Count(a => a.Outcome == InboundOutcome.Ticket).ShouldBeGreaterThan(150);
        // Bounces and reports are machine mail (or a copy of one already seen), never a ticket.
        foreach (var report in new[] { "mimekit/delivery-status.txt", "mimekit/bounce.txt", "mimekit/disposition-notification.txt", "mimekit/feedback-report.txt" })
        {
            outcomes[report].Outcome.ShouldBeOneOf(InboundOutcome.Ignored, InboundOutcome.Duplicate);
        }
        // Headers after leading white space are still read; text with no headers at all has no sender to answer.
        outcomes["enmime/low-quality/bad-header-start.raw"].Outcome.ShouldBe(InboundOutcome.Ticket);
        foreach (var headless in new[] { "cpython/msg_19.txt", "mime4j/testmsgs/malformedHeader-noheader.msg", "mime4j/testmsgs/malformedHeaderStartsBody-noheader.msg" })
        {
            outcomes[headless].Outcome.ShouldBe(InboundOutcome.Quarantined);
            outcomes[headless].Reason!.ShouldContain("no header block");
        }
    }

    [Fact]
    public async Task Ledger_CountsPerOutcome_ReconcileWithTheLines()
    {
        var client = await WriterAsync();
        var mailbox = await App.CreateMailboxAsync();
        var mail = MailTestKit.Mail(MailTestKit.Unique("ned"), "Counted", "one");
        await client.IngestAsync(mail, mailbox.Name);
        await client.IngestAsync(mail, mailbox.Name);
        await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("ned"), "Auto", "x", configure: m => m.Headers.Add("Precedence", "bulk")), mailbox.Name);

        var counts = await (await client.GetAsync("/api/v1/inbound/counts", Ct)).ReadAsync<List<MailApi.LedgerCounts>>();
        var page = await (await client.GetAsync($"/api/v1/inbound?mailbox={mailbox.Name}&limit=2", Ct)).ReadAsync<MailApi.LedgerPage>();

        var mine = counts.Single(c => c.Mailbox == mailbox.Name);
        mine.Total.ShouldBe(3);
        mine.Outcomes["ticket"].ShouldBe(1);
        mine.Outcomes["duplicate"].ShouldBe(1);
        mine.Outcomes["ignored"].ShouldBe(1);
        page.Items.Count.ShouldBe(2);
        page.Next.ShouldNotBeNull();
        page.Items[0].Outcome.ShouldBe(InboundOutcome.Ignored);
    }
}

public sealed class MailIntakeTests_Sqlite(SqliteRapportFactory app) : MailIntakeTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class MailIntakeTests_Postgres(PostgresRapportFactory app) : MailIntakeTests(app), IClassFixture<PostgresRapportFactory>;
