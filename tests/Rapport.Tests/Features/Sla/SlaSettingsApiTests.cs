using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Text;
using Rapport.Features.ApiTokens;
using Rapport.Features.Agents;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Sla;

/// <summary>The owner sets business hours, imports holidays from an .ics file and changes targets; new tickets' deadlines follow.</summary>
public abstract class SlaSettingsApiTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task Owner_SetsHoursHolidaysAndTargets_NewDeadlinesFollow()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var client = await App.SignedInClientAsync(owner);
        // The fake clock is on a Monday 09:00 (UTC); open Monday to Friday 10:00–12:00 only, and the Tuesday after is a holiday.
        var monday = App.Now.Date;
        var tuesday = monday.AddDays(1).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var hours = await client.PutJsonAsync("/api/v1/settings/business-hours", new
        {
            ranges = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }.Select(d => new { day = d, start = "10:00", end = "12:00" }),
        });
        await hours.ShouldHaveStatusAsync(HttpStatusCode.NoContent);
        var ics = $"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{tuesday}\r\nSUMMARY:Closed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        var imported = await client.PostAsync("/api/v1/settings/holidays/import", new StringContent(ics, Encoding.UTF8, "text/calendar"));
        await imported.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await client.PutJsonAsync("/api/v1/settings/sla-policies", new[]
        {
            new { priority = "normal", firstResponse = "03:00:00", nextResponse = "02:00:00", resolution = "10:00:00", businessHours = true },
        })).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var created = await api.PostJsonAsync("/api/v1/tickets", new { subject = "Hours", customer = new { email = $"h+{Guid.NewGuid():N}@example.org" }, message = new { text = "Hi" } });
        var ticket = await created.ReadAsync<TicketDetails>();

        // Monday 10:00–12:00 gives two hours; Tuesday is closed; the third hour ends Wednesday 11:00.
        ticket.FirstResponseDueAt.ShouldBe(DateTime.SpecifyKind(monday.AddDays(2).AddHours(11), DateTimeKind.Utc));
    }

    [Fact]
    public async Task BadInput_IsRefusedWithReasons_AndAgentsCannotChangeSettings()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var client = await App.SignedInClientAsync(owner);
        var bad = await client.PutJsonAsync("/api/v1/settings/business-hours", new { ranges = new[] { new { day = "monday", start = "9am", end = "17:00" } } });
        await bad.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync(Ct)).ShouldContain("HH:mm");
        var notIcs = await client.PostAsync("/api/v1/settings/holidays/import", new StringContent("hello", Encoding.UTF8, "text/calendar"));
        await notIcs.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);

        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        using var agentClient = await App.SignedInClientAsync(agent);
        (await agentClient.PutJsonAsync("/api/v1/settings/business-hours", new { ranges = Array.Empty<object>() })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agentClient.GetAsync("/api/v1/settings/sla")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
    [Fact]
    public async Task ImportHolidays_YearlyChristmas_ExpandedFromLastYearToThreeYearsOn_HostileFilesRefused()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var client = await App.SignedInClientAsync(owner);
        var name = $"Christmas {Guid.NewGuid():N}"[..20];
        var ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:xmas@test\r\nDTSTART;VALUE=DATE:19951225\r\n" +
            $"RRULE:FREQ=YEARLY\r\nSUMMARY:{name}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

        var imported = await client.PostAsync("/api/v1/settings/holidays/import", new StringContent(ics, Encoding.UTF8, "text/calendar"), Ct);

        await imported.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var year = App.Now.Year;
        var view = await (await client.GetAsync("/api/v1/settings/sla", Ct)).ReadAsync<SlaSettings.View>();
        view.Holidays.Where(h => h.Name == name).Select(h => h.Date).ShouldBe(Enumerable.Range(year - 1, 5).Select(y => new DateOnly(y, 12, 25)));

        var secondly = ics.Replace("FREQ=YEARLY", "FREQ=SECONDLY", StringComparison.Ordinal);
        var refused = await client.PostAsync("/api/v1/settings/holidays/import", new StringContent(secondly, Encoding.UTF8, "text/calendar"), Ct);
        await refused.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("repeats more often than daily");
        var huge = ics.Replace("SUMMARY:", "DESCRIPTION:" + new string('a', HolidayCalendarFile.MaxLength) + "\r\nSUMMARY:", StringComparison.Ordinal);
        var tooLarge = await client.PostAsync("/api/v1/settings/holidays/import", new StringContent(huge, Encoding.UTF8, "text/calendar"), Ct);
        await tooLarge.ShouldHaveStatusAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Put_EmptyNullOrIncompleteBodies_Return400NamingTheField_NeverA500()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var client = await App.SignedInClientAsync(owner);
        await EnsureProfileAsync();
        var policy = "\"firstResponse\":\"01:00:00\",\"nextResponse\":\"01:00:00\",\"resolution\":\"08:00:00\"";
        (string Path, string Json, string? Field)[] cases =
        [
            ("business-hours", "{}", "ranges"),
            ("business-hours", "{\"ranges\":null}", "ranges"),
            ("business-hours", "{\"ranges\":[null]}", "ranges[0]"),
            ("business-hours", "{\"ranges\":[{\"start\":\"09:00\",\"end\":\"17:00\"}]}", "ranges[0].day"),
            ("business-hours", "{\"ranges\":[{\"day\":\"monday\",\"start\":null,\"end\":\"17:00\"}]}", "ranges[0].start"),
            ("business-hours", "{\"ranges\":[{\"day\":1,\"start\":\"09:00\",\"end\":\"17:00\"}]}", "$.ranges[0].day"),
            ("business-hours", "{\"ranges\":\"monday 9-5\"}", "$.ranges"),
            ("business-hours", "null", null),
            ("holidays", "{}", "$"),
            ("holidays", "[null]", "$[0]"),
            ("holidays", "[{\"name\":\"Closed\"}]", "$[0].date"),
            ("sla-policies", "[null]", "$[0]"),
            ("sla-policies", "[{}]", "$[0].priority"),
            ("sla-policies", $"[{{\"priority\":\"high\",{policy}}}]", "$[0].businessHours"),
            ("sla-policies", $"[{{\"priority\":\"high\",{policy},\"businessHours\":true}},{{\"priority\":\"high\",{policy},\"businessHours\":false}}]", "priority"),
            ("sla-policies/tags/vip", "[{}]", "$[0].priority"),
            ("escalation", "{}", "warnPercent"),
            ("acknowledgement", "{}", "enabled"),
            ("routing", "{}", "assignNewCustomers"),
        ];

        foreach (var (path, json, field) in cases)
        {
            var response = await client.PutAsync($"/api/v1/settings/{path}", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            var what = $"PUT {path} {json}: {(int)response.StatusCode} {body}";
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, what);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", what);
            if (field is not null)
            {
                using var problem = System.Text.Json.JsonDocument.Parse(body);
                problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(what);
            }
        }
    }

    [Fact]
    public async Task HandlingSettings_AreValidated_AndAgentsSetOnlyTheirOwnAbsence()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var client = await App.SignedInClientAsync(owner);
        await EnsureProfileAsync();
        var percent = await client.PutJsonAsync("/api/v1/settings/escalation", new { warnPercent = 5 });
        await percent.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await percent.Content.ReadAsStringAsync(Ct)).ShouldContain("warnPercent");
        var typo = await client.PutJsonAsync("/api/v1/settings/acknowledgement", new { enabled = true, template = "Hi {custmer}, by {due}" });
        await typo.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await typo.Content.ReadAsStringAsync(Ct)).ShouldContain("{custmer}");
        (await client.PutJsonAsync("/api/v1/settings/acknowledgement", new { enabled = true, template = "Hi {customer}, {agent} answers by {due}." })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.PutJsonAsync("/api/v1/settings/escalation", new { warnPercent = 75, escalateToAgentId = owner.Id })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var view = await (await client.GetAsync("/api/v1/settings/sla", Ct)).ReadAsync<SlaSettings.View>();
        view.Handling.ShouldBe(new SlaSettings.Handling(75, owner.Id, true, "Hi {customer}, {agent} answers by {due}.", false));

        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var other = await App.CreateAgentAsync(AgentRoles.Agent);
        using var agentClient = await App.SignedInClientAsync(agent);
        (await agentClient.PutJsonAsync($"/api/v1/agents/{agent.Id}/availability", new { awayUntil = App.Now.AddDays(7), backupAgentId = other.Id })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await agentClient.PutJsonAsync($"/api/v1/agents/{other.Id}/availability", new { awayUntil = App.Now.AddDays(7) })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agentClient.PutJsonAsync($"/api/v1/agents/{agent.Id}/availability", new { backupAgentId = agent.Id })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PutJsonAsync("/api/v1/agents/999999/availability", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using var db = App.CreateDbContext();
        var stored = await db.Users.AsNoTracking().SingleAsync(a => a.Id == agent.Id, Ct);
        stored.AwayUntil.ShouldBe(App.Now.AddDays(7));
        stored.BackupAgentId.ShouldBe(other.Id);
    }

    [Fact]
    public async Task TagPolicy_CoversTaggedTickets_AndFollowsRetagging()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        using var client = await App.SignedInClientAsync(owner);
        var tag = $"vip-{Guid.NewGuid():N}"[..12];
        (await client.PutJsonAsync($"/api/v1/settings/sla-policies/tags/{tag.ToUpperInvariant()}", new[]
        {
            new { priority = "normal", firstResponse = "00:30:00", nextResponse = "01:00:00", resolution = "04:00:00", businessHours = false },
        })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var view = await (await client.GetAsync("/api/v1/settings/sla", Ct)).ReadAsync<SlaSettings.View>();
        view.TagPolicies.ShouldContain(new SlaSettings.TagPolicy(tag, TicketPriority.Normal, TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(4), false));

        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        async Task<TicketDetails> OpenAsync(string[] tags) => await (await api.PostJsonAsync("/api/v1/tickets",
            new { subject = "Tagged", customer = new { email = $"t+{Guid.NewGuid():N}@example.org" }, message = new { text = "Hi" }, tags })).ReadAsync<TicketDetails>();
        var vip = await OpenAsync([tag, "billing"]);
        vip.FirstResponseDueAt.ShouldBe(Minute(vip.CreatedAt).AddMinutes(30), "the tag's own target, in calendar time");
        vip.ResolutionDueAt.ShouldBe(Minute(vip.CreatedAt).AddHours(4));
        var plain = await OpenAsync(["billing"]);
        var general = plain.FirstResponseDueAt;
        general.ShouldNotBe(Minute(plain.CreatedAt).AddMinutes(30));

        // Tagging a ticket later brings the tag's targets; taking the tag away restores the general ones.
        var tagged = await (await api.PatchJsonAsync($"/api/v1/tickets/{plain.Id}", new { tags = new[] { "billing", tag } })).ReadAsync<TicketDetails>();
        tagged.FirstResponseDueAt.ShouldBe(Minute(plain.CreatedAt).AddMinutes(30));
        var untagged = await (await api.PatchJsonAsync($"/api/v1/tickets/{plain.Id}", new { tags = new[] { "billing" } })).ReadAsync<TicketDetails>();
        untagged.FirstResponseDueAt.ShouldBe(general);
        // Another priority of a tagged ticket keeps the general targets of that priority.
        var urgent = await (await api.PatchJsonAsync($"/api/v1/tickets/{vip.Id}", new { priority = "urgent" })).ReadAsync<TicketDetails>();
        urgent.FirstResponseDueAt.ShouldNotBe(Minute(vip.CreatedAt).AddMinutes(30));
        // Changed where its tags were not read with it (a use case that needs no tags), the ticket still gets its tag's targets.
        await using (var db = App.CreateDbContext())
        {
            var stored = await db.Tickets.SingleAsync(t => t.Id == vip.Id, Ct);
            var before = SlaClock.TicketBefore.Of(stored);
            stored.ChangePriority(TicketPriority.Normal, Actor.System, App.Now);
            await App.Services.GetRequiredService<SlaClock>().ChangedAsync(db, stored, before, retagged: false, Ct);
            await db.SaveChangesAsync(Ct);
            stored.FirstResponseDueAt.ShouldBe(Minute(vip.CreatedAt).AddMinutes(30));
        }

        // Bad input says what is wrong; an empty list removes the tag's targets.
        var twice = await client.PutJsonAsync($"/api/v1/settings/sla-policies/tags/{tag}", new[]
        {
            new { priority = "normal", firstResponse = "00:30:00", nextResponse = "01:00:00", resolution = "04:00:00", businessHours = false },
            new { priority = "normal", firstResponse = "00:20:00", nextResponse = "01:00:00", resolution = "04:00:00", businessHours = false },
        });
        await twice.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await twice.Content.ReadAsStringAsync(Ct)).ShouldContain("one set of targets");
        (await client.PutJsonAsync("/api/v1/settings/sla-policies/tags/%20", Array.Empty<object>())).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.PutJsonAsync($"/api/v1/settings/sla-policies/tags/{tag}", Array.Empty<object>())).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        view = await (await client.GetAsync("/api/v1/settings/sla", Ct)).ReadAsync<SlaSettings.View>();
        view.TagPolicies.ShouldNotContain(p => p.Tag == tag);
        var after = await OpenAsync([tag]);
        after.FirstResponseDueAt.ShouldNotBe(Minute(after.CreatedAt).AddMinutes(30));
    }

    /// <summary>Due instants are counted in whole minutes from the minute a ticket was opened.</summary>
    private static DateTime Minute(DateTime instant) => new(instant.Ticks - instant.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    private async Task EnsureProfileAsync()
    {
        await using var db = App.CreateDbContext();
        if (!await db.BusinessProfiles.AnyAsync(Ct))
        {
            db.BusinessProfiles.Add(Rapport.Features.Settings.BusinessProfile.Create("Harbour Heating", "UTC", App.Now));
            await db.SaveChangesAsync(Ct);
        }
    }
}

public sealed class SlaSettingsApiTests_Sqlite(SqliteRapportFactory app) : SlaSettingsApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class SlaSettingsApiTests_Postgres(PostgresRapportFactory app) : SlaSettingsApiTests(app), IClassFixture<PostgresRapportFactory>;
