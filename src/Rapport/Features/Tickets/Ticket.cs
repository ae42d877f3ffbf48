using System.Text.Json;
using Rapport.Features.Agents;
using Rapport.Features.Customers;

namespace Rapport.Features.Tickets;

public enum TicketStatus { New, Open, WaitingOnCustomer, Resolved, Closed }

public enum TicketPriority { Low, Normal, High, Urgent }

public enum TicketChannel { Api, Email, WebForm, Portal, Phone, Agent }

/// <summary>The deadlines an SLA sets on a ticket.</summary>
public enum SlaDeadline { FirstResponse, NextResponse, Resolution }

public sealed class Ticket
{
    public const int SubjectMaxLength = 300;

    private readonly List<TicketTag> _tags = [];
    private readonly List<Message> _messages = [];
    private readonly List<TicketEvent> _events = [];

    private Ticket() { }

    public long Id { get; private set; }
    public string Subject { get; private set; } = "";
    public TicketStatus Status { get; private set; }
    public TicketPriority Priority { get; private set; }
    public TicketChannel Channel { get; private set; }
    public long CustomerId { get; private set; }
    public Customer Customer { get; private set; } = null!;
    public int? OwnerId { get; private set; }
    public Agent? Owner { get; private set; }
    public DateTime CreatedAt { get; private set; }
    /// <summary>Last activity: a message, a status change or any other edit. Lists sort by it.</summary>
    public DateTime UpdatedAt { get; private set; }
    public DateTime? FirstResponseAt { get; private set; }
    public DateTime? ResolvedAt { get; private set; }
    public DateTime? ClosedAt { get; private set; }
    /// <summary>When the first answer is due (kept after it was given, to tell whether it came in time).</summary>
    public DateTime? FirstResponseDueAt { get; private set; }
    /// <summary>When an answer to the customer's latest message is due; null when nothing is owed.</summary>
    public DateTime? NextResponseDueAt { get; private set; }
    /// <summary>When resolution is due; null while the clock is paused (waiting on the customer).</summary>
    public DateTime? ResolutionDueAt { get; private set; }
    /// <summary>Open (business) time left to resolve when the clock was paused.</summary>
    public TimeSpan? ResolutionTimeLeft { get; private set; }
    public DateTime? LastCustomerMessageAt { get; private set; }
    public DateTime? LastReplyAt { get; private set; }

    /// <summary>The earliest deadline the team owes the customer now (null when none runs), for sorting and marking the inbox.</summary>
    public DateTime? DueAt { get; private set; }
    /// <summary>Which deadline <see cref="DueAt"/> is.</summary>
    public SlaDeadline? DueFor { get; private set; }
    /// <summary>When the owner is warned that <see cref="DueAt"/> is near: the share of the target set by the business has passed.</summary>
    public DateTime? WarnAt { get; private set; }
    /// <summary>The due instant a warning was sent for (each deadline is warned about once, by one app node).</summary>
    public DateTime? WarnedFor { get; private set; }
    /// <summary>The due instant whose breach was escalated.</summary>
    public DateTime? BreachedFor { get; private set; }
    /// <summary>An automatic acknowledgement is owed to the customer (a new ticket they opened); cleared once it was queued.</summary>
    public bool AcknowledgementPending { get; private set; }

    /// <summary>The customer wrote in strongly negative terms: shown in the inbox, and the priority raised.</summary>
    public bool IsComplaint { get; private set; }
    /// <summary>App-managed optimistic concurrency token: SQLite has no database-generated row version.</summary>
    public int Version { get; private set; }

    /// <summary>The number people quote ("ticket 1042"). Tickets are numbered by their key.</summary>
    public long Number => Id;

    public IReadOnlyCollection<TicketTag> Tags => _tags;
    public IReadOnlyCollection<Message> Messages => _messages;
    public IReadOnlyCollection<TicketEvent> Events => _events;

