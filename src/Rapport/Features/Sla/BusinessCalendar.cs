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
    // AddBusinessTime used to look ahead in two-week windows while short of a year: 27 windows.
    private static readonly TimeSpan AddGiveUp = TimeSpan.FromDays(27 * 14);
    private const int FirstCachedYear = 1970;
    private const int CachedYears = 200;
    private readonly ILookup<DayOfWeek, OpeningRange> _ranges;
    private readonly HashSet<DateOnly> _holidays;
    // The arithmetic works in ticks: per weekday (Sunday = 0) the ranges as offsets from the local day's midnight, sorted
    // by start (an overnight range ends past the next midnight); holidays as a bit per day number.
    private readonly long[][] _startsByDay;
    private readonly long[][] _endsByDay;
    private readonly int _firstHolidayDay;
    private readonly ulong[] _holidayBits;
    // The zone's UTC offsets per UTC year, found once (probing GetUtcOffset per call dominated the cost).
    private readonly Offsets?[] _offsetsByYear = new Offsets?[CachedYears];

    public BusinessCalendar(TimeZoneInfo zone, IEnumerable<OpeningRange> ranges, IEnumerable<DateOnly>? holidays = null)
    {
        Zone = zone;
        Ranges = ranges.ToList();
        _ranges = Ranges.ToLookup(r => r.Day);
        _holidays = [.. holidays ?? []];
        _startsByDay = new long[7][];
        _endsByDay = new long[7][];
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var sorted = _ranges[day].OrderBy(r => r.Start).ToArray();
            _startsByDay[(int)day] = sorted.Select(r => r.Start.Ticks).ToArray();
            _endsByDay[(int)day] = sorted.Select(r => r.End.Ticks + (r.Overnight ? TimeSpan.TicksPerDay : 0)).ToArray();
        }
        _firstHolidayDay = _holidays.Count == 0 ? 0 : _holidays.Min().DayNumber;
        _holidayBits = new ulong[_holidays.Count == 0 ? 0 : (_holidays.Max().DayNumber - _firstHolidayDay) / 64 + 1];
        foreach (var holiday in _holidays)
        {
            var bit = holiday.DayNumber - _firstHolidayDay;
            _holidayBits[bit / 64] |= 1UL << (bit % 64);
        }
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
        var walker = new Walker(this, Minute(fromUtc).Ticks, Minute(toUtc).Ticks);
        var total = 0L;
        while (walker.Next(long.MaxValue, out var start, out var end))
        {
            total += end - start;
        }
        return TimeSpan.FromTicks(total);
    }

    /// <summary>The instant at which <paramref name="amount"/> of open time has passed since <paramref name="fromUtc"/>.
    /// Zero gives the start itself. Throws when the calendar has no open time within a year.</summary>
    public DateTime AddBusinessTime(DateTime fromUtc, TimeSpan amount)
    {
        var remaining = TimeSpan.FromMinutes(Math.Ceiling(amount.TotalMinutes)).Ticks;
        var cursor = Minute(fromUtc);
        if (remaining <= 0)
        {
            return cursor;
        }
        var walker = new Walker(this, cursor.Ticks, (cursor + AddGiveUp).Ticks);
        // An interval that already holds what remains is final, however far it would merge on (always open).
        while (walker.Next(remaining, out var start, out var end))
        {
            var length = end - start;
            if (length >= remaining)
            {
                return new DateTime(start + remaining, DateTimeKind.Utc);
            }
            remaining -= length;
        }
        throw new InvalidOperationException("The business calendar has no opening hours within a year: check the weekly hours and holidays.");
    }

    /// <summary>The latest instant from which <paramref name="amount"/> of open time remains until <paramref name="toUtc"/>
    /// (when to warn that a deadline is near). Zero gives the instant itself; never earlier than <paramref name="notBefore"/>.</summary>
    public DateTime SubtractBusinessTime(DateTime toUtc, TimeSpan amount, DateTime notBefore)
    {
        var remaining = TimeSpan.FromMinutes(Math.Ceiling(amount.TotalMinutes)).Ticks;
        var cursor = Minute(toUtc);
        var floor = Minute(notBefore);
        if (remaining <= 0 || cursor <= floor)
        {
            return cursor < floor ? floor : cursor;
        }
        Span<long> buffer = stackalloc long[128];
        // Look back a day first (warnings sit close to their deadline), then in growing steps.
        var step = 1;
        while (cursor > floor)
        {
            var windowStart = Max(floor, cursor.AddDays(-step));
            step = Math.Min(step * 2, 14);
            var count = 0;
            var walker = new Walker(this, windowStart.Ticks, cursor.Ticks);
            while (walker.Next(long.MaxValue, out var start, out var end))
            {
                if (count + 2 > buffer.Length)
                {
                    var larger = new long[buffer.Length * 2];
                    buffer.CopyTo(larger);
                    buffer = larger;
                }
                buffer[count++] = start;
                buffer[count++] = end;
            }
            for (var i = count - 2; i >= 0; i -= 2)
            {
                var length = buffer[i + 1] - buffer[i];
                if (length >= remaining)
                {
                    return new DateTime(buffer[i + 1] - remaining, DateTimeKind.Utc);
                }
                remaining -= length;
            }
            cursor = windowStart;
        }
        return floor;
    }

    /// <summary>The next instant at or after <paramref name="utc"/> when the business is open.</summary>
    public DateTime? NextOpening(DateTime utc)
    {
        var from = Minute(utc);
        var walker = new Walker(this, from.Ticks, from.AddDays(366).Ticks);
        return walker.Next(1, out var start, out _) ? new DateTime(start, DateTimeKind.Utc) : null;
    }

    /// <summary>Open intervals [start, end) within [fromUtc, toUtc), in order, merged where they touch.</summary>
    public IEnumerable<(DateTime Start, DateTime End)> OpenIntervals(DateTime fromUtc, DateTime toUtc)
    {
        var walker = new Walker(this, fromUtc.Ticks, toUtc.Ticks);
        while (walker.Next(long.MaxValue, out var start, out var end))
        {
            yield return (new DateTime(start, DateTimeKind.Utc), new DateTime(end, DateTimeKind.Utc));
        }
    }

    /// <summary>Walks the open intervals of [from, to) (UTC ticks) in order, merging those that overlap or touch, without
    /// allocating. Within a stretch of one UTC offset local time is UTC plus that offset, so each local day's ranges map
    /// one to one; a day's ranges start after the previous day's, so they come out sorted by start.</summary>
    private struct Walker(BusinessCalendar calendar, long from, long to)
    {
        private long _cursor = from;
        private bool _inStretch;
        private long _stretchEnd, _offset, _localFrom, _localTo;
        private int _day, _lastDay, _range;
        private bool _pending;
        private long _pendingStart, _pendingEnd;

        /// <summary>The next merged interval; one is also given as soon as it reaches <paramref name="enough"/> in length
        /// (then it may continue: stop there, or the rest comes as an overlapping interval).</summary>
        public bool Next(long enough, out long start, out long end)
        {
            while (NextPiece(out var s, out var e))
            {
                if (_pending && s <= _pendingEnd)
                {
                    _pendingEnd = Math.Max(_pendingEnd, e);
                }
                else if (_pending)
                {
                    (start, end) = (_pendingStart, _pendingEnd);
                    (_pendingStart, _pendingEnd) = (s, e);
                    return true;
                }
                else
                {
                    (_pending, _pendingStart, _pendingEnd) = (true, s, e);
                }
                if (_pendingEnd - _pendingStart >= enough)
                {
                    _pending = false;
                    (start, end) = (_pendingStart, _pendingEnd);
                    return true;
                }
            }
            (start, end) = (_pendingStart, _pendingEnd);
            var found = _pending;
            _pending = false;
            return found;
        }

        /// <summary>The next range of a working day, clipped to [from, to), in UTC.</summary>
        private bool NextPiece(out long start, out long end)
        {
            while (true)
            {
                if (!_inStretch)
                {
                    if (_cursor >= to)
                    {
                        (start, end) = (0, 0);
                        return false;
                    }
                    (_offset, _stretchEnd) = calendar.OffsetAt(_cursor);
                    _stretchEnd = Math.Min(_stretchEnd, to);
                    _localFrom = _cursor + _offset;
                    _localTo = _stretchEnd + _offset;
                    // The day before may hold an overnight range running into this stretch.
                    _day = (int)(_localFrom / TimeSpan.TicksPerDay) - 1;
                    _lastDay = (int)((_localTo - 1) / TimeSpan.TicksPerDay);
                    _range = 0;
                    _inStretch = true;
                }
                if (_day > _lastDay)
                {
                    _cursor = _stretchEnd;
                    _inStretch = false;
                    continue;
                }
                var weekday = (_day + 1) % 7; // day number 0 (1 January 0001) was a Monday
                var starts = calendar._startsByDay[weekday];
                if (_range >= starts.Length || calendar.IsHoliday(_day))
                {
                    _day++;
                    _range = 0;
                    continue;
                }
                var midnight = _day * TimeSpan.TicksPerDay;
                var s = Math.Max(midnight + starts[_range], _localFrom);
                var e = Math.Min(midnight + calendar._endsByDay[weekday][_range], _localTo);
                _range++;
                if (s < e)
                {
                    (start, end) = (s - _offset, e - _offset);
                    return true;
                }
            }
        }
    }

    private bool IsHoliday(int dayNumber)
    {
        var bit = dayNumber - _firstHolidayDay;
        return (uint)bit < (uint)(_holidayBits.Length * 64) && (_holidayBits[bit / 64] & (1UL << (bit % 64))) != 0;
    }

    /// <summary>The UTC offset at <paramref name="utcTicks"/> and the instant (ticks) until which it holds, at most the
    /// end of that UTC year.</summary>
    private (long Offset, long Until) OffsetAt(long utcTicks)
    {
        var year = new DateTime(utcTicks, DateTimeKind.Utc).Year;
        var index = year - FirstCachedYear;
        Offsets offsets;
        if ((uint)index < CachedYears)
        {
            var cached = Volatile.Read(ref _offsetsByYear[index]);
            if (cached is not null)
            {
                offsets = cached;
            }
            else
            {
                // Built at most a few times per year and zone; a race only builds the same table twice.
                offsets = OffsetsOf(year);
                Volatile.Write(ref _offsetsByYear[index], offsets);
            }
        }
        else
        {
            offsets = OffsetsOf(year);
        }
        var i = offsets.Starts.Length - 1;
        while (offsets.Starts[i] > utcTicks)
        {
            i--;
        }
        return (offsets.Values[i], i + 1 < offsets.Starts.Length ? offsets.Starts[i + 1] : offsets.End);
    }

    /// <summary>Stretches of one UTC offset within a UTC year: Values[i] holds from Starts[i] to the next start (or End).</summary>
    private sealed record Offsets(long[] Starts, long[] Values, long End);

    private Offsets OffsetsOf(int year)
    {
        var cursor = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = year == DateTime.MaxValue.Year ? DateTime.MaxValue : cursor.AddYears(1);
        var starts = new List<long>();
        var values = new List<long>();
        while (cursor < end)
        {
            var offset = Zone.GetUtcOffset(cursor);
            starts.Add(cursor.Ticks);
            values.Add(offset.Ticks);
            cursor = NextOffsetChange(cursor, offset, end);
        }
        return new Offsets([.. starts], [.. values], end.Ticks);
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
