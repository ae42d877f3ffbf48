using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.SavedReplies;

/// <summary>A reply text the team reuses. Placeholders in double braces are filled in when it is inserted:
/// {{customer.first_name}}, {{customer.name}}, {{agent.name}}, {{agent.first_name}}, {{ticket.number}}, {{ticket.subject}}, {{business.name}}.</summary>
public sealed partial class SavedReply
{
    public const int NameMaxLength = 100;
    public const int TextMaxLength = 20_000;

    public static readonly IReadOnlyList<string> Placeholders =
        ["customer.first_name", "customer.name", "agent.first_name", "agent.name", "ticket.number", "ticket.subject", "business.name"];

    private SavedReply() { }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public string Text { get; private set; } = "";
    public int? CreatedByAgentId { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    public static SavedReply Create(string name, string text, int? agentId, DateTime now)
    {
        var reply = new SavedReply { CreatedByAgentId = agentId, CreatedAt = now };
        reply.Change(name, text, now);
        return reply;
    }

    public void Change(string name, string text, DateTime now)
    {
        name = (name ?? "").Trim();
        text = (text ?? "").Trim();
        if (name.Length is 0 or > NameMaxLength)
        {
            throw new Tickets.TicketRuleException("name-invalid", $"A saved reply needs a name of 1 to {NameMaxLength} characters.");
        }
        if (text.Length is 0 or > TextMaxLength)
        {
            throw new Tickets.TicketRuleException("text-invalid", $"A saved reply needs a text of 1 to {TextMaxLength} characters.");
        }
        var unknown = PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value.Trim().ToLowerInvariant())
            .FirstOrDefault(p => !Placeholders.Contains(p));
        if (unknown is not null)
        {
            throw new Tickets.TicketRuleException("text-invalid",
                $"{{{{{unknown}}}}} is not a placeholder. Use one of: {string.Join(", ", Placeholders.Select(p => "{{" + p + "}}"))}.");
        }
        Name = name;
        Text = text;
        UpdatedAt = now;
    }

    /// <summary>The text with its placeholders filled from <paramref name="values"/> (keys as in <see cref="Placeholders"/>);
    /// a value that is unknown here becomes empty rather than showing braces to a customer.</summary>
    public static string Fill(string text, IReadOnlyDictionary<string, string?> values) =>
        PlaceholderPattern().Replace(text, m => values.TryGetValue(m.Groups[1].Value.Trim().ToLowerInvariant(), out var v) ? v ?? "" : "");

    /// <summary>The first word of a name, for a friendly greeting ("Dana" from "Dana K. Smith").</summary>
    public static string FirstName(string? name) => (name ?? "").Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var first, ..] ? first : "";

    [GeneratedRegex(@"\{\{\s*([a-zA-Z_.]+)\s*\}\}")]
    private static partial Regex PlaceholderPattern();
}

internal sealed class SavedReplyConfiguration : IEntityTypeConfiguration<SavedReply>
{
    public void Configure(EntityTypeBuilder<SavedReply> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(SavedReply.NameMaxLength);
        builder.Property(r => r.Text).HasMaxLength(SavedReply.TextMaxLength);
        builder.HasIndex(r => r.Name).IsUnique();
        builder.HasOne<Agents.Agent>().WithMany().HasForeignKey(r => r.CreatedByAgentId).OnDelete(DeleteBehavior.SetNull);
    }
}
