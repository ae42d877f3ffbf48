using System.Diagnostics;
using System.Globalization;
using Rapport.Features.Sla;

namespace Rapport.Bench.Measure;

/// <summary>Times business-hours arithmetic (<see cref="BusinessCalendar"/>) on one thread: due instants from random
/// starts over two years (across DST changes and holidays) for a mix of SLA targets, on realistic calendars.</summary>
internal static class CalendarCommand
{
    public const string Usage = """
        calendar [--rounds N] [--round-seconds S] [--warmup S] [--seed S]
            Times BusinessCalendar.AddBusinessTime (the due instant), SubtractBusinessTime (the warning instant) and
            BusinessTimeBetween on one thread, over 65,536 random starts spread over two years and targets of 1 h, 4 h,
            8 h, 24 h and 72 h of open time, on two calendars: Europe/Berlin Mon–Fri 08–12 and 13–17, Sat 09–13, 12
            holidays a year; America/New_York Sun–Thu nights 22:00–06:00, 10 holidays a year. Prints the median of
            N rounds (default 5, each S seconds, default 1, after S warm-up seconds, default 2) in calls per second,
            the ratio to the target of 1,000,000 due-time computations per second, and bytes allocated per call.
        """;

    private const double Target = 1_000_000;
    private const int Samples = 1 << 16;
    private static readonly TimeSpan[] Targets = [TimeSpan.FromHours(1), TimeSpan.FromHours(4), TimeSpan.FromHours(8), TimeSpan.FromHours(24), TimeSpan.FromHours(72)];

    public static int Run(Options options)
    {
        var rounds = options.Int("rounds", 5);
        var roundTime = options.Seconds("round-seconds", 1);
        var warmup = options.Seconds("warmup", 2);
        var seed = options.Int("seed", 42);
        options.EnsureAllRead();

        foreach (var (name, calendar) in Calendars())
        {
            var random = new Random(seed);
            var first = new DateTime(2025, 11, 1, 0, 0, 0, DateTimeKind.Utc);
            var span = new DateTime(2027, 11, 1, 0, 0, 0, DateTimeKind.Utc) - first;
            var starts = new DateTime[Samples];
            var amounts = new TimeSpan[Samples];
            var dues = new DateTime[Samples];
            for (var i = 0; i < Samples; i++)
            {
                // Arbitrary instants (with seconds), as tickets arrive; about half of them while the business is closed.
                starts[i] = first.AddTicks((long)(random.NextDouble() * span.Ticks));
                amounts[i] = Targets[random.Next(Targets.Length)];
                dues[i] = calendar.AddBusinessTime(starts[i], amounts[i]);
            }
            // Cheap self-check: the open time from start to due is the target (starts are cut to the minute).
            for (var i = 0; i < Samples; i += 97)
            {
                var open = calendar.BusinessTimeBetween(starts[i], dues[i]);
                if (open != amounts[i])
                {
                    throw new InvalidOperationException($"{name}: {open} between {starts[i]:O} and {dues[i]:O}, expected {amounts[i]}");
                }
            }

            var add = Time(rounds, roundTime, warmup, i => calendar.AddBusinessTime(starts[i], amounts[i]).Ticks);
            // As the app sets WarnAt: the last 20% of the target before the due instant, never before the start.
            var subtract = Time(rounds, roundTime, warmup, i => calendar.SubtractBusinessTime(dues[i], amounts[i] * 0.2, starts[i]).Ticks);
            var between = Time(rounds, roundTime, warmup, i => calendar.BusinessTimeBetween(starts[i], dues[i]).Ticks);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"calendar {name}: add_per_s={add.Median:F0} ratio_to_target={add.Median / Target:F2} add_bytes_per_call={add.BytesPerCall:F0} " +
                $"subtract_per_s={subtract.Median:F0} subtract_bytes_per_call={subtract.BytesPerCall:F0} " +
                $"between_per_s={between.Median:F0} between_bytes_per_call={between.BytesPerCall:F0} " +
                $"(medians of {rounds} rounds; add rounds {string.Join("/", add.Rounds.Select(r => (r / 1000).ToString("F0", CultureInfo.InvariantCulture)))}k/s) " +
                $"checksum={add.Checksum ^ subtract.Checksum ^ between.Checksum:x}"));
        }
        return 0;
    }

    private sealed record Result(double Median, double BytesPerCall, double[] Rounds, long Checksum);

    private static Result Time(int rounds, TimeSpan roundTime, TimeSpan warmup, Func<int, long> call)
    {
        var checksum = 0L;
        Loop(warmup, call, ref checksum);
        var perSecond = new double[rounds];
        var bytes = 0.0;
        for (var r = 0; r < rounds; r++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var (calls, elapsed) = Loop(roundTime, call, ref checksum);
            bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / calls;
            perSecond[r] = calls / elapsed.TotalSeconds;
        }
        var sorted = perSecond.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new Result(median, bytes, perSecond, checksum);
    }

    /// <summary>Calls in batches of 1,024 (so the clock is read rarely) until <paramref name="duration"/> has passed.</summary>
    private static (long Calls, TimeSpan Elapsed) Loop(TimeSpan duration, Func<int, long> call, ref long checksum)
    {
        var start = Stopwatch.GetTimestamp();
        var calls = 0L;
        var index = 0;
        TimeSpan elapsed;
        do
        {
            for (var k = 0; k < 1024; k++)
            {
                checksum += call(index);
                index = (index + 1) & (Samples - 1);
            }
            calls += 1024;
            elapsed = Stopwatch.GetElapsedTime(start);
        }
        while (elapsed < duration);
        return (calls, elapsed);
    }

    private static IEnumerable<(string Name, BusinessCalendar Calendar)> Calendars()
    {
        var weekdays = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday };
        var split = weekdays.SelectMany(d => new[]
            {
                new OpeningRange(d, new TimeOnly(8, 0), new TimeOnly(12, 0)),
                new OpeningRange(d, new TimeOnly(13, 0), new TimeOnly(17, 0)),
            })
            .Append(new OpeningRange(DayOfWeek.Saturday, new TimeOnly(9, 0), new TimeOnly(13, 0)));
        yield return ("Europe/Berlin split-day", new BusinessCalendar(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), split, Holidays(
            (1, 1), (1, 6), (4, 3), (4, 6), (5, 1), (5, 14), (5, 25), (10, 3), (11, 1), (12, 24), (12, 25), (12, 26))));

        // A night desk: Sunday to Thursday evenings into the next morning.
        var nights = new[] { DayOfWeek.Sunday, DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday }
            .Select(d => new OpeningRange(d, new TimeOnly(22, 0), new TimeOnly(6, 0)));
        yield return ("America/New_York overnight", new BusinessCalendar(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), nights, Holidays(
            (1, 1), (1, 19), (2, 16), (5, 25), (6, 19), (7, 3), (9, 7), (11, 26), (11, 27), (12, 25))));
    }

    /// <summary>The same month-days in each year from 2025 to 2029 (fixed dates are close enough for timing).</summary>
    private static IEnumerable<DateOnly> Holidays(params (int Month, int Day)[] days) =>
        Enumerable.Range(2025, 5).SelectMany(y => days.Select(d => new DateOnly(y, d.Month, d.Day)));
}
