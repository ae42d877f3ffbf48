using System.Globalization;

namespace Rapport.Features.Sla;

/// <summary>An opening-hours range on one weekday, in the business's local time. An end at or before the start runs past
/// midnight into the next day (an overnight range, 22:00–06:00).</summary>
public sealed record OpeningRange(DayOfWeek Day, TimeOnly Start, TimeOnly End)
{
    public bool Overnight => End <= Start;
}

/// <summary>When the business is open: weekly ranges and holidays in its IANA time zone. Answers "open at this instant?",
/// "business time between two instants" and "the instant N business minutes after this one", exact across DST changes:
/// a minute is open when the local wall clock shows a time inside a range of that local day (or of the day before, for
/// overnight ranges), and that day is not a holiday. Instants are UTC, to the minute.</summary>
public sealed class BusinessCalendar
{
    private static readonly TimeSpan Probe = TimeSpan.FromHours(1);
    private static readonly TimeSpan Window = TimeSpan.FromDays(2);
    private readonly ILookup<DayOfWeek, OpeningRange> _ranges;
    private readonly HashSet<DateOnly> _holidays;

    public BusinessCalendar(TimeZoneInfo zone, IEnumerable<OpeningRange> ranges, IEnumerable<DateOnly>? holidays = null)
    {
        Zone = zone;
        Ranges = ranges.ToList();
        _ranges = Ranges.ToLookup(r => r.Day);
        _holidays = [.. holidays ?? []];
    }

    public TimeZoneInfo Zone { get; }

    public IReadOnlyList<OpeningRange> Ranges { get; }

    public IReadOnlySet<DateOnly> Holidays => _holidays;

    /// <summary>Always open: calendar hours.</summary>
    public static BusinessCalendar AlwaysOpen(TimeZoneInfo zone) =>
        new(zone, Enum.GetValues<DayOfWeek>().Select(d => new OpeningRange(d, TimeOnly.MinValue, TimeOnly.MinValue)));

