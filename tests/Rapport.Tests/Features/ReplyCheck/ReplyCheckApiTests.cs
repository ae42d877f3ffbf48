using System.Net;
using System.Text.Json;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.ReplyCheck;

/// <summary>The reply check through the API: draft-check, complaint detection on arrival, and what a sent reply left unanswered.</summary>
public abstract class ReplyCheckApiTests(RapportFactory app) : DatabaseTests(app)
{
    private async Task<(HttpClient Client, TicketDetails Ticket)> OpenAsync(string text)
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Order 5521",
            customer = new { email = $"rc+{Guid.NewGuid():N}@example.org", name = "Ravi" },
            message = new { text },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (client, await response.ReadAsync<TicketDetails>());
    }

    [Fact]
    public async Task DraftCheck_ListsQuestionsWithCoverageAndFlags()
    {
        var (client, ticket) = await OpenAsync("Hello,\nWhen will order 5521 be delivered? And how much is express shipping?\nThanks, Ravi");

        var response = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/draft-check", new { text = "Your order will be delivered on Friday." });

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var questions = json.RootElement.GetProperty("questions").EnumerateArray().ToList();
        questions.Count.ShouldBe(2);
        questions[0].GetProperty("covered").GetBoolean().ShouldBeTrue();
        questions[1].GetProperty("covered").GetBoolean().ShouldBeFalse();
        questions[1].GetProperty("text").GetString().ShouldBe("And how much is express shipping?");
        json.RootElement.GetProperty("unanswered").GetInt32().ShouldBe(1);
        var flags = json.RootElement.GetProperty("flags").EnumerateArray().Select(f => f.GetProperty("kind").GetString()).ToList();
        flags.ShouldContain("no-greeting");
        flags.ShouldContain("no-closing");
    }

    [Fact]
    public async Task DraftCheck_UnknownTicketOrNoText_AnswersClearly()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        (await client.PostJsonAsync("/api/v1/tickets/999999/draft-check", new { text = "Hi" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var (_, ticket) = await OpenAsync("Where is my parcel?");
        var invalid = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/draft-check", new { });
        await invalid.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadAsStringAsync(Ct)).ShouldContain("text");
    }

    [Fact]
    public async Task AngryCustomer_MarksAComplaint_AndRaisesThePriority()
    {
        var (_, calm) = await OpenAsync("Hi, could you tell me your opening hours? Thanks!");
        var (_, angry) = await OpenAsync("This is unacceptable. Third time I write and nobody answers. Worst service ever, I want my money back.");

        calm.IsComplaint.ShouldBeFalse();
        calm.Priority.ShouldBe(TicketPriority.Normal);
        angry.IsComplaint.ShouldBeTrue();
        angry.Priority.ShouldBe(TicketPriority.High);
        angry.Messages.Single().Sentiment.ShouldNotBeNull().ShouldBeLessThan(-0.45);
    }

    [Fact]
    public async Task Reply_SentWithAQuestionUnanswered_RecordsItOnTheMessage()
    {
        var (client, ticket) = await OpenAsync("Hi,\nCan you resend the invoice for March? Also, when does my contract end?\nThanks");

        var response = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Hi Ravi,\nI have resent the March invoice to you.\nBest, Dana" });

        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var reply = await response.ReadAsync<MessageDetails>();
        reply.UnansweredAtSend.ShouldBe("Also, when does my contract end?");
    }
}

public sealed class ReplyCheckApiTests_Sqlite(SqliteRapportFactory app) : ReplyCheckApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class ReplyCheckApiTests_Postgres(PostgresRapportFactory app) : ReplyCheckApiTests(app), IClassFixture<PostgresRapportFactory>;
