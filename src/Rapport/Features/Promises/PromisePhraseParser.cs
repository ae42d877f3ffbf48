using System.Globalization;
using System.Text.RegularExpressions;

namespace Rapport.Features.Promises;

/// <summary>Proposes promises found in a reply draft ("I'll call you tomorrow", "within 2 hours", "by Friday").
/// A sentence counts only when it commits the writer in the future tense ("I'll", "we will", "you'll hear");
/// "I called you yesterday" is left alone. Due instants are read on the given zone's wall clock: a day word means
/// that day's end of business (17:00), "first thing" means 09:00. Only proposes: an agent confirms.</summary>
public static partial class PromisePhraseParser
{
    public sealed record Proposal(string Kind, string Phrase, DateTime DueAt);

    private static readonly TimeOnly EndOfDay = new(17, 0);
    private static readonly TimeOnly FirstThing = new(9, 0);

    public static IReadOnlyList<Proposal> Propose(string draft, DateTime nowAt, TimeZoneInfo zone)
    {
        var proposals = new List<Proposal>();
        var now = TimeZoneInfo.ConvertTimeFromUtc(nowAt, zone);
        foreach (var sentence in SentencePattern().Split(draft).Where(s => s.Length > 0))
        {
            if (!CommitmentPattern().IsMatch(sentence))
            {
                continue;
            }
            var kind = CallPattern().IsMatch(sentence) ? "Call" : "Reply";
            if (DueLocal(sentence, now) is not { } due)
            {
                continue;
            }
            var dueAt = due.Kind == DateTimeKind.Utc ? due : ToUtc(due, zone);
            proposals.Add(new Proposal(kind, sentence.Trim(), dueAt));
        }
        return proposals;
    }

    private static DateTime? DueLocal(string sentence, DateTime now)
    {
        var text = sentence.ToLowerInvariant();
        if (WithinPattern().Match(text) is { Success: true } within)
        {
            var amount = within.Groups["n"].Value switch
            {
                "an" or "a" or "one" => 1,
                "two" => 2,
                "three" => 3,
                "half an" => 0.5,
                var n => double.Parse(n, CultureInfo.InvariantCulture),
            };
            var unit = within.Groups["unit"].Value;
            var span = unit.StartsWith("min", StringComparison.Ordinal) ? TimeSpan.FromMinutes(amount)
                : unit.StartsWith("hour", StringComparison.Ordinal) ? TimeSpan.FromHours(amount)
                : TimeSpan.FromDays(amount);
            return DateTime.SpecifyKind(now + span, DateTimeKind.Unspecified);
        }
        var time = text.Contains("first thing", StringComparison.Ordinal) || text.Contains("morning", StringComparison.Ordinal) ? FirstThing : EndOfDay;
        if (text.Contains("next week", StringComparison.Ordinal))
        {
            var monday = now.Date.AddDays(((int)DayOfWeek.Monday - (int)now.DayOfWeek + 7) % 7 is 0 ? 7 : ((int)DayOfWeek.Monday - (int)now.DayOfWeek + 7) % 7);
            return text.Contains("first thing", StringComparison.Ordinal) ? monday + FirstThing.ToTimeSpan() : monday.AddDays(4) + EndOfDay.ToTimeSpan();
        }
        if (text.Contains("tomorrow", StringComparison.Ordinal))
        {
            return now.Date.AddDays(1) + time.ToTimeSpan();
        }
        if (WeekdayPattern().Match(text) is { Success: true } weekday)
        {
            var day = Enum.Parse<DayOfWeek>(weekday.Groups[1].Value, ignoreCase: true);
            var ahead = ((int)day - (int)now.DayOfWeek + 7) % 7;
            if (ahead == 0 && (text.Contains("next", StringComparison.Ordinal) || now.TimeOfDay >= time.ToTimeSpan()))
            {
                ahead = 7;
            }
            return now.Date.AddDays(ahead) + time.ToTimeSpan();
        }
        if (EndOfDayPattern().IsMatch(text))
        {
            return now.Date + EndOfDay.ToTimeSpan();
        }
        return null;
    }

    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        // A wall-clock time in a DST gap moves forward past the gap; an ambiguous one takes its first occurrence.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        if (zone.IsAmbiguousTime(local))
        {
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        }
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
    }

    [GeneratedRegex(@"(?<=[.!?\n])\s+")]
    private static partial Regex SentencePattern();

    [GeneratedRegex(@"\b(i'll|i will|i’ll|we'll|we will|we’ll|i'm going to|we're going to|i shall|you'll (hear|get|have)|you will (hear|get|have)|expect (a|an|my|our)|i promise|will be (back|in touch))\b", RegexOptions.IgnoreCase)]
    private static partial Regex CommitmentPattern();

    [GeneratedRegex(@"\b(call|ring|phone)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CallPattern();

    [GeneratedRegex(@"\b(within|in(?! the)|in the next)\s+(?<n>\d+(\.\d+)?|an|a|one|two|three|half an)\s+(?<unit>minutes?|mins?|hours?|days?)\b")]
    private static partial Regex WithinPattern();

    [GeneratedRegex(@"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")]
    private static partial Regex WeekdayPattern();

    [GeneratedRegex(@"\b(end of (the )?day|by eod|eod|close of business|by cob|today|this afternoon|tonight)\b")]
    private static partial Regex EndOfDayPattern();
}
