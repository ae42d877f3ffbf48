using Microsoft.Extensions.Time.Testing;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;
using static Rapport.Features.Tickets.TicketStatus;

namespace Rapport.Tests.Features.Tickets;

public sealed class TicketRulesTests
{
    private const int AgentId = 7;
    private static readonly Actor ByAgent = Actor.ForHistory(AgentId);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    /// <summary>Every (from, to) pair and whether a ticket may move that way. Written out, not computed, so that
    /// a change to the rules has to change this table too.</summary>
    public static TheoryData<TicketStatus, TicketStatus, bool> Moves => new()
    {
        { New, New, true }, { New, Open, true }, { New, WaitingOnCustomer, true }, { New, Resolved, true }, { New, Closed, true },
        { Open, New, false }, { Open, Open, true }, { Open, WaitingOnCustomer, true }, { Open, Resolved, true }, { Open, Closed, true },
        { WaitingOnCustomer, New, false }, { WaitingOnCustomer, Open, true }, { WaitingOnCustomer, WaitingOnCustomer, true },
        { WaitingOnCustomer, Resolved, true }, { WaitingOnCustomer, Closed, true },
        { Resolved, New, false }, { Resolved, Open, true }, { Resolved, WaitingOnCustomer, false }, { Resolved, Resolved, true },
        { Resolved, Closed, true },
        { Closed, New, false }, { Closed, Open, false }, { Closed, WaitingOnCustomer, false }, { Closed, Resolved, false },
        { Closed, Closed, true },
    };

    [Fact]
    public void The_move_table_covers_every_pair_of_statuses()
    {
        var statuses = Enum.GetValues<TicketStatus>();
        var pairs = Moves.Select(row => (row.Data.Item1, row.Data.Item2)).ToHashSet();

        pairs.Count.ShouldBe(Moves.Count);
        pairs.Count.ShouldBe(statuses.Length * statuses.Length);
    }

    [Theory]
    [MemberData(nameof(Moves))]
    public void IsLegalMove_follows_the_table(TicketStatus from, TicketStatus to, bool legal) =>
        Ticket.IsLegalMove(from, to).ShouldBe(legal);

    [Theory]
    [MemberData(nameof(Moves))]
    public void ChangeStatus_makes_legal_moves_and_refuses_the_others(TicketStatus from, TicketStatus to, bool legal)
    {
        var ticket = TicketIn(from);
        var version = ticket.Version;
        var events = ticket.Events.Count;
        _clock.Advance(TimeSpan.FromMinutes(1));

        if (!legal)
        {
            Should.Throw<TicketRuleException>(() => ticket.ChangeStatus(to, ByAgent, Now)).Code.ShouldBe("illegal-status-change");
            ticket.Status.ShouldBe(from);
            ticket.Version.ShouldBe(version);
            ticket.Events.Count.ShouldBe(events);
            return;
        }

        ticket.ChangeStatus(to, ByAgent, Now);

        ticket.Status.ShouldBe(to);
        if (from == to)
        {
            ticket.Version.ShouldBe(version);
            ticket.Events.Count.ShouldBe(events);
        }
        else
        {
            ticket.Version.ShouldBe(version + 1);
            var recorded = ticket.Events.Last();
            recorded.Kind.ShouldBe(TicketEventKind.StatusChanged);
            recorded.Detail.ShouldBe($"{TicketStatusNames.Of(from)} → {TicketStatusNames.Of(to)}");
            recorded.AgentId.ShouldBe(AgentId);
            recorded.At.ShouldBe(Now);
        }
    }

    [Fact]
    public void Resolving_stamps_the_time_and_reopening_clears_it()
    {
        var ticket = TicketIn(Open);
        _clock.Advance(TimeSpan.FromHours(2));
        var resolvedAt = Now;

        ticket.ChangeStatus(Resolved, ByAgent, resolvedAt);
        ticket.ResolvedAt.ShouldBe(resolvedAt);

        _clock.Advance(TimeSpan.FromHours(1));
        ticket.ChangeStatus(Open, ByAgent, Now);
        ticket.ResolvedAt.ShouldBeNull();
    }

