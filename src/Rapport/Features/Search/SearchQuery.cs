using System.Globalization;
using System.Text;
using Rapport.Features.Tickets;

namespace Rapport.Features.Search;

/// <summary>A word or an exact phrase to look for in what was written. <see cref="Prefix"/>: the last word may go on
/// (<c>invoi*</c> finds "invoice" and "invoices").</summary>
public sealed record SearchText(string Text, bool Phrase, bool Prefix);

/// <summary>Whose tickets <c>owner:</c> asks for: the searching agent's, nobody's, or an agent found by name or address.</summary>
public sealed record OwnerFilter(bool Me, bool Nobody, string? Name, bool Negated);

/// <summary>What someone typed into a search box, understood: words and phrases to find or leave out, and filters on
/// the ticket. One grammar for the inbox, the global search, the customer page, the portal and the API (see README,
/// "Searching"). Dates are days in the business's time zone, turned into instants here so the database compares
/// instants only.</summary>
public sealed record SearchQuery
{
    public const int MaxLength = 500;
    public const int MaxParts = 32;

    public static readonly IReadOnlyList<string> Filters =
        ["from", "customer", "status", "tag", "owner", "priority", "channel", "has", "is", "before", "after", "on"];

    public IReadOnlyList<SearchText> Words { get; init; } = [];
    public IReadOnlyList<SearchText> ExcludedWords { get; init; } = [];
    /// <summary><c>#1234</c>: the ticket with this number.</summary>
    public long? TicketNumber { get; init; }
    /// <summary><c>from:</c>: someone who wrote a message of the ticket (an address or part of a name); all must match.</summary>
    public IReadOnlyList<string> From { get; init; } = [];
    /// <summary><c>customer:</c>: the ticket's customer by name, address or organisation; all must match.</summary>
    public IReadOnlyList<string> Customers { get; init; } = [];
    /// <summary><c>tag:</c>: each entry is a set of tags of which the ticket has at least one (commas: any of them); all entries must hold.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Tags { get; init; } = [];
    public IReadOnlyList<string> ExcludedTags { get; init; } = [];
    /// <summary>Empty: any. Several (<c>status:open,new</c> or repeated): any of them.</summary>
    public IReadOnlyList<TicketStatus> Statuses { get; init; } = [];
    public IReadOnlyList<TicketStatus> ExcludedStatuses { get; init; } = [];
    public IReadOnlyList<TicketPriority> Priorities { get; init; } = [];
    public IReadOnlyList<TicketPriority> ExcludedPriorities { get; init; } = [];
    public IReadOnlyList<TicketChannel> Channels { get; init; } = [];
    public IReadOnlyList<TicketChannel> ExcludedChannels { get; init; } = [];
    public OwnerFilter? Owner { get; init; }
    /// <summary><c>has:attachment</c> (true) or <c>-has:attachment</c> (false).</summary>
    public bool? HasAttachment { get; init; }
    public bool? IsComplaint { get; init; }
    /// <summary><c>is:late</c>: a deadline of the ticket was missed.</summary>
    public bool? IsLate { get; init; }
    /// <summary>The ticket was opened at or after this instant (UTC): <c>after:</c> and <c>on:</c>.</summary>
    public DateTime? OpenedFrom { get; init; }
    /// <summary>The ticket was opened before this instant (UTC): <c>before:</c> and <c>on:</c>.</summary>
    public DateTime? OpenedBefore { get; init; }

    /// <summary>Nothing to look for and nothing to filter on.</summary>
    public bool IsEmpty => Words.Count == 0 && ExcludedWords.Count == 0 && !HasFilters;

    /// <summary>Something beyond words and phrases to find or leave out: a filter or a ticket number.</summary>
    public bool HasFilters => TicketNumber is not null || From.Count > 0 || Customers.Count > 0
        || Tags.Count > 0 || ExcludedTags.Count > 0 || Statuses.Count > 0 || ExcludedStatuses.Count > 0 || Priorities.Count > 0
        || ExcludedPriorities.Count > 0 || Channels.Count > 0 || ExcludedChannels.Count > 0 || Owner is not null || HasAttachment is not null
        || IsComplaint is not null || IsLate is not null || OpenedFrom is not null || OpenedBefore is not null;

