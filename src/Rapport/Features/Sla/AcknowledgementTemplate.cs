using System.Globalization;
using System.Text.RegularExpressions;

namespace Rapport.Features.Sla;

/// <summary>The honest acknowledgement: "You'll hear from Dana by Tuesday 10:00". An editable template with
/// placeholders {customer}, {agent}, {due}, {due_date}, {due_time}, {ticket}; the due instant is shown in the
/// customer's time zone when known, else the business's. Unknown placeholders are an error, so a typo in the
/// template is caught when it is saved rather than mailed to a customer.</summary>
public static partial class AcknowledgementTemplate
{
    public const string Default = "Hello {customer},\n\nthanks for writing. You'll hear from {agent} by {due}.\n(Ticket {ticket})";

    public static readonly IReadOnlyList<string> Placeholders = ["customer", "agent", "due", "due_date", "due_time", "ticket"];

    public sealed record Values(string CustomerName, string AgentName, string TicketReference, DateTime DueAt, TimeZoneInfo Zone, DateTime NowAt);

    /// <summary>Placeholders in the template that are not known; empty when the template is fine.</summary>
    public static IReadOnlyList<string> UnknownPlaceholders(string template) =>
        [.. PlaceholderPattern().Matches(template).Select(m => m.Groups[1].Value).Where(p => !Placeholders.Contains(p)).Distinct()];

    public static string Render(string template, Values values)
    {
        var unknown = UnknownPlaceholders(template);
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown placeholder(s): {string.Join(", ", unknown.Select(p => "{" + p + "}"))}.", nameof(template));
        }
        var due = TimeZoneInfo.ConvertTimeFromUtc(values.DueAt, values.Zone);
        var now = TimeZoneInfo.ConvertTimeFromUtc(values.NowAt, values.Zone);
        var culture = CultureInfo.InvariantCulture;
        var dayWord = (due.Date - now.Date).Days switch
        {
            0 => "today",
            1 => "tomorrow",
            > 1 and < 7 => due.ToString("dddd", culture),
            _ => due.ToString("dddd d MMMM", culture),
        };
        var time = due.ToString("HH:mm", culture);
        return PlaceholderPattern().Replace(template, m => m.Groups[1].Value switch
        {
            "customer" => values.CustomerName,
            "agent" => values.AgentName,
            "ticket" => values.TicketReference,
            "due_date" => dayWord,
            "due_time" => time,
            _ => $"{dayWord} {time}",
        });
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex PlaceholderPattern();
}
