using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Settings;

/// <summary>The business this desk serves: its name and the IANA time zone its clocks (business hours, SLAs) run in.
/// One row, created by the first-run setup.</summary>
public sealed class BusinessProfile
{
    public const int SingletonId = 1;
    public const int NameMaxLength = 200;

    private BusinessProfile() { }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public string TimeZone { get; private set; } = "UTC";
    /// <summary>When set, every agent must sign in with a second factor (an authenticator app).</summary>
    public bool RequireTwoFactor { get; private set; }
    /// <summary>How much of a deadline's target may pass before the ticket's owner is warned (percent).</summary>
    public int SlaWarnPercent { get; private set; } = DefaultWarnPercent;
    /// <summary>When set, a ticket whose deadline passed is reassigned to this agent (the lead); else it stays and only alerts.</summary>
    public int? EscalateToAgentId { get; private set; }
    /// <summary>New tickets a customer opens get an automatic, honest acknowledgement: who answers and by when.</summary>
    public bool AcknowledgementEnabled { get; private set; } = true;
    public string AcknowledgementTemplate { get; private set; } = Sla.AcknowledgementTemplate.Default;
    /// <summary>A customer without an owner gets one with their first ticket (the available agent with the lightest load).</summary>
    public bool AssignNewCustomers { get; private set; }
    /// <summary>The address customers reach the desk at, the base of every link in mail (see <see cref="PublicAddress"/>);
    /// null on a desk set up before it was asked for, until the owner sets it.</summary>
    public string? PublicUrl { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    public const int DefaultWarnPercent = 80;
    public const int TemplateMaxLength = 4000;

    public static BusinessProfile Create(string name, string timeZone, DateTime now)
    {
        var profile = new BusinessProfile { Id = SingletonId, CreatedAt = now };
        profile.Update(name, timeZone, now);
        return profile;
    }

    public void Update(string name, string timeZone, DateTime now)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            throw new ArgumentException($"The business name must be 1 to {NameMaxLength} characters.", nameof(name));
        }
        if (!IsKnownTimeZone(timeZone))
        {
            throw new ArgumentException($"'{timeZone}' is not an IANA time zone (for example Europe/Berlin).", nameof(timeZone));
        }
        Name = trimmed;
        TimeZone = timeZone;
        UpdatedAt = now;
    }

    public void SetTwoFactorRequirement(bool required, DateTime now)
    {
        RequireTwoFactor = required;
        UpdatedAt = now;
    }

    /// <summary>Warning share and escalation target; the caller checks that the agent may own tickets.</summary>
    public void SetEscalation(int warnPercent, int? escalateToAgentId, DateTime now)
    {
        if (warnPercent is < 10 or > 99)
        {
            throw new ArgumentException("Warn between 10 % and 99 % of a target.", nameof(warnPercent));
        }
        SlaWarnPercent = warnPercent;
        EscalateToAgentId = escalateToAgentId;
        UpdatedAt = now;
    }

    public void SetAcknowledgement(bool enabled, string template, DateTime now)
    {
        var text = (template ?? "").Trim();
        if (text.Length is 0 or > TemplateMaxLength)
        {
            throw new ArgumentException($"The acknowledgement needs a text of 1 to {TemplateMaxLength} characters.", nameof(template));
        }
        if (Sla.AcknowledgementTemplate.UnknownPlaceholders(text) is { Count: > 0 } unknown)
        {
            throw new ArgumentException($"Unknown placeholder(s): {string.Join(", ", unknown.Select(p => "{" + p + "}"))}. "
                + $"Use {string.Join(", ", Sla.AcknowledgementTemplate.Placeholders.Select(p => "{" + p + "}"))}.", nameof(template));
        }
        AcknowledgementEnabled = enabled;
        AcknowledgementTemplate = text;
        UpdatedAt = now;
    }

    /// <summary>Sets the public address; throws <see cref="ArgumentException"/> with the reason when it is not one.</summary>
    public void SetPublicUrl(string url, DateTime now)
    {
        if (!Settings.PublicAddress.TryNormalize(url, out var normalized, out var error))
        {
            throw new ArgumentException(error, nameof(url));
        }
        PublicUrl = normalized;
        UpdatedAt = now;
    }

    public void SetRouting(bool assignNewCustomers, DateTime now)
    {
        AssignNewCustomers = assignNewCustomers;
        UpdatedAt = now;
    }

    public static bool IsKnownTimeZone(string? id) =>
        !string.IsNullOrWhiteSpace(id)
        && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
        && (zone.HasIanaId || id == "UTC");
}

internal sealed class BusinessProfileConfiguration : IEntityTypeConfiguration<BusinessProfile>
{
    public void Configure(EntityTypeBuilder<BusinessProfile> builder)
    {
        builder.Property(b => b.Id).ValueGeneratedNever();
        builder.Property(b => b.Name).HasMaxLength(BusinessProfile.NameMaxLength);
        builder.Property(b => b.TimeZone).HasMaxLength(64);
        builder.Property(b => b.AcknowledgementTemplate).HasMaxLength(BusinessProfile.TemplateMaxLength);
        builder.Property(b => b.PublicUrl).HasMaxLength(PublicAddress.MaxLength);
    }
}