    /// <summary>Reads <paramref name="text"/>; dates are days in <paramref name="zone"/>, "today" the day <paramref name="now"/>
    /// (UTC) falls on there. A filter this grammar does not know, or a value a filter does not take, is an error that says
    /// what would have been understood, never a silently empty result.</summary>
    public static SearchParse Parse(string? text, TimeZoneInfo zone, DateTime now) => new Parser(text ?? "", zone, now).Run();

    private sealed class Parser(string text, TimeZoneInfo zone, DateTime now)
    {
        private readonly List<SearchText> _words = [], _excludedWords = [];
        private readonly List<string> _from = [], _customers = [], _excludedTags = [];
        private readonly List<IReadOnlyList<string>> _tags = [];
        private readonly List<TicketStatus> _statuses = [], _excludedStatuses = [];
        private readonly List<TicketPriority> _priorities = [], _excludedPriorities = [];
        private readonly List<TicketChannel> _channels = [], _excludedChannels = [];
        private long? _number;
        private OwnerFilter? _owner;
        private bool? _attachment, _complaint, _late;
        private DateTime? _openedFrom, _openedBefore;
        private int _position;

        public SearchParse Run()
        {
            if (text.Length > MaxLength)
            {
                return SearchParse.Fail($"A search can be at most {MaxLength} characters long.");
            }
            var parts = 0;
            while (SkipSpace())
            {
                if (++parts > MaxParts)
                {
                    return SearchParse.Fail($"A search can have at most {MaxParts} words, phrases and filters.");
                }
                var error = ReadPart();
                if (error is not null)
                {
                    return SearchParse.Fail(error);
                }
            }
            if (_openedFrom is { } from && _openedBefore is { } before && from >= before)
            {
                return SearchParse.Fail("No day is both after and before the dates given: check the after:, before: and on: filters.");
            }
            return SearchParse.Ok(new SearchQuery
            {
                Words = _words,
                ExcludedWords = _excludedWords,
                TicketNumber = _number,
                From = _from,
                Customers = _customers,
                Tags = _tags,
                ExcludedTags = _excludedTags,
                Statuses = _statuses,
                ExcludedStatuses = _excludedStatuses,
                Priorities = _priorities,
                ExcludedPriorities = _excludedPriorities,
                Channels = _channels,
                ExcludedChannels = _excludedChannels,
                Owner = _owner,
                HasAttachment = _attachment,
                IsComplaint = _complaint,
                IsLate = _late,
                OpenedFrom = _openedFrom,
                OpenedBefore = _openedBefore,
            });
        }

        private bool SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
            return _position < text.Length;
        }

