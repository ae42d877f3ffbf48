using System.Globalization;
using System.Text;
using Rapport.Features.Settings;
using Rapport.Features.Sla;

namespace Rapport.Bench.Generate;

/// <summary>Produces a help desk's history in one pass, oldest ticket first, so ids grow with time as they do in
/// a real installation. About one ticket in three comes from a new customer; the others come from customers who
/// wrote before, a few of them often. Each ticket follows a plausible timeline (first reply after a few hours,
/// resolution after a day or so, closing a few days later), and its status is wherever that timeline stands at
/// <see cref="Settings.Now"/>: old tickets are closed, recent ones new, open or waiting. <see cref="Settings.OpenShare"/>
/// keeps that share of the resolved and closed ones open instead (1 gives a desk where every ticket is open). The SLA
/// columns are what the app would have set with its default policies on <see cref="Settings.Calendar"/>, and the deadline
/// watch's marks what it would have claimed by now.</summary>
internal sealed class DataGenerator(DataGenerator.Settings settings, IRowSink sink)
{
    public sealed record Settings(long Tickets, int Seed, DateTime Now, TimeSpan Span, IReadOnlyList<int> AgentIds, StartIds Start,
        BusinessCalendar Calendar, double? OpenShare = null);

    private const double WarnShare = BusinessProfile.DefaultWarnPercent / 100.0;
    private static readonly Dictionary<string, SlaPolicy> Policies = SlaPolicy.Defaults().ToDictionary(p => p.Priority.ToString());

    private static readonly (string Name, string Via, int Weight)[] Channels =
        [("Email", "email", 55), ("WebForm", "web-form", 15), ("Portal", "portal", 10), ("Api", "api", 10), ("Phone", "phone", 7), ("Agent", "agent", 3)];

    private static readonly (string Name, int Weight)[] Priorities = [("Low", 15), ("Normal", 60), ("High", 20), ("Urgent", 5)];

    private static readonly string[] Towns = ["Leith", "Bristol", "Porto", "Graz", "Lyon", "Aarhus", "Cork", "Ghent", "Malmö", "Bergen", "Turin", "Kraków"];

    private readonly Random _random = new(settings.Seed);
    private readonly RowCounts _counts = new();
    private readonly List<(long Id, string FirstName)> _customers = [];
    private readonly List<long> _organizations = [];
    private readonly HashSet<string> _organizationNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _tags = new(3);
    private readonly List<(DateTime At, string Kind)> _thread = new(4);
    private long _nextOrganization = settings.Start.Organization;
    private long _nextCustomer = settings.Start.Customer;
    private long _nextEmail = settings.Start.CustomerEmail;
    private long _nextMessage = settings.Start.Message;
    private long _nextEvent = settings.Start.TicketEvent;

    public RowCounts Counts => _counts;

    public void Run(Action<long>? progress = null)
    {
        var start = settings.Now - settings.Span;
        var spanTicks = (double)settings.Span.Ticks;
        var n = settings.Tickets;
        for (long i = 0; i < n; i++)
        {
            // The desk grows: density of tickets rises over the period (creation time ~ x^0.7).
            var x = (i + _random.NextDouble()) / n;
            var createdAt = start.AddTicks((long)(spanTicks * Math.Pow(x, 0.7)));
            WriteTicket(settings.Start.Ticket + i, createdAt);
            if (progress is not null && (i + 1) % 100_000 == 0)
            {
                progress(i + 1);
            }
        }
    }

