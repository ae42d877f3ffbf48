using System.Diagnostics;
using System.Net;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Tickets;

/// <summary>Hostile HTML sent through the API: stored in bounded time, with its text.</summary>
public abstract class HostileHtmlApiTests(RapportFactory app) : DatabaseTests(app)
{
    /// <summary>40,000 nested and closed &lt;div&gt;s, about 400 KB: before HTML was bounded, sanitizing them (and
    /// reading their text) took about half a minute per message on this machine; now well under a second.</summary>
    private static readonly string Nested = "<p>Before the nesting.</p>" + HostileHtml.Repeat("<div>", 40_000) + HostileHtml.Marker
        + HostileHtml.Repeat("</div>", 40_000) + "<p>After it.</p>";

    private static object NewTicket(string html) => new
    {
        subject = "Nested",
        customer = new { email = $"nested+{Guid.NewGuid():N}@example.com" },
        message = new { html },
    };

    [Fact]
    public async Task CreateAndReply_DeeplyNestedHtml_AreStoredInBoundedTimeWithTheirText()
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        // The app's first requests are slow (startup, JIT): not what is measured.
        await (await client.PostJsonAsync("/api/v1/tickets", NewTicket("<p>Hello</p>"))).ShouldHaveStatusAsync(HttpStatusCode.Created);
        var clock = Stopwatch.StartNew();

        var created = await client.PostJsonAsync("/api/v1/tickets", NewTicket(Nested));
        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await created.ReadAsync<TicketDetails>();
        var replied = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { html = Nested });
        await replied.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var shown = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}", Ct)).ReadAsync<TicketDetails>();

        // Generous for a busy test machine; unbounded, this took about a minute.
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        shown.Messages.Count.ShouldBe(2);
        foreach (var message in shown.Messages)
        {
            message.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["Before the nesting.", HostileHtml.Marker, "After it."]);
            message.Html.ShouldBeNull();
        }
    }
}

public sealed class HostileHtmlApiTests_Sqlite(SqliteRapportFactory app) : HostileHtmlApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class HostileHtmlApiTests_Postgres(PostgresRapportFactory app) : HostileHtmlApiTests(app), IClassFixture<PostgresRapportFactory>;