    public static Ticket Open(Customer customer, string subject, TicketChannel channel, TicketPriority priority,
        Message firstMessage, Actor actor, DateTime now, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var ticket = new Ticket
        {
            Subject = NormalizeSubject(subject),
            Status = TicketStatus.New,
            Priority = priority,
            Channel = channel,
            Customer = customer,
            CustomerId = customer.Id,
            OwnerId = customer.OwnerId,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        ticket._messages.Add(firstMessage);
        ticket.LastCustomerMessageAt = firstMessage.Kind == MessageKind.Customer ? now : null;
        ticket.AcknowledgementPending = firstMessage.Kind == MessageKind.Customer
            && channel is TicketChannel.Email or TicketChannel.WebForm or TicketChannel.Portal;
        var tagNames = TicketTag.Normalize(tags ?? []);
        ticket._tags.AddRange(tagNames.Select(name => new TicketTag(name)));
        var via = JsonNamingPolicy.KebabCaseLower.ConvertName(channel.ToString());
        ticket._events.Add(TicketEvent.Create(TicketEventKind.Created, actor, now,
            tagNames.Count == 0 ? $"via {via}" : $"via {via}, tagged {string.Join(", ", tagNames)}"));
        ticket.MarkComplaintIf(firstMessage, actor, now);
        if (customer.OwnerId is { } ownerId)
        {
            ticket._events.Add(TicketEvent.Create(TicketEventKind.Assigned, actor, now, $"→ agent {ownerId} (customer's owner)"));
        }
        return ticket;
    }

    public static bool IsLegalMove(TicketStatus from, TicketStatus to) => (from, to) switch
    {
        _ when from == to => true,
        (TicketStatus.New, _) => to != TicketStatus.New,
        (TicketStatus.Open, TicketStatus.WaitingOnCustomer or TicketStatus.Resolved or TicketStatus.Closed) => true,
        (TicketStatus.WaitingOnCustomer, TicketStatus.Open or TicketStatus.Resolved or TicketStatus.Closed) => true,
        (TicketStatus.Resolved, TicketStatus.Open or TicketStatus.Closed) => true,
        _ => false,
    };

    public void ChangeStatus(TicketStatus to, Actor actor, DateTime now)
    {
        if (to == Status)
        {
            return;
        }
        if (!IsLegalMove(Status, to))
        {
            throw new TicketRuleException("illegal-status-change",
                $"A ticket cannot move from {TicketStatusNames.Of(Status)} to {TicketStatusNames.Of(to)}." + (Status == TicketStatus.Closed
                    ? " A closed ticket is final: open a new ticket instead."
                    : to == TicketStatus.New ? " A ticket is new only until someone works on it." : ""));
        }
        var from = Status;
        Status = to;
        switch (to)
        {
            case TicketStatus.Resolved:
                ResolvedAt = now;
                break;
            case TicketStatus.Closed:
                ClosedAt = now;
                ResolvedAt ??= now;
                break;
            case TicketStatus.Open:
                ResolvedAt = null;
                break;
        }
        Record(TicketEventKind.StatusChanged, actor, now, $"{TicketStatusNames.Of(from)} → {TicketStatusNames.Of(to)}");
    }

    public void ChangePriority(TicketPriority to, Actor actor, DateTime now)
    {
        if (to == Priority)
        {
            return;
        }
        var from = Priority;
        Priority = to;
        Record(TicketEventKind.PriorityChanged, actor, now, $"{from} → {to}".ToLowerInvariant());
    }

    public void ChangeSubject(string subject, Actor actor, DateTime now)
    {
        var normalized = NormalizeSubject(subject);
        if (normalized == Subject)
        {
            return;
        }
        Subject = normalized;
        Record(TicketEventKind.SubjectChanged, actor, now, normalized);
    }

    /// <summary>Gives the ticket to an agent, or to nobody. Whether that agent may own tickets is the caller's check.</summary>
    public void Assign(int? agentId, Actor actor, DateTime now)
    {
        if (agentId == OwnerId)
        {
            return;
        }
        EnsureNotClosed("reassign");
        OwnerId = agentId;
        Record(agentId is null ? TicketEventKind.Unassigned : TicketEventKind.Assigned, actor, now,
            agentId is null ? null : $"→ agent {agentId}");
    }

    /// <summary>Routing gave the new ticket to an agent (the customer's owner being away, say); the reason goes in the history.</summary>
    public void Route(int agentId, string reason, DateTime now)
    {
        if (agentId == OwnerId)
        {
            return;
        }
        OwnerId = agentId;
        _events.Add(TicketEvent.Create(TicketEventKind.Assigned, Actor.System, now, $"→ agent {agentId} ({reason})"));
    }

    public void SetTags(IEnumerable<string> tags, Actor actor, DateTime now)
    {
        var wanted = TicketTag.Normalize(tags);
        var current = _tags.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var added = wanted.Where(t => !current.Contains(t)).ToList();
        var removed = _tags.Where(t => !wanted.Contains(t.Name)).ToList();
        if (added.Count == 0 && removed.Count == 0)
        {
            return;
        }
        foreach (var tag in removed)
        {
            _tags.Remove(tag);
        }
        foreach (var name in added)
        {
            _tags.Add(new TicketTag(name));
        }
        var detail = string.Join(", ", added.Select(t => "+" + t).Concat(removed.Select(t => "-" + t.Name)));
        Record(TicketEventKind.TagsChanged, actor, now, detail);
    }

    /// <summary>The customer wrote again, in the portal or by email (<paramref name="via"/>): a waiting or resolved ticket reopens.</summary>
    public void AddCustomerMessage(Message message, ChangeChannel via, DateTime now)
    {
        EnsureNotClosed("add a customer message to");
        var customer = Actor.Customer(CustomerId, via);
        _messages.Add(message);
        LastCustomerMessageAt = now;
        Record(TicketEventKind.CustomerWrote, customer, now, null);
        MarkComplaintIf(message, customer, now);
        if (Status is TicketStatus.WaitingOnCustomer or TicketStatus.Resolved)
        {
            var from = Status;
            Status = TicketStatus.Open;
            ResolvedAt = null;
            Record(TicketEventKind.StatusChanged, customer, now,
                $"{TicketStatusNames.Of(from)} → {TicketStatusNames.Of(TicketStatus.Open)} (customer wrote again)");
        }
    }

    /// <summary>An agent's answer to the customer. The first one stamps the first response; afterwards the
    /// ticket waits on the customer unless the agent chose another status.</summary>
    public void AddReply(Message reply, Actor actor, DateTime now, TicketStatus? statusAfter = null)
    {
        EnsureNotClosed("reply to");
        _messages.Add(reply);
        FirstResponseAt ??= now;
        LastReplyAt = now;
        Record(TicketEventKind.Replied, actor, now, null);
        var next = statusAfter ?? (Status is TicketStatus.New or TicketStatus.Open ? TicketStatus.WaitingOnCustomer : Status);
        ChangeStatus(next, actor, now);
    }

    /// <summary>Sets the due instants from the SLA policy of the ticket's priority, on the calendar it counts in:
    /// on opening and on a priority change from the creation instant; the resolution clock stops while the ticket
    /// waits on the customer and goes on with the time that was left; an answer is owed after each customer message
    /// once the first one was given.</summary>
    public void ApplySla(Sla.SlaPolicy policy, Sla.BusinessCalendar calendar, DateTime now, TicketStatus? statusBefore, bool recompute, double warnShare = 0.8)
    {
        var paused = Status is TicketStatus.WaitingOnCustomer;
        var done = Status is TicketStatus.Resolved or TicketStatus.Closed;
        if (recompute)
        {
            FirstResponseDueAt = calendar.AddBusinessTime(CreatedAt, policy.FirstResponse);
            if (!done)
            {
                var due = calendar.AddBusinessTime(CreatedAt, policy.Resolution);
                ResolutionDueAt = paused ? null : due;
                ResolutionTimeLeft = paused ? calendar.BusinessTimeBetween(now, due) : null;
            }
        }
        else if (statusBefore is not TicketStatus.WaitingOnCustomer && paused && ResolutionDueAt is { } running)
        {
            ResolutionTimeLeft = running > now ? calendar.BusinessTimeBetween(now, running) : TimeSpan.Zero;
            ResolutionDueAt = null;
        }
        else if (statusBefore is TicketStatus.WaitingOnCustomer && !paused && !done && ResolutionTimeLeft is { } left)
        {
            ResolutionDueAt = calendar.AddBusinessTime(now, left);
            ResolutionTimeLeft = null;
        }
        else if (statusBefore is TicketStatus.Resolved or TicketStatus.Closed && !done && ResolutionDueAt is null && ResolutionTimeLeft is { } reopened)
        {
            ResolutionDueAt = calendar.AddBusinessTime(now, reopened);
            ResolutionTimeLeft = null;
        }
        var owed = FirstResponseAt is not null && LastCustomerMessageAt is { } wrote && wrote > (LastReplyAt ?? DateTime.MinValue) && !done;
        NextResponseDueAt = owed ? NextResponseDueAt is { } kept && !recompute && kept > LastCustomerMessageAt ? kept
            : calendar.AddBusinessTime(LastCustomerMessageAt!.Value, policy.NextResponse) : null;
        var (dueAt, dueFor) = done ? (null, null) : new (DateTime? At, SlaDeadline? For)[]
            {
                (FirstResponseAt is null ? FirstResponseDueAt : null, SlaDeadline.FirstResponse),
                (NextResponseDueAt, SlaDeadline.NextResponse),
                (ResolutionDueAt, SlaDeadline.Resolution),
            }.Where(d => d.At is not null).OrderBy(d => d.At).FirstOrDefault();
        if (dueAt != DueAt || dueFor != DueFor || recompute)
        {
            DueAt = dueAt;
            DueFor = dueFor;
            var target = dueFor switch
            {
                SlaDeadline.FirstResponse => policy.FirstResponse,
                SlaDeadline.NextResponse => policy.NextResponse,
                _ => policy.Resolution,
            };
            WarnAt = dueAt is { } due ? calendar.SubtractBusinessTime(due, target * (1 - Math.Clamp(warnShare, 0, 1)), CreatedAt) : null;
        }
    }

    /// <summary>The automatic acknowledgement was queued (or is not wanted).</summary>
    public void Acknowledged() => AcknowledgementPending = false;

    /// <summary>A strongly negative customer message marks the ticket a complaint and raises a low or normal priority to high.</summary>
    private void MarkComplaintIf(Message message, Actor actor, DateTime now)
    {
        if (!message.IsComplaint || IsComplaint)
        {
            return;
        }
        IsComplaint = true;
        if (Priority is TicketPriority.Low or TicketPriority.Normal)
        {
            var from = Priority;
            Priority = TicketPriority.High;
            _events.Add(TicketEvent.Create(TicketEventKind.PriorityChanged, actor, now, $"{from} → {Priority} (the customer sounds upset)"));
        }
    }

    public void AddNote(Message note, Actor actor, DateTime now)
    {
        _messages.Add(note);
        Record(TicketEventKind.NoteAdded, actor, now, null);
    }

    /// <summary>Moves the ticket to another customer (customer merge).</summary>
    public void MoveToCustomer(long customerId, Actor actor, DateTime now)
    {
        if (customerId == CustomerId)
        {
            return;
        }
        var from = CustomerId;
        CustomerId = customerId;
        Record(TicketEventKind.CustomerMerged, actor, now, $"customer {from} → {customerId}");
    }

    private void EnsureNotClosed(string action)
    {
        if (Status == TicketStatus.Closed)
        {
            throw new TicketRuleException("ticket-closed", $"Ticket {Number} is closed; you cannot {action} it. Open a new ticket instead.");
        }
    }

    private void Record(TicketEventKind kind, Actor actor, DateTime now, string? detail)
    {
        _events.Add(TicketEvent.Create(kind, actor, now, detail));
        UpdatedAt = now > UpdatedAt ? now : UpdatedAt;
        Version++;
    }

    private static string NormalizeSubject(string subject)
    {
        var trimmed = (subject ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new TicketRuleException("subject-required", "A ticket needs a subject.");
        }
        return trimmed.Length > SubjectMaxLength ? trimmed[..SubjectMaxLength] : trimmed;
    }
}

public static class TicketStatusNames
{
    public static string Of(TicketStatus status) => status switch
    {
        TicketStatus.New => "new",
        TicketStatus.Open => "open",
        TicketStatus.WaitingOnCustomer => "waiting-on-customer",
        TicketStatus.Resolved => "resolved",
        TicketStatus.Closed => "closed",
        _ => status.ToString(),
    };
}

/// <summary>A business rule refused the change. Becomes a 409 ProblemDetails carrying the code.</summary>
public sealed class TicketRuleException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
