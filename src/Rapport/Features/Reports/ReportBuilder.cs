using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;

namespace Rapport.Features.Reports;

/// <summary>Builds the SLA report (see docs/decisions/0031-sla-report-cohorts.md). Each figure counts from the instant its
/// clock started: first response and resolution from the ticket's creation, next response from the customer message
/// that opened an unanswered run after the first reply, owner continuity from the reply. Those instants must lie in the
/// range; the week is theirs. Agents: a response counts for whoever wrote it (the owner while it is still owed), a
/// resolution for the ticket's owner, continuity for the customer's owner.</summary>
public sealed class ReportBuilder(IDbContextFactory<RapportDb> contexts, SlaClock clock, TimeProvider time, IEnumerable<IReportRate> extraRates)
{
    public const string FirstResponseSla = "firstResponseSla";
    public const string NextResponseSla = "nextResponseSla";
    public const string ResolutionSla = "resolutionSla";
    public const string OwnerContinuity = "ownerContinuity";

    public static readonly IReadOnlyList<ReportColumn> BuiltInRates =
    [
        new(FirstResponseSla, "First responses in time"),
        new(NextResponseSla, "Next responses in time"),
        new(ResolutionSla, "Resolutions in time"),
        new(OwnerContinuity, "Replies by the customer's owner"),
    ];

    public const string UnassignedName = "Unassigned";

    // Agent ids come from the database and start at 1; 0 stands for nobody in the tallies.
    private const int Nobody = 0;
    private const int FirstResponse = 0, NextResponse = 1, Resolution = 2;
    private const int FirstResponseRate = 0, NextResponseRate = 1, ResolutionRate = 2, ContinuityRate = 3;

    public sealed record Result(SlaReport? Report, Dictionary<string, string[]>? Errors);

    private sealed record TicketRow(long Id, DateTime CreatedAt, TicketPriority Priority, TicketStatus Status, int? OwnerId, int? CustomerOwnerId,
        DateTime? FirstResponseAt, DateTime? FirstResponseDueAt, DateTime? ResolvedAt, DateTime? ResolutionDueAt, TimeSpan? ResolutionTimeLeft);

    private sealed record MessageRow(long TicketId, long Id, bool IsReply, int? AuthorAgentId, DateTime CreatedAt);

