using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Reports;
using Rapport.Features.Settings;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Reports;

/// <summary>The report's days, weeks and business hours follow the business's time zone (Tokyo, UTC+9, here; office
/// hours 09:00–17:00 there). A class of its own: the zone is the whole desk's setting.</summary>
public abstract class SlaReportZoneTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task Sla_TicketOnSundayInUtc_CountsInTheLocalMondaysWeek_InLocalBusinessHours()
    {
        await using (var db = App.CreateDbContext())
        {
            db.BusinessProfiles.Add(BusinessProfile.Create("Tokyo Desk", "Asia/Tokyo", App.Now));
            await db.SaveChangesAsync(Ct);
        }
        App.Services.GetRequiredService<SlaClock>().Forget();
        // Sunday 23:00 UTC is Monday 08:00 in Tokyo, an hour before opening.
        var sunday = App.AdvanceToNext(DayOfWeek.Sunday, new(23, 0));
        var monday = DateOnly.FromDateTime(sunday).AddDays(1);
        var ann = await App.CreateAgentAsync(AgentRoles.Agent);
        var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ann, Ct);
        var response = await client.PostJsonAsync("/api/v1/tickets", new { subject = "Late order", customer = new { email = $"tokyo+{Guid.NewGuid():N}@example.org" }, message = new { text = "Where?" } });
        var ticket = await response.ReadAsync<TicketDetails>();
        App.Time.Advance(TimeSpan.FromHours(3));
        await (await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Here." })).ShouldHaveStatusAsync(HttpStatusCode.Created);

        var reader = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);
        var thisWeek = await (await reader.GetAsync($"/api/v1/reports/sla?from={monday:yyyy-MM-dd}&to={monday.AddDays(6):yyyy-MM-dd}")).ReadAsync<SlaReport>();
        var weekBefore = await (await reader.GetAsync($"/api/v1/reports/sla?from={monday.AddDays(-7):yyyy-MM-dd}&to={monday.AddDays(-1):yyyy-MM-dd}")).ReadAsync<SlaReport>();
        var byDefault = await (await reader.GetAsync("/api/v1/reports/sla")).ReadAsync<SlaReport>();

        thisWeek.TimeZone.ShouldBe("Asia/Tokyo");
        thisWeek.Weeks.ShouldHaveSingleItem().Week.ShouldBe(monday);
        // Opened 08:00, answered 11:00 local: two business hours.
        thisWeek.Total.FirstResponse.ShouldBe(new TimeFigure(1, TimeSpan.FromHours(2), TimeSpan.FromHours(2)));
        thisWeek.Total.Rates[ReportBuilder.FirstResponseSla].ShouldBe(new RateFigure(1, 1, 1));
        weekBefore.Total.FirstResponse.Count.ShouldBe(0);
        byDefault.To.ShouldBe(monday);
        byDefault.Weeks[^1].Week.ShouldBe(monday);
        byDefault.Weeks[^1].Figures.FirstResponse.Count.ShouldBe(1);
    }
}

public sealed class SlaReportZoneTests_Sqlite(SqliteRapportFactory app) : SlaReportZoneTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SlaReportZoneTests_Postgres(PostgresRapportFactory app) : SlaReportZoneTests(app), IClassFixture<PostgresRapportFactory>;
