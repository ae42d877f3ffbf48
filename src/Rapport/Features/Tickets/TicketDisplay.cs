using System.Globalization;

namespace Rapport.Features.Tickets;

/// <summary>How tickets read on screen: labels, badge classes and friendly times.</summary>
public static class TicketDisplay
{
    public static string Label(TicketStatus status) => status switch
    {
        TicketStatus.New => "New",
        TicketStatus.Open => "Open",
        TicketStatus.WaitingOnCustomer => "Waiting on customer",
        TicketStatus.Resolved => "Resolved",
        TicketStatus.Closed => "Closed",
        _ => status.ToString(),
    };

    public static string Label(TicketPriority priority) => priority.ToString();

    public static string StatusClass(TicketStatus status) => "badge status-" + TicketStatusNames.Of(status);

    public static string PriorityClass(TicketPriority priority) => "badge priority-" + priority.ToString().ToLowerInvariant();

    /// <summary>"just now", "5 min ago", "3 h ago", "2 days ago", else the date.</summary>
    public static string Ago(DateTime at, DateTime now)
    {
        var span = now - at;
        return span.TotalSeconds switch
        {
            < 60 => "just now",
            < 3600 => $"{(int)span.TotalMinutes} min ago",
            < 86_400 => $"{(int)span.TotalHours} h ago",
            < 7 * 86_400 => $"{(int)span.TotalDays} day{((int)span.TotalDays == 1 ? "" : "s")} ago",
            _ => at.ToString("d MMM yyyy", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>"overdue by 2 h", "due in 35 min", "due in 3 days".</summary>
    public static string Due(DateTime due, DateTime now)
    {
        var span = due - now;
        var late = span < TimeSpan.Zero;
        var size = late ? -span : span;
        var text = size.TotalMinutes < 60 ? $"{Math.Max(1, (int)size.TotalMinutes)} min"
            : size.TotalHours < 48 ? $"{(int)size.TotalHours} h"
            : $"{(int)size.TotalDays} days";
        return late ? $"overdue by {text}" : $"due in {text}";
    }

    /// <summary>An instant in the viewer's zone, as "Mon 2 Mar 2026, 09:05".</summary>
    public static string When(DateTime at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(at, zone).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);
}
