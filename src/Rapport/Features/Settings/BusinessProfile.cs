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
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

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
    }
}