        private string? ReadPart()
        {
            var negated = false;
            if (text[_position] == '-' && _position + 1 < text.Length && !char.IsWhiteSpace(text[_position + 1]))
            {
                negated = true;
                _position++;
            }
            if (text[_position] == '"')
            {
                var phrase = ReadQuoted();
                return phrase is null ? "A phrase has an opening quote but no closing one." : AddText(phrase, negated, quoted: true);
            }
            var start = _position;
            while (_position < text.Length && !char.IsWhiteSpace(text[_position]) && text[_position] != '"' && text[_position] != ':')
            {
                _position++;
            }
            var head = text[start.._position];
            if (_position < text.Length && text[_position] == ':' && IsFilterName(head) && _position + 1 < text.Length
                && !char.IsWhiteSpace(text[_position + 1]) && text[_position + 1] != '/')
            {
                _position++;
                string? value;
                if (text[_position] == '"')
                {
                    value = ReadQuoted();
                    if (value is null)
                    {
                        return $"The value of {head.ToLowerInvariant()}: has an opening quote but no closing one.";
                    }
                }
                else
                {
                    var valueStart = _position;
                    while (_position < text.Length && !char.IsWhiteSpace(text[_position]))
                    {
                        _position++;
                    }
                    value = text[valueStart.._position];
                }
                return AddFilter(head.ToLowerInvariant(), value.Trim(), negated);
            }
            // Not a filter: the rest of the word, colons and all ("10:30", "https://…", "re:").
            while (_position < text.Length && !char.IsWhiteSpace(text[_position]) && text[_position] != '"')
            {
                _position++;
            }
            var word = text[start.._position];
            if (!negated && word.Length > 1 && word[0] == '#' && long.TryParse(word.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                if (_number is not null && _number != number)
                {
                    return "A search can name one ticket number.";
                }
                _number = number;
                return null;
            }
            return AddText(word, negated, quoted: false);
        }

        // A word made of letters only, followed by a colon: a filter, known or not ("10:30" and "a1:b" are words).
        private static bool IsFilterName(string head) => head.Length > 0 && head.All(char.IsAsciiLetter);

        private string? ReadQuoted()
        {
            var close = text.IndexOf('"', _position + 1);
            if (close < 0)
            {
                return null;
            }
            var value = text[(_position + 1)..close];
            _position = close + 1;
            return value;
        }

        private string? AddText(string raw, bool negated, bool quoted)
        {
            var prefix = raw.EndsWith('*');
            var body = Normalize(raw.TrimEnd('*'));
            if (!body.Any(char.IsLetterOrDigit))
            {
                // Punctuation alone ("-", "*", "…") finds nothing and filters nothing.
                return null;
            }
            if (prefix && body.Length < 2)
            {
                return $"A prefix search needs at least two letters before the star: \"{raw}\".";
            }
            var entry = new SearchText(body, quoted && body.Contains(' ', StringComparison.Ordinal), prefix);
            (negated ? _excludedWords : _words).Add(entry);
            return null;
        }

        // Spaces collapsed; nothing else changes here (case, accents and stems are the index's business).
        private static string Normalize(string value)
        {
            var builder = new StringBuilder(value.Length);
            foreach (var part in value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (builder.Length > 0)
                {
                    builder.Append(' ');
                }
                builder.Append(part);
            }
            return builder.ToString();
        }

        private string? AddFilter(string name, string value, bool negated)
        {
            if (value.Length == 0)
            {
                return $"{name}: needs a value, e.g. {Example(name)}.";
            }
            switch (name)
            {
                case "from":
                    if (negated)
                    {
                        return "-from: is not supported: search for what you want instead.";
                    }
                    _from.Add(value);
                    return null;
                case "customer":
                    if (negated)
                    {
                        return "-customer: is not supported: search for what you want instead.";
                    }
                    _customers.Add(value);
                    return null;
                case "tag":
                    var tags = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.ToLowerInvariant()).ToList();
                    if (tags.Count == 0)
                    {
                        return $"tag: needs a value, e.g. {Example(name)}.";
                    }
                    if (negated)
                    {
                        _excludedTags.AddRange(tags);
                    }
                    else
                    {
                        _tags.Add(tags);
                    }
                    return null;
                case "status":
                    return AddValues(name, value, negated, _statuses, _excludedStatuses, StatusNames);
                case "priority":
                    return AddValues(name, value, negated, _priorities, _excludedPriorities, PriorityNames);
                case "channel":
                    return AddValues(name, value, negated, _channels, _excludedChannels, ChannelNames);
                case "owner":
                    return SetOwner(value, negated);
                case "has":
                    if (!value.Equals("attachment", StringComparison.OrdinalIgnoreCase) && !value.Equals("attachments", StringComparison.OrdinalIgnoreCase))
                    {
                        return $"has: takes attachment, not \"{value}\".";
                    }
                    return Set(ref _attachment, !negated, "has:attachment");
                case "is":
                    return value.ToLowerInvariant() switch
                    {
                        "complaint" => Set(ref _complaint, !negated, "is:complaint"),
                        "late" => Set(ref _late, !negated, "is:late"),
                        _ => $"is: takes complaint or late, not \"{value}\".",
                    };
                case "before" or "after" or "on":
                    return negated ? $"-{name}: is not supported: use {(name == "before" ? "after:" : "before:")} instead." : AddDate(name, value);
                default:
                    return $"Unknown filter \"{name}:\". Filters: {string.Join(", ", Filters.Select(f => f + ":"))}. "
                        + $"To search for the text itself, put it in quotes: \"{name}:{value}\".";
            }
        }

        private static string? Set(ref bool? field, bool value, string name)
        {
            if (field is { } existing && existing != value)
            {
                return $"{name} and -{name} cannot both hold.";
            }
            field = value;
            return null;
        }

