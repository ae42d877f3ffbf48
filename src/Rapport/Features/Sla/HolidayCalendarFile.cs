using System.Globalization;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using Calendar = Ical.Net.Calendar;

namespace Rapport.Features.Sla;

/// <summary>Reads holidays from an iCalendar (.ics) file, through Ical.Net. An event covers the dates from the one it
/// starts on up to (not including) the one it ends on (DTEND or DURATION), and at least the day it starts: an all-day
/// event on 25 December is that day, one to 27 December also the 26th; a timed event counts by its wall-clock dates in
/// its own zone (as written when the zone is unknown). Cancelled events are left out.
/// <para>Recurring events (RRULE, RDATE, less EXDATE) are expanded over <see cref="Window"/>: from 1 January of last
/// year (reports look up to a year back) to 31 December three years on. A yearly RRULE has no end, so some end had to be
/// chosen; importing the file again later adds the years after. One-off events are taken whatever their date
/// (see docs/decisions/0057-holiday-import-expands-recurring-events.md).</para>
/// <para>The file is an upload, so it is bounded before anything is expanded. It is refused with a
/// <see cref="FormatException"/> saying why when it is larger than <see cref="MaxLength"/> characters, has more than
/// <see cref="MaxEvents"/> events or <see cref="MaxComponents"/> components, has an event longer than
/// <see cref="MaxDuration"/> days, repeats an event more often than daily (a holiday is a day, and FREQ=SECONDLY takes
/// Ical.Net minutes per thousand steps), or comes to more than <see cref="MaxExpansion"/> occurrences and days in the
/// window.</para></summary>
public static class HolidayCalendarFile
{
    public sealed record Holiday(DateOnly Date, string Name);

    /// <summary>The largest file read, in characters: 1 MiB, the upload limit of the settings page too.</summary>
    public const int MaxLength = 1024 * 1024;

    /// <summary>A national calendar listing ten years of holidays has a few hundred.</summary>
    public const int MaxEvents = 2_000;

    /// <summary>BEGIN lines of any kind (events, time zones, alarms), so deep or wide nesting is refused before it is parsed.</summary>
    public const int MaxComponents = 5_000;

    /// <summary>Occurrences plus the days they cover, over the whole file and window. Forty one-day holidays a year come
    /// to 400; a daily rule (every day a holiday) to about 3,650, and is refused.</summary>
    public const int MaxExpansion = 2_000;

    /// <summary>The longest event taken, in days: a season's closure, not a year without opening hours (deadlines
    /// would have nowhere to fall).</summary>
    public const int MaxDuration = 183;

    // Steps a rule may take without an occurrence before Ical.Net gives up: FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 never
    // matches and would step forever; a leap day in a daily rule is about 1,460 steps away.
    private const int MaxUnmatchedSteps = 5_000;

    /// <summary>The first and last day an import made on <paramref name="today"/> takes.</summary>
    public static (DateOnly First, DateOnly Last) Window(DateOnly today) => (new(today.Year - 1, 1, 1), new(today.Year + 3, 12, 31));

