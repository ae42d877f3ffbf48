using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>Replies whose threading headers are missing or unusual, through mail intake: Outlook's Thread-Index, an
/// In-Reply-To without angle brackets, and the sender's ticket found by its subject after reply prefixes in many languages.</summary>
public abstract class MailThreadingTests(RapportFactory app) : DatabaseTests(app)
{
    private Task<HttpClient> WriterAsync() => App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

    /// <summary>Fifteen typical replies from common clients that carry no In-Reply-To or References.</summary>
    public static TheoryData<string, string?> TypicalReplies() => new()
    {
        { "RE: {0}", "AQHbjJ2uQ3VzdG9tZXIgcmVwbHkgdGVzdDEyMzQ1Ng==" },
        { "AW: {0}", null },
        { "Antwort: {0}", null },
        { "SV: {0}", null },
        { "VS: {0}", null },
        { "TR: {0}", null },
        { "RIF: {0}", null },
        { "Odp: {0}", null },
        { "Re[2]: {0}", null },
        { "回复：{0}", null },
        { "答复: {0}", null },
        { "Ответ: {0}", null },
        { "RES: {0}", null },
        { "Re: AW: {0}", null },
        { "R: {0}", null },
    };

    [Theory]
    [MemberData(nameof(TypicalReplies))]
    public async Task Ingest_ReplyWithoutThreadingHeaders_LandsOnTheSendersTicketBySubject(string subjectFormat, string? threadIndex)
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("thread");
        var subject = "Kettle " + Guid.NewGuid().ToString("N")[..8];
        var opened = await client.IngestAsync(MailTestKit.Mail(from, subject, "My kettle leaks."));

        var reply = MailTestKit.Mail(from, string.Format(System.Globalization.CultureInfo.InvariantCulture, subjectFormat, subject), "It still leaks.", configure: m =>
        {
            if (threadIndex is not null)
            {
                m.Headers.Add("Thread-Index", threadIndex);
                m.Headers.Add("Thread-Topic", subject);
            }
        });
        var answer = await client.IngestAsync(reply);

        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_OutlookReplyWithOnlyThreadIndexAndTopic_LandsOnTheTicket()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("outlook");
        var subject = "Invoice " + Guid.NewGuid().ToString("N")[..8];
        var opened = await client.IngestAsync(MailTestKit.Mail(from, subject, "Please resend the invoice."));

        // Some gateways drop the prefix; Outlook's own headers still say it is a reply in this conversation.
        var answer = await client.IngestAsync(MailTestKit.Mail(from, subject, "Still waiting.", configure: m =>
        {
            m.Headers.Add("Thread-Index", "AQHbjJ2uQ3VzdG9tZXIgcmVwbHkgdGVzdDEyMzQ1Ng==");
            m.Headers.Add("Thread-Topic", subject);
        }));

        answer.TicketId.ShouldBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_InReplyToWithoutAngleBrackets_ThreadsByIt()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("bare");
        var original = MailTestKit.Mail(from, "Order " + Guid.NewGuid().ToString("N")[..8], "Where is my order?");
        var opened = await client.IngestAsync(original);

        var reply = MailTestKit.Mail(from, "something else entirely", "Any news?");
        var raw = System.Text.Encoding.UTF8.GetString(reply.Bytes()).Replace("Subject:", $"In-Reply-To: {original.MessageId}\r\nSubject:", StringComparison.Ordinal);
        var answer = await client.IngestAsync(System.Text.Encoding.UTF8.GetBytes(raw));