    [Fact]
    public void Closing_a_resolved_ticket_keeps_when_it_was_resolved()
    {
        var ticket = TicketIn(Resolved);
        var resolvedAt = ticket.ResolvedAt;
        _clock.Advance(TimeSpan.FromDays(3));

        ticket.ChangeStatus(Closed, ByAgent, Now);

        ticket.ClosedAt.ShouldBe(Now);
        ticket.ResolvedAt.ShouldBe(resolvedAt);
        resolvedAt.ShouldNotBe(Now);
    }

    [Fact]
    public void Closing_an_unresolved_ticket_also_resolves_it()
    {
        var ticket = TicketIn(Open);
        _clock.Advance(TimeSpan.FromDays(1));

        ticket.ChangeStatus(Closed, ByAgent, Now);

        ticket.ClosedAt.ShouldBe(Now);
        ticket.ResolvedAt.ShouldBe(Now);
    }

    [Theory]
    [InlineData(WaitingOnCustomer)]
    [InlineData(Resolved)]
    public void A_customer_writing_again_reopens_a_waiting_or_resolved_ticket(TicketStatus status)
    {
        var ticket = TicketIn(status);
        var messages = ticket.Messages.Count;
        _clock.Advance(TimeSpan.FromHours(5));

        ticket.AddCustomerMessage(CustomerMessage(ticket), ChangeChannel.Email, Now);

        ticket.Status.ShouldBe(Open);
        ticket.ResolvedAt.ShouldBeNull();
        ticket.Messages.Count.ShouldBe(messages + 1);
        ticket.UpdatedAt.ShouldBe(Now);
        var (wrote, reopened) = (ticket.Events.SkipLast(1).Last(), ticket.Events.Last());
        wrote.Kind.ShouldBe(TicketEventKind.CustomerWrote);
        reopened.Kind.ShouldBe(TicketEventKind.StatusChanged);
        reopened.Detail.ShouldBe($"{TicketStatusNames.Of(status)} → open (customer wrote again)");
        reopened.CustomerId.ShouldBe(ticket.CustomerId);
        reopened.AgentId.ShouldBeNull();
    }

    [Theory]
    [InlineData(New)]
    [InlineData(Open)]
    public void A_customer_writing_to_a_new_or_open_ticket_leaves_its_status(TicketStatus status)
    {
        var ticket = TicketIn(status);
        var events = ticket.Events.Count;

        ticket.AddCustomerMessage(CustomerMessage(ticket), ChangeChannel.Email, Now);

        ticket.Status.ShouldBe(status);
        ticket.Events.Count.ShouldBe(events + 1);
        ticket.Events.Last().Kind.ShouldBe(TicketEventKind.CustomerWrote);
    }

    [Fact]
    public void A_customer_cannot_write_to_a_closed_ticket()
    {
        var ticket = TicketIn(Closed);
        var messages = ticket.Messages.Count;

        Should.Throw<TicketRuleException>(() => ticket.AddCustomerMessage(CustomerMessage(ticket), ChangeChannel.Email, Now)).Code.ShouldBe("ticket-closed");

        ticket.Messages.Count.ShouldBe(messages);
        ticket.Status.ShouldBe(Closed);
    }

    [Fact]
    public void The_first_reply_stamps_the_first_response_and_later_replies_do_not()
    {
        var ticket = NewTicket();
        _clock.Advance(TimeSpan.FromMinutes(42));
        var firstReply = Now;

        ticket.AddReply(Reply(), ByAgent, firstReply);
        ticket.FirstResponseAt.ShouldBe(firstReply);

        _clock.Advance(TimeSpan.FromHours(1));
        ticket.AddCustomerMessage(CustomerMessage(ticket), ChangeChannel.Email, Now);
        _clock.Advance(TimeSpan.FromHours(1));
        ticket.AddReply(Reply(), ByAgent, Now);

        ticket.FirstResponseAt.ShouldBe(firstReply);
        ticket.Messages.Count(m => m.Kind == MessageKind.Reply).ShouldBe(2);
    }