    private void WriteTicket(long id, DateTime createdAt)
    {
        var now = settings.Now;
        var (customerId, firstName) = PickCustomer(createdAt);
        var (topicSubject, topicBody, topicTag) = Vocabulary.Topics[_random.Next(Vocabulary.Topics.Length)];
        var number = _random.Next(1000, 99999);
        var order = _random.Next(100000, 999999);
        var subject = Fill(topicSubject, number, order);
        var channel = Weighted(Channels, c => c.Weight);
        var priority = Weighted(Priorities, p => p.Weight).Name;
        var agents = settings.AgentIds;
        int? owner = agents.Count > 0 && _random.NextDouble() < 0.7 ? agents[_random.Next(agents.Count)] : null;

        // The timeline as it would unfold, then cut at "now".
        var firstReplyAt = createdAt + LogNormal(TimeSpan.FromHours(3), 1.2);
        var stubborn = _random.NextDouble() < 0.02;
        var resolvedAt = firstReplyAt + LogNormal(TimeSpan.FromHours(stubborn ? 400 : 20), 1.0);
        var closedAt = resolvedAt + TimeSpan.FromHours(_random.NextDouble() < 0.3 ? _random.NextDouble() : 72 + 96 * _random.NextDouble());

        _thread.Clear();
        _thread.Add((createdAt, "Customer"));
        DateTime? firstResponse = null;
        DateTime? resolved = null;
        DateTime? closed = null;
        string status;
        if (firstReplyAt > now)
        {
            status = "New";
            if (_random.NextDouble() < 0.1)
            {
                _thread.Add((Between(createdAt, now), "Customer"));
            }
        }
        else
        {
            firstResponse = firstReplyAt;
            _thread.Add((firstReplyAt, "Reply"));
            var end = resolvedAt < now ? resolvedAt : now;
            var extra = _random.Next(0, 3);
            for (var k = 0; k < extra; k++)
            {
                var kind = _random.NextDouble() < 0.15 ? "Note" : _thread[^1].Kind == "Reply" ? "Customer" : "Reply";
                _thread.Add((Between(_thread[^1].At, end), kind));
            }
            if (resolvedAt <= now && settings.OpenShare is { } share && _random.NextDouble() < share)
            {
                status = _thread[^1].Kind == "Reply" ? "WaitingOnCustomer" : "Open";
            }
            else if (closedAt <= now)
            {
                status = "Closed";
                resolved = resolvedAt;
                closed = closedAt;
            }
            else if (resolvedAt <= now)
            {
                status = "Resolved";
                resolved = resolvedAt;
            }
            else
            {
                status = _thread[^1].Kind == "Reply" ? "WaitingOnCustomer" : "Open";
            }
        }
        if (status == "New")
        {
            owner = null;
        }
        var updatedAt = closed ?? resolved ?? _thread[^1].At;
        var version = _thread.Count + (status == "New" ? 0 : 1) + (resolved is null ? 0 : 1) + (closed is null ? 0 : 1);

        sink.Add(new TicketRow(id, subject, status, priority, channel.Name, customerId, owner, createdAt, updatedAt,
            firstResponse, resolved, closed, version, Sla(createdAt, priority, status, firstResponse)));
        _counts.Tickets++;

        for (var k = 0; k < _thread.Count; k++)
        {
            var (at, kind) = _thread[k];
            var text = kind switch
            {
                "Customer" when k == 0 => CustomerText(Fill(topicBody, number, order), firstName),
                "Customer" => CustomerText(Vocabulary.FollowUps[_random.Next(Vocabulary.FollowUps.Length)], firstName),
                "Reply" => ReplyText(firstName),
                _ => Vocabulary.Notes[_random.Next(Vocabulary.Notes.Length)],
            };
            int? agent = kind == "Customer" ? null : owner ?? (agents.Count > 0 ? agents[_random.Next(agents.Count)] : null);
            sink.Add(new MessageRow(_nextMessage++, id, kind, agent, kind == "Customer" ? customerId : null, text, at));
            _counts.Messages++;
        }

        _tags.Clear();
        if (_random.NextDouble() < 0.7)
        {
            _tags.Add(topicTag);
        }
        var extraTags = _random.Next(0, 3);
        for (var k = 0; k < extraTags && _tags.Count < 3; k++)
        {
            var tag = Vocabulary.Tags[_random.Next(Vocabulary.Tags.Length)];
            if (!_tags.Contains(tag))
            {
                _tags.Add(tag);
            }
        }
        foreach (var tag in _tags)
        {
            sink.Add(new TicketTagRow(id, tag));
            _counts.TicketTags++;
        }

        var detail = _tags.Count == 0 ? $"via {channel.Via}" : $"via {channel.Via}, tagged {string.Join(", ", _tags)}";
        var byCustomer = channel.Name is "Email" or "WebForm" or "Portal";
        int? byAgent = channel.Name is "Phone" or "Agent" && agents.Count > 0 ? owner ?? agents[0] : null;
        // The channel the change came through, as the app records it (ChangeChannel).
        var via = channel.Name switch { "Email" => "Email", "WebForm" => "ContactForm", "Portal" => "Portal", "Api" => "Api", _ => "AgentApp" };
        sink.Add(new TicketEventRow(_nextEvent++, id, "Created", byAgent, null, byCustomer ? customerId : null, detail, createdAt, via));
        _counts.TicketEvents++;
    }

