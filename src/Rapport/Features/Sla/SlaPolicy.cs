using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Tickets;

namespace Rapport.Features.Sla;

/// <summary>Response and resolution targets for one priority: the first answer, the next answer after each customer
/// message, and resolution; counted in business hours (or calendar hours). The clock stops while the ticket waits on the customer.
/// A policy with a <see cref="Tag"/> applies instead to tickets of that priority carrying the tag (a customer group such
/// as "vip" or "contract"); when several of a ticket's tags have one, the strictest first answer wins.</summary>
public sealed class SlaPolicy
{
    private SlaPolicy() { }

    public int Id { get; private set; }
    public TicketPriority Priority { get; private set; }
    /// <summary>"" for the priority's general policy; else the (normalized) tag whose tickets it covers.</summary>
    public string Tag { get; private set; } = "";
    public TimeSpan FirstResponse { get; private set; }
    public TimeSpan NextResponse { get; private set; }
    public TimeSpan Resolution { get; private set; }
    public bool BusinessHours { get; private set; }

    public static SlaPolicy Create(TicketPriority priority, TimeSpan firstResponse, TimeSpan nextResponse, TimeSpan resolution, bool businessHours,
        string? tag = null)
    {
        var policy = new SlaPolicy { Priority = priority, Tag = TicketTag.NormalizeOne(tag) };
        policy.Change(firstResponse, nextResponse, resolution, businessHours);
        return policy;
    }

    public void Change(TimeSpan firstResponse, TimeSpan nextResponse, TimeSpan resolution, bool businessHours)
    {
        foreach (var (name, value) in new[] { ("firstResponse", firstResponse), ("nextResponse", nextResponse), ("resolution", resolution) })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(365))
            {
                throw new TicketRuleException($"{name}-invalid", $"The {name} target must be between one minute and a year.");
            }
        }
        FirstResponse = firstResponse;
        NextResponse = nextResponse;
        Resolution = resolution;
        BusinessHours = businessHours;
    }

    /// <summary>What a new desk starts with, per priority (business hours).</summary>
    public static IReadOnlyList<SlaPolicy> Defaults() =>
    [
        Create(TicketPriority.Urgent, TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(8), businessHours: true),
        Create(TicketPriority.High, TimeSpan.FromHours(4), TimeSpan.FromHours(4), TimeSpan.FromHours(16), businessHours: true),
        Create(TicketPriority.Normal, TimeSpan.FromHours(8), TimeSpan.FromHours(8), TimeSpan.FromHours(40), businessHours: true),
        Create(TicketPriority.Low, TimeSpan.FromHours(16), TimeSpan.FromHours(16), TimeSpan.FromHours(80), businessHours: true),
    ];
}

/// <summary>One weekly opening range of the business (local time; an end at or before the start runs overnight).</summary>
public sealed class OpeningHours
{
    private OpeningHours() { }

    public int Id { get; private set; }
    public DayOfWeek Day { get; private set; }
    public TimeOnly Start { get; private set; }
    public TimeOnly End { get; private set; }

    public static OpeningHours Create(DayOfWeek day, TimeOnly start, TimeOnly end) => new() { Day = day, Start = start, End = end };

    public OpeningRange ToRange() => new(Day, Start, End);
}

/// <summary>A day the business is closed.</summary>
public sealed class Holiday
{
    public const int NameMaxLength = 100;

    private Holiday() { }

    public int Id { get; private set; }
    public DateOnly Date { get; private set; }
    public string Name { get; private set; } = "";

    public static Holiday Create(DateOnly date, string? name) => new() { Date = date, Name = (name ?? "").Trim() is { Length: > 0 } n ? n[..Math.Min(n.Length, NameMaxLength)] : "Closed" };
}

internal sealed class SlaConfiguration : IEntityTypeConfiguration<SlaPolicy>, IEntityTypeConfiguration<OpeningHours>, IEntityTypeConfiguration<Holiday>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> builder)
    {
        builder.Property(p => p.Tag).HasMaxLength(TicketTag.MaxLength);
        builder.HasIndex(p => new { p.Tag, p.Priority }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<OpeningHours> builder) => builder.HasIndex(h => h.Day);

    public void Configure(EntityTypeBuilder<Holiday> builder)
    {
        builder.Property(h => h.Name).HasMaxLength(Holiday.NameMaxLength);
        builder.HasIndex(h => h.Date).IsUnique();
    }
}