    [Fact]
    public void A_note_is_not_a_response()
    {
        var ticket = NewTicket();
        _clock.Advance(TimeSpan.FromMinutes(5));

        ticket.AddNote(Message.Note(AgentId, new MessageBody("Asked the warehouse.", null), Now), ByAgent, Now);

        ticket.FirstResponseAt.ShouldBeNull();
        ticket.Status.ShouldBe(New);
        ticket.Events.Last().Kind.ShouldBe(TicketEventKind.NoteAdded);
        ticket.Messages.Last().Kind.ShouldBe(MessageKind.Note);
    }

    [Theory]
    [InlineData(New)]
    [InlineData(Open)]
    public void After_a_reply_a_new_or_open_ticket_waits_on_the_customer(TicketStatus status)
    {
        var ticket = TicketIn(status);

        ticket.AddReply(Reply(), ByAgent, Now);

        ticket.Status.ShouldBe(WaitingOnCustomer);
    }

    [Fact]
    public void A_reply_can_resolve_the_ticket_instead()
    {
        var ticket = NewTicket();
        _clock.Advance(TimeSpan.FromMinutes(10));

        ticket.AddReply(Reply(), ByAgent, Now, statusAfter: Resolved);

        ticket.Status.ShouldBe(Resolved);
        ticket.ResolvedAt.ShouldBe(Now);
        ticket.FirstResponseAt.ShouldBe(Now);
    }

    [Fact]
    public void A_reply_to_a_closed_ticket_is_refused()
    {
        var ticket = TicketIn(Closed);
        var messages = ticket.Messages.Count;
        var version = ticket.Version;

        var refused = Should.Throw<TicketRuleException>(() => ticket.AddReply(Reply(), ByAgent, Now));

        refused.Code.ShouldBe("ticket-closed");
        ticket.Messages.Count.ShouldBe(messages);
        ticket.Version.ShouldBe(version);
        ticket.FirstResponseAt.ShouldBeNull();
    }

    [Fact]
    public void Tags_are_lower_case_trimmed_hyphenated_and_unique()
    {
        var ticket = NewTicket();

        ticket.SetTags([" Billing ", "BILLING", "billing", "VIP   customer", "\t", "", "re,fund"], ByAgent, Now);

        ticket.Tags.Select(t => t.Name).ShouldBe(["billing", "vip-customer", "refund"], ignoreOrder: true);
        ticket.Events.Last().Kind.ShouldBe(TicketEventKind.TagsChanged);
        ticket.Events.Last().Detail.ShouldBe("+billing, +vip-customer, +refund");
    }

    [Fact]
    public void A_tag_is_cut_to_fifty_characters()
    {
        var ticket = NewTicket();

        ticket.SetTags([new string('x', 60)], ByAgent, Now);

        ticket.Tags.Single().Name.ShouldBe(new string('x', TicketTag.MaxLength));
    }

    [Fact]
    public void Setting_the_same_tags_written_differently_changes_nothing()
    {
        var ticket = NewTicket();
        ticket.SetTags(["billing", "vip-customer"], ByAgent, Now);
        var version = ticket.Version;
        var events = ticket.Events.Count;

        ticket.SetTags(["VIP customer", " Billing"], ByAgent, Now);

        ticket.Version.ShouldBe(version);
        ticket.Events.Count.ShouldBe(events);
    }

    [Fact]
    public void Replacing_tags_records_what_was_added_and_removed()
    {
        var ticket = NewTicket();
        ticket.SetTags(["billing", "urgent"], ByAgent, Now);

        ticket.SetTags(["urgent", "Refund"], ByAgent, Now);

        ticket.Tags.Select(t => t.Name).ShouldBe(["urgent", "refund"], ignoreOrder: true);
        ticket.Events.Last().Detail.ShouldBe("+refund, -billing");
    }

