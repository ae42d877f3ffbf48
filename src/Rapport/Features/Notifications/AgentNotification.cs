using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Notifications;

public enum NotificationKind { DeadlineNear, DeadlineMissed, Escalated, PromiseDueSoon, PromiseOverdue }

/// <summary>Something an agent should know about now, shown in the workspace until read.</summary>
public sealed class AgentNotification
{
    public const int TextMaxLength = 500;

    private AgentNotification() { }

    public long Id { get; private set; }
    public int AgentId { get; private set; }
    public long? TicketId { get; private set; }
    public NotificationKind Kind { get; private set; }
    public string Text { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime? ReadAt { get; private set; }

    public static AgentNotification Create(int agentId, long? ticketId, NotificationKind kind, string text, DateTime now) => new()
    {
        AgentId = agentId, TicketId = ticketId, Kind = kind, CreatedAt = now,
        Text = text.Length > TextMaxLength ? text[..TextMaxLength] : text,
    };

    public void MarkRead(DateTime now) => ReadAt ??= now;
}

internal sealed class AgentNotificationConfiguration : IEntityTypeConfiguration<AgentNotification>
{
    public void Configure(EntityTypeBuilder<AgentNotification> builder)
    {
        builder.Property(n => n.Text).HasMaxLength(AgentNotification.TextMaxLength);
        builder.HasIndex(n => new { n.AgentId, n.ReadAt, n.Id });
    }
}
