using System.Diagnostics;
using System.Net;
using MimeKit;
using Rapport.Features.ApiTokens;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
using Rapport.Tests.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>Mail with hostile HTML: taken in and shown in bounded time with its text, and the mail behind it is not held up.</summary>
public abstract class HostileMailTests(RapportFactory app) : DatabaseTests(app)
{
    /// <summary>40,000 nested and closed &lt;div&gt;s, about 400 KB: before HTML was bounded, sanitizing them took about
    /// half a minute on this machine, on intake (mail without a text part) and again when the message was shown.</summary>
    private static readonly string Nested = "<p>Before the nesting.</p>" + HostileHtml.Repeat("<div>", 40_000) + HostileHtml.Marker
        + HostileHtml.Repeat("</div>", 40_000) + "<p>After it.</p>";

    private async Task<MessageDetails> ShownAsync(HttpClient client, long ticketId)
    {
        var response = await client.GetAsync($"/api/v1/tickets/{ticketId}", Ct);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        return (await response.ReadAsync<TicketDetails>()).Messages.ShouldHaveSingleItem();
    }

    private static MimeMessage WithHtml(string from, string subject, string? text, string html) => MailTestKit.Mail(from, subject, "", configure: m =>
    {
        m.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        foreach (var part in m.BodyParts.OfType<TextPart>())
        {
            part.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        }
    });

    [Fact]
    public async Task Ingest_DeeplyNestedHtml_IsFiledAndShownInBoundedTimeWithItsText_AndTheMailBehindItFollows()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var htmlOnly = WithHtml(MailTestKit.Unique("nina"), "Nested", null, Nested);
        var alternative = WithHtml(MailTestKit.Unique("otto"), "Nested too", "Plain words.", Nested);
        var behind = MailTestKit.Mail(MailTestKit.Unique("paul"), "Behind them", "Just text.");
        // The app's first requests are slow (startup, JIT): not what is measured.
        (await client.IngestAsync(MailTestKit.Mail(MailTestKit.Unique("warm"), "Hello", "Warming up."))).Outcome.ShouldBe(InboundOutcome.Ticket);
        var clock = Stopwatch.StartNew();

        // One after the other, as a mailbox is read.
        var answers = new List<IngestAnswer>();
        foreach (var mail in new[] { htmlOnly, alternative, behind })
        {
            answers.Add(await client.IngestAsync(mail));
        }
        var behindFiled = clock.Elapsed;
        var shown = new List<MessageDetails>();
        foreach (var answer in answers)
        {
            shown.Add(await ShownAsync(client, answer.TicketId!.Value));
        }

        // Generous for a busy test machine; unbounded, the mail behind waited about half a minute, and showing all took a minute more.
        behindFiled.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        answers.Select(a => a.Outcome).ShouldBe([InboundOutcome.Ticket, InboundOutcome.Ticket, InboundOutcome.Ticket]);
        shown[0].Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["Before the nesting.", HostileHtml.Marker, "After it."]);
        shown[0].Html.ShouldBeNull();
        shown[1].Text.ShouldBe("Plain words.");
        shown[1].Html.ShouldBeNull();
        shown[2].Text.ShouldBe("Just text.");
    }
}

public sealed class HostileMailTests_Sqlite(SqliteRapportFactory app) : HostileMailTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class HostileMailTests_Postgres(PostgresRapportFactory app) : HostileMailTests(app), IClassFixture<PostgresRapportFactory>;
