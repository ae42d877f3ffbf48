using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Tickets;

namespace Rapport.Features.Promises;

/// <summary>What was promised. The SLA kinds are the desk's own deadlines; the others were written or entered by an agent.</summary>
public enum PromiseKind { FirstResponse, NextResponse, Resolution, Reply, Call, FollowUp, Start, Delivery }

public enum PromiseStatus { Open, Kept, Broken, Cancelled }

/// <summary>A commitment with a due instant, and what became of it. Written ones ("I'll call you tomorrow") and manual
/// follow-ups are stored when made; an SLA deadline is stored when it is settled (the open ones live on the ticket as
/// its due instants, see ADR 0014).</summary>
public sealed class Promise
{
    public const int TextMaxLength = 500;
    public const int NoteMaxLength = 500;

    private Promise() { }

    public long Id { get; private set; }
    public PromiseKind Kind { get; private set; }
    public long TicketId { get; private set; }
    public long CustomerId { get; private set; }
    /// <summary>Who made the promise and is to keep it (for an SLA deadline: the ticket's owner; null for the whole team).</summary>
    public int? AgentId { get; private set; }
    public string Text { get; private set; } = "";
    public DateTime DueAt { get; private set; }
    public PromiseStatus Status { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? SettledAt { get; private set; }
    /// <summary>Who settled it by hand; null when Rapport did (a reply in time, say).</summary>
    public int? SettledById { get; private set; }
    public string? SettleNote { get; private set; }
    /// <summary>When the agent was reminded that it falls due soon; when they were told it is overdue.</summary>
    public DateTime? RemindedAt { get; private set; }
    public DateTime? OverdueNoticeAt { get; private set; }

    /// <summary>The commitments people made (in a reply, by hand, or by a quote's dates), as opposed to the desk's SLA deadlines.</summary>
    public static readonly PromiseKind[] Made = [PromiseKind.Reply, PromiseKind.Call, PromiseKind.FollowUp, PromiseKind.Start, PromiseKind.Delivery];

    public bool IsSla => Kind is PromiseKind.FirstResponse or PromiseKind.NextResponse or PromiseKind.Resolution;

    /// <summary>A job's promised start or delivery date, due at the end of that day in the business's time zone.</summary>
    public static Promise ForJob(bool delivery, long ticketId, long customerId, int? agentId, string text, DateOnly dueOn, TimeZoneInfo zone, DateTime now)
    {
        var endOfDay = dueOn.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        var dueAt = TimeZoneInfo.ConvertTimeToUtc(zone.IsInvalidTime(endOfDay) ? endOfDay.AddHours(1) : endOfDay, zone);
        return new Promise
        {
            Kind = delivery ? PromiseKind.Delivery : PromiseKind.Start, TicketId = ticketId, CustomerId = customerId, AgentId = agentId,
            Text = text.Length > TextMaxLength ? text[..TextMaxLength] : text, DueAt = dueAt, Status = PromiseStatus.Open, CreatedAt = now,
        };
    }

    public static Promise Make(PromiseKind kind, long ticketId, long customerId, int? agentId, string text, DateTime dueAt, DateTime now)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new TicketRuleException("promise-text-required", "Say what was promised.");
        }
        if (dueAt <= now.AddMinutes(-1) && kind is PromiseKind.Reply or PromiseKind.Call or PromiseKind.FollowUp)
        {
            throw new TicketRuleException("promise-due-invalid", "A promise is due in the future.");
        }
        return new Promise
        {
            Kind = kind, TicketId = ticketId, CustomerId = customerId, AgentId = agentId,
            Text = trimmed.Length > TextMaxLength ? trimmed[..TextMaxLength] : trimmed,
            DueAt = dueAt, Status = PromiseStatus.Open, CreatedAt = now,
        };
    }

    /// <summary>An SLA deadline met or missed: stored already settled.</summary>
    public static Promise SettledSla(SlaDeadline deadline, Ticket ticket, DateTime dueAt, DateTime createdAt, DateTime now, bool cancelled = false) => new()
    {
        Kind = deadline switch
        {
            SlaDeadline.FirstResponse => PromiseKind.FirstResponse,
            SlaDeadline.NextResponse => PromiseKind.NextResponse,
            _ => PromiseKind.Resolution,
        },
        TicketId = ticket.Id, CustomerId = ticket.CustomerId, AgentId = ticket.OwnerId,
        Text = deadline switch
        {
            SlaDeadline.FirstResponse => "First answer",
            SlaDeadline.NextResponse => "Answer to the customer's message",
            _ => "Resolution",
        },
        DueAt = dueAt, CreatedAt = createdAt, SettledAt = now,
        Status = cancelled ? PromiseStatus.Cancelled : now <= dueAt ? PromiseStatus.Kept : PromiseStatus.Broken,
    };

    public void Settle(PromiseStatus status, int? byAgentId, string? note, DateTime now)
    {
        if (status == PromiseStatus.Open)
        {
            throw new TicketRuleException("promise-settle-open", "Settle a promise as kept, broken or cancelled.");
        }
        if (Status != PromiseStatus.Open)
        {
            throw new TicketRuleException("promise-settled", $"This promise was already settled ({Status.ToString().ToLowerInvariant()}).");
        }
        Status = status;
        SettledAt = now;
        SettledById = byAgentId;
        SettleNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim()[..Math.Min(note.Trim().Length, NoteMaxLength)];
    }

    /// <summary>A new due instant, agreed with the customer. The old one is not forgotten: the change is noted.</summary>
    public void Reschedule(DateTime dueAt, DateTime now)
    {
        if (Status != PromiseStatus.Open)
        {
            throw new TicketRuleException("promise-settled", "A settled promise cannot be moved.");
        }
        if (dueAt <= now)
        {
            throw new TicketRuleException("promise-due-invalid", "A promise is due in the future.");
        }
        DueAt = dueAt;
        RemindedAt = null;
        OverdueNoticeAt = null;
    }

    internal void Reminded(DateTime now) => RemindedAt = now;

    internal void ToldOverdue(DateTime now) => OverdueNoticeAt = now;
}

internal sealed class PromiseConfiguration : IEntityTypeConfiguration<Promise>
{
    public void Configure(EntityTypeBuilder<Promise> builder)
    {
        builder.Property(p => p.Text).HasMaxLength(Promise.TextMaxLength);
        builder.Property(p => p.SettleNote).HasMaxLength(Promise.NoteMaxLength);
        builder.Ignore(p => p.IsSla);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(p => p.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => new { p.TicketId, p.Id });
        builder.HasIndex(p => new { p.Status, p.DueAt });
        builder.HasIndex(p => new { p.AgentId, p.Status, p.DueAt });
        builder.HasIndex(p => new { p.CustomerId, p.SettledAt });
        builder.HasIndex(p => p.SettledAt);
    }
}