    /// <summary>Monday to Friday, 09:00–17:00.</summary>
    public static BusinessCalendar OfficeHours(TimeZoneInfo zone, IEnumerable<DateOnly>? holidays = null) =>
        new(zone, new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new OpeningRange(d, new TimeOnly(9, 0), new TimeOnly(17, 0))), holidays);

    /// <summary>Whether the business is open during the minute starting at <paramref name="utc"/>.</summary>
    public bool IsOpen(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(Minute(utc), Zone);
        return IsOpenLocal(local);
    }

    /// <summary>The wall-clock rule itself (also what the brute-force tests check against).</summary>
    public bool IsOpenLocal(DateTime local)
    {
        var date = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        if (!_holidays.Contains(date) && _ranges[date.DayOfWeek].Any(r => r.Overnight ? time >= r.Start : time >= r.Start && time < r.End))
        {
            return true;
        }
        var before = date.AddDays(-1);
        return !_holidays.Contains(before) && _ranges[before.DayOfWeek].Any(r => r.Overnight && time < r.End);
    }

    /// <summary>Open time between two instants (zero when <paramref name="toUtc"/> is not after <paramref name="fromUtc"/>).</summary>
    public TimeSpan BusinessTimeBetween(DateTime fromUtc, DateTime toUtc)
    {
        var total = TimeSpan.Zero;
        foreach (var (start, end) in OpenIntervals(Minute(fromUtc), Minute(toUtc)))
        {
            total += end - start;
        }
        return total;
    }

    /// <summary>The instant at which <paramref name="amount"/> of open time has passed since <paramref name="fromUtc"/>.
    /// Zero gives the start itself. Throws when the calendar has no open time within a year.</summary>
    public DateTime AddBusinessTime(DateTime fromUtc, TimeSpan amount)
    {
        var remaining = TimeSpan.FromMinutes(Math.Ceiling(amount.TotalMinutes));
        var cursor = Minute(fromUtc);
        if (remaining <= TimeSpan.Zero)
        {
            return cursor;
        }
        var giveUp = cursor.AddDays(366);
        while (cursor < giveUp)
        {
            var windowEnd = cursor.AddDays(14);
            foreach (var (start, end) in OpenIntervals(cursor, windowEnd))
            {
                var length = end - start;
                if (length >= remaining)
                {
                    return start + remaining;
                }
                remaining -= length;
            }
            cursor = windowEnd;
        }
        throw new InvalidOperationException("The business calendar has no opening hours within a year: check the weekly hours and holidays.");
    }

    /// <summary>The latest instant from which <paramref name="amount"/> of open time remains until <paramref name="toUtc"/>
    /// (when to warn that a deadline is near). Zero gives the instant itself; never earlier than <paramref name="notBefore"/>.</summary>
    public DateTime SubtractBusinessTime(DateTime toUtc, TimeSpan amount, DateTime notBefore)
    {
        var remaining = TimeSpan.FromMinutes(Math.Ceiling(amount.TotalMinutes));
        var cursor = Minute(toUtc);
        var floor = Minute(notBefore);
        if (remaining <= TimeSpan.Zero || cursor <= floor)
        {
            return cursor < floor ? floor : cursor;
        }
        // Look back a day first (warnings sit close to their deadline), then in growing steps.
        var step = 1;
        while (cursor > floor)
        {
            var windowStart = Max(floor, cursor.AddDays(-step));
            step = Math.Min(step * 2, 14);
            foreach (var (start, end) in OpenIntervals(windowStart, cursor).Reverse())
            {
                var length = end - start;
                if (length >= remaining)
                {
                    return end - remaining;
                }
                remaining -= length;
            }
            cursor = windowStart;
        }
        return floor;
    }

    /// <summary>The next instant at or after <paramref name="utc"/> when the business is open.</summary>
    public DateTime? NextOpening(DateTime utc) =>
        OpenIntervals(Minute(utc), Minute(utc).AddDays(366)).Select(i => (DateTime?)i.Start).FirstOrDefault();

    /// <summary>Open intervals [start, end) within [fromUtc, toUtc), in order, merged where they touch.</summary>
    public IEnumerable<(DateTime Start, DateTime End)> OpenIntervals(DateTime fromUtc, DateTime toUtc)
    {
        DateTime? openStart = null;
        var openEnd = DateTime.MinValue;
        var cursor = fromUtc;
        while (cursor < toUtc)
        {
            // A stretch with one UTC offset: there, local time is UTC plus that offset, and ranges map one to one.
            var offset = Zone.GetUtcOffset(cursor);
            var segmentEnd = NextOffsetChange(cursor, offset, Min(toUtc, cursor + Window));
            var localFrom = cursor + offset;
            var localTo = segmentEnd + offset;
            var pieces = new List<(DateTime, DateTime)>();
            for (var date = DateOnly.FromDateTime(localFrom).AddDays(-1); date <= DateOnly.FromDateTime(localTo); date = date.AddDays(1))
            {
                if (_holidays.Contains(date))
                {
                    continue;
                }
                foreach (var range in _ranges[date.DayOfWeek])
                {
                    var start = date.ToDateTime(range.Start);
                    var end = range.Overnight ? date.AddDays(1).ToDateTime(range.End) : date.ToDateTime(range.End);
                    var s = Max(start, localFrom);
                    var e = Min(end, localTo);
                    if (s < e)
                    {
                        pieces.Add((DateTime.SpecifyKind(s - offset, DateTimeKind.Utc), DateTime.SpecifyKind(e - offset, DateTimeKind.Utc)));
                    }
                }
            }
            foreach (var (s, e) in pieces.OrderBy(p => p.Item1))
            {
                if (openStart is not null && s <= openEnd)
                {
                    openEnd = Max(openEnd, e);
                    continue;
                }
                if (openStart is { } previous)
                {
                    yield return (previous, openEnd);
                }
                openStart = s;
                openEnd = e;
            }
            cursor = segmentEnd;
        }
        if (openStart is { } last)
        {
            yield return (last, openEnd);
        }
    }

    /// <summary>The first minute after <paramref name="from"/> with another UTC offset, or <paramref name="limit"/>.</summary>
    private DateTime NextOffsetChange(DateTime from, TimeSpan offset, DateTime limit)
    {
        var low = from;
        for (var probe = from + Probe; ; probe += Probe)
        {
            var at = Min(probe, limit);
            if (Zone.GetUtcOffset(at) != offset)
            {
                // The change lies in (low, at]: narrow it down to the minute.
                var high = at;
                while (high - low > TimeSpan.FromMinutes(1))
                {
                    var mid = Minute(low + (high - low) / 2);
                    if (mid <= low)
                    {
                        mid = low.AddMinutes(1);
                    }
                    if (Zone.GetUtcOffset(mid) != offset)
                    {
                        high = mid;
                    }
                    else
                    {
                        low = mid;
                    }
                }
                return high;
            }
            if (at >= limit)
            {
                return limit;
            }
            low = at;
        }
    }

    private static DateTime Minute(DateTime utc)
    {
        var value = utc.Kind == DateTimeKind.Utc ? utc : DateTime.SpecifyKind(utc.ToUniversalTime(), DateTimeKind.Utc);
        return new DateTime(value.Ticks - value.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
