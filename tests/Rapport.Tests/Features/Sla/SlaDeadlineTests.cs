using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Sla;

/// <summary>Due instants on tickets from the default policies and office hours (Monday to Friday 09:00–17:00, UTC here):
/// set on opening, recomputed on a priority change, paused while waiting on the customer, and an answer owed after each
/// customer message. The fake clock starts on Monday 2 March 2026, 09:00.</summary>
public abstract class SlaDeadlineTests(RapportFactory app) : DatabaseTests(app)
{
    private DateTime _monday;

    /// <summary>Moves the shared fake clock to the next Monday 09:00 (tests of a class share the app and its clock),
    /// so that <c>Utc(2, 17)</c> means "that Monday, 17:00" and <c>Utc(3, 9)</c> "the Tuesday after, 09:00".</summary>
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _monday = App.AdvanceToNext(DayOfWeek.Monday, new(9, 0));
    }

    /// <summary>Day 2 is the Monday the test starts on (as 2 March 2026 was), day 3 the Tuesday, and so on.</summary>
    private DateTime Utc(int day, int hour) => _monday.Date.AddDays(day - 2).AddHours(hour);

    private async Task<(HttpClient Client, TicketDetails Ticket)> OpenAsync(string priority = "normal")
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Heating",
            priority,
            customer = new { email = $"sla+{Guid.NewGuid():N}@example.org" },
            message = new { text = "The heating is off." },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (client, await response.ReadAsync<TicketDetails>());
    }

    [Fact]
    public async Task Open_NormalPriority_DueInBusinessHours()
    {
        var (_, ticket) = await OpenAsync();

        ticket.FirstResponseDueAt.ShouldBe(Utc(2, 17));
        ticket.ResolutionDueAt.ShouldBe(Utc(6, 17));
        ticket.DueAt.ShouldBe(Utc(2, 17));
        ticket.NextResponseDueAt.ShouldBeNull();
    }

    [Fact]
    public async Task RaisePriority_RecomputesFromTheStart()
    {
        var (client, ticket) = await OpenAsync("low");

        var response = await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { priority = "urgent" });

        var changed = await response.ReadAsync<TicketDetails>();
        changed.FirstResponseDueAt.ShouldBe(Utc(2, 10));
        changed.ResolutionDueAt.ShouldBe(Utc(2, 17));
    }

    [Fact]
    public async Task WaitingOnCustomer_PausesResolution_AndTheirAnswerOwesANextResponse()
    {
        var (client, ticket) = await OpenAsync();
        (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Is the boiler showing an error code?" })).EnsureSuccessStatusCode();
        var waiting = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDetails>();
        waiting.Status.ShouldBe(TicketStatus.WaitingOnCustomer);
        waiting.ResolutionDueAt.ShouldBeNull();
        waiting.DueAt.ShouldBeNull();

        // A day later (Tuesday 09:00) the customer answers: 40 business hours were left, so resolution is due next
        // Monday 17:00, and an answer is owed within 8 business hours.
        App.Time.Advance(Utc(3, 9) - App.Now);
        var added = await App.Services.GetRequiredService<AddTicketMessage>()
            .AddFromCustomerAsync(ticket.Id, new MessageInput { Text = "It shows E119." }, Actor.Customer(ticket.Customer.Id, ChangeChannel.Portal), Ct);
        added.Outcome.ShouldBe(AddTicketMessage.Outcome.Added);

        var reopened = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDetails>();
        reopened.Status.ShouldBe(TicketStatus.Open);
        reopened.ResolutionDueAt.ShouldBe(Utc(9, 17));
        reopened.NextResponseDueAt.ShouldBe(Utc(3, 17));
        reopened.DueAt.ShouldBe(Utc(3, 17));
    }

    [Fact]
    public async Task List_SortedByDue_PutsTheNearestDeadlineFirst()
    {
        var (client, low) = await OpenAsync("low");
        var (_, urgent) = await OpenAsync("urgent");

        var response = await client.GetAsync($"/api/v1/tickets?sort=due&customerId={urgent.Customer.Id}");
        var page = await response.ReadAsync<Page<TicketSummary>>();
        var both = await (await client.GetAsync("/api/v1/tickets?sort=due&limit=100")).ReadAsync<Page<TicketSummary>>();

        page.Items.ShouldHaveSingleItem().DueAt.ShouldBe(Utc(2, 10));
        var order = both.Items.Select(t => t.Id).ToList();
        order.IndexOf(urgent.Id).ShouldBeLessThan(order.IndexOf(low.Id));
        (await client.GetAsync("/api/v1/tickets?sort=sideways")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}

public sealed class SlaDeadlineTests_Sqlite(SqliteRapportFactory app) : SlaDeadlineTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SlaDeadlineTests_Postgres(PostgresRapportFactory app) : SlaDeadlineTests(app), IClassFixture<PostgresRapportFactory>;