    /// <summary>The business's time zone, in which the report's days and weeks run.</summary>
    public async Task<TimeZoneInfo> TimeZoneAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await clock.CurrentAsync(db, ct)).Business.Zone;
    }

    /// <summary>The report for local days <paramref name="from"/> to <paramref name="to"/> (default: the last eight weeks),
    /// for everyone or one agent. Errors are keyed by parameter (from, to, agent).</summary>
    public async Task<Result> BuildAsync(DateOnly? from, DateOnly? to, int? agentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var settings = await clock.CurrentAsync(db, ct);
        var zone = settings.Business.Zone;
        var now = time.GetUtcNow().UtcDateTime;
        var errors = new Dictionary<string, string[]>();
        var fallback = ReportRange.Default(now, zone);
        var (first, last) = (from, to) switch
        {
            (null, null) => (fallback.From, fallback.To),
            ({ } f, null) => (f, f.AddDays(7 * ReportRange.DefaultWeeks - 1)),
            (null, { } t) => (ReportRange.WeekOf(t).AddDays(-7 * (ReportRange.DefaultWeeks - 1)), t),
            ({ } f, { } t) => (f, t),
        };
        if (last < first)
        {
            errors["to"] = ["The range ends before it starts: give a date on or after from."];
        }
        else if (last.DayNumber - first.DayNumber + 1 > ReportRange.MaxDays)
        {
            errors["to"] = [$"A report covers at most {ReportRange.MaxDays} days."];
        }
        if (agentId is { } id && !await db.Users.AnyAsync(a => a.Id == id, ct))
        {
            errors["agent"] = [$"There is no agent {id}."];
        }
        if (errors.Count > 0)
        {
            return new Result(null, errors);
        }
        return new Result(await BuildAsync(db, settings, new ReportRange(first, last, zone), agentId, now, ct), null);
    }

    private async Task<SlaReport> BuildAsync(RapportDb db, SlaClock.Settings settings, ReportRange range, int? agentFilter, DateTime now, CancellationToken ct)
    {
        var (fromUtc, toUtc) = (range.FromUtc, range.ToUtc);
        // Every ticket with activity in the range was updated at or after its start, so UpdatedAt (indexed) bounds the scan.
        // The two reads run side by side, on two connections: reading and converting the rows is most of the work.
        await using var other = await contexts.CreateDbContextAsync(ct);
        var ticketsRead = db.Tickets.AsNoTracking()
            .Where(t => t.UpdatedAt >= fromUtc && t.CreatedAt < toUtc)
            .Select(t => new TicketRow(t.Id, t.CreatedAt, t.Priority, t.Status, t.OwnerId, t.Customer.OwnerId,
                t.FirstResponseAt, t.FirstResponseDueAt, t.ResolvedAt, t.ResolutionDueAt, t.ResolutionTimeLeft))
            .ToListAsync(ct);
        var messagesRead = (
                from m in other.Messages.AsNoTracking()
                join t in other.Tickets on m.TicketId equals t.Id
                where t.UpdatedAt >= fromUtc && t.CreatedAt < toUtc && m.Kind != MessageKind.Note
                select new MessageRow(m.TicketId, m.Id, m.Kind == MessageKind.Reply, m.AuthorAgentId, m.CreatedAt))
            .ToListAsync(ct);
        // Both finish (or fail) before the second context is disposed.
        await Task.WhenAll(ticketsRead, messagesRead);
        var tickets = await ticketsRead;
        var messages = await messagesRead;
        // Tags matter only where a tag has its own targets; then read just those tags of the tickets in range.
        var tagsOf = Enumerable.Empty<(long TicketId, string Name)>().ToLookup(t => t.TicketId, t => t.Name);
        if (settings.HasTagPolicies)
        {
            var tagged = settings.TagPolicies!.Select(p => p.Tag).Distinct().ToList();
            var rows = await (from tag in db.TicketTags.AsNoTracking()
                              join t in db.Tickets on tag.TicketId equals t.Id
                              where tagged.Contains(tag.Name) && t.UpdatedAt >= fromUtc && t.CreatedAt < toUtc
                              select new { tag.TicketId, tag.Name }).ToListAsync(ct);
            tagsOf = rows.ToLookup(r => r.TicketId, r => r.Name);
        }
        var threads = messages.OrderBy(m => m.TicketId).ThenBy(m => m.CreatedAt).ThenBy(m => m.Id).ToLookup(m => m.TicketId);

        var extras = extraRates.ToList();
        var columns = BuiltInRates.Concat(extras.Select(r => new ReportColumn(r.Key, r.Title))).ToList();
        var tally = new Tallies(columns.Count, agentFilter);
        var horizon = (now > toUtc ? now : toUtc).AddDays(60);
        var business = new BusinessTimeline(settings.Business, fromUtc, horizon);
        var calendarHours = new BusinessTimeline(settings.Calendar, fromUtc, horizon);

        foreach (var ticket in tickets)
        {
            var policy = settings.PolicyFor(ticket.Priority, tagsOf[ticket.Id]);
            var policyClock = policy.BusinessHours ? business : calendarHours;
            var thread = threads[ticket.Id];
            var opened = range.WeekIndex(ticket.CreatedAt);
            if (opened >= 0)
            {
                var firstReply = thread.FirstOrDefault(m => m.IsReply);
                var answeredBy = firstReply?.AuthorAgentId ?? ticket.OwnerId;
                if (ticket.FirstResponseAt is { } answered)
                {
                    tally.AddTime(opened, answeredBy, FirstResponse, business.Between(ticket.CreatedAt, answered));
                }
                if (FirstResponseMet(ticket, now) is { } met)
                {
                    tally.AddRate(opened, answeredBy, FirstResponseRate, met);
                }
                if (ticket.ResolvedAt is { } resolved)
                {
                    tally.AddTime(opened, ticket.OwnerId, Resolution, business.Between(ticket.CreatedAt, resolved));
                }
                if (ResolutionMet(ticket, now) is { } resolvedInTime)
                {
                    tally.AddRate(opened, ticket.OwnerId, ResolutionRate, resolvedInTime);
                }
            }

            // Next responses: the customer message that starts an unanswered run after the first reply, to the reply ending it.
            var replied = false;
            DateTime? waiting = null;
            foreach (var message in thread)
            {
                if (!message.IsReply)
                {
                    if (replied && waiting is null)
                    {
                        waiting = message.CreatedAt;
                    }
                    continue;
                }
                if (waiting is { } asked && range.WeekIndex(asked) is var week and >= 0)
                {
                    var by = message.AuthorAgentId ?? ticket.OwnerId;
                    tally.AddTime(week, by, NextResponse, business.Between(asked, message.CreatedAt));
                    tally.AddRate(week, by, NextResponseRate, message.CreatedAt <= policyClock.Add(asked, policy.NextResponse));
                }
                replied = true;
                waiting = null;
                if (ticket.CustomerOwnerId is { } owner && range.WeekIndex(message.CreatedAt) is var repliedIn and >= 0)
                {
                    tally.AddRate(repliedIn, owner, ContinuityRate, message.AuthorAgentId == owner);
                }
            }
            // Still owed (a resolved or closed ticket owes nothing): missed once past due, undecided before.
            if (waiting is { } unanswered && ticket.Status is not (TicketStatus.Resolved or TicketStatus.Closed)
                && range.WeekIndex(unanswered) is var owedIn and >= 0 && policyClock.Add(unanswered, policy.NextResponse) < now)
            {
                tally.AddRate(owedIn, ticket.OwnerId, NextResponseRate, false);
            }
        }

        var window = new ReportWindow(fromUtc, toUtc, agentFilter, now);
        for (var i = 0; i < extras.Count; i++)
        {
            foreach (var sample in await extras[i].LoadAsync(db, window, ct))
            {
                if (range.WeekIndex(sample.At) is var week and >= 0)
                {
                    tally.AddRate(week, sample.AgentId, BuiltInRates.Count + i, sample.Met);
                }
            }
        }

        var agentIds = tally.AgentIds.Where(a => a != Nobody).ToList();
        var names = await db.Users.AsNoTracking().Where(a => agentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.DisplayName, ct);
        string Name(int agent) => agent == Nobody ? UnassignedName : names.GetValueOrDefault(agent) ?? $"Agent {agent}";
        int? Id(int agent) => agent == Nobody ? null : agent;
        var agentOrder = tally.AgentIds.OrderBy(a => a == Nobody).ThenBy(Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(a => a).ToList();

        return new SlaReport(range.From, range.To, range.Zone.Id, agentFilter, now, columns,
            tally.Figures(Tallies.All, Tallies.AllAgents, columns),
            [.. range.Weeks.Select((w, i) => new WeekFigures(w, tally.Figures(i, Tallies.AllAgents, columns)))],
            [.. agentOrder.Select(a => new AgentFigures(Id(a), Name(a), tally.Figures(Tallies.All, a, columns)))],
            [.. range.Weeks.SelectMany((w, i) => agentOrder.Where(a => tally.Has(i, a))
                .Select(a => new CellFigures(w, Id(a), Name(a), tally.Figures(i, a, columns))))]);
    }

    /// <summary>Answered by the due instant; unanswered past it is missed; unanswered before it, or without a due instant, undecided.</summary>
    private static bool? FirstResponseMet(TicketRow ticket, DateTime now) => (ticket.FirstResponseAt, ticket.FirstResponseDueAt) switch
    {
        (_, null) => null,
        ({ } at, { } due) => at <= due,
        (null, { } due) => due < now ? false : null,
    };

    /// <summary>A ticket resolved while its clock ran met the SLA when resolved by the due instant; one resolved while the
    /// clock was paused (waiting on the customer) met it when time was left at the pause. Open past due is missed.</summary>
    private static bool? ResolutionMet(TicketRow ticket, DateTime now) => (ticket.ResolvedAt, ticket.ResolutionDueAt, ticket.ResolutionTimeLeft) switch
    {
        ({ } at, { } due, _) => at <= due,
        ({ }, null, { } left) => left > TimeSpan.Zero,
        (null, { } due, _) => due < now ? false : null,
        (null, null, { } left) when left <= TimeSpan.Zero => false,
        _ => null,
    };

    /// <summary>Samples by (week or all) × (agent or all): times to take percentiles of, and met/total per rate.</summary>
    private sealed class Tallies(int rates, int? agentFilter)
    {
        public const int All = -1;
        public const int AllAgents = int.MinValue;

        private readonly Dictionary<(int Week, int Agent), Tally> _tallies = [];
        private readonly HashSet<int> _agents = [];

        public IEnumerable<int> AgentIds => _agents;

        public bool Has(int week, int agent) => _tallies.ContainsKey((week, agent));

        public void AddTime(int week, int? agentId, int kind, TimeSpan value)
        {
            foreach (var tally in For(week, agentId))
            {
                tally.Times[kind].Add(value.Ticks);
            }
        }

        public void AddRate(int week, int? agentId, int rate, bool met)
        {
            foreach (var tally in For(week, agentId))
            {
                tally.Total[rate]++;
                tally.Met[rate] += met ? 1 : 0;
            }
        }

        public ReportFigures Figures(int week, int agent, IReadOnlyList<ReportColumn> columns)
        {
            var tally = _tallies.GetValueOrDefault((week, agent)) ?? new Tally(rates);
            return new ReportFigures(Time(tally.Times[FirstResponse]), Time(tally.Times[NextResponse]), Time(tally.Times[Resolution]),
                columns.Select((c, i) => (c.Key, Rate: new RateFigure(tally.Met[i], tally.Total[i], tally.Total[i] == 0 ? null : Math.Round((double)tally.Met[i] / tally.Total[i], 4))))
                    .ToDictionary(r => r.Key, r => r.Rate));
        }

        private static TimeFigure Time(List<long> ticks)
        {
            var sorted = ticks.ToArray();
            Array.Sort(sorted);
            return new TimeFigure(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.9));
        }

        private IEnumerable<Tally> For(int week, int? agentId)
        {
            var agent = agentId ?? Nobody;
            if (agentFilter is { } only && agent != only)
            {
                yield break;
            }
            _agents.Add(agent);
            yield return Get(week, agent);
            yield return Get(week, AllAgents);
            yield return Get(All, agent);
            yield return Get(All, AllAgents);
        }

        private Tally Get(int week, int agent)
        {
            if (!_tallies.TryGetValue((week, agent), out var tally))
            {
                tally = new Tally(rates);
                _tallies[(week, agent)] = tally;
            }
            return tally;
        }

        private sealed class Tally(int rates)
        {
            public List<long>[] Times { get; } = [[], [], []];
            public int[] Met { get; } = new int[rates];
            public int[] Total { get; } = new int[rates];
        }
    }

    /// <summary>The <paramref name="p"/> quantile of sorted durations (in ticks), interpolating linearly between the two
    /// nearest ranks (as spreadsheets' PERCENTILE.INC), to the second; null when there are none.</summary>
    public static TimeSpan? Percentile(IReadOnlyList<long> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = (sorted.Count - 1) * p;
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        var value = sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
        return TimeSpan.FromSeconds(Math.Round(value / TimeSpan.TicksPerSecond));
    }
}