        answer.Outcome.ShouldBe(InboundOutcome.Message);
        answer.TicketId.ShouldBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_SameSubjectFromSomeoneElse_OpensANewTicket()
    {
        var client = await WriterAsync();
        var subject = "Lamp " + Guid.NewGuid().ToString("N")[..8];
        var opened = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("owner"), subject, "The lamp flickers."));

        var answer = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("stranger"), "AW: " + subject, "Let me in."));

        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        answer.TicketId.ShouldNotBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_SameSubjectWithoutReplyPrefix_OpensANewTicket()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("twice");
        var subject = "Question " + Guid.NewGuid().ToString("N")[..8];
        var opened = await client.IngestAsync(MailTestKit.Mail(from, subject, "First question."));

        var answer = await client.IngestAsync(MailTestKit.Mail(from, subject, "A new, separate question."));

        answer.Outcome.ShouldBe(InboundOutcome.Ticket);
        answer.TicketId.ShouldNotBe(opened.TicketId);
    }

    [Fact]
    public async Task Ingest_ReplyBySubjectToAClosedOrLongResolvedTicket_OpensANewTicket()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("old");
        var subject = "Chair " + Guid.NewGuid().ToString("N")[..8];
        var closed = await client.IngestAsync(MailTestKit.Mail(from, subject, "Broken chair."));
        (await client.PatchJsonAsync($"/api/v1/tickets/{closed.TicketId}", new { status = "closed" })).EnsureSuccessStatusCode();
        var resolved = await client.IngestAsync(MailTestKit.Mail(from, subject + " leg", "Broken leg."));
        await using (var db = App.CreateDbContext())
        {
            // Resolved three weeks ago: past RecentlyResolved.
            var longAgo = App.Now - KnownMail.RecentlyResolved - TimeSpan.FromDays(7);
            await db.Tickets.Where(t => t.Id == resolved.TicketId).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, TicketStatus.Resolved).SetProperty(t => t.ResolvedAt, longAgo), Ct);
        }

        var toClosed = await client.IngestAsync(MailTestKit.Mail(from, "Re: " + subject, "Again?"));
        var toResolved = await client.IngestAsync(MailTestKit.Mail(from, "Re: " + subject + " leg", "Again?"));

        toClosed.TicketId.ShouldNotBe(closed.TicketId);
        toResolved.TicketId.ShouldNotBe(resolved.TicketId);
        toResolved.Outcome.ShouldBe(InboundOutcome.Ticket);
    }

    [Fact]
    public async Task Ingest_BottomPostedReply_ShowsTheTextBelowTheQuote()
    {
        var client = await WriterAsync();
        var from = MailTestKit.Unique("bottom");
        var answer = await client.IngestAsync(MailTestKit.Mail(from, "Keys",
            "Hi,\nOn Tue, 2011-03-01 at 10:00 +0100, Support <s@shop.example> wrote:\n> How do I list the keys?\n\nYou can list the keys with the list command."));

        var ticket = await (await client.GetAsync($"/api/v1/tickets/{answer.TicketId}", Ct)).ReadAsync<TicketDetails>();
        ticket.Messages.Single().Text.ShouldBe("Hi,\n\nYou can list the keys with the list command.");
    }

    [Fact]
    public async Task Ingest_ForwardedRequest_ShowsTheForwardedMessageWithItsSender()
    {
        var client = await WriterAsync();
        var answer = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("fwd"), "Fwd: Broken kettle",
            "FYI\n\n---------- Forwarded message ---------\nFrom: Ann Example <ann@example.com>\nDate: Mon, Mar 3, 2025 at 10:15 AM\nSubject: Broken kettle\n\nMy kettle stopped working. Can you replace it?"));

        var response = await client.GetAsync($"/api/v1/tickets/{answer.TicketId}", Ct);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var text = (await response.ReadAsync<TicketDetails>()).Messages.Single().Text;
        text.ShouldContain("From: Ann Example <ann@example.com>");
        text.ShouldContain("Can you replace it?");
    }

    [Fact]
    public async Task WholeText_OfAFoldedReply_IsReadFromItsRawMail()
    {
        var client = await WriterAsync();
        var answer = await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("whole"), "Lid",
            "The lid rattles.\n\nOn Mon, 3 Mar 2025 at 10:15, Shop <s@shop.example> wrote:\n> Which model do you have?\n\n-- \nAnn Example"));

        await using var db = App.CreateDbContext();
        var message = await db.Messages.AsNoTracking().SingleAsync(m => m.TicketId == answer.TicketId, Ct);
        message.Text.ShouldBe("The lid rattles.");
        var raw = await MailHtml.RawOfAsync(db, answer.TicketId!.Value, Ct);
        var whole = await App.Services.GetRequiredService<MailHtml>().WholeTextAsync(db, raw[message.Id], Ct);

        whole.ShouldNotBeNull();
        whole.ShouldContain("> Which model do you have?");
        whole.ShouldContain("Ann Example");
    }
}

public sealed class MailThreadingTests_Sqlite(SqliteRapportFactory app) : MailThreadingTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class MailThreadingTests_Postgres(PostgresRapportFactory app) : MailThreadingTests(app), IClassFixture<PostgresRapportFactory>;
