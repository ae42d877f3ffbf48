using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>The API's bodies for settings replaced whole. Every member is nullable so that a missing or null one is named in
/// the 400 answer, instead of becoming a default (a missing day would read as Sunday, a missing priority as low).</summary>
public sealed partial class SlaSettings
{
    public sealed record HoursRequest(IReadOnlyList<HoursRangeRequest?>? Ranges);

    public sealed record HoursRangeRequest(DayOfWeek? Day, string? Start, string? End);

    public sealed record HolidayRequest(DateOnly? Date, string? Name);

    public sealed record PolicyRequest(TicketPriority? Priority, TimeSpan? FirstResponse, TimeSpan? NextResponse, TimeSpan? Resolution, bool? BusinessHours);

    /// <summary>The ranges of a complete request; what is missing goes into <paramref name="errors"/> by JSON path.</summary>
    internal static List<HoursRange> Read(HoursRequest request, Dictionary<string, string[]> errors)
    {
        var ranges = new List<HoursRange>();
        if (request.Ranges is null)
        {
            errors["ranges"] = ["Give the weekly opening ranges, a list of {day, start, end}."];
            return ranges;
        }
        for (var i = 0; i < request.Ranges.Count; i++)
        {
            var path = $"ranges[{i}]";
            if (request.Ranges[i] is not { } range)
            {
                errors[path] = ["Give a day, a start and an end."];
                continue;
            }
            Require(range.Day, path + ".day", "Give the day, monday to sunday.", errors);
            Require(range.Start, path + ".start", "Give the start as HH:mm, for example 09:00.", errors);
            Require(range.End, path + ".end", "Give the end as HH:mm, for example 17:30.", errors);
            if (range is { Day: { } day, Start: { } start, End: { } end })
            {
                ranges.Add(new HoursRange(day, start, end));
            }
        }
        return ranges;
    }

    internal static List<HolidayEntry> Read(IReadOnlyList<HolidayRequest?> requests, Dictionary<string, string[]> errors)
    {
        var holidays = new List<HolidayEntry>();
        for (var i = 0; i < requests.Count; i++)
        {
            var path = $"$[{i}]";
            if (requests[i] is not { } holiday)
            {
                errors[path] = ["Give a date and, if you like, a name."];
                continue;
            }
            Require(holiday.Date, path + ".date", "Give the date as yyyy-MM-dd, for example 2026-12-25.", errors);
            if (holiday.Date is { } date)
            {
                holidays.Add(new HolidayEntry(date, holiday.Name));
            }
        }
        return holidays;
    }

    internal static List<Policy> Read(IReadOnlyList<PolicyRequest?> requests, Dictionary<string, string[]> errors)
    {
        var policies = new List<Policy>();
        for (var i = 0; i < requests.Count; i++)
        {
            var path = $"$[{i}]";
            if (requests[i] is not { } policy)
            {
                errors[path] = ["Give a priority, the three targets and businessHours."];
                continue;
            }
            Require(policy.Priority, path + ".priority", "Give the priority: low, normal, high or urgent.", errors);
            Require(policy.FirstResponse, path + ".firstResponse", "Give the first-response target as a duration, for example 04:00:00.", errors);
            Require(policy.NextResponse, path + ".nextResponse", "Give the next-response target as a duration, for example 04:00:00.", errors);
            Require(policy.Resolution, path + ".resolution", "Give the resolution target as a duration, for example 2.00:00:00.", errors);
            Require(policy.BusinessHours, path + ".businessHours", "Say whether the targets count business hours (true) or all hours (false).", errors);
            if (policy is { Priority: { } priority, FirstResponse: { } first, NextResponse: { } next, Resolution: { } resolution, BusinessHours: { } business })
            {
                policies.Add(new Policy(priority, first, next, resolution, business));
            }
        }
        return policies;
    }

    private static void Require<T>(T? value, string path, string message, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            errors[path] = [message];
        }
    }
}