        private string? SetOwner(string value, bool negated)
        {
            var owner = value.ToLowerInvariant() switch
            {
                "me" => new OwnerFilter(true, false, null, negated),
                "none" or "nobody" => new OwnerFilter(false, true, null, negated),
                _ => new OwnerFilter(false, false, value, negated),
            };
            if (_owner is not null && _owner != owner)
            {
                return "A search can name one owner.";
            }
            _owner = owner;
            return null;
        }

        private static string? AddValues<T>(string name, string value, bool negated, List<T> include, List<T> exclude,
            IReadOnlyDictionary<string, T> names) where T : struct, Enum
        {
            foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!names.TryGetValue(part.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), out var parsed))
                {
                    return $"{name}: takes {Display(name)}, not \"{part}\".";
                }
                var list = negated ? exclude : include;
                if (!list.Contains(parsed))
                {
                    list.Add(parsed);
                }
            }
            return null;
        }

        private string? AddDate(string name, string value)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(now, DateTimeKind.Utc), zone));
            DateOnly day;
            switch (value.ToLowerInvariant())
            {
                case "today":
                    day = today;
                    break;
                case "yesterday":
                    day = today.AddDays(-1);
                    break;
                default:
                    if (!DateOnly.TryParseExact(value, ["yyyy-MM-dd", "yyyy/MM/dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
                    {
                        return $"{name}: takes a day such as {today:yyyy-MM-dd}, today or yesterday, not \"{value}\".";
                    }
                    break;
            }
            var start = StartOf(day);
            var end = StartOf(day.AddDays(1));
            switch (name)
            {
                case "after":
                    _openedFrom = Later(_openedFrom, end);
                    break;
                case "before":
                    _openedBefore = Earlier(_openedBefore, start);
                    break;
                default:
                    _openedFrom = Later(_openedFrom, start);
                    _openedBefore = Earlier(_openedBefore, end);
                    break;
            }
            return null;
        }

        // The first instant of a day in the business's zone (a day that starts in a clock change's gap starts when the clock jumps).
        private DateTime StartOf(DateOnly day)
        {
            var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
            while (zone.IsInvalidTime(local))
            {
                local = local.AddMinutes(15);
            }
            return TimeZoneInfo.ConvertTimeToUtc(local, zone);
        }

        private static DateTime Later(DateTime? a, DateTime b) => a is { } x && x > b ? x : b;

        private static DateTime Earlier(DateTime? a, DateTime b) => a is { } x && x < b ? x : b;

        private static string Display(string name) => name switch
        {
            "status" => "new, open, waiting, resolved or closed",
            "priority" => "low, normal, high or urgent",
            _ => "email, form, portal, api, phone or agent",
        };

        private static string Example(string name) => name switch
        {
            "from" => "from:ann@example.com",
            "customer" => "customer:\"Acme Ltd\"",
            "tag" => "tag:billing",
            "status" => "status:open",
            "priority" => "priority:high",
            "channel" => "channel:email",
            "owner" => "owner:me",
            "has" => "has:attachment",
            "is" => "is:complaint",
            _ => $"{name}:2026-01-31",
        };
    }

    private static readonly IReadOnlyDictionary<string, TicketStatus> StatusNames = Names<TicketStatus>(
        ("waiting", TicketStatus.WaitingOnCustomer), ("pending", TicketStatus.WaitingOnCustomer), ("solved", TicketStatus.Resolved));

    private static readonly IReadOnlyDictionary<string, TicketPriority> PriorityNames = Names<TicketPriority>();

    private static readonly IReadOnlyDictionary<string, TicketChannel> ChannelNames = Names<TicketChannel>(
        ("mail", TicketChannel.Email), ("form", TicketChannel.WebForm), ("contactform", TicketChannel.WebForm));

    private static Dictionary<string, T> Names<T>(params (string Name, T Value)[] aliases) where T : struct, Enum
    {
        var names = Enum.GetValues<T>().ToDictionary(v => v.ToString().ToLowerInvariant(), v => v);
        foreach (var (name, value) in aliases)
        {
            names[name] = value;
        }
        return names;
    }
}

/// <summary>A search as understood, or why it could not be: <see cref="Error"/> is a sentence for the person who typed it.</summary>
public sealed record SearchParse(SearchQuery? Query, string? Error)
{
    public static SearchParse Ok(SearchQuery query) => new(query, null);

    public static SearchParse Fail(string error) => new(null, error);
}
