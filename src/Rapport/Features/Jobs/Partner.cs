namespace Rapport.Features.Jobs;

/// <summary>Another business the team refers customers to when it declines their request.</summary>
public sealed class Partner
{
    public const int NameMaxLength = 200;
    public const int ContactMaxLength = 300;
    public const int ServicesMaxLength = 2000;

    private Partner() { }

    public long Id { get; private set; }
    public string Name { get; private set; } = "";
    public string? Email { get; private set; }
    public string? Website { get; private set; }
    public string? Phone { get; private set; }
    /// <summary>What they do, in a line or two ("roof repairs, gutters").</summary>
    public string? Services { get; private set; }
    public bool Active { get; private set; }
    public DateTime CreatedAt { get; private set; }

    public static Partner Create(string name, DateTime now)
    {
        var partner = new Partner { CreatedAt = now, Active = true };
        partner.Update(name, null, null, null, null, true);
        return partner;
    }

    public void Update(string name, string? email, string? website, string? phone, string? services, bool active)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            throw new JobRuleException("name-required", $"A partner needs a name of 1 to {NameMaxLength} characters.");
        }
        Name = trimmed;
        Email = Clip(email, ContactMaxLength);
        Website = Clip(website, ContactMaxLength);
        Phone = Clip(phone, ContactMaxLength);
        Services = Clip(services, ServicesMaxLength);
        Active = active;
    }

    /// <summary>How the customer can reach them, for the decline note.</summary>
    public string Contact => string.Join(", ", new[] { Website, Email, Phone }.Where(s => s is { Length: > 0 }));

    private static string? Clip(string? value, int max) => string.IsNullOrWhiteSpace(value) ? null : value.Trim()[..Math.Min(value.Trim().Length, max)];
}
