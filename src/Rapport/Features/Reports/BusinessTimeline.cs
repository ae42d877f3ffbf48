using Rapport.Features.Sla;

namespace Rapport.Features.Reports;

/// <summary>A calendar's open intervals over one span, with the open time before each, so that "business time between"
/// and "add business time" cost a binary search instead of a walk over the calendar: a report makes hundreds of thousands
/// of these. Gives exactly what <see cref="BusinessCalendar"/> gives (to the minute); outside the span it asks the calendar.</summary>
public sealed class BusinessTimeline
{
    private readonly BusinessCalendar _calendar;
    private readonly long _from;
    private readonly long _to;
    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly long[] _openBefore;

    public BusinessTimeline(BusinessCalendar calendar, DateTime fromUtc, DateTime toUtc)
    {
        _calendar = calendar;
        _from = Minute(fromUtc);
        _to = Math.Max(_from, Minute(toUtc));
        var intervals = calendar.OpenIntervals(new DateTime(_from, DateTimeKind.Utc), new DateTime(_to, DateTimeKind.Utc)).ToList();
        _starts = new long[intervals.Count];
        _ends = new long[intervals.Count];
        _openBefore = new long[intervals.Count + 1];
        for (var i = 0; i < intervals.Count; i++)
        {
            _starts[i] = intervals[i].Start.Ticks;
            _ends[i] = intervals[i].End.Ticks;
            _openBefore[i + 1] = _openBefore[i] + _ends[i] - _starts[i];
        }
    }

    /// <summary>Open time between two instants, as <see cref="BusinessCalendar.BusinessTimeBetween"/>.</summary>
    public TimeSpan Between(DateTime fromUtc, DateTime toUtc)
    {
        long from = Minute(fromUtc), to = Minute(toUtc);
        if (to <= from)
        {
            return TimeSpan.Zero;
        }
        if (from < _from || to > _to)
        {
            return _calendar.BusinessTimeBetween(fromUtc, toUtc);
        }
        return TimeSpan.FromTicks(OpenUntil(to) - OpenUntil(from));
    }

    /// <summary>The instant after <paramref name="amount"/> of open time, as <see cref="BusinessCalendar.AddBusinessTime"/>.</summary>
    public DateTime Add(DateTime fromUtc, TimeSpan amount)
    {
        var cursor = Minute(fromUtc);
        var remaining = TimeSpan.FromMinutes(Math.Ceiling(amount.TotalMinutes)).Ticks;
        if (remaining <= 0)
        {
            return new DateTime(cursor, DateTimeKind.Utc);
        }
        if (cursor >= _from && cursor <= _to)
        {
            var target = OpenUntil(cursor) + remaining;
            // The first interval whose open time, counted to its end, reaches the target.
            var index = Array.BinarySearch(_openBefore, 1, _starts.Length, target);
            var i = index >= 0 ? index - 1 : ~index - 1;
            if (i < _starts.Length)
            {
                return new DateTime(_starts[i] + (target - _openBefore[i]), DateTimeKind.Utc);
            }
        }
        return _calendar.AddBusinessTime(fromUtc, amount);
    }

    /// <summary>Open time from the start of the span to <paramref name="ticks"/> (within the span).</summary>
    private long OpenUntil(long ticks)
    {
        var index = Array.BinarySearch(_starts, ticks);
        var i = index >= 0 ? index : ~index - 1;
        if (i < 0)
        {
            return 0;
        }
        return _openBefore[i] + Math.Min(ticks, _ends[i]) - _starts[i];
    }

    private static long Minute(DateTime utc)
    {
        var value = utc.Kind == DateTimeKind.Utc ? utc : DateTime.SpecifyKind(utc.ToUniversalTime(), DateTimeKind.Utc);
        return value.Ticks - value.Ticks % TimeSpan.TicksPerMinute;
    }
}
