using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Agents;

namespace Rapport.Features.Tickets;

/// <summary>An agent's own inbox view: one of the built-in views narrowed by a tag and/or search words, with a name.</summary>
public sealed class SavedView
{
    public const int NameMaxLength = 60;
    public const int MaxPerAgent = 20;

    private SavedView() { }

    public int Id { get; private set; }
    public int AgentId { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>The built-in view it narrows: mine, unassigned, open, waiting or resolved.</summary>
    public string BaseView { get; private set; } = "";
    public string? Tag { get; private set; }
    public string? Search { get; private set; }
    public DateTime CreatedAt { get; private set; }

    public static SavedView Create(int agentId, string name, string baseView, string? tag, string? search, DateTime now)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > NameMaxLength)
        {
            throw new TicketRuleException("name-invalid", $"A view needs a name of 1 to {NameMaxLength} characters.");
        }
        if (string.IsNullOrWhiteSpace(tag) && string.IsNullOrWhiteSpace(search))
        {
            throw new TicketRuleException("filter-required", "Narrow the view by a tag or search words before saving it.");
        }
        return new SavedView
        {
            AgentId = agentId,
            Name = name,
            BaseView = baseView,
            Tag = string.IsNullOrWhiteSpace(tag) ? null : TicketTag.NormalizeOne(tag),
            Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim(),
            CreatedAt = now,
        };
    }
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> builder)
    {
        builder.Property(v => v.Name).HasMaxLength(SavedView.NameMaxLength);
        builder.Property(v => v.BaseView).HasMaxLength(20);
        builder.Property(v => v.Tag).HasMaxLength(TicketTag.MaxLength);
        builder.Property(v => v.Search).HasMaxLength(200);
        builder.HasIndex(v => new { v.AgentId, v.Name }).IsUnique();
        builder.HasOne<Agent>().WithMany().HasForeignKey(v => v.AgentId).OnDelete(DeleteBehavior.Cascade);
    }
}
