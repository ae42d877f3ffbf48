using System.Globalization;

namespace Rapport.Features.Sla;

/// <summary>Reads holidays from an iCalendar (.ics) file: the VEVENT DTSTART/DTEND/SUMMARY subset that holiday
/// calendars use. All-day events cover DTSTART up to (not including) DTEND; an event without DTEND is one day; a
/// timed event marks the wall-clock date it starts on. Recurrence rules are not read (holiday feeds list each year).</summary>
public static class HolidayCalendarFile
{
    public sealed record Holiday(DateOnly Date, string Name);

    /// <exception cref="FormatException">With the line number, when a VEVENT's date cannot be read.</exception>
    public static IReadOnlyList<Holiday> Parse(string text)
    {
        var holidays = new List<Holiday>();
        DateOnly? start = null, end = null;
        var name = "";
        var inEvent = false;
        foreach (var (line, number) in Unfold(text))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }
            var head = line[..colon];
            var value = line[(colon + 1)..].Trim();
            var property = head.Split(';')[0].ToUpperInvariant();
            switch (property)
            {
                case "BEGIN" when value.Equals("VEVENT", StringComparison.OrdinalIgnoreCase):
                    (inEvent, start, end, name) = (true, null, null, "");
                    break;
                case "END" when inEvent && value.Equals("VEVENT", StringComparison.OrdinalIgnoreCase):
                    inEvent = false;
                    if (start is { } first)
                    {
                        var last = end is { } e && e > first ? e : first.AddDays(1);
                        for (var day = first; day < last; day = day.AddDays(1))
                        {
                            holidays.Add(new Holiday(day, name));
                        }
                    }
                    break;
                case "DTSTART" when inEvent:
                    start = ReadDate(value, number);
                    break;
                case "DTEND" when inEvent:
                    end = ReadDate(value, number);
                    break;
                case "SUMMARY" when inEvent:
                    name = value.Replace("\\,", ",", StringComparison.Ordinal).Replace("\\;", ";", StringComparison.Ordinal)
                        .Replace("\\n", " ", StringComparison.OrdinalIgnoreCase).Replace("\\\\", "\\", StringComparison.Ordinal);
                    break;
            }
        }
        return [.. holidays.DistinctBy(h => h.Date).OrderBy(h => h.Date)];
    }

    private static DateOnly ReadDate(string value, int line)
    {
        // 20261225 or 20261225T090000 or 20261225T090000Z: the date is the first eight digits.
        if (value.Length >= 8 && DateOnly.TryParseExact(value[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && (value.Length == 8 || value[8] == 'T'))
        {
            return date;
        }
        throw new FormatException($"Line {line}: '{value}' is not an iCalendar date (yyyyMMdd or yyyyMMddTHHmmss).");
    }

    private static IEnumerable<(string Line, int Number)> Unfold(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? current = null;
        var currentNumber = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && current is not null)
            {
                current += line[1..];
                continue;
            }
            if (current is not null)
            {
                yield return (current, currentNumber);
            }
            (current, currentNumber) = (line, i + 1);
        }
        if (current is not null)
        {
            yield return (current, currentNumber);
        }
    }
}
