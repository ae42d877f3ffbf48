using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Sla;

/// <summary>The owner's business hours, holidays and SLA policies: read and replaced whole, from the settings page and the API.
/// Changes are for owners.</summary>
public sealed partial class SlaSettings(IDbContextFactory<RapportDb> contexts, AgentAccess access, SlaClock clock, TimeProvider time)
{
    public sealed record Handling(int WarnPercent, int? EscalateToAgentId, bool AcknowledgementEnabled, string AcknowledgementTemplate, bool AssignNewCustomers);

    public sealed record EscalationRequest(int WarnPercent, int? EscalateToAgentId);

    public sealed record AcknowledgementRequest(bool? Enabled, string? Template);

    public sealed record RoutingRequest(bool? AssignNewCustomers);

    public sealed record HoursRange(DayOfWeek Day, string Start, string End);

    public sealed record HolidayEntry(DateOnly Date, string? Name);

    public sealed record Policy(TicketPriority Priority, TimeSpan FirstResponse, TimeSpan NextResponse, TimeSpan Resolution, bool BusinessHours);

    /// <summary>Targets for the tickets of one priority carrying a tag (a customer group such as "vip").</summary>
    public sealed record TagPolicy(string Tag, TicketPriority Priority, TimeSpan FirstResponse, TimeSpan NextResponse, TimeSpan Resolution, bool BusinessHours);

    public sealed record View(IReadOnlyList<HoursRange> Hours, bool UsingDefaultHours, IReadOnlyList<HolidayEntry> Holidays, IReadOnlyList<Policy> Policies,
        Handling Handling, IReadOnlyList<TagPolicy> TagPolicies);