    /// <summary>The holidays of the file, one per date (the first event's name), by date.</summary>
    /// <exception cref="FormatException">With the reason, when the file is not a calendar, cannot be read or is too big to expand.</exception>
    public static IReadOnlyList<Holiday> Parse(string text, DateOnly today)
    {
        var calendars = Load(text);
        var (first, last) = Window(today);
        var options = new EvaluationOptions { MaxUnmatchedIncrementsLimit = MaxUnmatchedSteps };
        var holidays = new Dictionary<DateOnly, string>();
        var budget = MaxExpansion;
        var number = 0;
        foreach (var e in calendars.SelectMany(c => c.Events))
        {
            number++;
            if (string.Equals(e.Status, EventStatus.Cancelled, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var name = e.Summary?.Trim() ?? "";
            var label = name.Length > 0 ? $"Event {number} ({name})" : $"Event {number}";
            if (e.DtStart is null)
            {
                throw new FormatException($"{label} has no start date that can be read (DTSTART as yyyyMMdd or yyyyMMddTHHmmss).");
            }
            CheckRules(e, label);
            // A one-off event is taken whatever its date (a file listing 2031's holidays imports them); only the
            // repetitions of a recurring one are limited to the window.
            var recurring = e.Properties.Any(p => p.Name is "RRULE" or "RDATE");
            var (from, to) = recurring ? (first, last) : (DateOnly.MinValue, DateOnly.MaxValue);
            foreach (var (start, end) in Occurrences(e, label, recurring ? (first, last) : null, options))
            {
                Spend(ref budget, first, last);
                for (var day = start < from ? from : start; day < end && day <= to; day = day.AddDays(1))
                {
                    Spend(ref budget, first, last);
                    holidays.TryAdd(day, name);
                }
            }
        }
        return [.. holidays.OrderBy(h => h.Key).Select(h => new Holiday(h.Key, h.Value))];
    }

    private static IReadOnlyList<Calendar> Load(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new FormatException("The calendar is larger than 1 MB.");
        }
        // Counted on the unfolded text, so a folded BEGIN line is counted too.
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n ", "", StringComparison.Ordinal)
            .Replace("\n\t", "", StringComparison.Ordinal).Split('\n');
        var components = lines.Count(l => l.StartsWith("BEGIN:", StringComparison.OrdinalIgnoreCase));
        var events = lines.Count(l => l.TrimEnd().Equals("BEGIN:VEVENT", StringComparison.OrdinalIgnoreCase));
        if (events > MaxEvents)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The calendar has {events} events; a holiday calendar has a few hundred at most (the limit is {MaxEvents})."));
        }
        if (components > MaxComponents)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The calendar has {components} components (BEGIN lines); the limit is {MaxComponents}."));
        }
        CalendarCollection calendars;
        try
        {
            calendars = CalendarCollection.Load(text);
        }
        // The parser meets whatever was uploaded and reports it in several ways (SerializationException, ArgumentException
        // for an impossible date, InvalidOperationException); any of them means the same: this file cannot be read.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FormatException($"This is not a readable iCalendar file: {e.Message}", e);
        }
        if (calendars.Count == 0)
        {
            throw new FormatException("This is not an iCalendar file: it has no BEGIN:VCALENDAR … END:VCALENDAR.");
        }
        return calendars;
    }

    /// <summary>Refuses rules that repeat within a day: they multiply the steps to take without adding a holiday.</summary>
    private static void CheckRules(CalendarEvent e, string label)
    {
        foreach (var property in e.Properties.Where(p => p.Name is "RRULE" or "EXRULE"))
        {
            if (property.Value is not RecurrencePattern rule)
            {
                throw new FormatException($"{label} has a {property.Name} that cannot be read.");
            }
            if (rule.Frequency < FrequencyType.Daily || rule.ByHour.Count > 1 || rule.ByMinute.Count > 1 || rule.BySecond.Count > 1)
            {
                throw new FormatException($"{label} repeats more often than daily ({property.Name}:FREQ={rule.Frequency.ToString().ToUpperInvariant()}); " +
                    "holidays repeat by the day at most.");
            }
        }
    }

    /// <summary>The event's occurrences (those reaching into <paramref name="window"/>, when given), each as the dates from
    /// its start to its end (exclusive).</summary>
    private static IEnumerable<(DateOnly Start, DateOnly End)> Occurrences(CalendarEvent e, string label, (DateOnly First, DateOnly Last)? window,
        EvaluationOptions options)
    {
        var all = e.GetOccurrences(window is { } w ? new CalDateTime(w.First) : null, options);
        using var occurrences = (window is { } until ? all.TakeWhileBefore(new CalDateTime(until.Last.AddDays(1))) : all).GetEnumerator();
        while (true)
        {
            Occurrence occurrence;
            try
            {
                if (!occurrences.MoveNext())
                {
                    yield break;
                }
                occurrence = occurrences.Current;
            }
            catch (EvaluationLimitExceededException error)
            {
                throw new FormatException($"{label} repeats by a rule that matches no day, or too rarely to expand.", error);
            }
            // An unknown TZID, a rule Ical.Net cannot evaluate: as for the parser, the event cannot be read.
            catch (Exception error) when (error is not (OutOfMemoryException or FormatException))
            {
                throw new FormatException($"{label} cannot be expanded: {error.Message}", error);
            }
            var start = occurrence.Period.StartTime.Date;
            var end = occurrence.Period.EffectiveEndTime?.Date is { } ends && ends > start ? ends : start.AddDays(1);
            if (end.DayNumber - start.DayNumber > MaxDuration)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{label} lasts {end.DayNumber - start.DayNumber} days; a holiday or closure lasts at most {MaxDuration}."));
            }
            yield return (start, end);
        }
    }

    private static void Spend(ref int budget, DateOnly first, DateOnly last)
    {
        if (--budget < 0)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"The calendar expands to more than {MaxExpansion} occurrences and days (repeating events counted from {first:yyyy-MM-dd} to {last:yyyy-MM-dd}); a holiday calendar has a few dozen a year."));
        }
    }
}