    [Fact]
    public void Tags_given_when_opening_are_normalised_too()
    {
        var customer = NewCustomer();

        var ticket = Ticket.Open(customer, "Refund please", TicketChannel.Api, TicketPriority.Normal,
            Message.FromCustomer(customer, new MessageBody("Hi", null), Now), Actor.System, Now, tags: ["Refund", " refund ", "Order Issue"]);

        ticket.Tags.Select(t => t.Name).ShouldBe(["refund", "order-issue"], ignoreOrder: true);
        ticket.Events.Single().Detail.ShouldBe("via api, tagged refund, order-issue");
    }

    [Fact]
    public void Version_starts_at_one_and_every_change_adds_one()
    {
        var ticket = NewTicket();
        ticket.Version.ShouldBe(1);

        List<Action> changes =
        [
            () => ticket.ChangePriority(TicketPriority.Urgent, ByAgent, Now),
            () => ticket.ChangeSubject("Order 4711 lost", ByAgent, Now),
            () => ticket.Assign(AgentId, ByAgent, Now),
            () => ticket.SetTags(["shipping"], ByAgent, Now),
            () => ticket.ChangeStatus(Open, ByAgent, Now),
            () => ticket.AddNote(Message.Note(AgentId, new MessageBody("Checking.", null), Now), ByAgent, Now),
            () => ticket.Assign(null, ByAgent, Now),
        ];
        foreach (var change in changes)
        {
            var before = ticket.Version;
            _clock.Advance(TimeSpan.FromMinutes(1));
            change();
            ticket.Version.ShouldBe(before + 1);
            ticket.UpdatedAt.ShouldBe(Now);
        }
    }

    [Fact]
    public void Changes_to_the_current_value_do_not_count()
    {
        var ticket = NewTicket();
        ticket.Assign(AgentId, ByAgent, Now);
        var version = ticket.Version;
        var events = ticket.Events.Count;
        var updatedAt = ticket.UpdatedAt;
        _clock.Advance(TimeSpan.FromMinutes(1));

        ticket.ChangePriority(ticket.Priority, ByAgent, Now);
        ticket.ChangeSubject($"  {ticket.Subject} ", ByAgent, Now);
        ticket.Assign(AgentId, ByAgent, Now);
        ticket.ChangeStatus(ticket.Status, ByAgent, Now);
        ticket.SetTags([], ByAgent, Now);

        ticket.Version.ShouldBe(version);
        ticket.Events.Count.ShouldBe(events);
        ticket.UpdatedAt.ShouldBe(updatedAt);
    }

    [Fact]
    public void Last_activity_never_moves_backwards()
    {
        var ticket = NewTicket();
        _clock.Advance(TimeSpan.FromHours(1));
        ticket.ChangePriority(TicketPriority.High, ByAgent, Now);
        var latest = Now;

        ticket.ChangePriority(TicketPriority.Low, ByAgent, latest.AddMinutes(-30));

        ticket.UpdatedAt.ShouldBe(latest);
    }

    [Fact]
    public void Assigning_records_who_now_owns_the_ticket()
    {
        var ticket = NewTicket();
        _clock.Advance(TimeSpan.FromMinutes(3));

        ticket.Assign(12, ByAgent, Now);

        ticket.OwnerId.ShouldBe(12);
        var assigned = ticket.Events.Last();
        assigned.Kind.ShouldBe(TicketEventKind.Assigned);
        assigned.Detail.ShouldBe("→ agent 12");
        assigned.AgentId.ShouldBe(AgentId);
        assigned.At.ShouldBe(Now);
    }

    [Fact]
    public void Unassigning_records_it()
    {
        var ticket = NewTicket();
        ticket.Assign(12, ByAgent, Now);

        ticket.Assign(null, ByAgent, Now);

        ticket.OwnerId.ShouldBeNull();
        ticket.Events.Last().Kind.ShouldBe(TicketEventKind.Unassigned);
        ticket.Events.Last().Detail.ShouldBeNull();
    }