    private TicketSla Sla(DateTime createdAt, string priority, string status, DateTime? firstResponse)
    {
        var policy = Policies[priority];
        var calendar = settings.Calendar;
        var now = settings.Now;
        DateTime? lastCustomer = null, lastReply = null;
        foreach (var (at, kind) in _thread)
        {
            if (kind == "Customer")
            {
                lastCustomer = at;
            }
            else if (kind == "Reply")
            {
                lastReply = at;
            }
        }
        var firstDue = calendar.AddBusinessTime(createdAt, policy.FirstResponse);
        var resolutionDue = calendar.AddBusinessTime(createdAt, policy.Resolution);
        if (status is "Resolved" or "Closed")
        {
            return new TicketSla(firstDue, null, resolutionDue, null, lastCustomer, lastReply, null, null, null, null, null);
        }
        // Waiting on the customer stops the resolution clock at the reply, keeping the open time that was left.
        var paused = status == "WaitingOnCustomer";
        DateTime? running = paused ? null : resolutionDue;
        TimeSpan? left = paused && lastReply is { } pausedAt ? calendar.BusinessTimeBetween(pausedAt, resolutionDue) : null;
        var owed = firstResponse is not null && lastCustomer is { } wrote && wrote > (lastReply ?? DateTime.MinValue);
        DateTime? nextDue = owed ? calendar.AddBusinessTime(lastCustomer!.Value, policy.NextResponse) : null;

        DateTime? due = null;
        string? dueFor = null;
        var target = TimeSpan.Zero;
        foreach (var (at, what, span) in new[] { (firstResponse is null ? firstDue : (DateTime?)null, "FirstResponse", policy.FirstResponse),
                     (nextDue, "NextResponse", policy.NextResponse), (running, "Resolution", policy.Resolution) })
        {
            if (at is not null && (due is null || at < due))
            {
                (due, dueFor, target) = (at, what, span);
            }
        }
        if (due is not { } dueAt)
        {
            return new TicketSla(firstDue, nextDue, running, left, lastCustomer, lastReply, null, null, null, null, null);
        }
        var warnAt = calendar.SubtractBusinessTime(dueAt, target * (1 - WarnShare), createdAt);
        // The watch runs every SlaWatch.Interval: it has escalated (and so marked warned) what fell due before its last
        // round, and warned what reached its warning instant; the rest of the last interval is still to do.
        var seen = now - SlaWatch.Interval;
        DateTime? breachedFor = dueAt <= seen ? dueAt : null;
        DateTime? warnedFor = breachedFor ?? (warnAt <= seen ? dueAt : null);
        return new TicketSla(firstDue, nextDue, running, left, lastCustomer, lastReply, dueAt, dueFor, warnAt, warnedFor, breachedFor);
    }

    private (long Id, string FirstName) PickCustomer(DateTime at)
    {
        if (_customers.Count == 0 || _random.NextDouble() < 1.0 / 3)
        {
            return NewCustomer(at);
        }
        // A few regulars write often; everyone else now and then.
        var index = _random.NextDouble() < 0.15
            ? _random.Next(Math.Max(1, _customers.Count / 50))
            : _random.Next(_customers.Count);
        return _customers[index];
    }

    private (long Id, string FirstName) NewCustomer(DateTime at)
    {
        var id = _nextCustomer++;
        var first = Vocabulary.FirstNames[_random.Next(Vocabulary.FirstNames.Length)];
        var last = Vocabulary.LastNames[_random.Next(Vocabulary.LastNames.Length)];
        long? organization = null;
        string domain = Vocabulary.MailDomains[_random.Next(Vocabulary.MailDomains.Length)];
        if (_random.NextDouble() < 0.3)
        {
            if (_organizations.Count == 0 || _random.NextDouble() < 1.0 / 15)
            {
                var (orgId, name) = NewOrganization(at);
                organization = orgId;
                domain = Slug(name) + ".example";
            }
            else
            {
                organization = _organizations[_random.Next(_organizations.Count)];
            }
        }
        var phone = _random.NextDouble() < 0.4
            ? string.Create(CultureInfo.InvariantCulture, $"+{_random.Next(1, 50)} 555 {_random.Next(1000, 9999)}")
            : null;
        var createdAt = at - TimeSpan.FromSeconds(_random.Next(1, 600));
        sink.Add(new CustomerRow(id, $"{first} {last}", phone, organization, createdAt, createdAt));
        _counts.Customers++;
        // The id makes the address unique across runs; the rest makes it look like one.
        var local = string.Create(CultureInfo.InvariantCulture, $"{Slug(first)}.{Slug(last)}{id}");
        sink.Add(new CustomerEmailRow(_nextEmail++, id, $"{local}@{domain}", true));
        _counts.CustomerEmails++;
        if (_random.NextDouble() < 0.05)
        {
            var other = Vocabulary.MailDomains[_random.Next(Vocabulary.MailDomains.Length)];
            sink.Add(new CustomerEmailRow(_nextEmail++, id, string.Create(CultureInfo.InvariantCulture, $"{Slug(first)}{id}@{other}"), false));
            _counts.CustomerEmails++;
        }
        _customers.Add((id, first));
        return (id, first);
    }