    public async Task<View> GetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var hours = await db.OpeningHours.AsNoTracking().ToListAsync(ct);
        var holidays = await db.Holidays.AsNoTracking().OrderBy(h => h.Date).Select(h => new HolidayEntry(h.Date, h.Name)).ToListAsync(ct);
        var settings = await clock.CurrentAsync(db, ct);
        var ranges = (hours.Count > 0 ? hours.Select(h => h.ToRange()) : settings.Business.Ranges)
            .OrderBy(r => ((int)r.Day + 6) % 7).ThenBy(r => r.Start)
            .Select(r => new HoursRange(r.Day, r.Start.ToString("HH:mm", CultureInfo.InvariantCulture), r.End.ToString("HH:mm", CultureInfo.InvariantCulture))).ToList();
        var policies = settings.Policies.Values.OrderByDescending(p => p.Priority)
            .Select(p => new Policy(p.Priority, p.FirstResponse, p.NextResponse, p.Resolution, p.BusinessHours)).ToList();
        var profile = await db.BusinessProfiles.AsNoTracking().FirstOrDefaultAsync(ct);
        var handling = profile is null
            ? new Handling(Settings.BusinessProfile.DefaultWarnPercent, null, true, AcknowledgementTemplate.Default, false)
            : new Handling(profile.SlaWarnPercent, profile.EscalateToAgentId, profile.AcknowledgementEnabled, profile.AcknowledgementTemplate, profile.AssignNewCustomers);
        var tagPolicies = (settings.TagPolicies ?? []).Select(p => new TagPolicy(p.Tag, p.Priority, p.FirstResponse, p.NextResponse, p.Resolution, p.BusinessHours)).ToList();
        return new View(ranges, hours.Count == 0, holidays, policies, handling, tagPolicies);
    }

    /// <summary>Changes the business profile's handling settings; errors keyed by field, null when saved.</summary>
    public async Task<Dictionary<string, string[]>?> SetEscalationAsync(EscalationRequest request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (request.EscalateToAgentId is { } lead && !await UpdateTicket.CanOwnTicketsAsync(db, lead, ct))
        {
            return new() { ["escalateToAgentId"] = [$"Agent {lead} cannot take tickets (not an active agent or owner)."] };
        }
        return await ChangeProfileAsync(db, p => p.SetEscalation(request.WarnPercent, request.EscalateToAgentId, Now), "warnPercent", ct);
    }

    public async Task<Dictionary<string, string[]>?> SetAcknowledgementAsync(AcknowledgementRequest request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        if (request.Enabled is not { } enabled)
        {
            return new() { ["enabled"] = ["Say whether the acknowledgement is sent (true or false)."] };
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await ChangeProfileAsync(db, p => p.SetAcknowledgement(enabled, request.Template ?? "", Now), "template", ct);
    }

    public async Task<Dictionary<string, string[]>?> SetRoutingAsync(RoutingRequest request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        if (request.AssignNewCustomers is not { } assign)
        {
            return new() { ["assignNewCustomers"] = ["Say whether new customers get an owner (true or false)."] };
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await ChangeProfileAsync(db, p => p.SetRouting(assign, Now), "assignNewCustomers", ct);
    }

    private async Task<Dictionary<string, string[]>?> ChangeProfileAsync(RapportDb db, Action<Settings.BusinessProfile> change, string field, CancellationToken ct)
    {
        var profile = await db.BusinessProfiles.FirstOrDefaultAsync(ct);
        if (profile is null)
        {
            return new() { [field] = ["Finish the first-run setup first."] };
        }
        try
        {
            change(profile);
        }
        catch (ArgumentException e)
        {
            return new() { [field] = [e.Message.Split(" (Parameter", 2)[0]] };
        }
        await db.SaveChangesAsync(ct);
        clock.Forget();
        return null;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Replaces the weekly hours. Errors are keyed by field.</summary>
    public async Task<Dictionary<string, string[]>?> SetHoursAsync(IReadOnlyList<HoursRange> ranges, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        var parsed = new List<OpeningHours>();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < ranges.Count; i++)
        {
            if (!TimeOnly.TryParseExact(ranges[i].Start, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
                || !TimeOnly.TryParseExact(ranges[i].End, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
            {
                errors[$"ranges[{i}]"] = ["Give times as HH:mm, for example 09:00 and 17:30."];
                continue;
            }
            parsed.Add(OpeningHours.Create(ranges[i].Day, start, end));
        }
        if (parsed.Count == 0 && errors.Count == 0)
        {
            errors["ranges"] = ["The business needs at least one opening range, or deadlines could never be met."];
        }
        if (errors.Count > 0)
        {
            return errors;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.OpeningHours.RemoveRange(await db.OpeningHours.ToListAsync(ct));
        db.OpeningHours.AddRange(parsed);
        await db.SaveChangesAsync(ct);
        clock.Forget();
        return null;
    }

    public async Task SetHolidaysAsync(IReadOnlyList<HolidayEntry> holidays, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Holidays.RemoveRange(await db.Holidays.ToListAsync(ct));
        db.Holidays.AddRange(holidays.DistinctBy(h => h.Date).Select(h => Holiday.Create(h.Date, h.Name)));
        await db.SaveChangesAsync(ct);
        clock.Forget();
    }

    /// <summary>Adds the days of an iCalendar file to the holidays, recurring ones expanded over the years around today
    /// (<see cref="HolidayCalendarFile.Window"/>); returns how many were new.</summary>
    /// <exception cref="FormatException">When the file cannot be read or is too large to expand (the message says why).</exception>
    public async Task<int> ImportHolidaysAsync(string ics, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        var days = HolidayCalendarFile.Parse(ics, DateOnly.FromDateTime(Now));
        await using var db = await contexts.CreateDbContextAsync(ct);
        var known = (await db.Holidays.Select(h => h.Date).ToListAsync(ct)).ToHashSet();
        var added = days.Where(d => known.Add(d.Date))
            .Select(d => Holiday.Create(d.Date, string.IsNullOrWhiteSpace(d.Name) ? "Imported" : d.Name)).ToList();
        db.Holidays.AddRange(added);
        await db.SaveChangesAsync(ct);
        clock.Forget();
        return added.Count;
    }

    /// <summary>Changes the general targets of these priorities. Errors keyed by field, null when saved.</summary>
    public async Task<Dictionary<string, string[]>?> SetPoliciesAsync(IReadOnlyList<Policy> policies, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        if (policies.GroupBy(p => p.Priority).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return new() { ["priority"] = [$"Give {twice.Key} one set of targets."] };
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        Upsert(db, await db.SlaPolicies.Where(p => p.Tag == "").ToListAsync(ct), policies, "");
        await db.SaveChangesAsync(ct);
        clock.Forget();
        return null;
    }

    /// <summary>Changes the saved policies of these priorities, adds the missing ones (under <paramref name="tag"/>).</summary>
    private static void Upsert(RapportDb db, List<SlaPolicy> existing, IReadOnlyList<Policy> policies, string tag)
    {
        foreach (var policy in policies)
        {
            if (existing.FirstOrDefault(p => p.Priority == policy.Priority) is { } saved)
            {
                saved.Change(policy.FirstResponse, policy.NextResponse, policy.Resolution, policy.BusinessHours);
            }
            else
            {
                db.SlaPolicies.Add(SlaPolicy.Create(policy.Priority, policy.FirstResponse, policy.NextResponse, policy.Resolution, policy.BusinessHours, tag));
            }
        }
    }

    /// <summary>Replaces a tag's policies with these (one per priority; priorities left out fall back to the general
    /// targets; an empty list removes the tag's policies). Errors keyed by field, null when saved.</summary>
    public async Task<Dictionary<string, string[]>?> SetTagPoliciesAsync(string tag, IReadOnlyList<Policy> policies, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Owner, ct);
        var name = TicketTag.NormalizeOne(tag);
        if (name.Length == 0)
        {
            return new() { ["tag"] = ["Name the tag whose tickets these targets cover."] };
        }
        if (policies.GroupBy(p => p.Priority).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return new() { ["priority"] = [$"Give {twice.Key} one set of targets."] };
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var existing = await db.SlaPolicies.Where(p => p.Tag == name).ToListAsync(ct);
        foreach (var gone in existing.Where(e => policies.All(p => p.Priority != e.Priority)))
        {
            db.SlaPolicies.Remove(gone);
        }
        Upsert(db, existing, policies, name);
        await db.SaveChangesAsync(ct);
        clock.Forget();
        return null;
    }

    /// <summary>"09:00-12:00, 13:00-17:00" into ranges for one day; "closed" or empty for none.</summary>
    public static IReadOnlyList<HoursRange>? ParseDay(DayOfWeek day, string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("closed", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
        var result = new List<HoursRange>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = RangePattern().Match(part);
            if (!match.Success)
            {
                return null;
            }
            result.Add(new HoursRange(day, match.Groups[1].Value.PadLeft(5, '0'), match.Groups[2].Value.PadLeft(5, '0')));
        }
        return result;
    }

    [GeneratedRegex(@"^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$")]
    private static partial Regex RangePattern();

    public static IEndpointRouteBuilder MapSlaSettingsApi(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/settings").WithTags("Settings").RequireAuthorization(Policies.Read);
        group.MapGet("/sla", async (SlaSettings settings, CancellationToken ct) => TypedResults.Ok(await settings.GetAsync(ct)))
            .WithSummary("Business hours, holidays and SLA policies");
        group.MapPut("/business-hours", PutHoursAsync).RequireAuthorization(Policies.Owner).WithSummary("Replace the weekly opening hours");
        group.MapPut("/holidays", PutHolidaysAsync).RequireAuthorization(Policies.Owner).WithSummary("Replace the holidays");
        group.MapPost("/holidays/import", ImportAsync).RequireAuthorization(Policies.Owner)
            .Accepts<string>(CalendarMediaType)
            .WithSummary("Add the days of an iCalendar (.ics) file, sent as text/calendar, to the holidays");
        group.MapPut("/sla-policies", PutPoliciesAsync).RequireAuthorization(Policies.Owner).WithSummary("Set response and resolution targets per priority");
        group.MapPut("/sla-policies/tags/{tag}", PutTagPoliciesAsync)
            .RequireAuthorization(Policies.Owner).WithSummary("Set the targets for tickets carrying a tag (a customer group such as vip), per priority")
            .WithDescription("Replaces the tag's policies; priorities left out use the general targets; an empty list removes them. " +
                "A ticket with several such tags gets the strictest first-answer target. Due instants follow for tickets opened, re-prioritised or re-tagged afterwards.");
        group.MapPut("/escalation", async (EscalationRequest request, SlaSettings settings, ClaimsPrincipal user, CancellationToken ct) =>
                Saved(await settings.SetEscalationAsync(request, user.ToActor(), ct)))
            .RequireAuthorization(Policies.Owner).WithSummary("When to warn before a deadline (percent of the target) and who gets breached tickets");
        group.MapPut("/acknowledgement", async (AcknowledgementRequest request, SlaSettings settings, ClaimsPrincipal user, CancellationToken ct) =>
                Saved(await settings.SetAcknowledgementAsync(request, user.ToActor(), ct)))
            .RequireAuthorization(Policies.Owner).WithSummary("Switch the automatic acknowledgement on or off and edit its template")
            .WithDescription("Placeholders: {customer}, {agent}, {due}, {due_date}, {due_time}, {ticket}. An unknown placeholder is refused.");
        group.MapPut("/routing", async (RoutingRequest request, SlaSettings settings, ClaimsPrincipal user, CancellationToken ct) =>
                Saved(await settings.SetRoutingAsync(request, user.ToActor(), ct)))
            .RequireAuthorization(Policies.Owner).WithSummary("Whether a customer without an owner gets one with their first ticket");
        return app;
    }

    private static async Task<Results<NoContent, ValidationProblem>> PutHoursAsync(HoursRequest hours, SlaSettings settings, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var ranges = Read(hours, errors);
        return Saved(errors.Count > 0 ? errors : await settings.SetHoursAsync(ranges, user.ToActor(), ct));
    }

    private static async Task<Results<NoContent, ValidationProblem>> PutHolidaysAsync(IReadOnlyList<HolidayRequest?> holidays, SlaSettings settings, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var entries = Read(holidays, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await settings.SetHolidaysAsync(entries, user.ToActor(), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> PutPoliciesAsync(IReadOnlyList<PolicyRequest?> policies, SlaSettings settings, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var read = Read(policies, errors);
        return Saved(errors.Count > 0 ? errors : await settings.SetPoliciesAsync(read, user.ToActor(), ct));
    }

    private static async Task<Results<NoContent, ValidationProblem>> PutTagPoliciesAsync(string tag, IReadOnlyList<PolicyRequest?> policies, SlaSettings settings,
        ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var read = Read(policies, errors);
        return Saved(errors.Count > 0 ? errors : await settings.SetTagPoliciesAsync(tag, read, user.ToActor(), ct));
    }

    private const string CalendarMediaType = "text/calendar";

    private static async Task<Results<Ok<ImportResult>, ValidationProblem, ProblemHttpResult>> ImportAsync(HttpRequest request, SlaSettings settings, ClaimsPrincipal user, CancellationToken ct)
    {
        // Routing already refuses other types (Accepts above); checked here as well because the body is read raw.
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), CalendarMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"Send the iCalendar file with Content-Type: {CalendarMediaType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }
        // Read up to one character past the limit, so a larger body is refused without being held in memory.
        using var reader = new StreamReader(request.Body);
        var buffer = new char[HolidayCalendarFile.MaxLength + 1];
        var length = 0;
        for (int read; length < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(length), ct)) > 0;)
        {
            length += read;
        }
        if (length > HolidayCalendarFile.MaxLength)
        {
            return TypedResults.Problem("The calendar is larger than 1 MB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");
        }
        var text = new string(buffer, 0, length);
        if (!text.Contains("BEGIN:VCALENDAR", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send an iCalendar file (BEGIN:VCALENDAR…) as text/calendar."] });
        }
        try
        {
            return TypedResults.Ok(new ImportResult(await settings.ImportHolidaysAsync(text, user.ToActor(), ct)));
        }
        catch (FormatException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [e.Message] });
        }
    }

    public sealed record ImportResult(int Added);

    private static Results<NoContent, ValidationProblem> Saved(Dictionary<string, string[]>? errors) =>
        errors is null ? TypedResults.NoContent() : TypedResults.ValidationProblem(errors);
}