    [Fact]
    public void A_closed_ticket_cannot_be_reassigned()
    {
        var ticket = TicketIn(Closed);

        Should.Throw<TicketRuleException>(() => ticket.Assign(12, ByAgent, Now)).Code.ShouldBe("ticket-closed");

        ticket.OwnerId.ShouldBeNull();
    }

    [Fact]
    public void A_new_ticket_goes_to_the_customers_owner()
    {
        var customer = NewCustomer();
        customer.SetOwner(12, Now);

        var ticket = Ticket.Open(customer, "Hello", TicketChannel.Email, TicketPriority.Normal,
            Message.FromCustomer(customer, new MessageBody("Hi", null), Now), Actor.System, Now);

        ticket.OwnerId.ShouldBe(12);
        ticket.Events.Select(e => e.Kind).ShouldBe([TicketEventKind.Created, TicketEventKind.Assigned]);
        ticket.Events.Last().Detail.ShouldBe("→ agent 12 (customer's owner)");
    }

    [Fact]
    public void Opening_a_ticket_records_the_start()
    {
        var customer = NewCustomer();
        var first = Message.FromCustomer(customer, new MessageBody("Order 4711 has not arrived.", null), Now);

        var ticket = Ticket.Open(customer, "  Where is my order?  ", TicketChannel.WebForm, TicketPriority.High, first, Actor.System, Now);

        ticket.Subject.ShouldBe("Where is my order?");
        ticket.Status.ShouldBe(New);
        ticket.Priority.ShouldBe(TicketPriority.High);
        ticket.OwnerId.ShouldBeNull();
        ticket.CreatedAt.ShouldBe(Now);
        ticket.UpdatedAt.ShouldBe(Now);
        ticket.FirstResponseAt.ShouldBeNull();
        ticket.Messages.ShouldBe([first]);
        ticket.Events.Single().Kind.ShouldBe(TicketEventKind.Created);
        ticket.Events.Single().Detail.ShouldBe("via web-form");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_ticket_needs_a_subject(string subject)
    {
        var customer = NewCustomer();

        Should.Throw<TicketRuleException>(() => Ticket.Open(customer, subject, TicketChannel.Api, TicketPriority.Normal,
            Message.FromCustomer(customer, new MessageBody("Hi", null), Now), Actor.System, Now)).Code.ShouldBe("subject-required");
        Should.Throw<TicketRuleException>(() => NewTicket().ChangeSubject(subject, ByAgent, Now)).Code.ShouldBe("subject-required");
    }

    [Fact]
    public void A_long_subject_is_cut_to_the_maximum()
    {
        var ticket = NewTicket();

        ticket.ChangeSubject(new string('s', Ticket.SubjectMaxLength + 20), ByAgent, Now);

        ticket.Subject.Length.ShouldBe(Ticket.SubjectMaxLength);
    }

    private Customer NewCustomer() => Customer.Create("Ann Example", [$"test+{Guid.NewGuid():N}@example.com"], Now);

    private Ticket NewTicket()
    {
        var customer = NewCustomer();
        return Ticket.Open(customer, "Where is my order?", TicketChannel.Email, TicketPriority.Normal,
            Message.FromCustomer(customer, new MessageBody("Order 4711 has not arrived.", null), Now), Actor.System, Now);
    }

    /// <summary>A ticket moved straight from new to <paramref name="status"/> (every status is one legal step from new).</summary>
    private Ticket TicketIn(TicketStatus status)
    {
        var ticket = NewTicket();
        _clock.Advance(TimeSpan.FromMinutes(1));
        ticket.ChangeStatus(status, ByAgent, Now);
        ticket.Status.ShouldBe(status);
        return ticket;
    }

    private Message CustomerMessage(Ticket ticket) => Message.FromCustomer(ticket.Customer, new MessageBody("Any news?", null), Now);

    private Message Reply() => Message.Reply(AgentId, new MessageBody("We are on it.", null), Now);
}