    private (long Id, string Name) NewOrganization(DateTime at)
    {
        string name;
        var attempt = 0;
        do
        {
            var word = _random.NextDouble() < 0.5
                ? Vocabulary.OrganizationWords[_random.Next(Vocabulary.OrganizationWords.Length)]
                : Vocabulary.LastNames[_random.Next(Vocabulary.LastNames.Length)];
            var kind = Vocabulary.OrganizationKinds[_random.Next(Vocabulary.OrganizationKinds.Length)];
            name = attempt < 2 ? $"{word} {kind}" : $"{word} {kind} {Towns[_random.Next(Towns.Length)]}";
            if (attempt >= 6)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{name} {_nextOrganization}");
            }
            attempt++;
        }
        while (!_organizationNames.Add(name));
        var id = _nextOrganization++;
        sink.Add(new OrganizationRow(id, name, at - TimeSpan.FromMinutes(_random.Next(1, 600))));
        _counts.Organizations++;
        _organizations.Add(id);
        return (id, name);
    }

    private string CustomerText(string body, string firstName) =>
        string.Concat(Vocabulary.Greetings[_random.Next(Vocabulary.Greetings.Length)], "\n\n", body, "\n\n",
            Vocabulary.SignOffs[_random.Next(Vocabulary.SignOffs.Length)], "\n", firstName);

    private string ReplyText(string firstName) =>
        string.Concat("Hi ", firstName, ",\n\n", Vocabulary.Replies[_random.Next(Vocabulary.Replies.Length)], "\n\nBest regards,\nThe support team");

    private string Fill(string template, int number, int order)
    {
        if (!template.Contains('{'))
        {
            return template;
        }
        var text = template
            .Replace("{n}", number.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{order}", order.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (text.Contains("{product}", StringComparison.Ordinal))
        {
            var product = Vocabulary.Products[_random.Next(Vocabulary.Products.Length)];
            text = text.StartsWith("{product}", StringComparison.Ordinal)
                ? string.Concat(char.ToUpperInvariant(product[0]).ToString(), product.AsSpan(1), text.AsSpan("{product}".Length)).Replace("{product}", product, StringComparison.Ordinal)
                : text.Replace("{product}", product, StringComparison.Ordinal);
        }
        if (text.Contains("{feature}", StringComparison.Ordinal))
        {
            var feature = Vocabulary.Features[_random.Next(Vocabulary.Features.Length)];
            text = text.StartsWith("{feature}", StringComparison.Ordinal)
                ? string.Concat(char.ToUpperInvariant(feature[0]).ToString(), feature.AsSpan(1), text.AsSpan("{feature}".Length)).Replace("{feature}", feature, StringComparison.Ordinal)
                : text.Replace("{feature}", feature, StringComparison.Ordinal);
        }
        return text
            .Replace("{month}", Vocabulary.Months[_random.Next(Vocabulary.Months.Length)], StringComparison.Ordinal)
            .Replace("{day}", Vocabulary.Days[_random.Next(Vocabulary.Days.Length)], StringComparison.Ordinal);
    }

    private T Weighted<T>(T[] items, Func<T, int> weight)
    {
        var total = 0;
        foreach (var item in items)
        {
            total += weight(item);
        }
        var pick = _random.Next(total);
        foreach (var item in items)
        {
            pick -= weight(item);
            if (pick < 0)
            {
                return item;
            }
        }
        return items[^1];
    }

    /// <summary>A duration with the given median and spread (sigma of the underlying normal), at least a minute.</summary>
    private TimeSpan LogNormal(TimeSpan median, double sigma)
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        var ticks = median.Ticks * Math.Exp(sigma * normal);
        return TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMinute, (long)Math.Min(ticks, TimeSpan.FromDays(200).Ticks)));
    }

    private DateTime Between(DateTime from, DateTime to) =>
        to <= from ? from : from.AddTicks((long)((to - from).Ticks * (0.2 + 0.8 * _random.NextDouble())));

    internal static string Slug(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                builder.Append(c);
            }
            else if (c is >= 'A' and <= 'Z')
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if ((c == ' ' || c == '-') && builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }
        return builder.ToString().Trim('-');
    }
}
